//! Bodies of mailing lists: their definitions, with the audience rule that makes their
//! subscribers from the records, and who is on them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::PersonRef;
use crate::enums::{AudienceRole, Category, MembershipStatus, SubscribeWith};

/// Who a mailing list reaches, as a rule on the records: every part that is given must hold,
/// a part left out does not narrow. Without `statuses`, only active members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Membership statuses (default: `active` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<MembershipStatus>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<Category>>,
    /// Members of any of these institutions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution_ids: Option<Vec<Uuid>>,
    /// Members of institutions in any of these countries (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
    /// Current members of any of these groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<Uuid>>,
    /// People holding any of these roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<AudienceRole>>,
    /// `true`: only those on today's author forecast; `false`: only those not on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authors: Option<bool>,
}

/// A mailing list kept from the records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailingList {
    pub id: Uuid,
    /// Short and unique, e.g. `b2-authors`.
    pub name: String,
    /// The list's posting address, e.g. `b2-authors@lists.belle2.org`.
    pub address: String,
    pub description: String,
    pub audience: Audience,
    /// Addresses on the list besides the audience (for example a secretariat's).
    pub extra_addresses: Vec<String>,
    /// Addresses never on the list, even when the audience has them.
    pub excluded_addresses: Vec<String>,
    pub subscribe_with: SubscribeWith,
    /// Whether new subscribers get the list's welcome message.
    pub send_welcome: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When Mailman last had exactly the list's subscribers (absent: never, or no Mailman).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_at: Option<DateTime<Utc>>,
    /// What went wrong at the last attempt to sync, if it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_error: Option<String>,
    /// Attempts that failed in a row (they are retried with growing pauses).
    pub sync_failures: i32,
    /// How many addresses are on the list today (in answers to reading lists, not to
    /// changing one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<i64>,
}

/// `POST /api/v1/mailing-lists`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMailingList {
    /// Letters, digits, `-`, `_` and `.`, at most 64; unique.
    pub name: String,
    /// The posting address; unique.
    pub address: String,
    pub description: String,
    pub audience: Audience,
    #[serde(default)]
    pub extra_addresses: Vec<String>,
    #[serde(default)]
    pub excluded_addresses: Vec<String>,
    /// Default `contact_email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe_with: Option<SubscribeWith>,
    /// Default `false`: people are subscribed without a welcome message.
    #[serde(default)]
    pub send_welcome: bool,
}

/// `PATCH /api/v1/mailing-lists/{id}`: only what is sent changes (an audience is replaced
/// whole).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailingListPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_addresses: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_addresses: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe_with: Option<SubscribeWith>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_welcome: Option<bool>,
}

/// One address on a mailing list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListSubscriber {
    /// Lower-case.
    pub address: String,
    /// The person it belongs to; absent for an extra address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonRef>,
}

/// `GET /api/v1/mailing-lists/{id}/members`: everyone the list has today, by address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListMembers {
    pub list_id: Uuid,
    pub address: String,
    pub total: i64,
    pub subscribers: Vec<ListSubscriber>,
}

/// A list the caller is on (`GET /api/v1/me/mailing-lists`), with the address it reaches
/// them at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyMailingList {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub description: String,
    pub subscribed_as: String,
}

/// What the next sync would change in Mailman (`GET /api/v1/mailing-lists/{id}/sync-plan`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncPlan {
    pub list_id: Uuid,
    pub address: String,
    /// Mailman does not have the list yet: the sync creates it.
    pub create_list: bool,
    /// Addresses the sync subscribes.
    pub subscribe: Vec<String>,
    /// Addresses the sync unsubscribes.
    pub unsubscribe: Vec<String>,
    /// Subscribers that stay.
    pub unchanged: i64,
}
