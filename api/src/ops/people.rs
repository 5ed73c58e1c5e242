//! Creating people: one person with an account and a first membership period, checked by the same rules
//! wherever it happens (an administrator, the command line, the demo, test fixtures).

use b2mms_shared::api::{Member, NewMember};
use b2mms_shared::rules::{FieldErrors, PersonName, RuleViolation};
use b2mms_shared::{InstitutionId, MembershipStatus, PersonId, Role};
use chrono::Duration;
use uuid::Uuid;

use crate::domain::identity::Identity;
use crate::domain::policy::Admin;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::audit::{self, Change};
use crate::store::models::{AccountRow, PersonRow};
use crate::store::{self, new_id, to_db_time};

/// Checks a new member against the same rules a registration meets; every violation at once.
fn validate(state: &Services, body: &NewMember) -> Result<Identity, FieldErrors> {
    let mut errors = FieldErrors::new();
    let checked = crate::domain::identity::check(
        crate::domain::identity::Given {
            given_name: &body.given_name,
            middle_name: body.middle_name.as_deref(),
            family_name: &body.family_name,
            email: &body.email,
            account_name: &body.account_name,
            initial_password: Some(&body.initial_password),
        },
        state.config.reserved_names(),
        state.config.personal_domains(),
        &mut errors,
    );
    match checked.identity() {
        Some(identity) if errors.is_empty() => Ok(identity),
        _ => Err(errors),
    }
}

/// The rows of a newly created member.
struct MemberRows {
    pub person: PersonRow,
    pub account: AccountRow,
}

fn rows(
    state: &Services,
    valid: Identity,
    category: b2mms_shared::Category,
    institution_id: Uuid,
    password_hash: String,
    now: chrono::DateTime<chrono::Utc>,
) -> MemberRows {
    let id: PersonId = new_id();
    let institution_id = InstitutionId::from(institution_id);
    let today = crate::domain::calendar::today(now);
    let at = to_db_time(now);
    MemberRows {
        person: PersonRow {
            id: id.clone(),
            given_name: valid.given.into_string(),
            middle_name: valid.middle.map(PersonName::into_string),
            family_name: valid.family.into_string(),
            email: valid.email.into_string(),
            registry_email: None,
            orcid: None,
            category,
            institution_id: institution_id.clone(),
            status: MembershipStatus::Active,
            membership_start: Some(today),
            membership_end: None,
            grace_from: None,
            paper_name: None,
            inspire_id: None,
            search_key: String::new(),
            created_at: at,
            updated_at: at,
        },
        account: AccountRow::initial(
            id.clone(),
            valid.account.into_string(),
            password_hash,
            at,
            to_db_time(now + Duration::days(state.config.password_max_age_days)),
        ),
    }
}

/// Creates a member on an administrator's behalf: the same checks as a registration, the
/// password hashed on the bounded pool, the record and its audit event in one transaction.
pub async fn create(state: &Services, admin: &Admin, body: NewMember) -> AppResult<Member> {
    let valid = validate(state, &body)?;
    let hash = state.hasher.hash(body.initial_password).await?;
    let now = state.clock.now();
    let actor = audit::Actor::acting(admin.acting(), now);
    let rows = rows(state, valid, body.category, body.institution_id, hash, now);
    let main_group = state.config.main_group.clone();
    state
        .db
        .write(move |conn| store_new(conn, &rows, &main_group, &actor))
        .await
}

/// Stores a new member in the main group, with its audit event; returns the record.
fn store_new(
    conn: &mut store::DbConnection,
    rows: &MemberRows,
    main_group: &str,
    actor: &audit::Actor,
) -> AppResult<Member> {
    if store::institutions::find_row(conn, &rows.person.institution_id).is_err() {
        return Err(AppError::invalid(
            "institution_id",
            RuleViolation::new("institution.unknown", "No institution with this id exists."),
        ));
    }
    store::persons::insert_member(conn, &rows.person, &rows.account)?;
    join_main_group(conn, main_group, &rows.person.id, actor.at)?;
    let member = store::persons::member(conn, &rows.person.id)?;
    audit::record::<(), _>(
        conn,
        actor,
        Change {
            action: audit::Event::PersonCreated,
            subject: audit::Subject::Person(&rows.person.id),
            before: None,
            after: Some(&member),
        },
    )?;
    Ok(member)
}

/// Every member belongs to the collaboration's main group, made on first use.
pub fn join_main_group(
    conn: &mut store::DbConnection,
    main_group: &str,
    person_id: &PersonId,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let group = store::groups::ensure(conn, main_group, "Every member of the collaboration", now)?;
    store::groups::join(conn, &group, person_id, crate::domain::calendar::today(now))
}

/// Creates a member with these roles outside any request (`b2mms create-admin`, the demo,
/// test fixtures), in a transaction of its own.
pub fn create_blocking(
    conn: &mut store::DbConnection,
    state: &Services,
    body: &NewMember,
    roles: &[Role],
) -> AppResult<Member> {
    let valid = validate(state, body)?;
    let hash = crate::auth::passwords::hash_blocking(&body.initial_password)?;
    let now = state.clock.now();
    let actor = audit::Actor::system(now);
    let rows = rows(state, valid, body.category, body.institution_id, hash, now);
    store::write_tx(conn, |conn| {
        store_new(conn, &rows, &state.config.main_group, &actor)?;
        for role in roles {
            store::roles::grant_role(conn, &rows.person.id, *role, None, now)?;
            audit::record::<(), _>(
                conn,
                &actor,
                Change {
                    action: audit::Event::RoleGranted,
                    subject: audit::Subject::Person(&rows.person.id),
                    before: None,
                    after: Some(&serde_json::json!({ "role": role })),
                },
            )?;
        }
        store::persons::member(conn, &rows.person.id)
    })
}
