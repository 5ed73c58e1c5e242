//! The real binary killed mid-work, stopped with SIGTERM, and run twice on one database:
//! every approved request is provisioned exactly once, every message reaches its reader as
//! one message, no request in flight is cut off. And 50 people acting on the same thing at
//! once leave exactly one winner.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use b2mms::store::schema::{audit_events, mail_outbox, registrations};
use b2mms::store::{Db, DbUrl};
use b2mms_tests::fixtures::Institution;
use b2mms_tests::process::Instance;
use b2mms_tests::registry::FakeRegistry;
use b2mms_tests::smtp::SmtpSink;
use b2mms_tests::{Backend, StatusCode, TestApp, on_both_databases};
use diesel::prelude::*;
use serde_json::json;

const PUBLIC_URL: &str = "https://b2mms.test";

/// Settings the binary needs to carry on with a database prepared by a `TestApp`.
fn settings(
    database_url: &str,
    mail: &SmtpSink,
    registry: &FakeRegistry,
    name: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", database_url.to_owned()),
        ("MAIL_URL", mail.url()),
        ("REGISTRY_URL", registry.url.clone()),
        ("JOBS_INTERVAL", "1".into()),
        ("PUBLIC_URL", PUBLIC_URL.into()),
        ("REGISTRY_EMAIL_DOMAIN", "belle2.org".into()),
        ("INSTANCE_NAME", name.into()),
        ("MAIL_TIMEOUT", "5".into()),
    ]
}

/// Runs blocking process work off the test's runtime, which also drives the mail sink.
async fn off_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

/// `count` approved requests, prepared with the jobs off; the app is then stopped and its
/// database handed over.
async fn approved_requests(
    backend: Backend,
    mail: &SmtpSink,
    registry: &FakeRegistry,
    count: usize,
) -> (b2mms_tests::TestDb, String, Vec<String>) {
    let app = TestApp::spawn_with(backend, |c| {
        c.mail_url = mail.url();
        c.registry_url = Some(registry.url.clone());
    })
    .await;
    let kek = Institution::with_representative(&app).await;
    let mut ids = Vec::new();
    for i in 0..count {
        let family = format!("Rossi{}", char::from(b'a' + i as u8));
        let id = kek
            .approved_request(
                &app,
                &family,
                &format!("rossi{i}@kek.jp"),
                &format!("rossi{i}"),
            )
            .await;
        ids.push(id);
    }
    let (db, url) = app.hand_over_database().await;
    (db, url, ids)
}

