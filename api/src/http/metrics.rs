//! `/metrics`: the Prometheus exposition. On the main listener it needs the bearer token
//! `metrics_token`; on the listener of `metrics_bind` (an address only the monitoring reaches)
//! it is open. With neither configured it is not served.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::metrics::Snapshot;
use crate::store;

/// The exposition, with the outbox and pool measured now.
pub async fn exposition(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let (depth, oldest) = state.db.run(store::outbox::backlog).await?;
    let (connections, idle) = state.db.pool_state();
    let snapshot = Snapshot {
        outbox_depth: depth,
        outbox_oldest_seconds: oldest.map_or(0, |at| (now - at).num_seconds().max(0)),
        pool_connections: connections,
        pool_idle: idle,
        hashes_pending: state.hasher.pending(),
    };
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(snapshot)))
}

/// `/metrics` on the main listener: only with the metrics token.
pub async fn guarded(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let Some(expected) = state.config.metrics_token.as_deref() else {
        return Err(AppError::NoRoute);
    };
    let given = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::auth::same_secret(given, expected) {
        return Err(AppError::unauthenticated(
            "metrics_token",
            "Send the metrics token as `Authorization: Bearer <token>`.",
        ));
    }
    exposition(state).await
}
