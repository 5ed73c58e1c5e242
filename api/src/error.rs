//! The one error type of b2mms. Every failure a request can meet is one of these variants, each
//! with a stable code; `http::problem` turns it into an RFC 9457 response. Causes of internal
//! errors are logged there and never sent to clients.

use b2mms_shared::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read (malformed JSON, bad query or path).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// 413: the body exceeds the limit.
    #[error("body too large")]
    TooLarge { limit: usize },
    /// 415: the body is not of the type the operation reads (JSON, or CSV for an import).
    #[error("unsupported media type")]
    UnsupportedMediaType { expected: &'static str },
    /// 401: no or unusable credentials.
    #[error("{detail}")]
    Unauthenticated { code: &'static str, detail: String },
    /// 403: authenticated but not allowed.
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    /// 404.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// 404 for a path that no route serves.
    #[error("no route")]
    NoRoute,
    /// 405: the path exists, the method does not; the methods that do.
    #[error("method not allowed")]
    MethodNotAllowed(Vec<&'static str>),
    /// 423: the account is locked for a while after repeated failures.
    #[error("locked")]
    Locked { retry_after: i64 },
    /// 429: too many requests from this address.
    #[error("throttled")]
    Throttled { retry_after: i64 },
    /// 409: duplicate or wrong state.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// 422: field values break the rules.
    #[error("invalid field values")]
    Validation(FieldErrors),
    /// 503: every password-hashing worker is busy and the queue in front of them is full.
    #[error("busy")]
    Busy { retry_after: i64 },
    /// 503: the database (or another dependency) cannot be reached.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 502: a service b2mms relies on (Mailman) failed or did not answer.
    #[error("{detail}")]
    Upstream { code: &'static str, detail: String },
    /// 500: a bug or an unexpected failure; the text is logged only.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn unauthenticated(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unauthenticated {
            code,
            detail: detail.into(),
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden {
            code: "forbidden",
            detail: detail.into(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A single-field validation failure.
    pub fn invalid(field: &str, violation: b2mms_shared::RuleViolation) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, violation);
        Self::Validation(errors)
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &err {
            Error::NotFound => Self::NotFound { what: "record" },
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::conflict(
                "already_exists",
                "A record with these unique values already exists.",
            ),
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => Self::conflict(
                "reference_missing",
                "The request refers to a record that does not exist.",
            ),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::Unavailable("concurrent update, try again".into())
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                Self::Unavailable(err.to_string())
            }
            Error::DatabaseError(_, info) if info.message().contains("database is locked") => {
                Self::Unavailable(err.to_string())
            }
            // The cause (e.g. a stored name this version does not know) goes to the log
            // with the field it was read for.
            Error::DeserializationError(_) => {
                let mut text = err.to_string();
                let mut cause = std::error::Error::source(&err);
                while let Some(inner) = cause {
                    text = format!("{text}: {inner}");
                    cause = inner.source();
                }
                Self::Internal(text)
            }
            _ => Self::Internal(err.to_string()),
        }
    }
}
