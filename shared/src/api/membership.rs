//! Bodies of the life after registration: membership periods and affiliations, leaving,
//! reactivation and changes of institution.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{AffiliationKind, Category, PeriodEnd, TransferState};

/// One affiliation of a person: a membership period at the home institution (`primary`, with
/// its category) or an additional institution (`secondary`). `end_date` is the day the
/// membership (or the affiliation) ends, in the past or planned; none while open-ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Affiliation {
    pub id: Uuid,
    pub kind: AffiliationKind,
    pub institution_id: Uuid,
    pub institution_name: String,
    pub institution_short_name: String,
    /// The category of a membership period; none for a secondary affiliation.
    pub category: Option<Category>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// Why the period ended (or will end) other than by its term.
    pub end_reason: Option<PeriodEnd>,
}

/// `POST /api/v1/members/{id}/leave`: the person leaves the collaboration on `date` (today
/// or later; administrators may name an earlier day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Leaving {
    pub date: NaiveDate,
    /// Why, for the record (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /api/v1/members/{id}/reactivate`: an expired or departed person becomes a member
/// again, at `institution_id`, from today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reactivation {
    pub institution_id: Uuid,
    pub category: Category,
    /// The end of the new membership; none for open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership_end: Option<NaiveDate>,
}

/// `POST /api/v1/members/{id}/affiliations`: an additional institution ("also at").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAffiliation {
    pub institution_id: Uuid,
    /// From when; today when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    /// Until when; open-ended when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
}

/// `POST /api/v1/members/{id}/transfers`: a move to another institution on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    /// The new home institution.
    pub institution_id: Uuid,
    /// The first day at the new institution: today or later.
    pub effective_date: NaiveDate,
    /// The category at the new institution; the current one when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
}

/// A change of institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transfer {
    pub id: Uuid,
    pub person_id: Uuid,
    /// The person's name as "Given Family".
    pub person_name: String,
    pub from_institution_id: Uuid,
    pub from_institution_short_name: String,
    pub to_institution_id: Uuid,
    pub to_institution_short_name: String,
    pub effective_date: NaiveDate,
    /// The category at the new institution; none keeps the current one.
    pub category: Option<Category>,
    pub state: TransferState,
    /// The account name of who asked for it.
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Whether the caller may approve or reject it now.
    pub decidable: bool,
}

/// `POST /api/v1/transfers/{id}/reject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectTransfer {
    /// Why; told to the person and to whoever asked.
    pub reason: String,
}

/// `GET /api/v1/membership-rules`: the collaboration's settings a client states before an
/// action (for example the day an account closes after a membership ends).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipRules {
    /// Days after a membership ends until its account is disabled.
    pub account_grace_days: i64,
    /// Days a password lasts.
    pub password_max_age_days: i64,
    /// Days before the end of a membership on which its member and representatives are told.
    pub reminder_days: Vec<i64>,
}

impl MembershipRules {
    /// The day the account closes when a membership ends on `end` (the grace counts from
    /// today at the earliest).
    pub fn account_closes(&self, end: NaiveDate, today: NaiveDate) -> NaiveDate {
        end.max(today) + chrono::Duration::days(self.account_grace_days + 1)
    }
}
