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
    AccountStatus, AffiliationKind, ApplicationState, AudienceRole, AuditAction, AuthorListState,
    AuthorReasonCode, Category, DirectorySort, ElectionState, ExceptionKind, IdentityKind,
    InstitutionStatus, InstitutionWeight, InvitationStatus, JoinPolicy, MailStatus,
    MembershipStatus, PeriodEnd, RegistrationAction, RegistrationState, Role, Scope, SortOrder,
    SubscribeWith, TransferState,
};
pub use ids::{
    AffiliationId, AuthorExceptionId, AuthorListId, ElectionId, GroupApplicationId, GroupId,
    InstitutionId, InvitationId, MailingListId, PersonId, RegistrationId, TransferId,
};
pub use rules::{FieldErrors, RuleViolation};
