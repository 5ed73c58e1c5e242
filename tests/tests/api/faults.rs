//! Faults around b2mms: the database restarting under load, a mail server that never
//! answers. The service must ride them out by itself, without a restart.

use std::time::{Duration, Instant};

use b2mms::app::AppState;
use b2mms::clock::Clock;
use b2mms_tests::fixtures::Institution;
use b2mms_tests::pg_cluster::PgCluster;
use b2mms_tests::smtp::{SilentSmtp, SmtpSink};
use b2mms_tests::{Backend, StatusCode, TestApp, TestDb, test_config};
use serde_json::json;

/// Polls `check` until it holds or `limit` passes; whether it held.
async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[actix_web::test]
async fn a_postgres_restart_under_load_is_ridden_out() {
    let cluster =
        PgCluster::start().expect("PostgreSQL server binaries (scripts/test installs them)");
    let mail = SmtpSink::start().await;
    let mut config = test_config(&cluster.url());
    config.mail_url = mail.url();
    config.jobs_interval = 1;
    let state = AppState::initialize(config, Clock::system())
        .await
        .expect("application state");
    let app = TestApp::start(
        Backend::Postgres,
        state,
        TestDb::External,
        cluster.url(),
        mail,
    );
    let (admin, token) = app.admin().await;
    let path = format!("/api/v1/members/{}", admin.id);
    for _ in 0..8 {
        assert_eq!(app.get(&path, Some(&token)).await.status, StatusCode::OK);
    }

    // Load throughout: every answer is a success or a clean 503, never a 500.
    let load = {
        let (client, url, token) = (app.client.clone(), app.url(&path), token.clone());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                match client.get(&url).bearer_auth(&token).send().await {
                    Ok(r) => statuses.push(r.status().as_u16()),
                    Err(e) => panic!("the server stopped answering: {e}"),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            statuses
        });
        (stop, task)
    };

    cluster.stop_server();
    let started = Instant::now();
    let down = app.get(&path, Some(&token)).await;
    down.assert_problem(503, "unavailable");
    assert!(
        down.header("retry-after").is_some(),
        "503 says when to retry"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered in bounded time"
    );
    let health = app.get("/api/v1/health", None).await;
    assert_eq!(
        health.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        health.text
    );
    assert_eq!(health.body["database"], "unreachable");

    cluster.start_server();
    let back = Instant::now();
    assert!(
        eventually(Duration::from_secs(15), || async {
            app.get(&path, Some(&token)).await.status == StatusCode::OK
        })
        .await,
        "the service came back by itself"
    );
    assert!(back.elapsed() < Duration::from_secs(15));
    // And stays back: no dead connection is left in the pool.
    for _ in 0..20 {
        let reply = app.get(&path, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    assert_eq!(app.get("/api/v1/health", None).await.status, StatusCode::OK);
    // Writes work again too.
    let created = app
        .post(
            "/api/v1/institutions",
            Some(&token),
            json!({"name": "Deutsches Elektronen-Synchrotron", "short_name": "DESY", "city": "Hamburg", "country": "DE"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);

    load.0.store(true, std::sync::atomic::Ordering::Relaxed);
    let statuses = load.1.await.unwrap();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "only successes and 503s under load: {statuses:?}"
    );
    assert!(statuses.contains(&503) && statuses.contains(&200));
    app.shutdown().await;
}

async fn silent_mail_server_does_not_hold_up_provisioning(backend: Backend) {
    let silent = SilentSmtp::start().await;
    let app = TestApp::spawn_with(backend, |c| {
        c.mail_url = silent.url();
        c.mail_timeout = 2;
        c.jobs_interval = 1;
    })
    .await;
    let kek = Institution::with_representative(&app).await;
    let id = kek
        .approved_request(&app, "Rossi", "n.rossi@kek.jp", "nrossi")
        .await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            kek.state_of(&app, &id).await == "provisioned"
        })
        .await,
        "provisioned although the mail server never answers"
    );
    // The mail is still queued, not lost.
    let pending = app
        .state
        .db
        .run(b2mms::store::outbox::pending_count)
        .await
        .unwrap();
    assert!(pending > 0);
    app.shutdown().await;
}

#[actix_web::test]
async fn a_silent_mail_server_does_not_hold_up_provisioning_sqlite() {
    silent_mail_server_does_not_hold_up_provisioning(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_silent_mail_server_does_not_hold_up_provisioning_postgres() {
    silent_mail_server_does_not_hold_up_provisioning(Backend::Postgres).await;
}
