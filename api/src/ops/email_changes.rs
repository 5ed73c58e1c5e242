//! A person's own new contact address: asked for on their record, confirmed from a link
//! mailed to the new address (valid for a day, used once, only the newest works, at most one
//! every five minutes so that nobody's mailbox is flooded); the old address is told once it
//! changed.

use b2mms_shared::links;
use b2mms_shared::rules::{ContactEmail, RuleViolation};
use chrono::Duration;

use crate::auth::{random_secret, secret_hash};
use crate::domain::policy::Member;
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::services::Services;
use crate::store::audit::{self, Actor, Change};
use crate::store::{self, outbox};

/// How long a confirmation link works.
const VALID: Duration = Duration::days(1);

/// How long after one confirmation link the next may be mailed.
const COOLDOWN: Duration = Duration::minutes(5);

/// Mails a confirmation link to the new address; nothing changes until it is followed.
pub async fn request(state: &Services, member: &Member, raw: &str) -> AppResult<()> {
    let email = ContactEmail::parse_institutional(raw, state.config.personal_domains())
        .map_err(|v| AppError::invalid("email", v))?
        .into_string();
    let now = state.clock.now();
    let token = random_secret();
    let hash = secret_hash(&token);
    let link = links::absolute(&state.config.public_url, &links::confirm_email(&token));
    let (person_id, acting) = (member.person().clone(), member.acting().clone());
    state
        .db
        .write(move |conn| {
            let current = store::persons::member(conn, &person_id)?;
            if current.email == email {
                return Err(AppError::invalid(
                    "email",
                    RuleViolation::new(
                        "email.unchanged",
                        "This is your contact address already; enter the new one.",
                    ),
                ));
            }
            if store::persons::email_taken(conn, &email)? {
                return Err(email_taken());
            }
            if let Some(last) = store::credentials::last_email_change(conn, &person_id)?
                && last > now - COOLDOWN
            {
                return Err(AppError::Throttled {
                    retry_after: (last + COOLDOWN - now).num_seconds().max(1),
                });
            }
            store::credentials::create_email_change(
                conn,
                &person_id,
                &email,
                &hash,
                now,
                now + VALID,
            )?;
            let account = current.account_name.unwrap_or_default();
            let mail = templates::confirm_email(&account, &link);
            outbox::enqueue(conn, &email, &mail.subject, &mail.body, now)?;
            audit::record::<serde_json::Value, _>(
                conn,
                &Actor::acting(&acting, now),
                Change {
                    action: audit::Event::PersonEmailChangeRequested,
                    subject: audit::Subject::Person(&person_id),
                    before: None,
                    after: Some(&serde_json::json!({ "new_email": email })),
                },
            )
        })
        .await?;
    state.jobs.nudge();
    Ok(())
}

fn email_taken() -> AppError {
    AppError::conflict(
        "email_taken",
        "Another person already has this contact address; each address belongs to one person.",
    )
}

/// Follows a confirmation link: the new address becomes the contact address, and the old
/// one is told. The link alone proves the address; no sign-in is needed.
pub async fn confirm(state: &Services, token: &str) -> AppResult<()> {
    let hash = secret_hash(token.trim());
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let Some((person_id, email)) =
                store::credentials::spend_email_change(conn, &hash, now)?
            else {
                return Err(AppError::bad_request(
                    "invalid_email_token",
                    "This confirmation link is invalid, already used, replaced by a newer one or older than a day; ask for a new one on your record page.",
                ));
            };
            // Taken meanwhile by someone else: refused; the transaction leaves the link unspent,
            // so it works again should the address become free.
            if store::persons::email_taken(conn, &email)? {
                return Err(email_taken());
            }
            let before = store::persons::member(conn, &person_id)?;
            store::persons::set_details(
                conn,
                &person_id,
                store::persons::DetailsChange {
                    email: Some(email.clone()),
                    ..Default::default()
                },
                now,
            )?;
            let after = store::persons::member(conn, &person_id)?;
            let account = after.account_name.clone().unwrap_or_default();
            let mail = templates::email_changed(&account, &email);
            outbox::enqueue(conn, &before.email, &mail.subject, &mail.body, now)?;
            // The person acted, identified by the link from their new mailbox.
            audit::record(
                conn,
                &Actor::signing_in(&person_id, &account, now),
                Change {
                    action: audit::Event::PersonUpdated,
                    subject: audit::Subject::Person(&person_id),
                    before: Some(&before),
                    after: Some(&after),
                },
            )
        })
        .await?;
    state.jobs.nudge();
    Ok(())
}
