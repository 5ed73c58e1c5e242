//! Bodies of author lists: the policy that makes members authors, individual decisions, the
//! forecast, the lists with their institutions' sign-offs, and the differences between lists.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::PersonRef;
use crate::enums::{AffiliationKind, AuthorListState, AuthorReasonCode, Category, ExceptionKind};

/// Who becomes an author: `GET /api/v1/author-policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorPolicy {
    /// The membership categories that make authors.
    pub categories: Vec<Category>,
    /// Months of membership in such a category before a person becomes an author.
    pub qualification_months: u32,
    /// Months a person stays an author after their membership ends or they leave.
    pub months_after_end: u32,
    /// When an administrator last changed it; none while the defaults apply.
    pub updated_at: Option<DateTime<Utc>>,
}

/// `PUT /api/v1/author-policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuthorPolicyUpdate {
    pub categories: Vec<Category>,
    pub qualification_months: u32,
    pub months_after_end: u32,
}

/// `POST /api/v1/author-exceptions`: include or exclude one person from `from` to `until`
/// (both days included; open-ended without `until`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAuthorException {
    pub person_id: Uuid,
    pub kind: ExceptionKind,
    pub reason: String,
    pub from: NaiveDate,
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

/// An individual decision about a person's authorship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorException {
    pub id: Uuid,
    pub person: PersonRef,
    pub kind: ExceptionKind,
    pub reason: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub decided_by: PersonRef,
    pub created_at: DateTime<Utc>,
}

/// Why a person is or is not an author on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorReason {
    pub code: AuthorReasonCode,
    /// The day the reason names (see the code).
    pub date: Option<NaiveDate>,
    /// The reason given for a decision.
    pub note: Option<String>,
    /// The reason in words, e.g. "qualifies on 2027-03-01".
    pub text: String,
}

impl AuthorReason {
    /// The reason with its words.
    pub fn new(code: AuthorReasonCode, date: Option<NaiveDate>, note: Option<String>) -> Self {
        let day = date.map(|d| d.to_string()).unwrap_or_default();
        let why = note.as_deref().unwrap_or_default();
        let text = match code {
            AuthorReasonCode::Qualified => format!("author since {day}"),
            AuthorReasonCode::StaysUntil => format!("stays until {day}"),
            AuthorReasonCode::QualifiesOn => format!("qualifies on {day}"),
            AuthorReasonCode::StayedUntil => format!("was an author until {day}"),
            AuthorReasonCode::CategoryExcluded => {
                "the membership category does not make authors".to_owned()
            }
            AuthorReasonCode::TooShort => {
                format!("the membership ends on {day}, before it qualifies")
            }
            AuthorReasonCode::NoMembership => "no membership on this day".to_owned(),
            AuthorReasonCode::Included if date.is_some() => {
                format!("included by decision until {day}: {why}")
            }
            AuthorReasonCode::Included => format!("included by decision: {why}"),
            AuthorReasonCode::Excluded if date.is_some() => {
                format!("excluded by decision until {day}: {why}")
            }
            AuthorReasonCode::Excluded => format!("excluded by decision: {why}"),
        };
        Self {
            code,
            date,
            note,
            text,
        }
    }
}

/// One person of a forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForecastEntry {
    pub person: PersonRef,
    pub institution_short_name: String,
    pub author: bool,
    pub reason: AuthorReason,
}

/// `GET /api/v1/author-lists/preview?date=`: who is an author on `date`, who is close to it
/// and why, and how that differs from `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorForecast {
    pub date: NaiveDate,
    pub today: NaiveDate,
    /// The authors on `date`, in the order of a list.
    pub authors: Vec<ForecastEntry>,
    /// Members with a qualifying membership on `date` who are not authors then, and why.
    pub not_authors: Vec<ForecastEntry>,
    /// Authors on `date` who are not authors today.
    pub joining: Vec<ForecastEntry>,
    /// Authors today who are not authors on `date` (with the reason on `date`).
    pub dropping: Vec<ForecastEntry>,
}

/// `GET /api/v1/me/authorship`: whether the caller is an author today and from when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Authorship {
    pub today: NaiveDate,
    pub author: bool,
    pub reason: AuthorReason,
}

