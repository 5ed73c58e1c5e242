//! Who is calling, as operations see it: the applicant of one request, a signed-in person, or
//! a collaboration tool with a service token. The HTTP layer establishes it from the token.

use crate::auth::principal::Principal;
use crate::domain::policy::{self, Applicant, ServiceToken};
use crate::error::{AppError, AppResult};

impl From<policy::Denied> for AppError {
    fn from(denied: policy::Denied) -> Self {
        AppError::forbidden(denied.0)
    }
}

impl ServiceToken {
    /// Proof that this token carries `scope`, or 403 `scope_missing`.
    pub fn require(&self, scope: b2mms_shared::Scope) -> AppResult<policy::Service> {
        self.scoped(scope).ok_or_else(|| AppError::Forbidden {
            code: "scope_missing",
            detail: format!(
                "This service token lacks the scope `{scope}`; an administrator can issue one that has it."
            ),
        })
    }
}

/// Who calls a registration endpoint: the applicant of one request (registration token), a
/// signed-in person acting on requests (IR, IB chair, admin), or a tool with a service token.
#[derive(Debug)]
pub enum Caller {
    Applicant(Applicant),
    Staff(Principal),
    Service(ServiceToken),
}
