//! Liveness and database reachability.

use actix_web::{HttpResponse, get, web};
use b2mms_shared::api::Health;
use diesel::connection::SimpleConnection;

use crate::app::AppState;

/// Liveness and database reachability; 503 when the database cannot be reached.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Up, database reachable", body = Health),
        (status = 503, description = "Database unreachable", body = Health),
    )
)]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let reachable = state
        .db
        .run(|conn| Ok(conn.batch_execute("SELECT 1").is_ok()))
        .await
        .unwrap_or(false);
    if reachable {
        HttpResponse::Ok().json(Health {
            status: "ok".into(),
            database: "ok".into(),
        })
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header((
                actix_web::http::header::RETRY_AFTER,
                crate::http::problem::UNAVAILABLE_RETRY_AFTER.to_string(),
            ))
            .json(Health {
                status: "unavailable".into(),
                database: "unreachable".into(),
            })
    }
}
