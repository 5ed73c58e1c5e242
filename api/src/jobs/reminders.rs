//! Reminders for requests waiting on a decision (IRs after 2 working days, admins after 5,
//! Europe/Berlin, Monday–Friday) and expiry of requests never submitted.

use b2mms_shared::links;
use b2mms_shared::{RegistrationState, Role};
use chrono::Duration;

use crate::domain::registration::{Action, Capacity, apply};
use crate::domain::working_days;
use crate::error::AppResult;
use crate::mail::templates;
use crate::services::Services;
use crate::store::audit::{self, Change};
use crate::store::registrations::Decision;
use crate::store::{self, from_db_time, outbox};

pub const IR_AFTER_WORKING_DAYS: i64 = 2;
pub const ADMINS_AFTER_WORKING_DAYS: i64 = 5;

/// Sends the reminders that are due; how many.
pub async fn remind(state: &Services) -> AppResult<usize> {
    let now = state.clock.now();
    let public = state.config.public_url.clone();
    let since = now - Duration::days(IR_AFTER_WORKING_DAYS);
    let pending = state
        .db
        .run(move |conn| {
            let waiting = store::registrations::waiting_since(
                conn,
                &[RegistrationState::AwaitingIr, RegistrationState::AwaitingIb],
                since,
            )?;
            Ok(waiting
                .iter()
                .any(|r| r.ir_reminded_at.is_none() || r.admins_reminded_at.is_none()))
        })
        .await?;
    if !pending {
        return Ok(0);
    }
    state
        .db
        .write(move |conn| {
            let waiting = store::registrations::waiting_since(
                conn,
                &[RegistrationState::AwaitingIr, RegistrationState::AwaitingIb],
                now - Duration::days(IR_AFTER_WORKING_DAYS),
            )?;
            let mut sent = 0;
            for row in waiting {
                let days = working_days::elapsed(from_db_time(row.updated_at), now);
                let applicant = format!(
                    "{} {}",
                    row.given_name.as_deref().unwrap_or(""),
                    row.family_name.as_deref().unwrap_or("")
                );
                let link = links::absolute(&public, &links::request(&row.id));
                if days >= IR_AFTER_WORKING_DAYS && row.ir_reminded_at.is_none() {
                    let recipients = if row.state == RegistrationState::AwaitingIb {
                        store::roles::emails_with_role(conn, Role::IbChair)?
                    } else if let Some(institution) = &row.institution_id {
                        crate::ops::registrations::notify_institution(conn, institution)?
                    } else {
                        store::roles::emails_with_role(conn, Role::Admin)?
                    };
                    let mail = templates::reminder_to_ir(applicant.trim(), days, &link);
                    for address in recipients {
                        outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
                    }
                    store::registrations::mark_reminded(conn, &row.id, false, now)?;
                    sent += 1;
                }
                if days >= ADMINS_AFTER_WORKING_DAYS && row.admins_reminded_at.is_none() {
                    let short = match &row.institution_id {
                        Some(institution) => store::institutions::find_row(conn, institution)
                            .map(|i| i.short_name)
                            .unwrap_or_default(),
                        None => String::new(),
                    };
                    let mail = templates::reminder_to_admins(applicant.trim(), &short, days, &link);
                    for address in store::roles::emails_with_role(conn, Role::Admin)? {
                        outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
                    }
                    store::registrations::mark_reminded(conn, &row.id, true, now)?;
                    sent += 1;
                }
            }
            Ok(sent)
        })
        .await
}

/// Expires requests opened but not submitted within the configured days; how many.
pub async fn expire_unsubmitted(state: &Services) -> AppResult<usize> {
    let now = state.clock.now();
    let limit = now - Duration::days(state.config.registration_expiry_days);
    let stale = state
        .db
        .run(move |conn| {
            store::registrations::waiting_since(conn, &[RegistrationState::IdentityVerified], limit)
        })
        .await?;
    if stale.is_empty() {
        return Ok(0);
    }
    state
        .db
        .write(move |conn| {
            let stale = store::registrations::waiting_since(
                conn,
                &[RegistrationState::IdentityVerified],
                limit,
            )?;
            let mut expired = 0;
            for row in stale {
                let to = match apply(
                    RegistrationState::IdentityVerified,
                    Action::Expire,
                    Capacity::System,
                    None,
                ) {
                    Ok(to) => to,
                    Err(_) => continue,
                };
                let decision = Decision {
                    decided: true,
                    ..Decision::default()
                };
                if store::registrations::transition(
                    conn,
                    &row.id,
                    RegistrationState::IdentityVerified,
                    to,
                    decision,
                    now,
                )? {
                    store::registrations::release_account_name(conn, &row.id)?;
                    audit::record::<(), _>(
                        conn,
                        &audit::Actor::system(now),
                        Change {
                            action: audit::Event::RegistrationExpired,
                            subject: audit::Subject::Registration(&row.id),
                            before: None,
                            after: Some(&serde_json::json!({ "state": to })),
                        },
                    )?;
                    expired += 1;
                }
            }
            Ok(expired)
        })
        .await
}
