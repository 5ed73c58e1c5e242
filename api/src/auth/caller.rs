//! Who is calling, as operations see it: the applicant of one request, a signed-in person, or
//! a collaboration tool with a service token. The HTTP layer establishes it from the token.

use crate::auth::principal::Principal;
use crate::domain::policy::{Applicant, ServiceToken};

/// Who calls a registration endpoint: the applicant of one request (registration token), a
/// signed-in person acting on requests (IR, IB chair, admin), or a tool with a service token.
#[derive(Debug)]
pub enum Caller {
    Applicant(Applicant),
    Staff(Principal),
    Service(ServiceToken),
}
