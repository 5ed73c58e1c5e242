//! Request and response bodies of the b2mms HTTP API (`/api/v1`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{AccountStatus, Category, InstitutionStatus, MembershipStatus, Role, Scope};
use crate::rules::RuleViolation;

mod authors;
mod groups;
mod import;
mod mailing_lists;
mod membership;
mod registration;
mod statistics;
mod voting;
pub use authors::*;
pub use groups::*;
pub use import::*;
pub use mailing_lists::*;
pub use membership::*;
pub use registration::*;
pub use statistics::*;
pub use voting::*;

/// An RFC 9457 problem document, as every error of the API is returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// The id of the request, also sent as the `X-Request-Id` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `validation_failed`: what is wrong with each field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<RuleViolation>>>,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A message waiting in the outbox, as admins see it: who it is for and why it is not
/// delivered yet, never its text (which may hold temporary credentials).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuedMail {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
    /// What the mail server said at the last attempt.
    pub last_error: Option<String>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: String,
    /// `ok` or `unreachable`.
    pub database: String,
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account name (case-insensitive).
    pub account: String,
    pub password: String,
}

/// A session: a short-lived bearer token. The refresh token travels in an HttpOnly cookie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// The account name the session belongs to.
    pub account: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: i64,
    /// When true the token can only change the password (`POST /api/v1/auth/password`).
    pub must_change_password: bool,
    pub roles: Vec<Role>,
    pub password_expires_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/auth/password`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/v1/auth/password-reset`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The account name or the contact email address.
    pub account_or_email: String,
}

/// `POST /api/v1/auth/password-reset/confirm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The token from the emailed link.
    pub token: String,
    pub new_password: String,
}

/// A short reference to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub account_name: Option<String>,
}

/// An institution of the collaboration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Institution {
    pub id: Uuid,
    pub name: String,
    pub short_name: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub ror_id: Option<String>,
    pub inspire_id: Option<String>,
    /// The name as printed in author lists; the name when none is set.
    pub paper_name: Option<String>,
    /// The postal address as printed in author lists.
    pub address: Option<String>,
    pub status: InstitutionStatus,
    /// Its institutional representatives (IRs).
    pub representatives: Vec<PersonRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/institutions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInstitution {
    pub name: String,
    pub short_name: String,
    pub city: String,
    pub country: String,
    #[serde(default)]
    pub ror_id: Option<String>,
    #[serde(default)]
    pub inspire_id: Option<String>,
    #[serde(default)]
    pub paper_name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// `PATCH /api/v1/institutions/{id}`: only the fields present change; `null` clears an
/// optional identifier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstitutionPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub ror_id: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub inspire_id: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub paper_name: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub address: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InstitutionStatus>,
}

/// `POST /api/v1/institutions/{id}/representatives`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RepresentativeRequest {
    pub person_id: Uuid,
}

/// `POST /api/v1/members`: an admin creates a person with an account directly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub given_name: String,
    #[serde(default)]
    pub middle_name: Option<String>,
    pub family_name: String,
    /// Contact email at the home institution.
    pub email: String,
    pub account_name: String,
    /// Must be changed at the first login.
    pub initial_password: String,
    pub institution_id: Uuid,
    pub category: Category,
}

/// A person's record as members and administrators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: Uuid,
    pub account_name: Option<String>,
    pub given_name: String,
    pub middle_name: Option<String>,
    pub family_name: String,
    pub email: String,
    pub registry_email: Option<String>,
    pub orcid: Option<String>,
    /// The name as printed in papers, e.g. "T. Iijima"; none until someone sets it.
    #[serde(default)]
    pub paper_name: Option<String>,
    /// The INSPIRE author id, e.g. "INSPIRE-00012345".
    #[serde(default)]
    pub inspire_id: Option<String>,
    pub category: Category,
    pub institution_id: Uuid,
    pub institution_short_name: String,
    pub status: MembershipStatus,
    pub membership_start: Option<NaiveDate>,
    pub membership_end: Option<NaiveDate>,
    pub account_status: Option<AccountStatus>,
    pub password_expires_at: Option<DateTime<Utc>>,
    pub roles: Vec<Role>,
    /// Institutions this person represents.
    pub representative_of: Vec<Uuid>,
    /// Names of the groups the person currently belongs to.
    pub groups: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// `PATCH /api/v1/members/{id}`: only the fields present change; `null` clears an optional
/// one. Who may change what: the membership (category, status, end) the person's IRs and
/// admins, never one's own; the name in papers and the INSPIRE id the person, their IRs and
/// admins; the middle name and ORCID iD the person and admins; the given and family name and the contact email
/// admins (a person changes their own contact email with `POST /api/v1/me/email`, confirmed
/// from the new address). The account name never changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MembershipStatus>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub membership_end: Option<Option<NaiveDate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub middle_name: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub paper_name: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub orcid: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub inspire_id: Option<Option<String>>,
    /// The contact address, set directly (admins only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl MemberPatch {
    /// Whether it touches the membership itself (category, status, end).
    pub fn touches_membership(&self) -> bool {
        self.category.is_some() || self.status.is_some() || self.membership_end.is_some()
    }
}

/// `POST /api/v1/me/email`: the new contact address, to be confirmed from a link mailed to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailChangeRequest {
    pub email: String,
}

/// `POST /api/v1/me/email/confirm`: the token of the confirmation link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailChangeConfirm {
    pub token: String,
}

/// `GET /api/v1/account-names/{name}`: whether a name can be chosen, and why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountNameCheck {
    /// The name as it would be stored (lower case).
    pub name: String,
    pub available: bool,
    /// The rules the name breaks; empty when it is valid.
    pub violations: Vec<RuleViolation>,
}

/// A page of the member directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryPage {
    pub items: Vec<DirectoryEntry>,
    /// How many people match in all.
    pub total: i64,
    /// The page number asked for; absent when the page was read `after` a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    pub per_page: i64,
    /// When more people follow: the last person on this page, to pass as `after` for the
    /// next page (as fast at any depth, and nobody is skipped or repeated when people are
    /// added meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<Uuid>,
}

/// One person in the member directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    pub id: Uuid,
    pub account_name: Option<String>,
    pub given_name: String,
    pub middle_name: Option<String>,
    pub family_name: String,
    /// The collaboration address.
    pub registry_email: Option<String>,
    pub orcid: Option<String>,
    pub institution_id: Uuid,
    pub institution_short_name: String,
    pub category: Category,
    pub status: MembershipStatus,
    /// The day the membership ends; none while open-ended.
    #[serde(default)]
    pub membership_end: Option<NaiveDate>,
}

/// `POST /api/v1/service-tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewServiceToken {
    /// What uses it, e.g. `wiki-sync`.
    pub name: String,
    pub scopes: Vec<Scope>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A service token as listed (the secret itself is shown only at creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceToken {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The answer to creating a service token: the secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedServiceToken {
    pub id: Uuid,
    /// Use as `Authorization: Bearer <token>`; it is stored only as a hash.
    pub token: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/members/{id}/roles`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    /// `admin` or `ib_chair`.
    pub role: Role,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The acting person; absent when the system acted.
    pub actor_id: Option<Uuid>,
    /// Account name of the actor, or `system`.
    pub actor: String,
    /// What happened, e.g. `institution.created`.
    pub action: String,
    pub subject_type: String,
    pub subject_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn deserialize<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(de).map(Some)
    }

    pub fn serialize<S, T>(value: &Option<Option<T>>, ser: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        T: Serialize,
    {
        match value {
            Some(inner) => inner.serialize(ser),
            None => ser.serialize_none(),
        }
    }
}
