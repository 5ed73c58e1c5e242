//! The API contract laid over the document generated from the routes, the same for every
//! operation that exists and every one that will: stable operation ids, every error status an
//! operation can answer documented as `application/problem+json` through shared response
//! components, security declared per operation (bearer tokens; the refresh cookie on refresh
//! and sign-out), and list pages named after their items (`InstitutionPage`).

use serde_json::{Map, Value, json};

pub use super::operation_ids::OPERATION_IDS;

/// The shared error responses: status, component name, description.
const ERRORS: &[(u16, &str, &str)] = &[
    (
        400,
        "BadRequest",
        "The request could not be read: malformed JSON, a body of the wrong shape, or an invalid query or path",
    ),
    (
        401,
        "Unauthenticated",
        "No usable credentials: sign in, or refresh the session",
    ),
    (403, "Forbidden", "The caller may not do this"),
    (
        404,
        "NotFound",
        "No record with this id exists (or it is not the caller's to see)",
    ),
    (
        409,
        "Conflict",
        "A duplicate, or the record is not in a state that allows this",
    ),
    (413, "TooLarge", "The body is larger than 64 KiB"),
    (
        415,
        "UnsupportedMediaType",
        "The body is not sent as `application/json`",
    ),
    (
        422,
        "Invalid",
        "Field values break the rules; `errors` says what to fix in each field",
    ),
    (
        423,
        "Locked",
        "The account is locked for a while after repeated failed sign-ins; see `Retry-After`",
    ),
    (
        429,
        "Throttled",
        "Too many attempts from this address; see `Retry-After`",
    ),
    (
        503,
        "Unavailable",
        "The database cannot be reached right now; see `Retry-After`",
    ),
];

/// The cookie that carries the refresh token.
const REFRESH_COOKIE_SCHEME: &str = "refreshCookie";

/// Applies the contract to the generated document.
pub fn apply(doc: &mut Value) {
    add_components(doc);
    name_pages(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if let Some(op) = op.as_object_mut() {
                operation(path, &method.to_uppercase(), op);
            }
        }
    }
}

fn add_components(doc: &mut Value) {
    let components = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut);
    let Some(components) = components else {
        return;
    };
    let responses = components
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(responses) = responses {
        for (status, name, description) in ERRORS {
            let mut response = json!({
                "description": description,
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            });
            if matches!(status, 423 | 429 | 503) {
                response["headers"] = json!({"Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "schema": {"type": "integer", "minimum": 1},
                }});
            }
            responses.insert((*name).to_owned(), response);
        }
    }
    if let Some(schemes) = components
        .entry("securitySchemes")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    {
        schemes.insert(
            REFRESH_COOKIE_SCHEME.to_owned(),
            json!({"type": "apiKey", "in": "cookie", "name": crate::http::auth::REFRESH_COOKIE,
                   "description": "The rotating refresh token of a browser session (HttpOnly, SameSite=Strict)"}),
        );
    }
}

/// `Page_Institution` → `InstitutionPage`, everywhere it is named.
fn name_pages(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let pages: Vec<String> = schemas
        .keys()
        .filter(|k| k.starts_with("Page_"))
        .cloned()
        .collect();
    let mut renamed = Vec::new();
    for old in pages {
        let item = &old["Page_".len()..];
        let new = format!("{item}Page");
        if let Some(mut schema) = schemas.remove(&old) {
            // The items refer to their schema instead of repeating it.
            if schemas.contains_key(item)
                && let Some(items) = schema.pointer_mut("/properties/items/items")
            {
                *items = json!({ "$ref": format!("#/components/schemas/{item}") });
            }
            schemas.insert(new.clone(), schema);
        }
        renamed.push((
            format!("#/components/schemas/{old}"),
            format!("#/components/schemas/{new}"),
        ));
    }
    rename_refs(doc, &renamed);
}

