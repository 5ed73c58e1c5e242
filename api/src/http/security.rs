//! Security headers on every response, and CORS (closed unless origins are configured).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::app::AppState;

/// The policy of the web frontend: only its own origin; WebAssembly may be compiled.
pub const APP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The interactive API documentation sets styles inline.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with("/api/docs");
    // API answers carry tokens and personal data: no cache keeps them. The OpenAPI document
    // and the public keys may be cached.
    let private = req.path().starts_with("/api/v1/") && req.path() != "/api/v1/openapi.json";
    let hsts = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.config.serves_tls() || s.config.public_url_is_https());
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(
        "content-security-policy",
        if docs { DOCS_CSP } else { APP_CSP },
    );
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "no-referrer");
    set("x-frame-options", "DENY");
    set("cross-origin-opener-policy", "same-origin");
    set(
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if private {
        set("cache-control", "no-store");
    }
    if hsts {
        set(
            "strict-transport-security",
            "max-age=63072000; includeSubDomains",
        );
    }
    Ok(res)
}

/// CORS for the configured origins only; without any, browsers of other origins get nothing.
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
        ])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
