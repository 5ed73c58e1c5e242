//! The mail outbox: messages are written in the transaction of the change they report, and
//! a sender job delivers them. A state change never waits for, or fails with, the mail server.

use b2mms_shared::MailStatus;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::models::OutboxRow;
use super::schema::mail_outbox;
use super::{DbConnection, new_text_id, to_db_time};
use crate::error::AppResult;

/// Queues one message.
pub fn enqueue(
    conn: &mut DbConnection,
    to: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    diesel::insert_into(mail_outbox::table)
        .values(&row(to, subject, body, now))
        .execute(conn)?;
    Ok(())
}

/// The stored form of one message to queue, for callers that queue many at once.
pub fn row(to: &str, subject: &str, body: &str, now: DateTime<Utc>) -> OutboxRow {
    let at = to_db_time(now);
    OutboxRow {
        id: new_text_id(),
        created_at: at,
        to_address: to.to_owned(),
        subject: subject.to_owned(),
        body_text: body.to_owned(),
        status: MailStatus::Pending,
        attempts: 0,
        next_attempt_at: at,
        last_error: None,
        sent_at: None,
        claimed_by: None,
    }
}

/// Messages due for (another) attempt, oldest first.
pub fn due(conn: &mut DbConnection, now: DateTime<Utc>, limit: i64) -> AppResult<Vec<OutboxRow>> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.eq(MailStatus::Pending))
        .filter(mail_outbox::next_attempt_at.le(to_db_time(now)))
        .order((mail_outbox::next_attempt_at, mail_outbox::id))
        .limit(limit)
        .load(conn)?)
}

/// Takes a due message for `instance` until `until`, unless another instance (or an earlier
/// round) took it since it was read; whether it is ours now.
pub fn claim(
    conn: &mut DbConnection,
    id: &str,
    seen_due_at: NaiveDateTime,
    instance: &str,
    until: NaiveDateTime,
) -> AppResult<bool> {
    Ok(diesel::update(
        mail_outbox::table
            .find(id)
            .filter(mail_outbox::status.eq(MailStatus::Pending))
            .filter(mail_outbox::next_attempt_at.eq(seen_due_at)),
    )
    .set((
        mail_outbox::next_attempt_at.eq(until),
        mail_outbox::claimed_by.eq(instance),
    ))
    .execute(conn)?
        == 1)
}

pub fn mark_sent(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> AppResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::claimed_by.eq(None::<String>),
            mail_outbox::status.eq(MailStatus::Sent),
            mail_outbox::sent_at.eq(to_db_time(now)),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt and when to try again; the message stays queued.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    row: &OutboxRow,
    error: &str,
    next: DateTime<Utc>,
) -> AppResult<()> {
    diesel::update(mail_outbox::table.find(&row.id))
        .set((
            mail_outbox::claimed_by.eq(None::<String>),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::next_attempt_at.eq(to_db_time(next)),
            mail_outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of the messages not yet delivered, oldest first, and how many there are.
pub fn undelivered(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<b2mms_shared::api::QueuedMail>, i64)> {
    let pending = || mail_outbox::table.filter(mail_outbox::status.eq(MailStatus::Pending));
    let total = pending().count().get_result::<i64>(conn)?;
    let rows: Vec<OutboxRow> = pending()
        .order((mail_outbox::created_at, mail_outbox::id))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|row| {
            Ok(b2mms_shared::api::QueuedMail {
                id: super::parse_uuid(&row.id)?,
                to: row.to_address,
                subject: row.subject,
                created_at: super::from_db_time(row.created_at),
                attempts: row.attempts,
                next_attempt_at: super::from_db_time(row.next_attempt_at),
                last_error: row.last_error,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((items, total))
}

/// Makes an undelivered message due at once (unless it is being sent right now); whether
/// there was such a message.
pub fn due_now(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(diesel::update(
        mail_outbox::table
            .find(id)
            .filter(mail_outbox::status.eq(MailStatus::Pending))
            .filter(mail_outbox::claimed_by.is_null()),
    )
    .set(mail_outbox::next_attempt_at.eq(to_db_time(now)))
    .execute(conn)?
        == 1)
}

/// Messages not yet delivered, and when the oldest of them was queued.
pub fn backlog(conn: &mut DbConnection) -> AppResult<(i64, Option<DateTime<Utc>>)> {
    let pending = || mail_outbox::table.filter(mail_outbox::status.eq(MailStatus::Pending));
    let depth = pending().count().get_result::<i64>(conn)?;
    let oldest: Option<NaiveDateTime> = pending()
        .select(diesel::dsl::min(mail_outbox::created_at))
        .first(conn)?;
    Ok((depth, oldest.map(super::from_db_time)))
}

/// Messages not yet delivered (for metrics and tests).
pub fn pending_count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(mail_outbox::table
        .filter(mail_outbox::status.eq(MailStatus::Pending))
        .count()
        .get_result(conn)?)
}
