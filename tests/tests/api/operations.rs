//! What operators rely on: metrics for Prometheus, the queue of undelivered mail, and a
//! consistent backup of a running SQLite database.

use std::process::Command;

use b2mms_tests::process::binary;
use b2mms_tests::{Backend, StatusCode, TestApp};
use diesel::prelude::*;
use serde_json::json;

async fn metrics_need_their_token(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, |c| c.metrics_token = Some("scrape-secret".into())).await;
    let health = app.get("/api/v1/health", None).await;
    assert_eq!(health.status, StatusCode::OK);
    app.get("/metrics", None)
        .await
        .assert_problem(401, "metrics_token");
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secre")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    // A message waits in the outbox; a job round runs.
    let (_, admin) = app.admin().await;
    let kek = app.seed_institution("KEK").await;
    app.post(
        "/api/v1/invitations",
        Some(&admin),
        json!({"email": "x.y@kek.jp", "institution_id": kek}),
    )
    .await;
    let scraped = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.unwrap();
    assert!(
        text.contains(
            "b2mms_http_requests_total{method=\"GET\",route=\"/api/v1/health\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("b2mms_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("b2mms_mail_outbox_depth 1"), "{text}");
    assert!(text.contains("b2mms_db_pool_connections"), "{text}");
    // Concrete ids never become labels.
    assert!(!text.contains(&kek.to_string()), "{text}");
    app.run_jobs().await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("b2mms_job_runs_total{job=\"mail delivery\"} 1"),
        "{text}"
    );
    assert!(text.contains("b2mms_mail_outbox_depth 0"), "{text}");
    app.shutdown().await;
}

#[actix_web::test]
async fn metrics_need_their_token_sqlite() {
    metrics_need_their_token(Backend::Sqlite).await;
}

#[actix_web::test]
async fn metrics_need_their_token_postgres() {
    metrics_need_their_token(Backend::Postgres).await;
}

#[actix_web::test]
async fn metrics_on_their_own_address_need_no_token_and_are_off_by_default() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.metrics_bind = Some(format!("127.0.0.1:{port}").parse().unwrap());
    })
    .await;
    let scraped = app
        .client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    assert!(
        scraped
            .text()
            .await
            .unwrap()
            .contains("b2mms_mail_outbox_depth")
    );
    // Not on the main address without a token configured.
    app.get("/metrics", None)
        .await
        .assert_problem(404, "route_not_found");
    app.shutdown().await;
}

