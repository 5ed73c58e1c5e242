//! Institutions and their representatives, managed by administrators.

use b2mms_shared::api::{Institution, InstitutionPatch, NewInstitution};
use b2mms_shared::rules::{self, FieldErrors, RuleViolation};
use b2mms_shared::{InstitutionId, InstitutionStatus, PersonId};
use chrono::{DateTime, Utc};

use crate::domain::policy::Admin;
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, Actor, Change};
use crate::store::models::InstitutionRow;
use crate::store::{self, DbConnection, new_id, to_db_time};

/// Checks optional identifiers: empty text means none.
fn optional(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<String, RuleViolation>,
) -> Option<String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => errors.check(field, parse(text)),
        None => None,
    }
}

/// Creates an institution; every invalid field is reported at once.
pub fn create(
    conn: &mut DbConnection,
    admin: &Admin,
    body: NewInstitution,
    now: DateTime<Utc>,
) -> AppResult<Institution> {
    insert(conn, &Actor::acting(admin.acting(), now), body, now)
}

/// Creates an institution with the server's own rights: for the command line, the demo
/// loader and test fixtures, which run beside the database rather than through the API.
pub fn create_by_operator(
    conn: &mut DbConnection,
    body: NewInstitution,
    now: DateTime<Utc>,
) -> AppResult<Institution> {
    insert(conn, &Actor::system(now), body, now)
}

fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    body: NewInstitution,
    now: DateTime<Utc>,
) -> AppResult<Institution> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", rules::required_text(&body.name, 200, "name"));
    let short_name = errors.check(
        "short_name",
        rules::required_text(&body.short_name, 32, "short name"),
    );
    let city = errors.check("city", rules::required_text(&body.city, 100, "city"));
    let country = errors.check("country", rules::country_code(&body.country));
    let ror_id = optional(&mut errors, "ror_id", body.ror_id.as_deref(), rules::ror_id);
    let inspire_id = optional(
        &mut errors,
        "inspire_id",
        body.inspire_id.as_deref(),
        rules::inspire_id,
    );
    let paper_name = optional(&mut errors, "paper_name", body.paper_name.as_deref(), |v| {
        rules::required_text(v, 300, "name in papers")
    });
    let address = optional(&mut errors, "address", body.address.as_deref(), |v| {
        rules::required_text(v, 500, "address")
    });
    let (Some(name), Some(short_name), Some(city), Some(country)) =
        (name, short_name, city, country)
    else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let row = InstitutionRow {
        id: new_id(),
        name,
        short_name,
        city,
        country,
        ror_id,
        inspire_id,
        status: InstitutionStatus::Active,
        created_at: to_db_time(now),
        updated_at: to_db_time(now),
        paper_name,
        address,
    };
    store::institutions::insert(conn, &row)?;
    let created = store::institutions::get(conn, &row.id)?;
    audit::record::<(), _>(
        conn,
        actor,
        Change {
            action: audit::Event::InstitutionCreated,
            subject: audit::Subject::Institution(&row.id),
            before: None,
            after: Some(&created),
        },
    )?;
    Ok(created)
}

