//! Provisioning: an approved request becomes a person (or reactivates one), an account with
//! the initial password from the form (must be changed at first sign-in), membership in the
//! main group and a membership start. With an external registry configured the account is
//! pushed there first, and the request stays `approved` until the registry confirms.

use b2mms_shared::rules::{registry_local_part, with_collision_number};
use b2mms_shared::{
    AccountStatus, Category, InstitutionId, MembershipStatus, PersonId, RegistrationId,
    RegistrationState,
};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::lease;
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::services::Services;
use crate::store::audit::{self, Actor, Change};
use crate::store::models::{AccountRow, AffiliationRow, PersonRow, RegistrationRow};
use crate::store::schema::{
    account_names, accounts, affiliations, collab_groups, group_members, person_certificates,
    persons,
};
use crate::store::{self, DbConnection, new_id, outbox, to_db_time};

/// What the external registry receives.
#[derive(Debug, Serialize)]
struct RegistryAccount<'a> {
    registration_id: &'a str,
    account_name: &'a str,
    given_name: &'a str,
    middle_name: Option<&'a str>,
    family_name: &'a str,
    contact_email: &'a str,
    /// The initial password as an argon2id PHC string; b2mms never holds it in clear.
    password_hash: &'a str,
}

/// Provisions what is due; `(provisioned, failed attempts)`.
pub async fn run(state: &Services) -> AppResult<(usize, usize)> {
    let now = state.clock.now();
    let due = state
        .db
        .run(move |conn| store::provisioning::due_for_provisioning(conn, now, 20))
        .await?;
    let (mut done, mut failed) = (0, 0);
    for row in due {
        let (id, old) = (row.id.clone(), row.provision_next_at);
        let (me, until) = (state.instance.clone(), lease::lease_end(state));
        let claimed = state
            .db
            .write(move |conn| store::provisioning::claim_provisioning(conn, &id, old, &me, until))
            .await?;
        if !claimed {
            continue;
        }
        let (id, me) = (row.id.clone(), state.instance.clone());
        let outcome = lease::hold(
            state,
            provision_claimed(state, &row, now),
            move |conn, until| store::provisioning::renew_provisioning_claim(conn, &id, &me, until),
        )
        .await;
        match outcome {
            Ok(true) => done += 1,
            Ok(false) => {}
            Err(Failure::Permanent(error)) => {
                tracing::error!(registration = %row.id, error, "provisioning failed for a reason retrying cannot fix; an admin must resolve it");
                let (public_url, now) = (state.config.public_url.clone(), state.clock.now());
                let id = row.id.clone();
                state
                    .db
                    .write(move |conn| give_up(conn, &public_url, &id, &error, now))
                    .await?;
                failed += 1;
            }
            Err(Failure::Retry(error)) => {
                tracing::warn!(registration = %row.id, attempt = row.provision_attempts + 1, error, "provisioning did not complete; will retry");
                let next = state.clock.now() + super::backoff(row.provision_attempts);
                let id = row.id.clone();
                state
                    .db
                    .write(move |conn| {
                        store::provisioning::provisioning_failed(conn, &id, &error, next)
                    })
                    .await?;
                failed += 1;
            }
        }
    }
    Ok((done, failed))
}

/// Why provisioning did not complete; the text is for the log and the request's record.
enum Failure {
    /// Passing: the registry or the database is away. Tried again with backoff.
    Retry(String),
    /// The records do not allow it (the person or account exists meanwhile, the form is
    /// incomplete): no retry can fix it, an admin must.
    Permanent(String),
}

/// Pushes a claimed request to the registry (if any) and creates its records.
async fn provision_claimed(
    state: &Services,
    row: &RegistrationRow,
    now: DateTime<Utc>,
) -> Result<bool, Failure> {
    push_to_registry(state, row)
        .await
        .map_err(|e| Failure::Retry(format!("registry did not confirm: {e}")))?;
    let shared_row = row.clone();
    let config = state.config.clone();
    state
        .db
        .write(move |conn| provision(conn, &config, &shared_row, now))
        .await
        .map_err(|e| match e {
            AppError::Unavailable(_) => Failure::Retry(e.to_string()),
            AppError::Conflict { detail, .. } => Failure::Permanent(detail),
            other => Failure::Permanent(other.to_string()),
        })
}

