//! Bodies of groups: the groups, their managers and members, and applications to join.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::PersonRef;
use crate::enums::{ApplicationState, JoinPolicy};

/// A group of people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub join_policy: JoinPolicy,
    /// The main group: every active member, never joined or left by hand.
    pub main: bool,
    /// How many people are in it now.
    pub members: i64,
    pub managers: Vec<PersonRef>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/groups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// Short and unique, e.g. `NAF`: letters, digits, `-` and `_`, at most 40.
    pub name: String,
    pub description: String,
    pub join_policy: JoinPolicy,
}

/// `PATCH /api/v1/groups/{id}`: only what is sent changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_policy: Option<JoinPolicy>,
}

/// One person in a group, since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMember {
    pub person: PersonRef,
    pub institution_short_name: String,
    pub since: NaiveDate,
}

/// `POST /api/v1/groups/{id}/applications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    /// Why the applicant needs the group; read by its managers (may be empty for an open
    /// group).
    pub reason: String,
}

/// An application to join a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupApplication {
    pub id: Uuid,
    pub group_id: Uuid,
    pub group_name: String,
    pub applicant: PersonRef,
    pub state: ApplicationState,
    pub reason: String,
    /// Why it was rejected.
    pub decision_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/group-applications/{id}/reject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectApplication {
    /// Why; told to the applicant.
    pub reason: String,
}

/// `POST /api/v1/groups/{id}/managers` and `POST /api/v1/groups/{id}/members`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupPerson {
    pub person_id: Uuid,
}
