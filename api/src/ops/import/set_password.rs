//! The set-password links of imported people: queued with an import or when an administrator
//! sends them, once per person.

use b2mms_shared::api::SetPasswordMails;
use b2mms_shared::{PersonId, links};
use chrono::{DateTime, Duration, Utc};

use crate::auth::{random_secret, secret_hash};
use crate::config::Config;
use crate::error::AppResult;
use crate::mail::templates;
use crate::store::imports::{Link, NewPerson};
use crate::store::{self, DbConnection, outbox, to_db_time};

use super::{BATCH, Importer};

/// (person, account name, contact address) of each new person.
pub(super) fn people_to_mail(people: &[NewPerson]) -> Vec<(PersonId, String, String)> {
    people
        .iter()
        .map(|p| {
            (
                p.person.id.clone(),
                p.account.account_name.clone(),
                p.person.email.clone(),
            )
        })
        .collect()
}

/// How long a set-password link works: as long as an invitation.
fn link_valid(config: &Config) -> Duration {
    Duration::days(config.invitation_days)
}

/// Queues a set-password link for each person, in the caller's transaction.
pub(super) fn queue_links(
    conn: &mut DbConnection,
    config: &Config,
    people: &[(PersonId, String, String)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let days = config.invitation_days;
    let expires_at = to_db_time(now + link_valid(config));
    let links: Vec<Link> = people
        .iter()
        .map(|(person_id, account, email)| {
            let token = random_secret();
            let link = links::absolute(&config.public_url, &links::reset_password(&token));
            let mail = templates::set_password(account, &link, days);
            Link {
                person_id: person_id.clone(),
                token_hash: secret_hash(&token),
                expires_at,
                mail: outbox::row(email, &mail.subject, &mail.body, now),
            }
        })
        .collect();
    store::imports::insert_links(conn, &links, to_db_time(now))
}

/// Mails a set-password link to everyone whose account has no password yet and who has not
/// had one (an import applied without mail); people mailed before are not mailed again — a
/// lost link is replaced through "lost password".
pub fn mail_set_password_links(
    conn: &mut DbConnection,
    config: &Config,
    _admin: Importer<'_>,
    now: DateTime<Utc>,
) -> AppResult<SetPasswordMails> {
    let mut queued = 0u32;
    loop {
        let sent = store::write_tx(conn, |conn| {
            let people = store::imports::unmailed(conn, BATCH as i64)?;
            queue_links(conn, config, &people, now)?;
            Ok(people.len())
        })?;
        queued += u32::try_from(sent).unwrap_or(u32::MAX);
        if sent < BATCH {
            break;
        }
    }
    let mailed_before = store::imports::mailed_count(conn)?;
    Ok(SetPasswordMails {
        queued,
        mailed_before: u32::try_from(mailed_before)
            .unwrap_or(u32::MAX)
            .saturating_sub(queued),
    })
}
