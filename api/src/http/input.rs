//! Input every endpoint refuses before any handler sees it: control characters (NUL and the
//! rest; tab and line breaks only in free-text fields) in a JSON body (422, naming the field)
//! or in the query (400), and bodies that are not JSON objects (400). One place, so that a
//! new endpoint is covered without thinking of it, and no database ever receives a NUL.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use b2mms_shared::rules::{FieldErrors, RuleViolation};
use futures_util::StreamExt;
use serde_json::Value;

use crate::app::JSON_LIMIT;
use crate::error::AppError;

/// Fields holding free text, where tabs and line breaks belong.
const FREE_TEXT: &[&str] = &["comment", "reason", "description"];

/// A control character that has no place in `field`.
fn forbidden(c: char, free_text: bool) -> bool {
    c.is_control() && !(free_text && matches!(c, '\t' | '\n' | '\r'))
}

/// Adds a violation for every string under `value` that holds a forbidden character.
fn check(value: &Value, field: &str, errors: &mut FieldErrors) {
    match value {
        Value::String(text) => {
            let last = field.rsplit('.').next().unwrap_or(field);
            let free = FREE_TEXT.contains(&last.trim_end_matches(']'));
            if text.chars().any(|c| forbidden(c, free)) {
                errors.add(
                    if field.is_empty() { "body" } else { field },
                    RuleViolation::new(
                        "text.control_character",
                        if free {
                            "Remove control characters; only tabs and line breaks are allowed here."
                        } else {
                            "Remove control characters (such as NUL, tabs or line breaks) from this field."
                        },
                    ),
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check(item, &format!("{field}[{i}]"), errors);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let path = if field.is_empty() {
                    key.clone()
                } else {
                    format!("{field}.{key}")
                };
                check(item, &path, errors);
            }
        }
        _ => {}
    }
}

/// What is wrong with a JSON body, if anything.
fn body_problem(body: &[u8]) -> Option<AppError> {
    // Malformed JSON is left to the extractor, which explains it.
    let value: Value = serde_json::from_slice(body).ok()?;
    if !value.is_object() {
        return Some(AppError::bad_request(
            "invalid_body",
            "The body must be a JSON object with the documented fields.",
        ));
    }
    let mut errors = FieldErrors::new();
    check(&value, "", &mut errors);
    errors.into_result().err().map(AppError::Validation)
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
        })
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !req.path().starts_with("/api/") {
        return next.call(req).await;
    }
    let query = percent_encoding::percent_decode_str(req.query_string()).decode_utf8_lossy();
    if query.chars().any(char::is_control)
        || percent_encoding::percent_decode_str(req.path())
            .decode_utf8_lossy()
            .chars()
            .any(char::is_control)
    {
        return Err(AppError::bad_request(
            "invalid_query",
            "The path or query holds control characters (such as NUL); remove them.",
        )
        .into());
    }
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if !is_json(&req) || declared.is_some_and(|n| n > JSON_LIMIT) {
        return next.call(req).await;
    }
    use actix_web::HttpMessage;
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk: Bytes = chunk?;
        body.extend_from_slice(&chunk);
        if body.len() > JSON_LIMIT {
            return Err(AppError::TooLarge { limit: JSON_LIMIT }.into());
        }
    }
    let body: Bytes = body.freeze();
    if let Some(problem) = body_problem(&body) {
        return Err(problem.into());
    }
    req.set_payload(actix_web::dev::Payload::from(body));
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_with_their_field() {
        let Some(AppError::Validation(errors)) = body_problem(br#"{"account":"a\u0000b"}"#) else {
            panic!("refused");
        };
        assert!(errors.0.contains_key("account"));
        let Some(AppError::Validation(errors)) =
            body_problem(br#"{"form":{"names":["ok","x\u0007"]}}"#)
        else {
            panic!("refused");
        };
        assert!(errors.0.contains_key("form.names[1]"), "{errors:?}");
    }

    #[test]
    fn free_text_may_hold_line_breaks_but_not_nul() {
        assert!(body_problem(br#"{"comment":"line one\nline two\tend"}"#).is_none());
        assert!(body_problem(br#"{"reason":"a\u0000"}"#).is_some());
        assert!(body_problem(br#"{"given_name":"Nino\n"}"#).is_some());
    }

    #[test]
    fn only_objects_are_bodies() {
        assert!(matches!(
            body_problem(br#"["adm1","secret"]"#),
            Some(AppError::BadRequest { .. })
        ));
        assert!(matches!(
            body_problem(b"42"),
            Some(AppError::BadRequest { .. })
        ));
        // Malformed JSON is the extractor's to explain.
        assert!(body_problem(b"{nope").is_none());
        assert!(body_problem(br#"{"name":"KEK"}"#).is_none());
    }
}
