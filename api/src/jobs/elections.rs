//! Elections on time: drafts open at their opening time (the electorate is frozen), open ones
//! close at their closing time, and a day before closing the electors who have not voted are
//! reminded once. Each step is a conditional change of state, so one instance takes it.

use b2mms_shared::links;
use chrono::Duration;

use crate::error::AppResult;
use crate::mail::templates;
use crate::ops;
use crate::services::Services;
use crate::store::{self, from_db_time, outbox, to_db_time};

/// How long before closing the electors who have not voted are reminded.
pub fn reminder_before() -> Duration {
    Duration::days(1)
}

/// Opens and closes the elections that are due, then sends the reminders that are due: how
/// many elections changed state, and how many reminders were queued.
pub async fn run(state: &Services) -> AppResult<(usize, usize)> {
    let now = state.clock.now();
    let public = state.config.public_url.clone();
    state
        .db
        .write(move |conn| {
            let mut moved = 0;
            for row in store::elections::running(conn)? {
                // A draft whose closing time has passed too opens and then closes.
                while ops::elections::advance(conn, &row.id, now)? {
                    moved += 1;
                }
            }
            let mut reminded = 0;
            for row in store::elections::to_remind(conn, to_db_time(now + reminder_before()))? {
                let mail = templates::election_reminder(
                    &row.title,
                    from_db_time(row.closes_at),
                    &links::absolute(&public, &links::election(&row.id)),
                );
                for address in ops::elections::reminders(conn, &row.id)? {
                    outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
                    reminded += 1;
                }
            }
            Ok((moved, reminded))
        })
        .await
}
