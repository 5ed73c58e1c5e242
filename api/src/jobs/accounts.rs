//! Password-expiry reminders: 30, 14, 7 and 1 days before, each once.

use b2mms_shared::links;
use chrono::Duration;

use crate::error::AppResult;
use crate::mail::templates;
use crate::services::Services;
use crate::store::{self, from_db_time, outbox};

pub const REMINDER_DAYS: [i64; 4] = [30, 14, 7, 1];

/// Sends the password-expiry reminders that are due; how many.
pub async fn remind_expiring_passwords(state: &Services) -> AppResult<usize> {
    let now = state.clock.now();
    let link = links::absolute(&state.config.public_url, links::CHANGE_PASSWORD);
    state
        .db
        .write(move |conn| {
            let mut sent = 0;
            for (person, account, email, expires) in store::credentials::expiring_before(
                conn,
                now,
                now + Duration::days(REMINDER_DAYS[0]),
            )? {
                let left = from_db_time(expires) - now;
                // The nearest threshold not yet passed: 30, 14, 7 or 1 days.
                let Some(days) = REMINDER_DAYS
                    .iter()
                    .rev()
                    .copied()
                    .find(|d| left <= Duration::days(*d))
                else {
                    continue;
                };
                let threshold = i32::try_from(days).unwrap_or(i32::MAX);
                if store::credentials::note_reminder(conn, &person, expires, threshold, now)? {
                    let remaining = left.num_days().max(0) + 1;
                    let mail = templates::password_expires(
                        &account,
                        remaining.min(days),
                        from_db_time(expires),
                        &link,
                    );
                    outbox::enqueue(conn, &email, &mail.subject, &mail.body, now)?;
                    sent += 1;
                }
            }
            Ok(sent)
        })
        .await
}
