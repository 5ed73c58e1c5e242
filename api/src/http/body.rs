//! JSON request bodies read with the path of whatever does not fit: a required field left out
//! or empty, a value that is not one of the allowed ones, or a field that does not belong is a
//! 422 naming that field, with a message saying how to fix it (never a serde message). A body
//! that may be left out is `OptionalBody`: absent means the defaults, but a body that is sent
//! is never silently ignored.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use actix_web::{FromRequest, HttpRequest, web};
use b2mms_shared::rules::RuleViolation;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body of type `T`. Size limit, content type and malformed JSON are checked as for
/// `web::Json` (and answered by `problem::json_error`); the shape is checked here.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Body<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            Ok(Body(shaped(value)?))
        })
    }
}

/// The value as a `T`, or the problem with the field that does not fit.
fn shaped<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        shape_error(&field, &e.into_inner().to_string())
    })
}

/// A JSON body that may be left out (no body at all means `T::default()`); a body that is
/// sent is checked like `Body<T>`, never ignored. A body that cannot be read is refused at
/// once; a problem with its fields is kept for the handler, which reports it only after the
/// caller's right to act was checked (so that someone who may not act learns nothing more).
#[derive(Debug)]
pub struct OptionalBody<T>(pub Result<T, AppError>);

impl<T> OptionalBody<T> {
    pub fn into_result(self) -> Result<T, AppError> {
        self.0
    }
}

/// Whether the request carries no body.
fn without_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    match headers.get(CONTENT_LENGTH) {
        Some(length) => length.to_str().is_ok_and(|l| l.trim() == "0"),
        None => !headers.contains_key(CONTENT_TYPE) && !headers.contains_key(TRANSFER_ENCODING),
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if without_body(req) {
            return Box::pin(async { Ok(OptionalBody(Ok(T::default()))) });
        }
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalBody(shaped(json.await?.into_inner()))) })
    }
}

/// The field-level problem behind a serde message about the field at `path`.
fn shape_error(path: &str, message: &str) -> AppError {
    let field = |name: &str| {
        if path.is_empty() || path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name.to_owned())
    };
    let choices = || {
        message
            .split_once("expected one of ")
            .map(|(_, list)| list.replace('`', ""))
    };
    let at = if path.is_empty() || path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    if let Some(name) = quoted("missing field `") {
        return AppError::invalid(
            &field(&name),
            RuleViolation::new("field.required", "This field is required; fill it in."),
        );
    }
    if quoted("unknown field `").is_some() {
        // The path already ends at the unknown key.
        return AppError::invalid(
            &at,
            RuleViolation::new(
                "field.unknown",
                "This field is not part of this request; remove it (see the API documentation).",
            ),
        );
    }
    if message.starts_with("unknown variant ``") {
        let hint = choices().map_or(String::new(), |c| format!(" Choose one of: {c}."));
        return AppError::invalid(
            &at,
            RuleViolation::new(
                "field.required",
                format!("This field is required; it cannot be empty.{hint}"),
            ),
        );
    }
    if message.starts_with("unknown variant `") {
        let hint = choices().map_or(String::new(), |c| format!(": {c}"));
        return AppError::invalid(
            &at,
            RuleViolation::new(
                "field.not_allowed",
                format!("This value is not one of the allowed ones{hint}."),
            ),
        );
    }
    AppError::invalid(
        &at,
        RuleViolation::new(
            "field.wrong_type",
            format!(
                "This value has the wrong type ({}); see the API documentation for this field.",
                message.replace('`', "")
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use b2mms_shared::Category;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Form {
        name: String,
        category: Category,
    }

    fn problem(json: serde_json::Value) -> (String, String, String) {
        let e = serde_path_to_error::deserialize::<_, Form>(json).unwrap_err();
        let path = e.path().to_string();
        match shape_error(&path, &e.into_inner().to_string()) {
            AppError::Validation(errors) => {
                let (field, violations) = errors.0.iter().next().unwrap();
                (
                    field.clone(),
                    violations[0].code.clone(),
                    violations[0].message.clone(),
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_shape_problem_names_its_field_in_plain_words() {
        let (field, code, _) = problem(serde_json::json!({"category": "student"}));
        assert_eq!((field.as_str(), code.as_str()), ("name", "field.required"));
        let (field, code, message) = problem(serde_json::json!({"name": "x", "category": ""}));
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("category", "field.required")
        );
        assert!(message.contains("student"), "{message}");
        let (field, code, message) = problem(serde_json::json!({"name": "x", "category": "boss"}));
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("category", "field.not_allowed")
        );
        assert!(!message.contains('`'), "{message}");
        let (field, code, _) = problem(serde_json::json!({"name": 3, "category": "student"}));
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("name", "field.wrong_type")
        );
        let (field, code, _) =
            problem(serde_json::json!({"name": "x", "category": "student", "extra": 1}));
        assert_eq!((field.as_str(), code.as_str()), ("extra", "field.unknown"));
    }
}
