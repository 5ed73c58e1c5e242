//! Holes found by probing from outside: answers that tell more than they should, lookups
//! nobody throttles, responses that caches may keep, patterns that match too much, and a
//! socket that waits for nothing.

use std::time::{Duration, Instant};

use b2mms_tests::{Backend, StatusCode, TestApp, on_both_databases};
use serde_json::json;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

on_both_databases! {
    async fn an_unknown_record_and_a_forbidden_one_look_the_same(app: TestApp) {
        let kek = app.seed_institution("KEK").await;
        let desy = app.seed_institution("DESY").await;
        let jane = app.seed_person("jdoe", &[], kek).await;
        let other = app.seed_person("omax", &[], desy).await;
        let token = app.sign_in_fresh(&jane).await;
        let forbidden = app.get(&format!("/api/v1/members/{}", other.id), Some(&token)).await;
        let unknown = app.get(&format!("/api/v1/members/{}", uuid::Uuid::new_v4()), Some(&token)).await;
        forbidden.assert_problem(403, "forbidden");
        unknown.assert_problem(403, "forbidden");
        assert_eq!(forbidden.body["detail"], unknown.body["detail"]);
        // An admin, who may read every record, is told that it does not exist.
        let (_, admin) = app.admin().await;
        app.get(&format!("/api/v1/members/{}", uuid::Uuid::new_v4()), Some(&admin))
            .await
            .assert_problem(404, "not_found");
    }

    async fn answers_with_tokens_or_personal_data_are_not_cached(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        let jane = app.seed_person("jdoe", &[], home).await;
        let login = app
            .post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": jane.password}))
            .await;
        assert_eq!(login.status, StatusCode::OK);
        assert_eq!(login.header("cache-control"), Some("no-store"));
        let token = login.body["access_token"].as_str().unwrap();
        let me = app.get("/api/v1/me", Some(token)).await;
        assert_eq!(me.header("cache-control"), Some("no-store"));
        let problem = app.get("/api/v1/me", None).await;
        assert_eq!(problem.header("cache-control"), Some("no-store"));
        // The public API document may be cached.
        let doc = app.get("/api/v1/openapi.json", None).await;
        assert_ne!(doc.header("cache-control"), Some("no-store"));
    }

    async fn directory_search_takes_wildcards_literally(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        let jane = app.seed_person("jdoe", &[], home).await;
        app.seed_person("abcd", &[], home).await;
        let token = app.sign_in_fresh(&jane).await;
        for q in ["%", "_", "a_cd", "%25", "\\"] {
            let found = app
                .get(&format!("/api/v1/members?q={}", percent(q)), Some(&token))
                .await;
            assert_eq!(found.status, StatusCode::OK, "{}", found.text);
            assert_eq!(found.body["total"], 0, "{q}: {}", found.text);
        }
        let found = app.get("/api/v1/members?q=bcd", Some(&token)).await;
        assert_eq!(found.body["total"], 1, "{}", found.text);
    }

    async fn reset_links_have_a_cooldown_and_one_used_ends_the_others(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        app.seed_person("jdoe", &[], home).await;
        for _ in 0..5 {
            let r = app.post("/api/v1/auth/password-reset", None, json!({"account_or_email": "jdoe"})).await;
            assert_eq!(r.status, StatusCode::ACCEPTED);
        }
        app.run_jobs().await;
        assert_eq!(app.mail.to("jdoe@kek.jp").len(), 1, "five requests, one link");
        app.advance(chrono::Duration::minutes(5) + chrono::Duration::seconds(1));
        app.post("/api/v1/auth/password-reset", None, json!({"account_or_email": "jdoe"})).await;
        app.run_jobs().await;
        let links: Vec<String> = app
            .mail
            .to("jdoe@kek.jp")
            .iter()
            .map(|m| {
                let start = m.body.find("token=").unwrap() + 6;
                m.body[start..].split_whitespace().next().unwrap().to_owned()
            })
            .collect();
        assert_eq!(links.len(), 2);
        let used = app
            .post("/api/v1/auth/password-reset/confirm", None, json!({"token": links[1], "new_password": "Fresh-Copper-Valley-36"}))
            .await;
        assert_eq!(used.status, StatusCode::NO_CONTENT, "{}", used.text);
        app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": links[0], "new_password": "Other-Copper-Valley-37"}))
            .await
            .assert_problem(400, "invalid_reset_token");
    }

    async fn timing_does_not_tell_which_accounts_exist(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        app.seed_person("jdoe", &[], home).await;
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for i in 0..4 {
            // Wrong passwords for a known account (fewer than lock it), and unknown accounts.
            let t = Instant::now();
            let r = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": format!("Wrong-Guess-{i}")})).await;
            known.push(t.elapsed());
            r.assert_problem(401, "invalid_credentials");
            let t = Instant::now();
            let r = app.post("/api/v1/auth/login", None, json!({"account": format!("nob{i}"), "password": "Wrong-Guess"})).await;
            unknown.push(t.elapsed());
            r.assert_problem(401, "invalid_credentials");
        }
        let (k, u) = (median(known), median(unknown));
        assert!(k >= Duration::from_millis(250) && u >= Duration::from_millis(250), "{k:?} {u:?}");
        let gap = k.abs_diff(u);
        assert!(gap < Duration::from_millis(60), "known {k:?} against unknown {u:?}");

        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for i in 0..3 {
            let t = Instant::now();
            app.post("/api/v1/auth/password-reset", None, json!({"account_or_email": "jdoe"})).await;
            known.push(t.elapsed());
            let t = Instant::now();
            app.post("/api/v1/auth/password-reset", None, json!({"account_or_email": format!("nob{i}")})).await;
            unknown.push(t.elapsed());
        }
        let (k, u) = (median(known), median(unknown));
        assert!(k.abs_diff(u) < Duration::from_millis(60), "reset: known {k:?} against unknown {u:?}");
    }
}

fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn name_checks_are_throttled(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.auth_rate_per_minute = 5).await;
    for _ in 0..5 {
        let r = app.get("/api/v1/account-names/jdoe", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let throttled = app.get("/api/v1/account-names/jdoe", None).await;
    throttled.assert_problem(429, "throttled");
    assert!(throttled.header("retry-after").is_some());
    app.shutdown().await;
}

#[actix_web::test]
async fn name_checks_are_throttled_sqlite() {
    name_checks_are_throttled(Backend::Sqlite).await;
}

#[actix_web::test]
async fn name_checks_are_throttled_postgres() {
    name_checks_are_throttled(Backend::Postgres).await;
}

/// A compressed answer on a kept-alive connection arrives at once: without `TCP_NODELAY`
/// its last part waited for the client's delayed acknowledgement (about 40 ms, on most
/// requests).
#[actix_web::test]
async fn compressed_answers_on_kept_alive_connections_do_not_stall() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut times = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let r = app
            .client
            .get(app.url("/api/v1/openapi.json"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-encoding"], "gzip");
        r.bytes().await.unwrap();
        times.push(t.elapsed());
    }
    let typical = median(times[1..].to_vec());
    assert!(typical < Duration::from_millis(25), "{times:?}");
    app.shutdown().await;
}
