//! The collaboration's statistics.

use actix_web::{HttpResponse, get, web};
use b2mms_shared::api::{Problem, Statistics};

use crate::app::AppState;
use crate::domain::calendar;
use crate::error::{AppError, AppResult};
use crate::http::extract::Reader;
use crate::ops::statistics::{self, DEFAULT_MONTHS, MAX_MONTHS};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// How many months the series `over_time` covers, up to this one (1–120, default 24).
    pub months: Option<u32>,
}

/// Members now by category, country and institution; members month by month by category;
/// registration requests by state with the median time to a decision; group sizes (every
/// signed-in member, tools with `members:read`). Aggregates only.
#[utoipa::path(
    tag = "members",
    params(StatisticsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures", body = Statistics),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 403, description = "A token without `members:read`, or a membership that has ended", body = Problem),
    )
)]
#[get("/statistics")]
pub async fn read(
    state: web::Data<AppState>,
    reader: Reader,
    query: web::Query<StatisticsQuery>,
) -> AppResult<HttpResponse> {
    let months = query.months.unwrap_or(DEFAULT_MONTHS);
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(AppError::bad_request(
            "invalid_query",
            format!("`months` is between 1 and {MAX_MONTHS}."),
        ));
    }
    let today = calendar::today(state.clock.now());
    let figures = state
        .db
        .run(move |conn| statistics::read(conn, reader.of_records(), today, months))
        .await?;
    Ok(HttpResponse::Ok().json(figures))
}
