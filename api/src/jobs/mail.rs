//! Delivers the outbox. A message is claimed for a few minutes before it is sent; failures are
//! retried with backoff and given up after a day of attempts.

use chrono::Duration;
use diesel::prelude::*;

use crate::app::AppState;
use crate::error::AppResult;
use crate::store::schema::mail_outbox;
use crate::store::{outbox, to_db_time};

const LEASE_MINUTES: i64 = 5;
const BATCH: i64 = 50;
const GIVE_UP_AFTER: i32 = 30;

/// Sends what is due; `(sent, failed attempts)`.
pub async fn send_due(state: &AppState) -> AppResult<(usize, usize)> {
    let now = state.clock.now();
    let due = state
        .db
        .run(move |conn| outbox::due(conn, now, BATCH))
        .await?;
    let (mut sent, mut failed) = (0, 0);
    for row in due {
        let (id, old) = (row.id.clone(), row.next_attempt_at);
        let lease = to_db_time(now + Duration::minutes(LEASE_MINUTES));
        let claimed = state
            .db
            .write(move |conn| {
                Ok(diesel::update(
                    mail_outbox::table
                        .find(&id)
                        .filter(mail_outbox::status.eq("pending"))
                        .filter(mail_outbox::next_attempt_at.eq(old)),
                )
                .set(mail_outbox::next_attempt_at.eq(lease))
                .execute(conn)?
                    == 1)
            })
            .await?;
        if !claimed {
            continue;
        }
        let result = state
            .mailer
            .send(
                &state.config.mail_from,
                &row.to_address,
                &row.subject,
                &row.body_text,
            )
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
            Err(error) => {
                tracing::warn!(message_id = %row.id, attempt = row.attempts + 1, error, "mail not delivered, will retry");
                let next = now + super::backoff(row.attempts);
                state
                    .db
                    .write(move |conn| {
                        outbox::mark_attempt_failed(conn, &row, &error, next, GIVE_UP_AFTER)
                    })
                    .await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}