/// Moves the request to `provisioning_failed`, records why, and tells the admins.
fn give_up(
    conn: &mut DbConnection,
    public_url: &str,
    id: &RegistrationId,
    error: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = store::registrations::get(conn, id)?;
    let from = row.state;
    let to = crate::domain::registration::apply(
        from,
        crate::domain::registration::Action::FailProvisioning,
        crate::domain::registration::Capacity::System,
        None,
    )
    .map_err(|_| {
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
            subject_type: "registration",
            subject_id: id.as_str(),
            before: None,
            after: Some(&serde_json::json!({ "state": to, "error": error })),
        },
    )?;
    let link = format!("{}/requests/{id}", public_url.trim_end_matches('/'));
    let applicant = match (&row.given_name, &row.family_name) {
        (Some(g), Some(f)) => format!("{g} {f}"),
        _ => row.email.clone().unwrap_or_default(),
    };
    let mail = templates::provisioning_failed_to_admins(&applicant, error, &link);
    for address in store::persons::emails_with_role(conn, b2mms_shared::Role::Admin)? {
        outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
    }
    Ok(())
}

/// Pushes the account to the external registry, if one is configured.
async fn push_to_registry(state: &Services, row: &RegistrationRow) -> Result<(), String> {
    let Some(base) = &state.config.registry_url else {
        return Ok(());
    };
    let missing = || "the request lacks its form".to_owned();
    let body = RegistryAccount {
        registration_id: row.id.as_str(),
        account_name: row.account_name.as_deref().ok_or_else(missing)?,
        given_name: row.given_name.as_deref().ok_or_else(missing)?,
        middle_name: row.middle_name.as_deref(),
        family_name: row.family_name.as_deref().ok_or_else(missing)?,
        contact_email: row.email.as_deref().ok_or_else(missing)?,
        password_hash: row.password_hash.as_deref().ok_or_else(missing)?,
    };
    let mut request = state
        .http
        .post(format!("{}/accounts", base.trim_end_matches('/')))
        .timeout(std::time::Duration::from_secs(30))
        .json(&body);
    if let Some(token) = &state.config.registry_token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("registry unreachable: {e}"))?;
    let status = response.status();
    // 409: the registry already has this account from an earlier attempt; that confirms too.
    if status.is_success() || status == reqwest::StatusCode::CONFLICT {
        Ok(())
    } else {
        Err(format!("registry answered {status}"))
    }
}

