//! Body of the collaboration's statistics: who the members are now, how membership developed
//! month by month, how registration requests fare, and how large the groups are.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{Category, RegistrationState};

/// `GET /api/v1/statistics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statistics {
    /// The day the figures describe (Europe/Berlin).
    pub as_of: NaiveDate,
    /// Active members now.
    pub members: i64,
    pub by_category: Vec<CategoryCount>,
    /// By the country of the home institution (ISO 3166 alpha-2), largest first.
    pub by_country: Vec<CountryCount>,
    /// By home institution, largest first.
    pub by_institution: Vec<InstitutionCount>,
    /// Members on the last day of each month (today for the current month), oldest first.
    pub over_time: Vec<MonthCount>,
    pub registrations: RegistrationFigures,
    /// Current members of each group, largest first.
    pub groups: Vec<GroupCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    pub category: Category,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountryCount {
    pub country: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstitutionCount {
    pub institution_id: Uuid,
    pub short_name: String,
    pub country: String,
    pub count: i64,
}

/// Members on one day, by category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    /// The day counted: the month's last day, or today.
    pub day: NaiveDate,
    pub total: i64,
    /// Every category, in the order of `Category::ALL`.
    pub by_category: Vec<CategoryCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationFigures {
    /// Every state, in the order of the workflow.
    pub by_state: Vec<StateCount>,
    /// Requests decided (approved or rejected by the IR or the Board).
    pub decided: i64,
    /// The median time from submission to the final decision, in days (one decimal); none
    /// before the first decision.
    pub median_days_to_decision: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateCount {
    pub state: RegistrationState,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupCount {
    pub group_id: Uuid,
    pub name: String,
    pub members: i64,
}
