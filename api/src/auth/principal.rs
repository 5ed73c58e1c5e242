//! The authenticated caller of a request, established from a bearer token and the current
//! state of its session, account and roles.

use b2mms_shared::Role;

use crate::auth::tokens::Purpose;
use crate::domain::policy::{self, Action, Subject};
use crate::error::{AppError, AppResult};
use crate::store::audit::Actor;

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Principal {
    pub person_id: String,
    pub account_name: String,
    pub session_id: String,
    pub purpose: Purpose,
    pub subject: Subject,
    pub request_id: Option<String>,
}

impl Principal {
    pub fn roles(&self) -> &[Role] {
        &self.subject.roles
    }

    /// Succeeds when the policy allows the action, 403 otherwise.
    pub fn require(&self, action: Action<'_>) -> AppResult<()> {
        if policy::allows(&self.subject, &action) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "Your roles do not allow this; ask the collaboration secretariat if you need it.",
            ))
        }
    }

    /// This caller as recorded in the audit log.
    pub fn actor(&self, at: chrono::DateTime<chrono::Utc>) -> Actor {
        Actor {
            person_id: Some(self.person_id.clone()),
            name: self.account_name.clone(),
            request_id: self.request_id.clone(),
            at,
        }
    }
}
