//! Bodies of voting: electorates (rules evaluated on a day), elections, secret ballots with
//! their receipts, and results.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::PersonRef;
use crate::enums::{Category, ElectionState, InstitutionWeight};

/// Who may vote, as a rule on the records evaluated on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ElectorateRule {
    /// Active members (of these categories, with at least this many months of membership).
    Members {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        categories: Option<Vec<Category>>,
        /// Months of membership up to the day (at most 1,200).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1200))]
        min_months: Option<u32>,
    },
    /// One vote per active institution, cast by one of its representatives (an Institutional
    /// Board vote), weighing one or the institution's number of authors.
    Institutions { weight: InstitutionWeight },
    /// The current members of a group.
    Group { group_id: Uuid },
}

/// One elector: a person, or an institution whose representatives vote for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Elector {
    /// The person's or the institution's id.
    pub id: Uuid,
    pub name: String,
    pub weight: i64,
}

/// `POST /api/v1/electorates/preview`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ElectoratePreviewRequest {
    pub rule: ElectorateRule,
    pub date: NaiveDate,
}

/// Who a rule makes eligible on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ElectoratePreview {
    pub date: NaiveDate,
    pub electors: Vec<Elector>,
    pub count: i64,
    /// The votes there are in all (the weights added).
    pub total_weight: i64,
}

/// `POST /api/v1/elections`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewElection {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The labels voters choose from (2 to 50, each unique).
    pub options: Vec<String>,
    /// How many options a ballot may choose (1 to the number of options).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 50))]
    pub max_choices: u32,
    pub electorate: ElectorateRule,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// The turnout needed for the result to count, as a share of the electorate's votes
    /// (greater than 0, at most 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<f64>,
}

/// The caller's part in an election.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyVote {
    pub eligible: bool,
    pub voted: bool,
    /// What the caller's ballot weighs (for an institution, the institution's weight).
    pub weight: i64,
    /// The institution the caller votes for, in an Institutional Board vote (the names,
    /// comma-separated, when they represent several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    /// In an Institutional Board vote, each institution the caller may cast its ballot for;
    /// with more than one, a ballot names the one it is for (`NewBallot.institution_id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub institutions: Vec<VotingFor>,
}

/// An institution a representative casts the ballot of, in an Institutional Board vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VotingFor {
    pub institution_id: Uuid,
    /// The institution's short name.
    pub name: String,
    pub weight: i64,
    /// Whether its ballot has been cast (by any of its representatives).
    pub voted: bool,
}

/// An election.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Election {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub options: Vec<String>,
    pub max_choices: u32,
    pub electorate: ElectorateRule,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<f64>,
    pub state: ElectionState,
    pub created_by: PersonRef,
    /// Electors in the frozen electorate (from opening on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub electors: Option<i64>,
    /// Electors who have voted so far (from opening on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voted: Option<i64>,
    /// The caller's part, from opening on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mine: Option<MyVote>,
}

/// `POST /api/v1/elections/{id}/ballots`: the labels of the chosen options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewBallot {
    pub choices: Vec<String>,
    /// In an Institutional Board vote, the institution this ballot is for: needed when the
    /// caller represents more than one institution of the electorate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution_id: Option<Uuid>,
}

/// The answer to a ballot: a code that shows the ballot was counted and nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallotReceipt {
    pub election_id: Uuid,
    pub receipt: String,
}

/// `GET /api/v1/elections/{id}/receipts/{receipt}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptCheck {
    pub counted: bool,
}

/// One option's votes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionResult {
    pub label: String,
    /// The weights of the ballots that chose it, added.
    pub votes: i64,
}

/// The results of a closed election.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ElectionResults {
    pub election_id: Uuid,
    pub state: ElectionState,
    pub options: Vec<OptionResult>,
    pub electors: i64,
    pub voted: i64,
    /// The electorate's votes in all, and those cast (weights added).
    pub total_weight: i64,
    pub cast_weight: i64,
    /// `cast_weight / total_weight` (0 for an empty electorate).
    pub turnout: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<f64>,
    pub quorum_met: bool,
}
