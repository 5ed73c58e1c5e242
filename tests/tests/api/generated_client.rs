//! A client generated from the committed OpenAPI document by a mainstream generator
//! (openapi-python-client) runs the whole registration story against the live server:
//! proof that tools can script against b2mms from the document alone.

use std::process::Command;

use b2mms_tests::{Backend, TestApp};

use crate::contract::python_tool;

async fn a_generated_client_runs_the_registration_story(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.jobs_interval = 1).await;
    let (boss, _) = app.admin().await;
    let workspace = b2mms_tests::workspace();
    let generated = tempfile::tempdir().unwrap();
    let client_dir = generated.path().join("b2mms_client");
    let output = Command::new(python_tool("openapi-python-client"))
        .arg("generate")
        .arg("--path")
        .arg(workspace.join("openapi/openapi.json"))
        .args(["--meta", "none", "--output-path"])
        .arg(&client_dir)
        .arg("--config")
        .arg(workspace.join("tests/client/config.yml"))
        .output()
        .expect("openapi-python-client runs (scripts/test installs it)");
    assert!(
        output.status.success() && client_dir.join("client.py").is_file(),
        "generating the client failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let (base, password) = (app.base.clone(), b2mms_tests::new_password(&boss.account));
    let story = workspace.join("tests/client/registration_story.py");
    let root = generated.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python_tool("python"))
            .arg(story)
            .args([&base, "boss", &password])
            .env("PYTHONPATH", root)
            .output()
            .expect("python runs")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "the story failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    app.shutdown().await;
}

#[actix_web::test]
async fn a_generated_client_runs_the_registration_story_sqlite() {
    a_generated_client_runs_the_registration_story(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_generated_client_runs_the_registration_story_postgres() {
    a_generated_client_runs_the_registration_story(Backend::Postgres).await;
}