fn rename_refs(value: &mut Value, renamed: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && let Some((_, new)) = renamed.iter().find(|(old, _)| old == target)
            {
                *target = new.clone();
            }
            for v in map.values_mut() {
                rename_refs(v, renamed);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, renamed)),
        _ => {}
    }
}

fn operation(path: &str, method: &str, op: &mut Map<String, Value>) {
    let key = format!("{method} {path}");
    if let Some((_, id)) = OPERATION_IDS.iter().find(|(k, _)| *k == key) {
        op.insert("operationId".into(), json!(id));
    }
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let cookie = path == "/api/v1/auth/refresh" || path == "/api/v1/auth/logout";
    if cookie {
        let mut security = vec![json!({ REFRESH_COOKIE_SCHEME: [] })];
        if secured {
            security.insert(0, json!({"bearer": []}));
        }
        op.insert("security".into(), Value::Array(security));
    }
    let has_body = op.contains_key("requestBody");
    let has_params = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let sign_in = method == "POST" && path.starts_with("/api/v1/auth/");
    let throttled = sign_in || path.starts_with("/api/v1/account-names/");
    let needs_database = path != "/.well-known/jwks.json";

    let mut statuses = Vec::new();
    if has_body || has_params {
        statuses.push(400);
    }
    if secured || cookie {
        statuses.push(401);
    }
    if secured {
        statuses.push(403);
    }
    if path.contains('{') {
        statuses.push(404);
    }
    if has_body {
        statuses.extend([413, 415, 422]);
    }
    if path == "/api/v1/auth/login" {
        statuses.push(423);
    }
    if throttled {
        statuses.push(429);
    }
    if needs_database {
        statuses.push(503);
    }

    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else {
        return;
    };
    // Problems the handler documented itself keep their description but are sent as
    // problem documents.
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
            && is_error
            && let Some(json) = content.remove("application/json")
        {
            let health =
                json.pointer("/schema/$ref") == Some(&json!("#/components/schemas/Health"));
            if health {
                content.insert("application/json".into(), json);
            } else {
                content.insert("application/problem+json".into(), json);
            }
        }
    }
    for status in statuses {
        let code = status.to_string();
        if responses.contains_key(&code) {
            continue;
        }
        if let Some((_, name, _)) = ERRORS.iter().find(|(s, _, _)| *s == status) {
            responses.insert(
                code,
                json!({ "$ref": format!("#/components/responses/{name}") }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn document() -> Value {
        serde_json::from_str(&crate::http::openapi::document_json()).unwrap()
    }

    #[test]
    fn every_operation_has_its_own_stable_id() {
        let doc = document();
        let mut seen = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let key = format!("{} {path}", method.to_uppercase());
                let id = op["operationId"].as_str().unwrap();
                assert!(
                    OPERATION_IDS.iter().any(|(k, v)| *k == key && *v == id),
                    "{key} has no entry in contract::OPERATION_IDS: give it a verb-on-resource id there"
                );
                assert!(seen.insert(id.to_owned()), "{id} is used twice");
            }
        }
        assert_eq!(seen.len(), OPERATION_IDS.len(), "an id names no operation");
    }

    #[test]
    fn errors_are_problem_documents_and_secured_operations_say_401() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                for (status, response) in responses {
                    if status.starts_with('2') || path == "/api/v1/health" {
                        continue;
                    }
                    let problem = response.get("$ref").is_some()
                        || response["content"]["application/problem+json"].is_object();
                    assert!(
                        problem,
                        "{method} {path} {status} is not a problem document"
                    );
                }
                if op.get("security").is_some() {
                    assert!(responses.contains_key("401"), "{method} {path}");
                }
                if op.get("requestBody").is_some() {
                    for s in ["400", "413", "415", "422", "503"] {
                        assert!(responses.contains_key(s), "{method} {path} lacks {s}");
                    }
                }
            }
        }
        assert!(
            doc["components"]["responses"]["Unavailable"]["headers"]["Retry-After"].is_object()
        );
    }

    #[test]
    fn pages_are_named_after_their_items() {
        let doc = document();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("InstitutionPage"));
        assert_eq!(
            schemas["InstitutionPage"]["properties"]["items"]["items"],
            json!({"$ref": "#/components/schemas/Institution"})
        );
        assert!(schemas.keys().all(|k| !k.starts_with("Page_")));
        assert!(!serde_json::to_string(&doc).unwrap().contains("Page_"));
    }

    #[test]
    fn refresh_and_sign_out_take_the_cookie_and_public_operations_nothing() {
        let doc = document();
        let refresh = &doc["paths"]["/api/v1/auth/refresh"]["post"]["security"];
        assert_eq!(refresh, &json!([{ "refreshCookie": [] }]));
        assert!(
            doc["paths"]["/api/v1/institutions"]["get"]
                .get("security")
                .is_none()
        );
        assert!(
            doc["paths"]["/api/v1/auth/login"]["post"]
                .get("security")
                .is_none()
        );
    }

    /// The routes open to a person whose membership ended all exist, so that a renamed route
    /// does not silently close.
    #[test]
    fn routes_open_after_a_membership_exist() {
        for route in crate::domain::policy::OPEN_AFTER_MEMBERSHIP {
            assert!(
                OPERATION_IDS.iter().any(|(known, _)| known == route),
                "{route} is not an operation"
            );
        }
        assert!(crate::domain::policy::open_after_membership(
            "GET",
            "/api/v1/members/{id}"
        ));
        assert!(!crate::domain::policy::open_after_membership(
            "PATCH",
            "/api/v1/members/{id}"
        ));
    }

    /// Every string enum lists exactly the values the server sends and accepts, so a new enum
    /// cannot drift from its wire form.
    #[test]
    fn enums_carry_their_wire_values() {
        use b2mms_shared::*;
        fn values<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
            all.iter().map(ToString::to_string).collect()
        }
        let known: Vec<(&str, Vec<String>)> = vec![
            ("AccountStatus", values(AccountStatus::ALL)),
            ("AuditAction", values(AuditAction::ALL)),
            ("DirectorySort", values(DirectorySort::ALL)),
            ("SortOrder", values(SortOrder::ALL)),
            ("AffiliationKind", values(AffiliationKind::ALL)),
            ("PeriodEnd", values(PeriodEnd::ALL)),
            ("TransferState", values(TransferState::ALL)),
            ("JoinPolicy", values(JoinPolicy::ALL)),
            ("ApplicationState", values(ApplicationState::ALL)),
            ("Category", values(Category::ALL)),
            ("IdentityKind", values(IdentityKind::ALL)),
            ("InstitutionStatus", values(InstitutionStatus::ALL)),
            ("InvitationStatus", values(InvitationStatus::ALL)),
            ("MembershipStatus", values(MembershipStatus::ALL)),
            ("RegistrationState", values(RegistrationState::ALL)),
            ("RegistrationAction", values(RegistrationAction::ALL)),
            ("Role", values(Role::ALL)),
            ("Scope", values(Scope::ALL)),
            ("AuthorListState", values(AuthorListState::ALL)),
            ("AuthorReasonCode", values(AuthorReasonCode::ALL)),
            ("ExceptionKind", values(ExceptionKind::ALL)),
            ("SubscribeWith", values(SubscribeWith::ALL)),
            ("AudienceRole", values(AudienceRole::ALL)),
            ("ElectionState", values(ElectionState::ALL)),
            ("InstitutionWeight", values(InstitutionWeight::ALL)),
        ];
        let doc = document();
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            let Some(listed) = schema.get("enum") else {
                continue;
            };
            let expected = known
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("enum {name}: add it to this test with its ALL"));
            let listed: Vec<String> = serde_json::from_value(listed.clone()).unwrap();
            assert_eq!(listed, expected.1, "{name}");
        }
    }
}