async fn undelivered_mail_is_shown_to_admins_and_can_be_retried(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.admin().await;
    let kek = app.seed_institution("KEK").await;
    let member = app.seed_person("jdoe", &[], kek).await;
    let member_token = app.sign_in_fresh(&member).await;
    app.mail.stop();
    let invited = app
        .post(
            "/api/v1/invitations",
            Some(&admin),
            json!({"email": "x.y@kek.jp", "institution_id": kek}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.text);
    let report = app.run_jobs().await;
    assert_eq!(report.mail_failed, 1);

    app.get("/api/v1/mail-outbox", Some(&member_token))
        .await
        .assert_problem(403, "forbidden");
    let queued = app.get("/api/v1/mail-outbox", Some(&admin)).await;
    assert_eq!(queued.status, StatusCode::OK, "{}", queued.text);
    assert_eq!(queued.body["total"], 1);
    let item = &queued.body["items"][0];
    assert_eq!(item["to"], "x.y@kek.jp");
    assert_eq!(item["attempts"], 1);
    assert!(item["last_error"].is_string(), "{item}");
    // The text (with the temporary password) is not shown.
    let password = invited.body["password"].as_str().unwrap();
    assert!(!queued.text.contains(password));
    assert!(item.get("body").is_none());

    // The server is back: the admin does not wait for the backoff.
    app.mail.restart().await;
    let id = item["id"].as_str().unwrap();
    let retried = app
        .post(
            &format!("/api/v1/mail-outbox/{id}/retry"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(retried.status, StatusCode::ACCEPTED, "{}", retried.text);
    let report = app.run_jobs().await;
    assert_eq!(report.mail_sent, 1);
    assert_eq!(app.mail.to("x.y@kek.jp").len(), 1);
    let queued = app.get("/api/v1/mail-outbox", Some(&admin)).await;
    assert_eq!(queued.body["total"], 0);
    app.post(
        &format!("/api/v1/mail-outbox/{id}/retry"),
        Some(&admin),
        json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    app.shutdown().await;
}

#[actix_web::test]
async fn undelivered_mail_is_shown_to_admins_and_can_be_retried_sqlite() {
    undelivered_mail_is_shown_to_admins_and_can_be_retried(Backend::Sqlite).await;
}

#[actix_web::test]
async fn undelivered_mail_is_shown_to_admins_and_can_be_retried_postgres() {
    undelivered_mail_is_shown_to_admins_and_can_be_retried(Backend::Postgres).await;
}

fn backup(database_url: &str, target: &std::path::Path) -> std::process::Output {
    Command::new(binary())
        .arg("backup")
        .arg(target)
        .env_clear()
        .env("B2MMS_DATABASE_URL", database_url)
        .output()
        .expect("b2mms backup runs")
}

#[actix_web::test]
async fn a_backup_of_a_running_sqlite_database_is_consistent() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, admin) = app.admin().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.db");
    // Writes go on while the copy is taken.
    let writer = {
        let (client, url, admin) = (
            app.client.clone(),
            app.url("/api/v1/institutions"),
            admin.clone(),
        );
        tokio::spawn(async move {
            for i in 0..40 {
                let r = client
                    .post(&url)
                    .bearer_auth(&admin)
                    .json(&json!({"name": format!("Institute {i}"), "short_name": format!("I{i}"), "city": "Tsukuba", "country": "JP"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::CREATED);
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let (url, copy) = (app.database_url.clone(), target.clone());
    let output = tokio::task::spawn_blocking(move || backup(&url, &copy))
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    writer.await.unwrap();

    let mut conn = diesel::SqliteConnection::establish(target.to_str().unwrap()).unwrap();
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let check: Check = diesel::sql_query("PRAGMA integrity_check")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(check.integrity_check, "ok");
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let people: Count = diesel::sql_query("SELECT count(*) AS n FROM persons")
        .get_result(&mut conn)
        .unwrap();
    assert!(people.n >= 1, "the copy holds the records");

    // It never overwrites a file.
    let again = backup(&app.database_url, &target);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    app.shutdown().await;
}

#[test]
fn backup_of_postgres_points_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let output = backup("postgres://nobody@127.0.0.1:1/none", &dir.path().join("x"));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
}

/// However long the mail server stays away, nothing is given up: after dozens of failed
/// attempts the message still goes out once it is back, and the wait between attempts
/// stays at most an hour.
#[actix_web::test]
async fn mail_is_never_given_up_on() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (boss, admin) = app.admin().await;
    let kek = app.seed_institution("KEK").await;
    app.mail.stop();
    app.post(
        "/api/v1/invitations",
        Some(&admin),
        json!({"email": "x.y@kek.jp", "institution_id": kek}),
    )
    .await;
    for _ in 0..40 {
        assert_eq!(app.run_jobs().await.mail_failed, 1);
        app.advance(chrono::Duration::minutes(61));
    }
    let admin = app.sign_in(&boss).await;
    let queued = app.get("/api/v1/mail-outbox", Some(&admin)).await;
    assert_eq!(queued.body["items"][0]["attempts"], 40, "{}", queued.text);
    app.mail.restart().await;
    assert_eq!(app.run_jobs().await.mail_sent, 1);
    assert_eq!(app.mail.to("x.y@kek.jp").len(), 1);
    app.shutdown().await;
}
