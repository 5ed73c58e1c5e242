//! Provisioning as an operation of the system: an approved request becomes a person (or an
//! existing person is made active again), with the account the request asked for, its
//! certificate, membership of the main group, the audit events and the applicant's mail, in
//! the caller's transaction. The job that claims requests and talks to the external registry
//! lives in `jobs::provisioning`.

use b2mms_shared::links;
use b2mms_shared::rules::{registry_local_part, with_collision_number};
use b2mms_shared::{MembershipStatus, PersonId, RegistrationId, RegistrationState, Role};
use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::domain::registration::{Action, Capacity, apply};
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::store::audit::{self, Actor, Change};
use crate::store::models::{AccountRow, PersonRow, RegistrationRow};
use crate::store::{self, DbConnection, new_id, outbox, to_db_time};

/// The form of an approved request, complete.
struct Form {
    given: String,
    family: String,
    email: String,
    account_name: String,
    password_hash: String,
}

impl Form {
    fn of(row: &RegistrationRow) -> AppResult<Self> {
        let missing = || AppError::Internal(format!("approved request {} lacks its form", row.id));
        Ok(Self {
            given: row.given_name.clone().ok_or_else(missing)?,
            family: row.family_name.clone().ok_or_else(missing)?,
            email: row.email.clone().ok_or_else(missing)?,
            account_name: row.account_name.clone().ok_or_else(missing)?,
            password_hash: row.password_hash.clone().ok_or_else(missing)?,
        })
    }
}

/// Turns the approved request into a person and account; `false` if the request is no longer
/// approved (provisioned meanwhile). A conflict (the person exists meanwhile) is an error no
/// retry can fix.
pub fn provision(
    conn: &mut DbConnection,
    config: &Config,
    id: &RegistrationId,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let row = store::registrations::get(conn, id)?;
    if apply(row.state, Action::Provision, Capacity::System, None).is_err() {
        return Ok(false);
    }
    let form = Form::of(&row)?;
    let missing = || AppError::Internal(format!("approved request {} lacks its form", row.id));
    let category = row.category.ok_or_else(missing)?;
    let institution = row.institution_id.clone().ok_or_else(missing)?;
    let at = to_db_time(now);
    let today = crate::domain::calendar::today(now);
    let expires = to_db_time(now + Duration::days(config.password_max_age_days));

    let existing = match (&row.link_person_id, &row.existing_account) {
        (Some(person), _) => Some(person.clone()),
        (None, Some(name)) => store::accounts::find_account(conn, name)?.map(|(a, _)| a.person_id),
        (None, None) => None,
    };
    let person_id = match existing {
        Some(person_id) => {
            store::persons::reactivate(conn, &person_id, &institution, category, today, at)?;
            if store::persons::reopen_account(conn, &person_id, &form.password_hash, at, expires)? {
                store::registrations::release_account_name(conn, &row.id)?;
            } else {
                let account = AccountRow::initial(
                    person_id.clone(),
                    form.account_name.clone(),
                    form.password_hash.clone(),
                    at,
                    expires,
                );
                store::persons::insert_account_of_request(conn, &account, &row.id)?;
            }
            person_id
        }
        None => {
            refuse_if_created_meanwhile(conn, &row, &form)?;
            let local = registry_local_part(&form.given, row.middle_name.as_deref(), &form.family);
            let person = PersonRow {
                id: new_id(),
                given_name: form.given.clone(),
                middle_name: row.middle_name.clone(),
                family_name: form.family.clone(),
                email: form.email.clone(),
                registry_email: Some(free_registry_email(
                    conn,
                    &config.registry_email_domain,
                    &local,
                )?),
                orcid: row.orcid.clone(),
                category,
                institution_id: institution.clone(),
                status: MembershipStatus::Active,
                membership_start: Some(today),
                membership_end: None,
                grace_from: None,
                paper_name: None,
                inspire_id: None,
                search_key: String::new(),
                created_at: at,
                updated_at: at,
            };
            store::persons::insert_person(conn, &person)?;
            let account = AccountRow::initial(
                person.id.clone(),
                form.account_name.clone(),
                form.password_hash.clone(),
                at,
                expires,
            );
            store::persons::insert_account_of_request(conn, &account, &row.id)?;
            person.id
        }
    };
    if let Some(dn) = &row.certificate_dn {
        store::persons::link_certificate(conn, dn, &person_id, at)?;
    }
    super::people::join_main_group(conn, &config.main_group, &person_id, now)?;
    if !store::provisioning::mark_provisioned(conn, &row.id, &person_id, now)? {
        return Err(AppError::Internal(
            "request changed while provisioning".into(),
        ));
    }
    record_and_tell(conn, config, &row.id, &person_id, &form.account_name, now)?;
    Ok(true)
}

