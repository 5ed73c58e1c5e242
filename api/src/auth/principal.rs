//! The authenticated caller of a request, established from a bearer token and the current
//! state of its session, account and roles.

use b2mms_shared::{PersonId, Role};

use crate::auth::tokens::Purpose;
use crate::domain::policy::Subject;
use crate::store::audit::Actor;

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Principal {
    pub session_id: String,
    pub purpose: Purpose,
    pub subject: Subject,
}

impl Principal {
    pub fn person_id(&self) -> &PersonId {
        &self.subject.acting.person_id
    }

    pub fn roles(&self) -> &[Role] {
        &self.subject.roles
    }

    /// This caller as recorded in the audit log.
    pub fn actor(&self, at: chrono::DateTime<chrono::Utc>) -> Actor {
        Actor::acting(&self.subject.acting, at)
    }
}
