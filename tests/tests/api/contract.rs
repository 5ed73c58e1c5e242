//! Contract fuzzing: schemathesis generates requests from the committed OpenAPI document and
//! checks the live server's answers against it, once without credentials and once for every
//! kind of caller: applicant, member, IR, service token, admin. Checked: no server error,
//! status codes, content types, headers and bodies as documented, invalid data refused. Not
//! checked: that every schema-valid request is accepted (the collaboration's rules on names,
//! passwords and states go beyond what a schema says). Sign-out is left out: it would end
//! the run's own session.

use std::process::Command;

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{Backend, StatusCode, TestApp};
use serde_json::json;

/// A command of the Python contract tools: from `B2MMS_PYTHON_TOOLS` (the directory
/// scripts/test installs them to), or from the PATH.
pub fn python_tool(name: &str) -> String {
    match std::env::var("B2MMS_PYTHON_TOOLS") {
        Ok(dir) => format!("{dir}/{name}"),
        Err(_) => name.to_owned(),
    }
}

fn schemathesis() -> String {
    python_tool("st")
}

/// One run against `app` as `caller`, with a token or without.
fn fuzz(app: &TestApp, caller: &str, token: Option<&str>) -> Result<(), String> {
    let document = b2mms_tests::workspace().join("openapi/openapi.json");
    let mut command = Command::new(schemathesis());
    command
        .arg("run")
        .arg(&document)
        .args(["--url", &app.base])
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        .args([
            "--max-examples",
            "12",
            "--seed",
            "20261124",
            "--workers",
            "1",
        ])
        .args(["--exclude-path", "/api/v1/auth/logout"])
        .env("NO_COLOR", "1");
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
        // Signing in is the anonymous run's; a failed sign-in is slow on purpose.
        command.args([
            "--exclude-path-regex",
            "^/api/v1/auth/(login|invitation|certificate|refresh|password-reset.*)$",
        ]);
    }
    let output = command.output().map_err(|e| {
        format!(
            "cannot run schemathesis ({}): {e}; scripts/test installs it",
            schemathesis()
        )
    })?;
    if output.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let tail: String = text
        .lines()
        .rev()
        .take(150)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    Err(format!("schemathesis as {caller} found problems:\n{tail}"))
}

async fn every_caller_gets_what_the_document_promises(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.auth_rate_per_minute = 1_000_000).await;
    let kek = Institution::with_representative(&app).await;
    let (applicant, _) = kek.open_request(&app, "fuzzed@kek.jp").await;
    let member = app.seed_person("member", &[], kek.id).await;
    let member_token = app.sign_in_fresh(&member).await;
    let service = app
        .post(
            "/api/v1/service-tokens",
            Some(&kek.admin),
            json!({"name": "fuzz", "scopes": ["members:read", "registrations:read", "audit:read"]}),
        )
        .await;
    assert_eq!(service.status, StatusCode::CREATED, "{}", service.text);
    let service_token = service.body["token"].as_str().unwrap().to_owned();
    // The admin last: its run changes the most.
    let runs = [
        ("applicant", Some(applicant)),
        ("member", Some(member_token)),
        ("IR", Some(kek.ir_token.clone())),
        ("service token", Some(service_token)),
        ("nobody", None),
        ("admin", Some(kek.admin.clone())),
    ];
    let app = std::sync::Arc::new(app);
    let mut failures = Vec::new();
    for (caller, token) in runs {
        let shared = app.clone();
        let result = tokio::task::spawn_blocking(move || fuzz(&shared, caller, token.as_deref()))
            .await
            .unwrap();
        if let Err(e) = result {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[actix_web::test]
async fn every_caller_gets_what_the_document_promises_sqlite() {
    every_caller_gets_what_the_document_promises(Backend::Sqlite).await;
}

#[actix_web::test]
async fn every_caller_gets_what_the_document_promises_postgres() {
    every_caller_gets_what_the_document_promises(Backend::Postgres).await;
}