/// Someone may have created the person by hand since the request was submitted: then the
/// request cannot make a second record.
fn refuse_if_created_meanwhile(
    conn: &mut DbConnection,
    row: &RegistrationRow,
    form: &Form,
) -> AppResult<()> {
    let Some((what, holder, institution)) = store::registrations::exact_duplicate(
        conn,
        Some(&form.email),
        row.orcid.as_deref(),
        row.certificate_dn.as_deref(),
    )?
    else {
        return Ok(());
    };
    let name = store::persons::member(conn, &holder)
        .map(|m| format!("{} {}", m.given_name, m.family_name))
        .unwrap_or_default();
    Err(AppError::conflict(
        "duplicate_person",
        format!(
            "{} already belongs to {name} ({institution}), created since the request was submitted. \
             Retry as that person, or reject the request.",
            capitalise(what.what())
        ),
    ))
}

/// The audit events of a provisioned request and the applicant's mail that the account is
/// ready.
fn record_and_tell(
    conn: &mut DbConnection,
    config: &Config,
    id: &RegistrationId,
    person_id: &PersonId,
    account_name: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let actor = Actor::system(now);
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action: audit::Event::RegistrationProvisioned,
            subject: audit::Subject::Registration(id),
            before: None,
            after: Some(
                &serde_json::json!({ "state": RegistrationState::Provisioned, "person_id": person_id }),
            ),
        },
    )?;
    let record = store::persons::member(conn, person_id)?;
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action: audit::Event::PersonProvisioned,
            subject: audit::Subject::Person(person_id),
            before: None,
            after: Some(&record),
        },
    )?;
    let login = links::absolute(&config.public_url, links::SIGN_IN);
    let mail = templates::account_ready(
        record.account_name.as_deref().unwrap_or(account_name),
        record.registry_email.as_deref().unwrap_or(""),
        &login,
    );
    outbox::enqueue(conn, &record.email, &mail.subject, &mail.body, now)?;
    Ok(())
}

/// Moves the request to `provisioning_failed`, records why, and tells the admins.
pub fn give_up(
    conn: &mut DbConnection,
    public_url: &str,
    id: &RegistrationId,
    error: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = store::registrations::get(conn, id)?;
    let to = apply(row.state, Action::FailProvisioning, Capacity::System, None).map_err(|_| {
        AppError::conflict(
            "registration_state_changed",
            "The request is no longer approved.",
        )
    })?;
    if !store::provisioning::mark_provisioning_failed(conn, id, error, now)? {
        return Ok(());
    }
    audit::record::<(), _>(
        conn,
        &Actor::system(now),
        Change {
            action: audit::Event::RegistrationProvisioningFailed,
            subject: audit::Subject::Registration(id),
            before: None,
            after: Some(&serde_json::json!({ "state": to, "error": error })),
        },
    )?;
    let link = links::absolute(public_url, &links::request(id));
    let applicant = match (&row.given_name, &row.family_name) {
        (Some(g), Some(f)) => format!("{g} {f}"),
        _ => row.email.clone().unwrap_or_default(),
    };
    let mail = templates::provisioning_failed_to_admins(&applicant, error, &link);
    for address in store::roles::emails_with_role(conn, Role::Admin)? {
        outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
    }
    Ok(())
}

/// A free registry address for these names: the smallest number from 2 up when taken.
fn free_registry_email(conn: &mut DbConnection, domain: &str, local: &str) -> AppResult<String> {
    for n in 1..10_000u32 {
        let candidate = format!("{}@{domain}", with_collision_number(local, n));
        if !store::persons::registry_email_taken(conn, &candidate)? {
            return Ok(candidate);
        }
    }
    Err(AppError::Internal(format!(
        "no free registry address for {local}"
    )))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
