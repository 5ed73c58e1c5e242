//! Who is calling, as operations see it: the applicant of one request, a signed-in person, or
//! a collaboration tool with a service token. The HTTP layer establishes it from the token.

use crate::auth::principal::Principal;
use crate::error::{AppError, AppResult};

/// A collaboration tool calling with a service token.
#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub scopes: Vec<b2mms_shared::Scope>,
}

impl Service {
    pub fn require(&self, scope: b2mms_shared::Scope) -> AppResult<()> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                code: "scope_missing",
                detail: format!(
                    "This service token lacks the scope `{scope}`; an administrator can issue one that has it."
                ),
            })
        }
    }
}

/// Who calls a registration endpoint: the applicant of one request (registration token), a
/// signed-in person acting on requests (IR, IB chair, admin), or a tool with a service token.
#[derive(Debug)]
pub enum Caller {
    Applicant { registration_id: String },
    Staff(Principal),
    Service(Service),
}
