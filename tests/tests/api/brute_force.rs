//! Password guessing: accounts lock with growing delays, addresses are throttled.

use b2mms_tests::{Backend, StatusCode, TestApp, new_password, on_both_databases};
use serde_json::json;

on_both_databases! {
    async fn five_failures_lock_the_account_for_growing_delays(app: TestApp) {
        let (admin, _) = app.admin().await;
        let home = app.seed_institution("KEK").await;
        let jane = app.seed_person("jdoe", &[], home).await;
        app.sign_in_fresh(&jane).await;
        let attempt = |password: &'static str| app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": password}));
        for _ in 0..5 {
            attempt("Wrong-Guess-123").await.assert_problem(401, "invalid_credentials");
        }
        // Locked: even the right password waits.
        let locked = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await;
        locked.assert_problem(423, "account_locked");
        let wait: i64 = locked.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        app.advance(chrono::Duration::seconds(61));
        // One more failure after the lock ends: twice as long.
        attempt("Wrong-Guess-123").await.assert_problem(401, "invalid_credentials");
        let longer = attempt("Wrong-Guess-123").await;
        longer.assert_problem(423, "account_locked");
        let wait: i64 = longer.header("retry-after").unwrap().parse().unwrap();
        assert!((61..=120).contains(&wait), "{wait}");
        app.advance(chrono::Duration::seconds(121));
        let ok = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        // Success resets the count: four failures do not lock.
        for _ in 0..4 {
            attempt("Wrong-Guess-123").await.assert_problem(401, "invalid_credentials");
        }
        assert_eq!(app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await.status, StatusCode::OK);

        // Admins can lift a lock; both are audited.
        for _ in 0..5 {
            attempt("Wrong-Guess-123").await;
        }
        attempt("Wrong-Guess-123").await.assert_problem(423, "account_locked");
        let admin_token = app.sign_in(&admin).await;
        let member = app.seed_person("nobodyx", &[], home).await;
        let member_token = app.sign_in_fresh(&member).await;
        app.post(&format!("/api/v1/members/{}/unlock", jane.id), Some(&member_token), json!({})).await.assert_problem(403, "forbidden");
        let unlocked = app.post(&format!("/api/v1/members/{}/unlock", jane.id), Some(&admin_token), json!({})).await;
        assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.text);
        assert_eq!(app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await.status, StatusCode::OK);
        let trail = app.get(&format!("/api/v1/audit?subject_id={}", jane.id), Some(&admin_token)).await;
        let actions: Vec<&str> = trail.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for expected in ["account.locked", "account.unlocked", "login.failed", "login.succeeded"] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
    }
}

#[actix_web::test]
async fn one_address_is_throttled_not_the_service() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        throttled(backend).await;
    }
}

async fn throttled(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.auth_rate_per_minute = 5).await;
    for _ in 0..5 {
        let r = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"account": "someone", "password": "Whatever-123"}),
            )
            .await;
        r.assert_problem(401, "invalid_credentials");
    }
    let throttled = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"account": "someone", "password": "Whatever-123"}),
        )
        .await;
    throttled.assert_problem(429, "throttled");
    assert!(
        throttled
            .header("retry-after")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            >= 1
    );
    app.post(
        "/api/v1/auth/invitation",
        None,
        json!({"username": "x", "password": "y"}),
    )
    .await
    .assert_problem(429, "throttled");
    // Everything else is unaffected.
    assert_eq!(app.get("/api/v1/health", None).await.status, StatusCode::OK);
    app.shutdown().await;

    // The default quota lets a meeting's worth of sign-ins through from one address.
    let meeting = TestApp::spawn(backend).await;
    let attempts = (0..300).map(|_| meeting.post("/api/v1/auth/refresh", None, json!({})));
    let replies = futures_util::future::join_all(attempts).await;
    assert!(
        replies.iter().all(|r| r.status == StatusCode::UNAUTHORIZED),
        "none throttled"
    );
    meeting.shutdown().await;
}

/// A sign-in storm wider than the hashing queue: the excess is refused at once with 503 and
/// `Retry-After` instead of waiting in an ever longer queue; the rest of the service answers,
/// and once the storm passes sign-in works again.
#[actix_web::test]
async fn a_sign_in_storm_beyond_the_hashing_queue_is_refused_not_queued() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.hash_concurrency = 1;
        c.hash_queue = 2;
        c.auth_rate_per_minute = 10_000;
    })
    .await;
    let home = app.seed_institution("KEK").await;
    let jane = app.seed_person("jdoe", &[], home).await;
    let body = json!({"account": "jdoe", "password": jane.password});
    let storm = (0..40).map(|_| app.post("/api/v1/auth/login", None, body.clone()));
    let (replies, health) = futures_util::future::join(
        futures_util::future::join_all(storm),
        app.get("/api/v1/health", None),
    )
    .await;
    assert_eq!(
        health.status,
        StatusCode::OK,
        "the service answers during the storm"
    );
    let mut busy = 0;
    for reply in &replies {
        if reply.status == StatusCode::OK {
            continue;
        }
        reply.assert_problem(503, "busy");
        let wait: i64 = reply.header("retry-after").unwrap().parse().unwrap();
        assert!(wait >= 1, "{wait}");
        busy += 1;
    }
    assert!(
        busy > 0,
        "one worker and two places in the queue cannot take forty at once"
    );
    assert!(busy < replies.len(), "the queued ones are served");
    let after = app.sign_in_fresh(&jane).await;
    assert!(!after.is_empty());
    app.shutdown().await;
}
