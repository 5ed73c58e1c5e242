//! Benchmarks of the hot paths against the real application: `cargo run --release -p
//! b2mms-tests --bin bench [sqlite|postgres]`. Seeds a collaboration of a few thousand people,
//! then measures latency and throughput of the requests made most often. Bounded in requests
//! and time; talks to loopback only.

use std::time::{Duration, Instant};

use b2mms::store::models::{AccountRow, AffiliationRow, PersonRow};
use b2mms::store::{new_id, to_db_time};
use b2mms_tests::{Backend, TestApp};
use futures_util::StreamExt;

const PEOPLE: usize = 3000;
const REQUESTS: usize = 2000;
const CONCURRENCY: usize = 16;

async fn seed(app: &TestApp, institution: uuid::Uuid) {
    let hash = b2mms::auth::passwords::hash_blocking("Bench-Password-Lantern-1").unwrap();
    let institution = b2mms_shared::InstitutionId::from(institution);
    app.state
        .db
        .write(move |conn| {
            let now = to_db_time(chrono::Utc::now());
            for i in 0..PEOPLE {
                let id: b2mms_shared::PersonId = new_id();
                let person = PersonRow {
                    id: id.clone(),
                    given_name: format!("Given{}", char::from(b'a' + (i % 26) as u8)),
                    middle_name: None,
                    family_name: format!("Family{}", i % 500),
                    email: format!("person{i}@bench.example.org"),
                    registry_email: Some(format!("person{i}@belle2.org")),
                    orcid: None,
                    category: b2mms_shared::Category::PhdStudent,
                    institution_id: institution.clone(),
                    status: b2mms_shared::MembershipStatus::Active,
                    membership_start: Some(now.date()),
                    membership_end: None,
                    grace_from: None,
                    created_at: now,
                    updated_at: now,
                };
                let account = AccountRow {
                    person_id: id.clone(),
                    account_name: format!("p{i:06}"),
                    password_hash: hash.clone(),
                    password_set_at: now,
                    password_expires_at: now + chrono::Duration::days(180),
                    must_change_password: false,
                    status: b2mms_shared::AccountStatus::Active,
                    failed_logins: 0,
                    locked_until: None,
                    created_at: now,
                    updated_at: now,
                };
                let affiliation = AffiliationRow {
                    id: b2mms::store::new_text_id(),
                    person_id: id,
                    institution_id: institution.clone(),
                    start_date: now.date(),
                    end_date: None,
                };
                b2mms::store::persons::insert_member(conn, &person, &account, &affiliation)?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// Runs `count` requests, `CONCURRENCY` at a time; prints throughput and latency percentiles.
async fn measure(
    app: &TestApp,
    label: &str,
    count: usize,
    make: impl Fn(usize) -> reqwest::RequestBuilder,
) {
    let started = Instant::now();
    let mut latencies: Vec<Duration> = futures_util::stream::iter(0..count)
        .map(|i| {
            let request = make(i);
            async move {
                let t = Instant::now();
                let response = request.send().await.expect("request");
                assert!(
                    response.status().is_success(),
                    "{label}: {}",
                    response.status()
                );
                response.bytes().await.expect("body");
                t.elapsed()
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let total = started.elapsed();
    latencies.sort();
    let _ = app;
    let pct =
        |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    println!(
        "{label:<44} {count:>5} requests  {:>8.0} req/s  p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms",
        count as f64 / total.as_secs_f64(),
        pct(0.50),
        pct(0.95),
        pct(0.99)
    );
}

#[actix_web::main]
async fn main() {
    let backend = match std::env::args().nth(1).as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let app = TestApp::spawn_with(backend, |c| c.workers = 2).await;
    let (_, admin) = app.admin().await;
    let kek = app.seed_institution("KEK").await;
    seed(&app, kek).await;
    println!("b2mms benchmarks on {backend:?}: {PEOPLE} people, {CONCURRENCY} concurrent requests");
    let c = app.client.clone();
    measure(&app, "GET /api/v1/health", REQUESTS, |_| {
        c.get(app.url("/api/v1/health"))
    })
    .await;
    measure(&app, "GET /api/v1/institutions", REQUESTS, |_| {
        c.get(app.url("/api/v1/institutions"))
    })
    .await;
    measure(
        &app,
        "GET /api/v1/me (token + session check)",
        REQUESTS,
        |_| c.get(app.url("/api/v1/me")).bearer_auth(&admin),
    )
    .await;
    measure(
        &app,
        "GET /api/v1/members?q= (directory search)",
        REQUESTS,
        |i| {
            c.get(app.url(&format!("/api/v1/members?q=family{}&per_page=50", i % 500)))
                .bearer_auth(&admin)
        },
    )
    .await;
    measure(
        &app,
        "GET /api/v1/members (page of 100)",
        REQUESTS / 4,
        |i| {
            c.get(app.url(&format!("/api/v1/members?page={}&per_page=100", 1 + i % 30)))
                .bearer_auth(&admin)
        },
    )
    .await;
    measure(&app, "GET /api/v1/account-names/{name}", REQUESTS, |i| {
        c.get(app.url(&format!("/api/v1/account-names/p{:06}", i % PEOPLE)))
    })
    .await;
    measure(&app, "POST /api/v1/auth/login (argon2id)", 200, |i| {
        c.post(app.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"account": format!("p{:06}", i % PEOPLE), "password": "Bench-Password-Lantern-1"}))
    })
    .await;
    app.shutdown().await;
}
