//! The append-only audit log. Every change is recorded by the transaction that makes it.

use diesel::prelude::*;
use serde::Serialize;

use super::models::AuditRow;
use super::schema::audit_events;
use super::{DbConnection, new_id, to_db_time};
use crate::error::AppResult;

/// Who acted, as recorded in the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The acting person; `None` for the system itself.
    pub person_id: Option<String>,
    /// Account name, or `system`.
    pub name: String,
    pub request_id: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Actor {
    /// The applicant of a registration request, who has no record yet.
    pub fn applicant(at: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            person_id: None,
            name: "applicant".into(),
            request_id: crate::request_context::current(),
            at,
        }
    }

    pub fn system(at: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            person_id: None,
            name: "system".into(),
            request_id: None,
            at,
        }
    }
}

/// One change to record.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

/// Appends one event; call it inside the transaction that makes the change.
pub fn record<B: Serialize, A: Serialize>(
    conn: &mut DbConnection,
    actor: &Actor,
    change: Change<'_, B, A>,
) -> AppResult<()> {
    let row = AuditRow {
        id: new_id(),
        at: to_db_time(actor.at),
        actor_id: actor.person_id.clone(),
        actor: actor.name.clone(),
        action: change.action.to_owned(),
        subject_type: change.subject_type.to_owned(),
        subject_id: change.subject_id.to_owned(),
        before_json: change.before.map(to_json),
        after_json: change.after.map(to_json),
        request_id: actor.request_id.clone(),
    };
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// Records an event without before/after values.
pub fn record_plain(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    subject_id: &str,
) -> AppResult<()> {
    record::<(), ()>(
        conn,
        actor,
        Change {
            action,
            subject_type,
            subject_id,
            before: None,
            after: None,
        },
    )
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// A page of events about one record (or all), newest first.
pub fn list(
    conn: &mut DbConnection,
    subject_id: Option<&str>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<AuditRow>, i64)> {
    let mut query = audit_events::table.into_boxed();
    let mut count = audit_events::table.into_boxed();
    if let Some(id) = subject_id {
        query = query.filter(audit_events::subject_id.eq(id.to_owned()));
        count = count.filter(audit_events::subject_id.eq(id.to_owned()));
    }
    let total = count.count().get_result::<i64>(conn)?;
    let rows = query
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .offset(offset)
        .limit(limit)
        .load::<AuditRow>(conn)?;
    Ok((rows, total))
}
