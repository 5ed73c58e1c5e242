//! Delivers the outbox. A message is claimed by this instance for a short lease, renewed while
//! it is being sent; every message carries a `Message-ID` derived from its outbox row, so a
//! delivery repeated after a crash is the same message to the reader. Failures are retried
//! with a backoff capped at an hour, for as long as it takes: mail is never dropped, and
//! what keeps failing is visible to admins.

use diesel::prelude::*;

use super::lease;
use crate::error::AppResult;
use crate::mail::{DeliveryError, Outgoing};
use crate::services::Services;
use crate::store::outbox;
use crate::store::schema::mail_outbox;

const BATCH: i64 = 50;

/// The `Message-ID` of an outbox row: its id at the host b2mms is reached under.
pub fn message_id(row_id: &str, public_url: &str) -> String {
    let host = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    format!("{row_id}@{host}")
}

/// Sends what is due; `(sent, failed attempts)`. A round ends at the first delivery that
/// timed out: the server is unwell, and the rest waits for the next round.
pub async fn send_due(state: &Services) -> AppResult<(usize, usize)> {
    let now = state.clock.now();
    let due = state
        .db
        .run(move |conn| outbox::due(conn, now, BATCH))
        .await?;
    let (mut sent, mut failed) = (0, 0);
    for row in due {
        let (id, old) = (row.id.clone(), row.next_attempt_at);
        let (me, until) = (state.instance.clone(), lease::lease_end(state));
        let claimed = state
            .db
            .write(move |conn| outbox::claim(conn, &id, old, &me, until))
            .await?;
        if !claimed {
            continue;
        }
        let message_id = message_id(&row.id, &state.config.public_url);
        let delivery = state.mailer.send(
            Outgoing {
                from: &state.config.mail_from,
                to: &row.to_address,
                subject: &row.subject,
                body: &row.body_text,
                message_id: &message_id,
            },
            state.config.mail_timeout(),
        );
        let (id, me) = (row.id.clone(), state.instance.clone());
        let result = lease::hold(state, delivery, move |conn, until| {
            Ok(diesel::update(
                mail_outbox::table
                    .find(&id)
                    .filter(mail_outbox::claimed_by.eq(&me)),
            )
            .set(mail_outbox::next_attempt_at.eq(until))
            .execute(conn)?)
        })
        .await;
        let id = row.id.clone();
        match result {
            Ok(()) => {
                state
                    .db
                    .write(move |conn| outbox::mark_sent(conn, &id, now))
                    .await?;
                sent += 1;
            }
            Err(failure) => {
                let timed_out = matches!(failure, DeliveryError::TimedOut(_));
                let error = failure.to_string();
                tracing::warn!(message_id = %row.id, attempt = row.attempts + 1, error, "mail not delivered, will retry");
                let next = state.clock.now() + super::backoff(row.attempts);
                state
                    .db
                    .write(move |conn| outbox::mark_attempt_failed(conn, &row, &error, next))
                    .await?;
                failed += 1;
                if timed_out {
                    break;
                }
            }
        }
    }
    Ok((sent, failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_name_the_public_host() {
        assert_eq!(
            message_id("0193", "https://mms.belle2.org/"),
            "0193@mms.belle2.org"
        );
        assert_eq!(message_id("1", "http://127.0.0.1:8080"), "1@127.0.0.1");
        assert_eq!(message_id("1", ""), "1@localhost");
    }
}
