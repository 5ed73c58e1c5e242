//! No secret is ever logged: a whole run — sign-ins, password changes, an invitation, a
//! registration, a reset, a service token — with every log line captured, then searched for
//! every password and token that was used.

use std::io::Write;
use std::sync::{Arc, Mutex};

use b2mms_shared::Role;
use b2mms_tests::{Backend, StatusCode, TestApp, new_password};
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn no_secret_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "debug,b2mms=trace,hyper=info,h2=info,rustls=info,diesel=info",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut secrets: Vec<String> = Vec::new();

    let (admin, admin_token) = app.admin().await;
    secrets.extend([
        admin.password.clone(),
        new_password(&admin.account),
        admin_token.clone(),
    ]);
    let kek = app.seed_institution("KEK").await;
    let ir = app.seed_person("irkek", &[Role::IbChair], kek).await;
    app.post(
        &format!("/api/v1/institutions/{kek}/representatives"),
        Some(&admin_token),
        json!({"person_id": ir.id}),
    )
    .await;
    let ir_token = app.sign_in_fresh(&ir).await;
    secrets.extend([ir.password.clone(), ir_token.clone()]);

    // A failed sign-in with a password that is nearly right.
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"account": "irkek", "password": "Nearly-The-Password-1"}),
    )
    .await;
    secrets.push("Nearly-The-Password-1".into());

    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"account": "irkek", "password": new_password("irkek")}),
        )
        .await;
    let refresh = login.cookie("b2mms_refresh").unwrap();
    secrets.push(refresh.clone());
    let refreshed = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header("cookie", format!("b2mms_refresh={refresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);

    let invitation = app
        .post(
            "/api/v1/invitations",
            Some(&ir_token),
            json!({"email": "new@kek.jp", "institution_id": kek}),
        )
        .await;
    let invite_password = invitation.body["password"].as_str().unwrap().to_owned();
    secrets.push(invite_password.clone());
    let opened = app
        .post(
            "/api/v1/auth/invitation",
            None,
            json!({"username": invitation.body["username"], "password": invite_password}),
        )
        .await;
    let applicant = opened.body["access_token"].as_str().unwrap().to_owned();
    let id = opened.body["registration_id"].as_str().unwrap().to_owned();
    secrets.push(applicant.clone());
    let submitted = app
        .post(
            &format!("/api/v1/registrations/{id}/submit"),
            Some(&applicant),
            json!({"given_name": "Nina", "family_name": "Neu", "email": "new@kek.jp", "account_name": "nneu",
                   "initial_password": "Secret-Initial-Walrus-55", "institution_id": kek, "category": "student"}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    secrets.push("Secret-Initial-Walrus-55".into());
    app.post(
        &format!("/api/v1/registrations/{id}/approve"),
        Some(&ir_token),
        json!({}),
    )
    .await;
    app.run_jobs().await;

    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({"account_or_email": "nneu"}),
    )
    .await;
    app.run_jobs().await;
    let mail = app
        .mail
        .to("new@kek.jp")
        .into_iter()
        .find(|m| m.subject.contains("Reset"))
        .expect("reset mail");
    let token = mail
        .body
        .split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    secrets.push(token.clone());
    let reset = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "Reset-Secret-Otter-66"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.text);
    secrets.push("Reset-Secret-Otter-66".into());

    let service = app
        .post(
            "/api/v1/service-tokens",
            Some(&admin_token),
            json!({"name": "tool", "scopes": ["members:read"]}),
        )
        .await;
    let service = service.body["token"].as_str().unwrap().to_owned();
    app.get("/api/v1/members", Some(&service)).await;
    secrets.push(service);
    app.shutdown().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("request"), "the run was logged: {logs}");
    assert!(
        logs.lines().filter(|l| l.contains("request_id=")).count() >= 15,
        "{logs}"
    );
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret reached the logs: {secret}"
        );
        // Not even a recognisable part of a token.
        if secret.len() > 40 {
            assert!(
                !logs.contains(&secret[secret.len() - 24..]),
                "part of a token reached the logs"
            );
        }
    }
}
