//! Wire types of invitations and registration requests (product §5).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{
    Category, IdentityKind, InvitationStatus, MembershipStatus, RegistrationAction,
    RegistrationState,
};

/// `POST /api/v1/invitations`: an IR invites someone to register with their institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// The invitee's address at the institution; the temporary credentials go there.
    pub email: String,
    pub institution_id: Uuid,
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
}

/// An invitation as IRs and admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: Uuid,
    pub institution_id: Uuid,
    pub email: String,
    pub category: Option<Category>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// The temporary username (the password is shown only once, at creation).
    pub username: String,
    pub status: InvitationStatus,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The registration request the invitee opened, once they signed in.
    pub registration_id: Option<Uuid>,
}

/// The answer to creating an invitation: the temporary credentials, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvitation {
    pub id: Uuid,
    pub username: String,
    /// Temporary password for the registration portal only; it is not kept in clear.
    pub password: String,
    pub expires_at: DateTime<Utc>,
    pub status: InvitationStatus,
    pub email: String,
    pub institution_id: Uuid,
}

/// `POST /api/v1/auth/invitation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvitationLogin {
    pub username: String,
    pub password: String,
}

/// A token for the registration endpoints only, and the request it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationToken {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    pub expires_in: i64,
    pub registration_id: Uuid,
}

/// `POST /api/v1/registrations/{id}/submit`: the registration form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmitRegistration {
    pub given_name: String,
    #[serde(default)]
    pub middle_name: Option<String>,
    pub family_name: String,
    /// Contact email at the home institution (no personal mail providers).
    pub email: String,
    /// 4–8 letters and digits; reserved from now on, never changeable.
    pub account_name: String,
    /// The password of the account once it is created (must be changed at first sign-in).
    pub initial_password: String,
    /// Home institution; for an invitation it must be the inviting institution.
    pub institution_id: Uuid,
    pub category: Category,
    #[serde(default)]
    pub orcid: Option<String>,
    /// An account name the person already holds, to be reactivated instead of a new one.
    #[serde(default)]
    pub existing_account: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// An existing person who resembles the applicant (same family name and given name or
/// initial), shown to the IR side by side with the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PossibleDuplicate {
    pub person_id: Uuid,
    pub given_name: String,
    pub middle_name: Option<String>,
    pub family_name: String,
    pub email: String,
    pub account_name: Option<String>,
    pub institution_short_name: String,
    pub category: Category,
    pub status: MembershipStatus,
}

/// One step in the life of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationEvent {
    pub at: DateTime<Utc>,
    /// e.g. `registration.submitted`.
    pub action: String,
    /// Account name of who acted, `applicant` or `system`.
    pub actor: String,
    pub state: Option<RegistrationState>,
    pub comment: Option<String>,
}

/// A registration request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    pub id: Uuid,
    pub state: RegistrationState,
    pub identity: IdentityKind,
    pub certificate_dn: Option<String>,
    pub institution_id: Option<Uuid>,
    pub institution_short_name: Option<String>,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub middle_name: Option<String>,
    pub family_name: Option<String>,
    /// The registry address the account will get.
    pub registry_email: Option<String>,
    pub account_name: Option<String>,
    pub category: Option<Category>,
    pub orcid: Option<String>,
    pub existing_account: Option<String>,
    pub comment: Option<String>,
    /// The existing person an approval links to (reactivation instead of a new record).
    pub link_person_id: Option<Uuid>,
    /// The person record created or reactivated for this request.
    pub person_id: Option<Uuid>,
    /// Why it was rejected.
    pub decision_reason: Option<String>,
    /// Why creating the account failed, when it did (shown to IRs and admins only).
    #[serde(default)]
    pub provision_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub possible_duplicates: Vec<PossibleDuplicate>,
    pub history: Vec<RegistrationEvent>,
    /// What the caller may do with this request now; empty when nothing.
    #[serde(default)]
    pub actions: Vec<RegistrationAction>,
}

/// The answer to a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmittedRegistration {
    /// "Request for membership was created. Desired account name: …"
    pub message: String,
    pub registration: Registration,
}

/// `POST /api/v1/registrations/{id}/approve`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApproveRegistration {
    #[serde(default)]
    pub comment: Option<String>,
    /// Reactivate this existing person instead of creating a new record.
    #[serde(default)]
    pub link_person_id: Option<Uuid>,
}

/// `POST /api/v1/registrations/{id}/retry`: an admin sends a request whose account could not
/// be created back to provisioning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RetryProvisioning {
    /// Reactivate this existing person instead of creating a new record (for example the
    /// person the contact email turned out to belong to).
    #[serde(default)]
    pub link_person_id: Option<Uuid>,
}

/// `POST /api/v1/registrations/{id}/reject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectRegistration {
    /// Why; told to the applicant.
    pub reason: String,
}