/// Polls the database until no request waits for provisioning and no mail waits for
/// delivery.
async fn wait_until_done(db: &Db, limit: Duration) {
    let started = Instant::now();
    loop {
        let (approved, pending) = db
            .run(|conn| {
                let approved = registrations::table
                    .filter(registrations::state.eq("approved"))
                    .count()
                    .get_result::<i64>(conn)?;
                let pending = mail_outbox::table
                    .filter(mail_outbox::status.eq("pending"))
                    .count()
                    .get_result::<i64>(conn)?;
                Ok((approved, pending))
            })
            .await
            .unwrap();
        if approved == 0 && pending == 0 {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "still {approved} requests to provision and {pending} messages to send"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Each request provisioned exactly once; each message read as one message.
async fn assert_exactly_once(db: &Db, ids: &[String], mail: &SmtpSink) {
    let ids = ids.to_vec();
    let (states, provisioned_events, outbox) = db
        .run(move |conn| {
            let states: Vec<(String, String, Option<String>)> = registrations::table
                .filter(registrations::id.eq_any(&ids))
                .select((
                    registrations::id,
                    registrations::state,
                    registrations::person_id,
                ))
                .load(conn)?;
            let events: Vec<String> = audit_events::table
                .filter(audit_events::action.eq("registration.provisioned"))
                .select(audit_events::subject_id)
                .load(conn)?;
            let outbox: Vec<(String, String)> = mail_outbox::table
                .select((mail_outbox::id, mail_outbox::status))
                .load(conn)?;
            Ok((states, events, outbox))
        })
        .await
        .unwrap();
    let persons: BTreeSet<_> = states.iter().filter_map(|(_, _, p)| p.clone()).collect();
    assert!(
        states.iter().all(|(_, s, _)| s == "provisioned"),
        "{states:?}"
    );
    assert_eq!(persons.len(), states.len(), "one person each");
    let mut events: BTreeMap<String, usize> = BTreeMap::new();
    for subject in provisioned_events {
        *events.entry(subject).or_default() += 1;
    }
    assert!(
        events.values().all(|n| *n == 1),
        "provisioned twice: {events:?}"
    );
    assert_eq!(events.len(), states.len());

    assert!(outbox.iter().all(|(_, s)| s == "sent"), "{outbox:?}");
    let expected: BTreeSet<String> = outbox
        .iter()
        .map(|(id, _)| b2mms::jobs::mail::message_id(id, PUBLIC_URL))
        .collect();
    let received: BTreeSet<String> = mail.messages().into_iter().map(|m| m.message_id).collect();
    assert_eq!(received, expected, "every message arrived, each as itself");
}

async fn killed_mid_work_loses_and_duplicates_nothing(backend: Backend) {
    // A slow registry and a mail server slow to confirm: kills land in the middle of both.
    let mail = SmtpSink::start_with(Duration::from_millis(150)).await;
    let registry = FakeRegistry::start_slow(Duration::from_millis(250));
    let (_db, url, ids) = approved_requests(backend, &mail, &registry, 6).await;
    let config = settings(&url, &mail, &registry, "crashy");
    let mut instance = off_thread(move || Instance::start(&config)).await;
    for pause in [900u64, 1300, 700] {
        tokio::time::sleep(Duration::from_millis(pause)).await;
        instance = off_thread(move || {
            instance.restart();
            instance
        })
        .await;
    }
    let db = Db::new(DbUrl::parse(&url).unwrap(), 2);
    wait_until_done(&db, Duration::from_secs(60)).await;
    instance.kill();
    assert_exactly_once(&db, &ids, &mail).await;
    // Every account also reached the registry (a push repeated after a crash is answered
    // as a duplicate there).
    let pushed: BTreeSet<String> = registry
        .accepted()
        .iter()
        .map(|a| a["registration_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pushed, ids.iter().cloned().collect());
}

#[actix_web::test]
async fn killed_mid_work_loses_and_duplicates_nothing_sqlite() {
    killed_mid_work_loses_and_duplicates_nothing(Backend::Sqlite).await;
}

#[actix_web::test]
async fn killed_mid_work_loses_and_duplicates_nothing_postgres() {
    killed_mid_work_loses_and_duplicates_nothing(Backend::Postgres).await;
}

#[actix_web::test]
async fn two_instances_on_one_postgres_do_each_job_once() {
    let mail = SmtpSink::start().await;
    let registry = FakeRegistry::start_slow(Duration::from_millis(50));
    let (_db, url, ids) = approved_requests(Backend::Postgres, &mail, &registry, 10).await;
    let (first, second) = (
        settings(&url, &mail, &registry, "one"),
        settings(&url, &mail, &registry, "two"),
    );
    let one = off_thread(move || Instance::start(&first)).await;
    let two = off_thread(move || Instance::start(&second)).await;
    let db = Db::new(DbUrl::parse(&url).unwrap(), 2);
    wait_until_done(&db, Duration::from_secs(60)).await;
    drop((one, two));
    assert_exactly_once(&db, &ids, &mail).await;
    // Without crashes nothing is sent twice at all.
    let received = mail.messages();
    let distinct: BTreeSet<_> = received.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(received.len(), distinct.len(), "a message was sent twice");
    assert_eq!(
        registry.accepted().len(),
        ids.len(),
        "a push was made twice"
    );
}

/// The value of one metric line (`name value`, or `name{labels} value`) of `/metrics`.
fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .filter_map(|line| line.strip_prefix(name))
        .filter_map(|rest| rest.split_whitespace().last())
        .filter_map(|value| value.parse::<f64>().ok())
        .map(|value| value as u64)
        .sum()
}

#[actix_web::test]
async fn sigterm_lets_the_requests_in_flight_finish() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let home = app.seed_institution("KEK").await;
    let jane = app.seed_person("jdoe", &[], home).await;
    let (_db, url) = app.hand_over_database().await;
    let mut instance = Instance::start(&[
        ("DATABASE_URL", url),
        ("JOBS_INTERVAL", "1".into()),
        ("HASH_CONCURRENCY", "1".into()),
        ("METRICS_TOKEN", "scrape".into()),
    ]);
    let client = reqwest::Client::new();
    const SIGN_INS: u64 = 8;
    // Sign-ins hash one at a time: most of them are still in flight when SIGTERM arrives.
    let sign_ins: Vec<_> = (0..SIGN_INS)
        .map(|_| {
            let request = client
                .post(instance.url("/api/v1/auth/login"))
                .json(&json!({"account": "jdoe", "password": jane.password}));
            tokio::spawn(async move { request.send().await.map(|r| r.status()) })
        })
        .collect();
    // SIGTERM only once every sign-in has reached b2mms: waiting for its hash or answered.
    let started = Instant::now();
    loop {
        let scrape = client
            .get(instance.url("/metrics"))
            .bearer_auth("scrape")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let waiting = metric(&scrape, "b2mms_password_hashes_pending ");
        let answered = metric(
            &scrape,
            "b2mms_http_requests_total{method=\"POST\",route=\"/api/v1/auth/login\"",
        );
        if waiting + answered >= SIGN_INS {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the sign-ins did not arrive: {scrape}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let code = tokio::task::spawn_blocking(move || {
        let code = instance.terminate(Duration::from_secs(40));
        (code, instance.log_text())
    })
    .await
    .unwrap();
    for sign_in in sign_ins {
        let status = sign_in.await.unwrap().expect("answered, not cut off");
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(code.0, Some(0), "{}", code.1);
    assert!(code.1.contains("background jobs finished"), "{}", code.1);
}

on_both_databases! {
    async fn fifty_approvals_at_once_leave_one_winner(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let (token, id) = kek.open_request(app, "race@kek.jp").await;
        let sent = app
            .post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), kek.form("Rita", "Race", "race@kek.jp", "rrace"))
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
        let path = format!("/api/v1/registrations/{id}/approve");
        let approvals = (0..50).map(|_| app.post(&path, Some(&kek.ir_token), json!({})));
        let replies = futures_util::future::join_all(approvals).await;
        let winners = replies.iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(winners, 1);
        for r in replies.iter().filter(|r| r.status != StatusCode::OK) {
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        }
        let decided = app
            .get(&format!("/api/v1/audit?subject_id={id}"), Some(&kek.admin))
            .await;
        let approvals = decided.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "registration.ir_approved")
            .count();
        assert_eq!(approvals, 1, "{}", decided.text);
    }

    async fn fifty_requests_for_one_account_name_leave_one_winner(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let mut opened = Vec::new();
        for i in 0..50 {
            opened.push((i, kek.open_request(app, &format!("p{i}@kek.jp")).await));
        }
        let sends = opened.iter().map(|(i, (token, id))| {
            let form = kek.form("Pia", &format!("Name{}", char::from(b'a' + (*i % 26) as u8)), &format!("p{i}@kek.jp"), "samename");
            let path = format!("/api/v1/registrations/{id}/submit");
            async move { app.post(&path, Some(token), form).await }
        });
        let replies = futures_util::future::join_all(sends).await;
        let winners = replies.iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(winners, 1, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
        for r in replies.iter().filter(|r| r.status != StatusCode::OK) {
            assert!(r.status == StatusCode::CONFLICT || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
            assert!(!r.text.contains("locked"), "{}", r.text);
        }
    }
}
