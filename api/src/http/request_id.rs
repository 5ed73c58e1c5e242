//! Request ids, the access log and request metrics: every request gets an id, returned in
//! `X-Request-Id` and in every problem document, one log line when it ends, and is counted by
//! route and status with its latency.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::app::AppState;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being handled, if any.
pub use crate::request_context::current;

/// Accepts a caller's id when it is short and plain, so that a request can be traced across
/// services; otherwise makes a new one.
fn choose(req: &ServiceRequest) -> String {
    req.headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = choose(&req);
    let method = req.method().clone();
    let path = req.path().to_owned();
    let started = Instant::now();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    let result = crate::request_context::within(id.clone(), next.call(req)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let elapsed_ms = elapsed * 1000.0;
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            let route = res.request().match_pattern().unwrap_or_else(|| "-".into());
            if let Some(metrics) = &metrics {
                // Paths no route took (the web frontend, probes) share one label.
                let label = if route == "-" {
                    "unmatched"
                } else {
                    route.as_str()
                };
                metrics.observe_request(method.as_str(), label, status, elapsed);
            }
            tracing::info!(
                request_id = %id, %method, path, route, status,
                elapsed_ms = format!("{elapsed_ms:.1}"), "request"
            );
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut().insert(HEADER, value);
            }
            Ok(res)
        }
        Err(err) => {
            if let Some(metrics) = &metrics {
                let status = err.as_response_error().status_code().as_u16();
                metrics.observe_request(method.as_str(), "refused", status, elapsed);
            }
            tracing::warn!(request_id = %id, %method, path, error = %err, "request failed");
            Err(err)
        }
    }
}
