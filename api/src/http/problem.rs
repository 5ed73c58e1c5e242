//! RFC 9457 problem documents: how every error leaves the server. Internal causes are logged
//! with the request id; clients get a stable code and advice.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use b2mms_shared::api::Problem;

use crate::error::AppError;
use crate::http::request_id;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// Seconds a client is asked to wait before retrying when the database is unreachable.
pub const UNAVAILABLE_RETRY_AFTER: u32 = 5;

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str, String) {
        match self {
            AppError::BadRequest { code, detail } => {
                (StatusCode::BAD_REQUEST, code, "Bad request", detail.clone())
            }
            AppError::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "Body too large",
                format!("The request body is larger than the limit of {limit} bytes."),
            ),
            AppError::UnsupportedMediaType { expected } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                format!("Send the body with `Content-Type: {expected}`."),
            ),
            AppError::Unauthenticated { code, detail } => (
                StatusCode::UNAUTHORIZED,
                code,
                "Not authenticated",
                detail.clone(),
            ),
            AppError::Forbidden { code, detail } => {
                (StatusCode::FORBIDDEN, code, "Forbidden", detail.clone())
            }
            AppError::NotFound { what } => (
                StatusCode::NOT_FOUND,
                "not_found",
                "Not found",
                format!("No {what} with this id exists."),
            ),
            AppError::NoRoute => (
                StatusCode::NOT_FOUND,
                "route_not_found",
                "Not found",
                "No API route has this path; see /api/docs for the routes.".into(),
            ),
            AppError::MethodNotAllowed(allowed) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
                format!("This path accepts only: {}.", allowed.join(", ")),
            ),
            AppError::Locked { retry_after } => (
                StatusCode::LOCKED,
                "account_locked",
                "Account locked",
                format!(
                    "Too many failed sign-ins: this account is locked for {} more minute(s). Lost your password? Ask for a reset link.",
                    (retry_after + 59) / 60
                ),
            ),
            AppError::Throttled { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                "Too many requests",
                format!("Too many requests; try again in {retry_after} second(s)."),
            ),
            AppError::Conflict { code, detail } => {
                (StatusCode::CONFLICT, code, "Conflict", detail.clone())
            }
            AppError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Invalid field values",
                "Some fields break the rules; see `errors` for what to fix in each.".into(),
            ),
            AppError::Busy { retry_after } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Busy",
                format!("The server is checking too many passwords at once; try again in {retry_after} second(s)."),
            ),
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                "The service cannot reach its database right now; try again shortly.".into(),
            ),
            AppError::Upstream { code, detail } => {
                (StatusCode::BAD_GATEWAY, code, "Bad gateway", detail.clone())
            }
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Internal error",
                "Something went wrong on our side. It has been logged; quote the request id when you report it.".into(),
            ),
        }
    }

    /// The problem document clients receive.
    pub fn problem(&self) -> Problem {
        let (status, code, title, detail) = self.parts();
        Problem {
            kind: format!("https://b2mms.org/problems/{}", code.replace('_', "-")),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            request_id: request_id::current(),
            errors: match self {
                AppError::Validation(errors) => Some(errors.0.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(cause) => {
                tracing::error!(request_id = request_id::current(), cause, "internal error")
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(request_id = request_id::current(), cause, "unavailable")
            }
            _ => {}
        }
        let problem = self.problem();
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)));
        if let AppError::Locked { retry_after }
        | AppError::Throttled { retry_after }
        | AppError::Busy { retry_after } = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after.max(&1).to_string()));
        }
        if let AppError::Unavailable(_) = self {
            response.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER.to_string()));
        }
        if let AppError::MethodNotAllowed(allowed) = self {
            response.insert_header((header::ALLOW, allowed.join(", ")));
        }
        if matches!(self, AppError::Unauthenticated { .. }) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"b2mms\""));
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// Malformed or oversized JSON bodies.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let app = match &err {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            AppError::TooLarge { limit: *limit }
        }
        E::ContentType => AppError::UnsupportedMediaType {
            expected: "application/json",
        },
        // Field by field, the shape is checked by `http::body`; this is what is left.
        E::Deserialize(e) if e.is_data() => AppError::bad_request(
            "invalid_body",
            format!("The JSON body does not have the expected shape: {e}."),
        ),
        E::Deserialize(e) => AppError::bad_request(
            "malformed_json",
            format!("The body is not valid JSON: {e}."),
        ),
        _ => AppError::bad_request("malformed_body", "The request body could not be read."),
    };
    app.into()
}

/// Unparsable query strings.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    AppError::bad_request(
        "invalid_query",
        format!("The query string is invalid: {err}."),
    )
    .into()
}

/// Path segments of the wrong form (e.g. an id that is no UUID). A path that is a literal
/// route of its own (`/members/import` under `/members/{id}`) with another method is 405.
pub fn path_error(err: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    let literal = req
        .app_data::<actix_web::web::Data<crate::app::AppState>>()
        .and_then(|state| state.routes.methods_of(req.path()))
        .filter(|methods| !methods.contains(&req.method().as_str()));
    if let Some(methods) = literal {
        return AppError::MethodNotAllowed(methods).into();
    }
    AppError::bad_request(
        "invalid_path",
        format!("A path segment is invalid (ids are UUIDs): {err}."),
    )
    .into()
}