/// Changes the fields present in the patch.
pub fn update(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &InstitutionId,
    patch: InstitutionPatch,
    now: DateTime<Utc>,
) -> AppResult<Institution> {
    let mut errors = FieldErrors::new();
    let name = patch
        .name
        .as_deref()
        .and_then(|v| errors.check("name", rules::required_text(v, 200, "name")));
    let short_name = patch
        .short_name
        .as_deref()
        .and_then(|v| errors.check("short_name", rules::required_text(v, 32, "short name")));
    let city = patch
        .city
        .as_deref()
        .and_then(|v| errors.check("city", rules::required_text(v, 100, "city")));
    let country = patch
        .country
        .as_deref()
        .and_then(|v| errors.check("country", rules::country_code(v)));
    let ror_id = patch
        .ror_id
        .as_ref()
        .map(|v| optional(&mut errors, "ror_id", v.as_deref(), rules::ror_id));
    let inspire_id = patch
        .inspire_id
        .as_ref()
        .map(|v| optional(&mut errors, "inspire_id", v.as_deref(), rules::inspire_id));
    let paper_name = patch.paper_name.as_ref().map(|v| {
        optional(&mut errors, "paper_name", v.as_deref(), |v| {
            rules::required_text(v, 300, "name in papers")
        })
    });
    let address = patch.address.as_ref().map(|v| {
        optional(&mut errors, "address", v.as_deref(), |v| {
            rules::required_text(v, 500, "address")
        })
    });
    errors.into_result()?;
    let before = store::institutions::get(conn, id)?;
    let mut row = store::institutions::find_row(conn, id)?;
    if let Some(v) = name {
        row.name = v;
    }
    if let Some(v) = short_name {
        row.short_name = v;
    }
    if let Some(v) = city {
        row.city = v;
    }
    if let Some(v) = country {
        row.country = v;
    }
    if let Some(v) = ror_id {
        row.ror_id = v;
    }
    if let Some(v) = inspire_id {
        row.inspire_id = v;
    }
    if let Some(v) = paper_name {
        row.paper_name = v;
    }
    if let Some(v) = address {
        row.address = v;
    }
    if let Some(v) = patch.status {
        row.status = v;
    }
    row.updated_at = to_db_time(now);
    store::institutions::update(conn, &row)?;
    let after = store::institutions::get(conn, id)?;
    audit::record(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::InstitutionUpdated,
            subject: audit::Subject::Institution(id),
            before: Some(&before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

/// Makes a person a representative (IR) of the institution; appointing twice changes nothing.
pub fn add_representative(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &InstitutionId,
    person_id: &PersonId,
    now: DateTime<Utc>,
) -> AppResult<Institution> {
    store::institutions::find_row(conn, id)?;
    if !store::persons::exists(conn, person_id)? {
        return Err(AppError::invalid(
            "person_id",
            RuleViolation::new("person.unknown", "No person with this id exists."),
        ));
    }
    if store::institutions::add_representative(conn, id, person_id, now)? {
        let actor = Actor::acting(admin.acting(), now);
        audit::record(
            conn,
            &actor,
            Change::<(), _> {
                action: audit::Event::InstitutionRepresentativeAdded,
                subject: audit::Subject::Institution(id),
                before: None,
                after: Some(&serde_json::json!({ "person_id": person_id })),
            },
        )?;
        audit::record_plain(
            conn,
            &actor,
            audit::Event::PersonBecameRepresentative,
            audit::Subject::Person(person_id),
        )?;
    }
    store::institutions::get(conn, id)
}

/// Ends a person's representation of the institution.
pub fn remove_representative(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &InstitutionId,
    person_id: &PersonId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if !store::institutions::remove_representative(conn, id, person_id)? {
        return Err(AppError::NotFound {
            what: "representative of this institution",
        });
    }
    let actor = Actor::acting(admin.acting(), now);
    audit::record(
        conn,
        &actor,
        Change::<_, ()> {
            action: audit::Event::InstitutionRepresentativeRemoved,
            subject: audit::Subject::Institution(id),
            before: Some(&serde_json::json!({ "person_id": person_id })),
            after: None,
        },
    )?;
    audit::record_plain(
        conn,
        &actor,
        audit::Event::PersonCeasedRepresentative,
        audit::Subject::Person(person_id),
    )
}

/// The active institution a request body names in `institution_id`: an unknown id is a
/// 422 on that field, an inactive institution a conflict.
pub fn active_named(conn: &mut DbConnection, id: &InstitutionId) -> AppResult<InstitutionRow> {
    let row = store::institutions::find_row(conn, id).map_err(|e| match e {
        AppError::NotFound { .. } => AppError::invalid(
            "institution_id",
            RuleViolation::new(
                "institution_id.unknown",
                "No institution has this id; choose one of the list.",
            ),
        ),
        other => other,
    })?;
    if row.status != InstitutionStatus::Active {
        return Err(AppError::conflict(
            "institution_inactive",
            "This institution is not active; choose an active one.",
        ));
    }
    Ok(row)
}
