//! The mail outbox: messages are written in the transaction of the change they report, and
//! a sender job delivers them. A state change never waits for, or fails with, the mail server.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::models::OutboxRow;
use super::schema::mail_outbox;
use super::{DbConnection, new_id, to_db_time};
use crate::error::AppResult;

/// Queues one message.
pub fn enqueue(
    conn: &mut DbConnection,
    to: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = to_db_time(now);
    diesel::insert_into(mail_outbox::table)
        .values(&OutboxRow {
            id: new_id(),
            created_at: at,
            to_address: to.to_owned(),
            subject: subject.to_owned(),
            body_text: body.to_owned(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: at,
            last_error: None,
            sent_at: None,
        })
        .execute(conn)?;
    Ok(())
}

/// Messages due for (another) attempt, oldest first.
pub fn due(conn: &mut DbConnection, now: DateTime<Utc>, limit: i64) -> AppResult<Vec<OutboxRow>> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.eq("pending"))
        .filter(mail_outbox::next_attempt_at.le(to_db_time(now)))
        .order((mail_outbox::next_attempt_at, mail_outbox::id))
        .limit(limit)
        .load(conn)?)
}

pub fn mark_sent(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> AppResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq("sent"),
            mail_outbox::sent_at.eq(to_db_time(now)),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt; after `give_up_after` attempts the message is marked failed.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    row: &OutboxRow,
    error: &str,
    next: DateTime<Utc>,
    give_up_after: i32,
) -> AppResult<()> {
    let attempts = row.attempts + 1;
    let status = if attempts >= give_up_after {
        "failed"
    } else {
        "pending"
    };
    diesel::update(mail_outbox::table.find(&row.id))
        .set((
            mail_outbox::status.eq(status),
            mail_outbox::attempts.eq(attempts),
            mail_outbox::next_attempt_at.eq(to_db_time(next)),
            mail_outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Messages not yet delivered (for metrics and tests).
pub fn pending_count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.eq("pending"))
        .count()
        .get_result(conn)?)
}
