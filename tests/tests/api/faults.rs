//! Faults around b2mms: the database restarting under load and while elections are due, a
//! mail server or a Mailman that never answers. The service must ride them out by itself,
//! without a restart.

use std::time::{Duration, Instant};

use b2mms::app::AppState;
use b2mms::clock::Clock;
use b2mms_tests::fixtures::Institution;
use b2mms_tests::pg_cluster::PgCluster;
use b2mms_tests::smtp::{SilentServer, SmtpSink};
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

/// b2mms with its jobs running every second on a throwaway PostgreSQL cluster that the test
/// stops and starts.
async fn on_a_cluster_of_its_own() -> (PgCluster, TestApp) {
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
    (cluster, app)
}

#[actix_web::test]
async fn a_postgres_restart_under_load_is_ridden_out() {
    let (cluster, app) = on_a_cluster_of_its_own().await;
    let (admin, token) = app.admin().await;
    let path = format!("/api/v1/members/{}", admin.id);
    for _ in 0..8 {
        assert_eq!(app.get(&path, Some(&token)).await.status, StatusCode::OK);
    }

    // Load throughout: every answer is a success or a clean 503, never a 500.
    let statuses = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u16>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (client, url, token) = (app.client.clone(), app.url(&path), token.clone());
        let (statuses, stop) = (statuses.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match client.get(&url).bearer_auth(&token).send().await {
                    Ok(r) => statuses.lock().unwrap().push(r.status().as_u16()),
                    Err(e) => panic!("the server stopped answering: {e}"),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let seen = |status: u16| statuses.lock().unwrap().contains(&status);
    assert!(
        eventually(Duration::from_secs(10), || async { seen(200) }).await,
        "the load runs"
    );
    let cluster = std::sync::Arc::new(cluster);

    let stopping = cluster.clone();
    tokio::task::spawn_blocking(move || stopping.stop_server())
        .await
        .unwrap();
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

    let starting = cluster.clone();
    tokio::task::spawn_blocking(move || starting.start_server())
        .await
        .unwrap();
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

    // The load saw the outage and the recovery.
    assert!(
        eventually(Duration::from_secs(10), || async {
            let all = statuses.lock().unwrap();
            let last_503 = all.iter().rposition(|s| *s == 503);
            last_503.is_some_and(|i| all[i..].contains(&200))
        })
        .await,
        "the load saw 503s and then successes: {:?}",
        statuses.lock().unwrap()
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    load.await.unwrap();
    let all = statuses.lock().unwrap().clone();
    assert!(
        all.iter().all(|s| *s == 200 || *s == 503),
        "only successes and 503s under load: {all:?}"
    );
    app.shutdown().await;
}

async fn silent_mail_server_does_not_hold_up_provisioning(backend: Backend) {
    let silent = SilentServer::start().await;
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

async fn silent_mailman_holds_up_nothing_else(backend: Backend) {
    let silent = SilentServer::start().await;
    let app = TestApp::spawn_with(backend, |c| {
        c.mailman_url = Some(silent.http_url());
        c.mailman_user = Some("restadmin".into());
        c.mailman_password = Some("restpass".into());
        c.mailman_domain = Some("lists.example.org".into());
        c.mailman_timeout = 2;
        c.jobs_interval = 1;
    })
    .await;
    let kek = Institution::with_representative(&app).await;
    let list = app
        .post(
            "/api/v1/mailing-lists",
            Some(&kek.admin),
            json!({"name": "b2-all", "address": "b2-all@lists.example.org", "description": "Everyone", "audience": {}}),
        )
        .await;
    assert_eq!(list.status, StatusCode::CREATED, "{}", list.text);
    let list = list.body["id"].as_str().unwrap().to_owned();

    // The dry run gives up within the bound and says why.
    let started = Instant::now();
    app.get(
        &format!("/api/v1/mailing-lists/{list}/sync-plan"),
        Some(&kek.admin),
    )
    .await
    .assert_problem(502, "mailman_unavailable");
    assert!(started.elapsed() < Duration::from_secs(10));

    // Provisioning and mail go on while every sync hangs.
    let id = kek
        .approved_request(&app, "Rossi", "n.rossi@kek.jp", "nrossi")
        .await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            kek.state_of(&app, &id).await == "provisioned"
        })
        .await,
        "provisioned although Mailman never answers"
    );
    assert!(
        eventually(Duration::from_secs(20), || async {
            !app.mail.to("n.rossi@kek.jp").is_empty()
        })
        .await,
        "mail delivered although Mailman never answers"
    );
    // The list says what went wrong and waits before trying again.
    assert!(
        eventually(Duration::from_secs(20), || async {
            let seen = app
                .get(&format!("/api/v1/mailing-lists/{list}"), Some(&kek.admin))
                .await;
            seen.body["sync_error"]
                .as_str()
                .is_some_and(|e| e.contains("did not answer in time"))
                && seen.body["sync_failures"].as_i64() >= Some(1)
                && seen.body.get("synced_at").is_none()
        })
        .await,
        "the sync's error is recorded"
    );
    app.shutdown().await;
}

#[actix_web::test]
async fn a_silent_mailman_holds_up_nothing_else_sqlite() {
    silent_mailman_holds_up_nothing_else(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_silent_mailman_holds_up_nothing_else_postgres() {
    silent_mailman_holds_up_nothing_else(Backend::Postgres).await;
}

/// An election due to open while PostgreSQL is down opens once it is back: its electorate
/// frozen once, one audit event, nothing lost or done twice.
#[actix_web::test]
async fn an_election_due_while_the_database_is_down_opens_once_it_is_back() {
    let (cluster, app) = on_a_cluster_of_its_own().await;
    let (_, token) = app.admin().await;
    let now = chrono::Utc::now();
    let made = app
        .post(
            "/api/v1/elections",
            Some(&token),
            json!({"title": "Spokesperson", "description": "", "options": ["Ada", "Grace"], "max_choices": 1,
                   "electorate": {"kind": "members"}, "opens_at": now + chrono::Duration::seconds(3),
                   "closes_at": now + chrono::Duration::days(1)}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let cluster = std::sync::Arc::new(cluster);
    let stopping = cluster.clone();
    tokio::task::spawn_blocking(move || stopping.stop_server())
        .await
        .unwrap();
    // The opening time passes while the job runner cannot reach the database.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let starting = cluster.clone();
    tokio::task::spawn_blocking(move || starting.start_server())
        .await
        .unwrap();
    let path = format!("/api/v1/elections/{id}");
    assert!(
        eventually(Duration::from_secs(30), || async {
            app.get(&path, Some(&token)).await.body["state"] == "open"
        })
        .await,
        "the election opened once the database was back"
    );
    // Frozen once: the electorate is the one member, opened once in the audit trail.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let seen = app.get(&path, Some(&token)).await;
    assert_eq!(seen.body["electors"], 1, "{}", seen.text);
    let trail = app.get("/api/v1/audit?per_page=500", Some(&token)).await;
    let opened = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "election.opened")
        .count();
    assert_eq!(opened, 1, "{}", trail.text);
    app.shutdown().await;
}
