//! b2mms-shared: the wire types of the b2mms API and the collaboration's rules on what people
//! type. Compiled both into the server and into the WebAssembly frontend, so that a rule is
//! written once and enforced (server) and explained live (browser) from the same code.

pub mod access;
pub mod api;
pub mod enums;
pub mod ids;
pub mod links;
pub mod rules;

pub use enums::{
    AccountStatus, AuditAction, Category, DirectorySort, IdentityKind, InstitutionStatus,
    InvitationStatus, MailStatus, MembershipStatus, RegistrationAction, RegistrationState, Role,
    Scope, SortOrder,
};
pub use ids::{InstitutionId, InvitationId, PersonId, RegistrationId};
pub use rules::{FieldErrors, RuleViolation};
