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

/// Every kind of audit event, each with a stable name: the names are stored and read by
/// people and tools, so a name never changes and each event has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    AccountDisabled,
    AccountLocked,
    AccountUnlocked,
    InstitutionCreated,
    InstitutionRepresentativeAdded,
    InstitutionRepresentativeRemoved,
    InstitutionUpdated,
    InvitationCreated,
    InvitationRevoked,
    LoginFailed,
    LoginSucceeded,
    MailRetried,
    PasswordChanged,
    PasswordReset,
    PasswordResetRequested,
    PersonBecameRepresentative,
    PersonCeasedRepresentative,
    PersonCreated,
    PersonMembershipExpired,
    PersonProvisioned,
    PersonUpdated,
    RegistrationDemoDecision,
    RegistrationExpired,
    RegistrationIbApproved,
    RegistrationIrApproved,
    RegistrationOpened,
    RegistrationProvisioned,
    RegistrationProvisioningFailed,
    RegistrationProvisioningRetried,
    RegistrationRejected,
    RegistrationSubmitted,
    RegistrationWithdrawn,
    RoleGranted,
    RoleWithdrawn,
    ServiceTokenCreated,
    ServiceTokenRevoked,
    SessionEnded,
}

impl Event {
    pub const ALL: &'static [Event] = &[
        Event::AccountDisabled,
        Event::AccountLocked,
        Event::AccountUnlocked,
        Event::InstitutionCreated,
        Event::InstitutionRepresentativeAdded,
        Event::InstitutionRepresentativeRemoved,
        Event::InstitutionUpdated,
        Event::InvitationCreated,
        Event::InvitationRevoked,
        Event::LoginFailed,
        Event::LoginSucceeded,
        Event::MailRetried,
        Event::PasswordChanged,
        Event::PasswordReset,
        Event::PasswordResetRequested,
        Event::PersonBecameRepresentative,
        Event::PersonCeasedRepresentative,
        Event::PersonCreated,
        Event::PersonMembershipExpired,
        Event::PersonProvisioned,
        Event::PersonUpdated,
        Event::RegistrationDemoDecision,
        Event::RegistrationExpired,
        Event::RegistrationIbApproved,
        Event::RegistrationIrApproved,
        Event::RegistrationOpened,
        Event::RegistrationProvisioned,
        Event::RegistrationProvisioningFailed,
        Event::RegistrationProvisioningRetried,
        Event::RegistrationRejected,
        Event::RegistrationSubmitted,
        Event::RegistrationWithdrawn,
        Event::RoleGranted,
        Event::RoleWithdrawn,
        Event::ServiceTokenCreated,
        Event::ServiceTokenRevoked,
        Event::SessionEnded,
    ];

    /// The stable name, `subject.what_happened`.
    pub const fn name(self) -> &'static str {
        match self {
            Event::AccountDisabled => "account.disabled",
            Event::AccountLocked => "account.locked",
            Event::AccountUnlocked => "account.unlocked",
            Event::InstitutionCreated => "institution.created",
            Event::InstitutionRepresentativeAdded => "institution.representative_added",
            Event::InstitutionRepresentativeRemoved => "institution.representative_removed",
            Event::InstitutionUpdated => "institution.updated",
            Event::InvitationCreated => "invitation.created",
            Event::InvitationRevoked => "invitation.revoked",
            Event::LoginFailed => "login.failed",
            Event::LoginSucceeded => "login.succeeded",
            Event::MailRetried => "mail.retried",
            Event::PasswordChanged => "password.changed",
            Event::PasswordReset => "password.reset",
            Event::PasswordResetRequested => "password.reset_requested",
            Event::PersonBecameRepresentative => "person.became_representative",
            Event::PersonCeasedRepresentative => "person.ceased_representative",
            Event::PersonCreated => "person.created",
            Event::PersonMembershipExpired => "person.membership_expired",
            Event::PersonProvisioned => "person.provisioned",
            Event::PersonUpdated => "person.updated",
            Event::RegistrationDemoDecision => "registration.demo_decision",
            Event::RegistrationExpired => "registration.expired",
            Event::RegistrationIbApproved => "registration.ib_approved",
            Event::RegistrationIrApproved => "registration.ir_approved",
            Event::RegistrationOpened => "registration.opened",
            Event::RegistrationProvisioned => "registration.provisioned",
            Event::RegistrationProvisioningFailed => "registration.provisioning_failed",
            Event::RegistrationProvisioningRetried => "registration.provisioning_retried",
            Event::RegistrationRejected => "registration.rejected",
            Event::RegistrationSubmitted => "registration.submitted",
            Event::RegistrationWithdrawn => "registration.withdrawn",
            Event::RoleGranted => "role.granted",
            Event::RoleWithdrawn => "role.withdrawn",
            Event::ServiceTokenCreated => "service_token.created",
            Event::ServiceTokenRevoked => "service_token.revoked",
            Event::SessionEnded => "session.ended",
        }
    }
}

/// One change to record.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub action: Event,
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
        action: change.action.name().to_owned(),
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
    action: Event,
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

#[cfg(test)]
mod event_names {
    use super::Event;

    #[test]
    fn every_event_has_its_own_name() {
        let mut names: Vec<&str> = Event::ALL.iter().map(|e| e.name()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "two events share a name");
        assert!(names.iter().all(|n| n.split('.').count() == 2), "{names:?}");
    }
}