/// A free registry address for these names: the smallest number from 2 up when taken.
fn free_registry_email(conn: &mut DbConnection, domain: &str, local: &str) -> AppResult<String> {
    for n in 1..10_000u32 {
        let candidate = format!("{}@{domain}", with_collision_number(local, n));
        let taken = persons::table
            .filter(persons::registry_email.eq(&candidate))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(AppError::Internal(format!(
        "no free registry address for {local}"
    )))
}

fn main_group(conn: &mut DbConnection, name: &str, now: DateTime<Utc>) -> AppResult<String> {
    let found: Option<String> = collab_groups::table
        .filter(collab_groups::name.eq(name))
        .select(collab_groups::id)
        .first(conn)
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    let id = new_id();
    diesel::insert_into(collab_groups::table)
        .values((
            collab_groups::id.eq(&id),
            collab_groups::name.eq(name),
            collab_groups::description.eq("Every member of the collaboration"),
            collab_groups::created_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Turns the request into a person and account, in the caller's transaction; `false` if the
/// request is no longer approved (provisioned meanwhile).
pub fn provision(
    conn: &mut DbConnection,
    config: &crate::config::Config,
    claimed: &RegistrationRow,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let row = store::registrations::get(conn, &claimed.id)?;
    let from = row.state;
    // Provisioned meanwhile, or no longer approved: nothing to do.
    if crate::domain::registration::apply(
        from,
        crate::domain::registration::Action::Provision,
        crate::domain::registration::Capacity::System,
        None,
    )
    .is_err()
    {
        return Ok(false);
    }
    let missing = || AppError::Internal(format!("approved request {} lacks its form", row.id));
    let given = row.given_name.clone().ok_or_else(missing)?;
    let family = row.family_name.clone().ok_or_else(missing)?;
    let email = row.email.clone().ok_or_else(missing)?;
    let account_name = row.account_name.clone().ok_or_else(missing)?;
    let password_hash = row.password_hash.clone().ok_or_else(missing)?;
    let category = row.category.ok_or_else(missing)?;
    let institution = row.institution_id.clone().ok_or_else(missing)?;
    let at = to_db_time(now);
    let today = now.date_naive();
    let expires = to_db_time(now + Duration::days(config.password_max_age_days));

    // Whom the request is about: a person to reactivate, or a new one.
    let existing_person = match (&row.link_person_id, &row.existing_account) {
        (Some(person), _) => Some(person.clone()),
        (None, Some(name)) => store::persons::find_account(conn, name)?.map(|(a, _)| a.person_id),
        (None, None) => None,
    };
    let person_id = match existing_person {
        Some(person_id) => {
            reactivate(conn, &person_id, &institution, category, today, at)?;
            let has_account = accounts::table
                .find(&person_id)
                .count()
                .get_result::<i64>(conn)?
                > 0;
            if has_account {
                diesel::update(accounts::table.find(&person_id))
                    .set((
                        accounts::password_hash.eq(&password_hash),
                        accounts::password_set_at.eq(at),
                        accounts::password_expires_at.eq(expires),
                        accounts::must_change_password.eq(true),
                        accounts::status.eq(AccountStatus::Active),
                        accounts::failed_logins.eq(0),
                        accounts::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                store::registrations::release_account_name(conn, &row.id)?;
            } else {
                create_account(
                    conn,
                    &person_id,
                    &row.id,
                    &account_name,
                    &password_hash,
                    at,
                    expires,
                )?;
            }
            person_id
        }
        None => {
            // Someone may have created the person by hand since the request was submitted.
            if let Some((what, holder, institution)) = store::registrations::exact_duplicate(
                conn,
                Some(&email),
                row.orcid.as_deref(),
                row.certificate_dn.as_deref(),
            )? {
                let name = store::persons::member(conn, &holder)
                    .map(|m| format!("{} {}", m.given_name, m.family_name))
                    .unwrap_or_default();
                return Err(AppError::conflict(
                    "duplicate_person",
                    format!(
                        "{} already belongs to {name} ({institution}), created since the request was submitted. \
                         Retry as that person, or reject the request.",
                        capitalise(what.what())
                    ),
                ));
            }
            let local = registry_local_part(&given, row.middle_name.as_deref(), &family);
            let registry_email = free_registry_email(conn, &config.registry_email_domain, &local)?;
            let person = PersonRow {
                id: new_id(),
                given_name: given.clone(),
                middle_name: row.middle_name.clone(),
                family_name: family.clone(),
                email: email.clone(),
                registry_email: Some(registry_email),
                orcid: row.orcid.clone(),
                category,
                institution_id: institution.clone(),
                status: MembershipStatus::Active,
                membership_start: Some(today),
                membership_end: None,
                grace_from: None,
                created_at: at,
                updated_at: at,
            };
            diesel::insert_into(persons::table)
                .values(&person)
                .execute(conn)?;
            diesel::insert_into(affiliations::table)
                .values(&AffiliationRow {
                    id: store::new_text_id(),
                    person_id: person.id.clone(),
                    institution_id: institution.clone(),
                    start_date: today,
                    end_date: None,
                })
                .execute(conn)?;
            create_account(
                conn,
                &person.id,
                &row.id,
                &account_name,
                &password_hash,
                at,
                expires,
            )?;
            person.id
        }
    };
    if let Some(dn) = &row.certificate_dn {
        let linked = person_certificates::table
            .find(dn)
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if !linked {
            diesel::insert_into(person_certificates::table)
                .values((
                    person_certificates::subject_dn.eq(dn),
                    person_certificates::person_id.eq(&person_id),
                    person_certificates::linked_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    let group = main_group(conn, &config.main_group, now)?;
    let member = group_members::table
        .find((&group, &person_id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if member {
        diesel::update(group_members::table.find((&group, &person_id)))
            .set(group_members::until.eq(None::<chrono::NaiveDate>))
            .execute(conn)?;
    } else {
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(&group),
                group_members::person_id.eq(&person_id),
                group_members::since.eq(today),
            ))
            .execute(conn)?;
    }
    if !store::provisioning::mark_provisioned(conn, &row.id, &person_id, now)? {
        return Err(AppError::Internal(
            "request changed while provisioning".into(),
        ));
    }
    let actor = Actor::system(now);
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action: audit::Event::RegistrationProvisioned,
            subject_type: "registration",
            subject_id: row.id.as_str(),
            before: None,
            after: Some(
                &serde_json::json!({ "state": RegistrationState::Provisioned, "person_id": person_id }),
            ),
        },
    )?;
    let record = store::persons::member(conn, &person_id)?;
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action: audit::Event::PersonProvisioned,
            subject_type: "person",
            subject_id: person_id.as_str(),
            before: None,
            after: Some(&record),
        },
    )?;
    let login = format!("{}/login", config.public_url.trim_end_matches('/'));
    let mail = templates::account_ready(
        record.account_name.as_deref().unwrap_or(&account_name),
        record.registry_email.as_deref().unwrap_or(""),
        &login,
    );
    outbox::enqueue(conn, &record.email, &mail.subject, &mail.body, now)?;
    Ok(true)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn create_account(
    conn: &mut DbConnection,
    person_id: &PersonId,
    registration_id: &RegistrationId,
    account_name: &str,
    password_hash: &str,
    at: chrono::NaiveDateTime,
    expires: chrono::NaiveDateTime,
) -> AppResult<()> {
    // The name reserved at submission now belongs to the person.
    diesel::update(account_names::table.filter(account_names::registration_id.eq(registration_id)))
        .set(account_names::person_id.eq(person_id))
        .execute(conn)?;
    diesel::insert_into(accounts::table)
        .values(&AccountRow {
            person_id: person_id.clone(),
            account_name: account_name.to_owned(),
            password_hash: password_hash.to_owned(),
            password_set_at: at,
            password_expires_at: expires,
            must_change_password: true,
            status: AccountStatus::Active,
            failed_logins: 0,
            locked_until: None,
            created_at: at,
            updated_at: at,
        })
        .execute(conn)?;
    Ok(())
}

/// Makes an existing person active again at the request's institution, keeping the history
/// of affiliations.
fn reactivate(
    conn: &mut DbConnection,
    person_id: &PersonId,
    institution: &InstitutionId,
    category: Category,
    today: chrono::NaiveDate,
    at: chrono::NaiveDateTime,
) -> AppResult<()> {
    let person: PersonRow = persons::table
        .find(person_id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound { what: "person" })?;
    if person.institution_id != *institution {
        diesel::update(
            affiliations::table
                .filter(affiliations::person_id.eq(person_id))
                .filter(affiliations::end_date.is_null()),
        )
        .set(affiliations::end_date.eq(today))
        .execute(conn)?;
        diesel::insert_into(affiliations::table)
            .values(&AffiliationRow {
                id: store::new_text_id(),
                person_id: person_id.clone(),
                institution_id: institution.clone(),
                start_date: today,
                end_date: None,
            })
            .execute(conn)?;
    }
    let restart = person.status != MembershipStatus::Active || person.membership_start.is_none();
    diesel::update(persons::table.find(person_id))
        .set((
            persons::institution_id.eq(institution),
            persons::category.eq(category),
            persons::status.eq(MembershipStatus::Active),
            persons::membership_end.eq(None::<chrono::NaiveDate>),
            persons::grace_from.eq(None::<chrono::NaiveDate>),
            persons::updated_at.eq(at),
        ))
        .execute(conn)?;
    if restart {
        diesel::update(persons::table.find(person_id))
            .set(persons::membership_start.eq(Some(today)))
            .execute(conn)?;
    }
    Ok(())
}