/// `POST /api/v1/author-lists`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAuthorList {
    pub title: String,
    /// The paper's reference, e.g. an arXiv number or a report number.
    #[serde(default)]
    pub reference: Option<String>,
    /// The day whose records make the list.
    pub date: NaiveDate,
}

/// An institution's affiliation of an author: its number in the list and how they are there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedAffiliation {
    /// The institution's number in the list (from 1).
    pub number: u32,
    /// `primary` for the home institution, `secondary` for "also at".
    pub kind: AffiliationKind,
}

/// An author as the list prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedAuthor {
    pub person_id: Uuid,
    pub given_name: String,
    pub family_name: String,
    /// The name as printed, e.g. "T. Iijima".
    pub paper_name: String,
    pub orcid: Option<String>,
    pub inspire_id: Option<String>,
    /// Primary first, then "also at".
    pub affiliations: Vec<ListedAffiliation>,
}

/// An institution as the list prints it, numbered in order of first appearance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedInstitution {
    pub number: u32,
    pub institution_id: Uuid,
    pub short_name: String,
    /// The name as printed (the institution's name when none is set).
    pub paper_name: String,
    pub address: Option<String>,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub ror_id: Option<String>,
    pub inspire_id: Option<String>,
}

impl ListedInstitution {
    /// The affiliation as printed: the name, then the address (or the city).
    pub fn printed(&self) -> String {
        match &self.address {
            Some(address) => format!("{}, {address}", self.paper_name),
            None => format!("{}, {}", self.paper_name, self.city),
        }
    }
}

/// The authors and institutions of a list, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorListContent {
    pub authors: Vec<ListedAuthor>,
    pub institutions: Vec<ListedInstitution>,
}

impl AuthorListContent {
    /// The authors with an affiliation (primary or "also at") to the institution numbered so.
    pub fn authors_at(&self, number: u32) -> impl Iterator<Item = &ListedAuthor> {
        self.authors
            .iter()
            .filter(move |a| a.affiliations.iter().any(|f| f.number == number))
    }

    /// An author's affiliations as printed, primary first.
    pub fn printed_affiliations(&self, author: &ListedAuthor) -> Vec<String> {
        author
            .affiliations
            .iter()
            .filter_map(|a| self.institutions.iter().find(|i| i.number == a.number))
            .map(ListedInstitution::printed)
            .collect()
    }
}

/// An institution's representative confirmed its section of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignOff {
    pub institution_id: Uuid,
    pub by: PersonRef,
    pub at: DateTime<Utc>,
}

/// An author list without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorListSummary {
    pub id: Uuid,
    pub title: String,
    pub reference: Option<String>,
    pub date: NaiveDate,
    pub state: AuthorListState,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub frozen_at: Option<DateTime<Utc>>,
}

/// An author list: computed from the records in draft and review, a snapshot once frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorList {
    #[serde(flatten)]
    pub summary: AuthorListSummary,
    #[serde(flatten)]
    pub content: AuthorListContent,
    pub sign_offs: Vec<SignOff>,
}

/// What is missing for a list to be printed with every identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    pub authors: Vec<MissingAuthorIds>,
    pub institutions: Vec<MissingInstitutionIds>,
}

/// An author without some identifier: `orcid`, `inspire_id`, `paper_name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingAuthorIds {
    pub person_id: Uuid,
    pub name: String,
    pub missing: Vec<String>,
}

/// An institution without some identifier: `ror_id`, `inspire_id`, `paper_name`, `address`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingInstitutionIds {
    pub institution_id: Uuid,
    pub short_name: String,
    pub missing: Vec<String>,
}

/// An author whose printed name or affiliations differ between two lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangedAuthor {
    pub person_id: Uuid,
    pub before_paper_name: String,
    pub after_paper_name: String,
    /// Printed affiliations, primary first.
    pub before_affiliations: Vec<String>,
    pub after_affiliations: Vec<String>,
}

/// `GET /api/v1/author-lists/{id}/diff?against=`: what changed from `against` to this list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorListDiff {
    pub list_id: Uuid,
    pub against: Uuid,
    /// In this list, not in `against`.
    pub added: Vec<ListedAuthor>,
    /// In `against`, not in this list.
    pub removed: Vec<ListedAuthor>,
    pub changed: Vec<ChangedAuthor>,
}
