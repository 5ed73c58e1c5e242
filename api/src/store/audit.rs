//! The append-only audit log. Every change is recorded by the transaction that makes it.

use b2mms_shared::{
    AuthorExceptionId, AuthorListId, GroupId, InstitutionId, InvitationId, PersonId, RegistrationId,
};
use diesel::prelude::*;
use serde::Serialize;

use super::models::AuditRow;
use super::schema::audit_events;
use super::{DbConnection, new_text_id, to_db_time};
use crate::error::AppResult;

/// Who acted, as recorded in the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The acting person; `None` for the system itself.
    pub person_id: Option<PersonId>,
    /// Account name, or `system`.
    pub name: String,
    pub request_id: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Actor {
    /// A signed-in person acting.
    pub fn acting(
        acting: &crate::domain::policy::Acting,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self {
            person_id: Some(acting.person_id.clone()),
            name: acting.account_name.clone(),
            request_id: acting.request_id.clone(),
            at,
        }
    }

    /// A person identified by this request itself (signing in), before any session exists.
    pub fn signing_in(
        person_id: &b2mms_shared::PersonId,
        account_name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self {
            person_id: Some(person_id.clone()),
            name: account_name.to_owned(),
            request_id: crate::request_context::current(),
            at,
        }
    }

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

/// Every kind of audit event (the shared vocabulary), stored as its stable name.
pub use b2mms_shared::AuditAction as Event;

/// What a registration event records after the change: the state it led to and the comment
/// or reason given. The request's history is read back as this type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StateChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<b2mms_shared::RegistrationState>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The record an event is about, stored as its kind and id.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A person's account (sign-ins, passwords, locks), by the person's id.
    Account(&'a PersonId),
    Person(&'a PersonId),
    Registration(&'a RegistrationId),
    Institution(&'a InstitutionId),
    Invitation(&'a InvitationId),
    ServiceToken(&'a str),
    Session(&'a str),
    Mail(&'a str),
    Group(&'a GroupId),
    /// The collaboration's one author policy.
    AuthorPolicy,
    AuthorException(&'a AuthorExceptionId),
    AuthorList(&'a AuthorListId),
    MailingList(&'a b2mms_shared::MailingListId),
    Election(&'a b2mms_shared::ElectionId),
}

impl Subject<'_> {
    /// The stored kind, one stable name per variant.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Account(_) => "account",
            Self::Person(_) => "person",
            Self::Registration(_) => "registration",
            Self::Institution(_) => "institution",
            Self::Invitation(_) => "invitation",
            Self::ServiceToken(_) => "service_token",
            Self::Session(_) => "session",
            Self::Mail(_) => "mail",
            Self::Group(_) => "group",
            Self::AuthorPolicy => "author_policy",
            Self::AuthorException(_) => "author_exception",
            Self::AuthorList(_) => "author_list",
            Self::MailingList(_) => "mailing_list",
            Self::Election(_) => "election",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Account(id) | Self::Person(id) => id.as_str(),
            Self::Registration(id) => id.as_str(),
            Self::Institution(id) => id.as_str(),
            Self::Invitation(id) => id.as_str(),
            Self::ServiceToken(id) | Self::Session(id) | Self::Mail(id) => id,
            Self::Group(id) => id.as_str(),
            // The one policy has no record id of its own; audit subjects are UUIDs.
            Self::AuthorPolicy => "00000000-0000-0000-0000-000000000000",
            Self::AuthorException(id) => id.as_str(),
            Self::AuthorList(id) => id.as_str(),
            Self::MailingList(id) => id.as_str(),
            Self::Election(id) => id.as_str(),
        }
    }
}

/// One change to record.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub action: Event,
    pub subject: Subject<'a>,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

/// Appends one event; call it inside the transaction that makes the change.
pub fn record<B: Serialize, A: Serialize>(
    conn: &mut DbConnection,
    actor: &Actor,
    change: Change<'_, B, A>,
) -> AppResult<()> {
    diesel::insert_into(audit_events::table)
        .values(&row(actor, change))
        .execute(conn)?;
    Ok(())
}

/// The stored form of one event, for callers that write many at once.
pub fn row<B: Serialize, A: Serialize>(actor: &Actor, change: Change<'_, B, A>) -> AuditRow {
    AuditRow {
        id: new_text_id(),
        at: to_db_time(actor.at),
        actor_id: actor.person_id.clone(),
        actor: actor.name.clone(),
        action: change.action,
        subject_type: change.subject.kind().to_owned(),
        subject_id: change.subject.id().to_owned(),
        before_json: change.before.map(to_json),
        after_json: change.after.map(to_json),
        request_id: actor.request_id.clone(),
    }
}

/// Records an event without before/after values.
pub fn record_plain(
    conn: &mut DbConnection,
    actor: &Actor,
    action: Event,
    subject: Subject<'_>,
) -> AppResult<()> {
    record::<(), ()>(
        conn,
        actor,
        Change {
            action,
            subject,
            before: None,
            after: None,
        },
    )
}

/// When `action` last happened to the record `subject_id`.
pub fn last_at(
    conn: &mut DbConnection,
    subject_id: &str,
    action: Event,
) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
    let at: Option<chrono::NaiveDateTime> = audit_events::table
        .filter(audit_events::subject_id.eq(subject_id))
        .filter(audit_events::action.eq(action.as_str()))
        .select(diesel::dsl::max(audit_events::at))
        .first(conn)?;
    Ok(at.map(super::from_db_time))
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Which events a list shows; every given part must hold.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events about this record.
    pub subject_id: Option<String>,
    /// Events by actors whose account name contains this text (`system` for b2mms itself).
    pub actor: Option<String>,
    pub action: Option<b2mms_shared::AuditAction>,
    /// Events at or after this time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Events before this time.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

/// A page of events, newest first, and how many match in all.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<AuditRow>, i64)> {
    let query = || {
        let mut q = audit_events::table.into_boxed();
        if let Some(id) = &filter.subject_id {
            q = q.filter(audit_events::subject_id.eq(id.clone()));
        }
        if let Some(actor) = &filter.actor {
            let pattern = format!(
                "%{}%",
                super::directory::like_escaped(&actor.to_lowercase())
            );
            q = q.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("audit_events.actor LIKE ")
                    .bind::<diesel::sql_types::Text, _>(pattern)
                    .sql(" ESCAPE '\\'"),
            );
        }
        if let Some(action) = filter.action {
            q = q.filter(audit_events::action.eq(action.as_str()));
        }
        if let Some(since) = filter.since {
            q = q.filter(audit_events::at.ge(to_db_time(since)));
        }
        if let Some(until) = filter.until {
            q = q.filter(audit_events::at.lt(to_db_time(until)));
        }
        q
    };
    let total = query().count().get_result::<i64>(conn)?;
    let rows = query()
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .offset(offset)
        .limit(limit)
        .load::<AuditRow>(conn)?;
    Ok((rows, total))
}

#[cfg(test)]
mod event_names {
    use super::Event;

    #[test]
    fn every_event_has_its_own_name() {
        let mut names: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "two events share a name");
        assert!(names.iter().all(|n| n.split('.').count() == 2), "{names:?}");
    }
}
