//! Who is calling, as operations see it: the applicant of one request, a signed-in person, or
//! a collaboration tool with a service token. The HTTP layer establishes it from the token.

use crate::domain::policy::{Applicant, ServiceToken, Subject};

/// Who calls a registration endpoint: the applicant of one request (registration token), a
/// person acting on requests (IR, IB chair, admin; signed in, or named by the command line or
/// the demo loader), or a tool with a service token.
#[derive(Debug)]
pub enum Caller {
    Applicant(Applicant),
    Staff(Subject),
    Service(ServiceToken),
}
