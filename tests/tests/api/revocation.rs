//! Revocation stays immediate although checked sessions are remembered for a moment: two
//! instances on one PostgreSQL, a sign-out, a withdrawn role and a disabled account made on one
//! (or by another process) are refused on the instance that made them at once, and on the other
//! within one second.

use std::time::{Duration, Instant};

use b2mms::store::schema::accounts;
use b2mms::store::{Db, DbUrl};
use b2mms_shared::{AccountStatus, PersonId, Role};
use b2mms_tests::process::Instance;
use b2mms_tests::{Backend, TestApp};
use diesel::prelude::*;

/// The status `path` answers `token` with on `instance`.
async fn status(client: &reqwest::Client, instance: &Instance, path: &str, token: &str) -> u16 {
    client
        .get(instance.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("the instance answers")
        .status()
        .as_u16()
}

/// How long `instance` kept answering `path` with something other than `refused` (polled every
/// 20 ms for at most three seconds).
async fn time_until_refused(
    client: &reqwest::Client,
    instance: &Instance,
    path: &str,
    token: &str,
    refused: u16,
) -> Duration {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        if status(client, instance, path, token).await == refused {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{path} was still answered after three seconds");
}

async fn off_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

#[actix_web::test]
async fn revocation_reaches_a_second_instance_within_one_second() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let home = app.seed_institution("KEK").await;
    let boss = app.seed_person("boss", &[Role::Admin], home).await;
    let carol = app.seed_person("carol", &[Role::Admin], home).await;
    let jane = app.seed_person("jdoe", &[], home).await;
    let dave = app.seed_person("dave", &[], home).await;
    let boss_token = app.sign_in_fresh(&boss).await;
    let carol_token = app.sign_in_fresh(&carol).await;
    let jane_token = app.sign_in_fresh(&jane).await;
    let dave_token = app.sign_in_fresh(&dave).await;
    let (_db, url) = app.hand_over_database().await;
    let settings = vec![
        ("DATABASE_URL", url.clone()),
        ("PUBLIC_URL", "https://b2mms.test".to_owned()),
        ("REGISTRY_EMAIL_DOMAIN", "belle2.org".to_owned()),
    ];
    let (first, second) = (settings.clone(), settings);
    let one = off_thread(move || Instance::start(&first)).await;
    let two = off_thread(move || Instance::start(&second)).await;
    let client = reqwest::Client::new();

    // Every caller is known to both instances, and remembered by them.
    for instance in [&one, &two] {
        for token in [&jane_token, &dave_token, &carol_token] {
            assert_eq!(status(&client, instance, "/api/v1/me", token).await, 200);
        }
        assert_eq!(
            status(&client, instance, "/api/v1/audit", &carol_token).await,
            200
        );
    }

    // A sign-out on one.
    let out = client
        .post(one.url("/api/v1/auth/logout"))
        .bearer_auth(&jane_token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 204);
    assert_eq!(
        status(&client, &one, "/api/v1/me", &jane_token).await,
        401,
        "the instance that signed out refuses the session at once"
    );
    let lag = time_until_refused(&client, &two, "/api/v1/me", &jane_token, 401).await;
    assert!(lag < Duration::from_secs(1), "sign-out seen after {lag:?}");

    // A role withdrawn on one.
    let withdrawn = client
        .delete(one.url(&format!("/api/v1/members/{}/roles/admin", carol.id)))
        .bearer_auth(&boss_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        withdrawn.status().as_u16(),
        204,
        "{:?}",
        withdrawn.text().await
    );
    assert_eq!(
        status(&client, &one, "/api/v1/audit", &carol_token).await,
        403,
        "the instance that withdrew the role refuses it at once"
    );
    let lag = time_until_refused(&client, &two, "/api/v1/audit", &carol_token, 403).await;
    assert!(
        lag < Duration::from_secs(1),
        "withdrawn role seen after {lag:?}"
    );

    // An account disabled by another process (an operator, a job of a third instance).
    let db = Db::new(DbUrl::parse(&url).unwrap(), 1);
    let dave_id = PersonId::parse(&dave.id).unwrap();
    db.write(move |conn| {
        diesel::update(accounts::table.find(&dave_id))
            .set(accounts::status.eq(AccountStatus::Disabled))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
    for instance in [&one, &two] {
        let lag = time_until_refused(&client, instance, "/api/v1/me", &dave_token, 401).await;
        assert!(
            lag < Duration::from_secs(1),
            "disabled account seen after {lag:?}"
        );
    }
    drop((one, two));
}
