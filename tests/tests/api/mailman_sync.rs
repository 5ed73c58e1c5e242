//! The mailing lists kept in a real Mailman 3 core: created when missing, subscribers made
//! equal to the audience after each change of the records (a member joins, joins a group,
//! moves institution, expires, leaves), hand-made subscriptions undone, lists b2mms does not
//! manage untouched, Mailman down and back, a sync claimed by an instance that crashed, and
//! the dry run.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::mailman::{self, MailmanCore};
use b2mms_tests::{Backend, StatusCode, TestApp};
use serde_json::{Value, json};

const DOMAIN: &str = "lists.example.org";

/// Defines a list `name@DOMAIN` with `audience`; its id.
async fn define(app: &TestApp, admin: &str, name: &str, audience: Value, welcome: bool) -> String {
    let made = app
        .post(
            "/api/v1/mailing-lists",
            Some(admin),
            json!({"name": name, "address": format!("{name}@{DOMAIN}"), "description": name, "audience": audience, "send_welcome": welcome}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    made.body["id"].as_str().unwrap().to_owned()
}

/// The dry run of the list's next sync.
async fn plan(app: &TestApp, token: &str, id: &str) -> b2mms_tests::Reply {
    app.get(
        &format!("/api/v1/mailing-lists/{id}/sync-plan"),
        Some(token),
    )
    .await
}

/// What b2mms says is on the list today, sorted.
async fn audience(app: &TestApp, admin: &str, id: &str) -> Vec<String> {
    let found = app
        .get(&format!("/api/v1/mailing-lists/{id}/members"), Some(admin))
        .await;
    let mut out: Vec<String> = found.body["subscribers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["address"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

async fn in_mailman(core: &MailmanCore, name: &str) -> Vec<String> {
    core.subscribers(&format!("{name}@{DOMAIN}"))
        .await
        .unwrap_or_else(|| panic!("Mailman has no list {name}"))
}

async fn lists_follow_the_records(backend: Backend) {
    let core = MailmanCore::start().await;
    let url = core.url();
    let owned = TestApp::spawn_with(backend, |config| {
        config.mailman_url = Some(url);
        config.mailman_user = Some(mailman::USER.to_owned());
        config.mailman_password = Some(mailman::PASSWORD.to_owned());
        config.mailman_domain = Some(DOMAIN.to_owned());
    })
    .await;
    let app = &owned;
    let kek = Institution::with_representative(app).await;
    kek.add_authors(app).await;
    let admin = kek.admin.clone();
    core.create_own_list(&format!("other@{DOMAIN}"), "someone@else.org")
        .await;

    let outside = app
        .post(
            "/api/v1/mailing-lists",
            Some(&admin),
            json!({"name": "x", "address": "x@elsewhere.org", "description": "x", "audience": {}}),
        )
        .await;
    assert_eq!(
        outside.body["errors"]["address"][0]["code"], "address.domain",
        "{}",
        outside.text
    );

    let naf = app
        .post(
            "/api/v1/groups",
            Some(&admin),
            json!({"name": "NAF", "description": "Computing", "join_policy": "closed"}),
        )
        .await;
    let naf = naf.body["id"].as_str().unwrap().to_owned();
    let kek_list = define(
        app,
        &admin,
        "b2-kek",
        json!({"institution_ids": [kek.id]}),
        false,
    )
    .await;
    let naf_list = define(app, &admin, "b2-naf", json!({"group_ids": [naf]}), false).await;
    let all_list = define(app, &admin, "b2-all", json!({}), false).await;
    define(app, &admin, "b2-irs", json!({"roles": ["ir"]}), true).await;

    // The dry run before the first sync: the list is created, everyone subscribed.
    let dry = plan(app, &admin, &kek_list).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert_eq!(dry.body["create_list"], true);
    let mut planned: Vec<String> = serde_json::from_value(dry.body["subscribe"].clone()).unwrap();
    planned.sort();
    assert_eq!(planned, audience(app, &admin, &kek_list).await);
    assert!(
        core.subscribers(&format!("b2-kek@{DOMAIN}"))
            .await
            .is_none(),
        "a dry run changes nothing"
    );

    let report = app.run_jobs().await;
    assert_eq!(
        (report.lists_synced, report.lists_failed),
        (4, 0),
        "{report:?}"
    );
    for (name, id) in [
        ("b2-kek", &kek_list),
        ("b2-naf", &naf_list),
        ("b2-all", &all_list),
    ] {
        assert_eq!(
            in_mailman(&core, name).await,
            audience(app, &admin, id).await,
            "{name}"
        );
    }
    assert_eq!(in_mailman(&core, "b2-irs").await, ["irkek@kek.jp"]);
    assert!(
        core.welcomes(&format!("b2-irs@{DOMAIN}")).await
            && !core.welcomes(&format!("b2-all@{DOMAIN}")).await
    );
    assert_eq!(
        in_mailman(&core, "other").await,
        ["someone@else.org"],
        "a list b2mms does not define is not touched"
    );
    let list = app
        .get(&format!("/api/v1/mailing-lists/{kek_list}"), Some(&admin))
        .await;
    assert!(
        list.body["synced_at"].is_string() && list.body.get("sync_error").is_none(),
        "{}",
        list.text
    );
    let dry = plan(app, &admin, &kek_list).await;
    assert_eq!(
        (
            dry.body["create_list"].clone(),
            dry.body["subscribe"].clone(),
            dry.body["unsubscribe"].clone()
        ),
        (json!(false), json!([]), json!([]))
    );

    // A member joins, another joins a group, a physicist moves to KEK, someone is subscribed
    // by hand: one round later Mailman follows the records.
    let newbie = app.seed_person("newbie", &[], kek.id).await;
    let lutz = app.get("/api/v1/members?q=lutz", Some(&admin)).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let added = app
        .post(
            &format!("/api/v1/groups/{naf}/members"),
            Some(&admin),
            json!({"person_id": lutz}),
        )
        .await;
    assert!(added.status.is_success(), "{}", added.text);
    let zimmer = app.get("/api/v1/members?q=zimmer", Some(&admin)).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app
        .post(
            &format!("/api/v1/members/{zimmer}/transfers"),
            Some(&kek.ir_token),
            json!({"institution_id": kek.id, "effective_date": app.day(0)}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.text);
    let approved = app
        .post(
            &format!(
                "/api/v1/transfers/{}/approve",
                moved.body["id"].as_str().unwrap()
            ),
            Some(&kek.ir_token),
            json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    core.subscribe_by_hand(&format!("b2-kek@{DOMAIN}"), "intruder@example.net")
        .await;
    let dry = plan(app, &admin, &kek_list).await;
    assert_eq!(
        dry.body["unsubscribe"],
        json!(["intruder@example.net"]),
        "{}",
        dry.text
    );
    app.run_jobs().await;
    let kek_now = in_mailman(&core, "b2-kek").await;
    assert_eq!(kek_now, audience(app, &admin, &kek_list).await);
    for address in ["newbie@kek.jp", "anton.zimmer@desy.de"] {
        assert!(
            kek_now.contains(&address.to_owned()),
            "{address}: {kek_now:?}"
        );
    }
    assert!(!kek_now.contains(&"intruder@example.net".to_owned()));
    assert_eq!(in_mailman(&core, "b2-naf").await, ["maria.lutz@kek.jp"]);

    // A member leaves; a membership expires.
    let left = app
        .post(
            &format!("/api/v1/members/{}/leave", newbie.id),
            Some(&admin),
            json!({"date": app.day(0)}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.text);
    app.advance(chrono::Duration::days(31));
    app.run_jobs().await;
    let admin = app.sign_in(&kek.admin_person).await;
    let all_now = in_mailman(&core, "b2-all").await;
    assert_eq!(all_now, audience(app, &admin, &all_list).await);
    for gone in ["newbie@kek.jp", "lea.verlassen@desy.de"] {
        assert!(
            !all_now.contains(&gone.to_owned()),
            "{gone} is still subscribed: {all_now:?}"
        );
    }

    // Mailman down: every list records why and waits; the other jobs go on; the dry run says
    // Mailman does not answer. Back up, the lists catch up after their pause.
    core.stop_server().await;
    app.seed_person("late", &[], kek.id).await;
    let report = app.run_jobs().await;
    assert_eq!(
        (report.lists_synced, report.lists_failed, report.errors),
        (0, 4, 0),
        "{report:?}"
    );
    let list = app
        .get(&format!("/api/v1/mailing-lists/{kek_list}"), Some(&admin))
        .await;
    assert!(
        list.body["sync_error"]
            .as_str()
            .unwrap()
            .contains("Mailman"),
        "{}",
        list.text
    );
    assert_eq!(list.body["sync_failures"], 1);
    plan(app, &admin, &kek_list)
        .await
        .assert_problem(502, "mailman_unavailable");
    core.start_server().await;
    let report = app.run_jobs().await;
    assert_eq!(
        report.lists_synced, 0,
        "each list waits its pause: {report:?}"
    );
    app.advance(chrono::Duration::seconds(31));
    let report = app.run_jobs().await;
    assert_eq!(
        (report.lists_synced, report.lists_failed),
        (4, 0),
        "{report:?}"
    );
    assert!(
        in_mailman(&core, "b2-kek")
            .await
            .contains(&"late@kek.jp".to_owned())
    );
    let list = app
        .get(&format!("/api/v1/mailing-lists/{kek_list}"), Some(&admin))
        .await;
    assert!(
        list.body.get("sync_error").is_none() && list.body["sync_failures"] == 0,
        "{}",
        list.text
    );

    // An instance that claimed a list and crashed before recording its sync: no other round
    // syncs that list until the claim's lease runs out; then the next one does.
    let claimed = b2mms_shared::MailingListId::from(uuid::Uuid::parse_str(&kek_list).unwrap());
    let now = b2mms::store::to_db_time(app.state.clock.now());
    let until = now + chrono::Duration::seconds(20);
    let taken = app
        .state
        .db
        .write(move |conn| b2mms::store::mailing_lists::claim(conn, &claimed, now, until))
        .await
        .unwrap();
    assert!(taken);
    app.seed_person("crash", &[], kek.id).await;
    let report = app.run_jobs().await;
    assert_eq!(
        (report.lists_synced, report.lists_failed),
        (3, 0),
        "{report:?}"
    );
    assert!(
        !in_mailman(&core, "b2-kek")
            .await
            .contains(&"crash@kek.jp".to_owned())
    );
    app.advance(chrono::Duration::seconds(21));
    let report = app.run_jobs().await;
    assert_eq!(
        (report.lists_synced, report.lists_failed),
        (4, 0),
        "{report:?}"
    );
    assert!(
        in_mailman(&core, "b2-kek")
            .await
            .contains(&"crash@kek.jp".to_owned())
    );

    // A list no longer defined is left as it is in Mailman.
    let before = in_mailman(&core, "b2-naf").await;
    app.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/mailing-lists/{naf_list}"),
        Some(&admin),
        None,
    )
    .await;
    app.post(
        &format!("/api/v1/groups/{naf}/members"),
        Some(&admin),
        json!({"person_id": zimmer}),
    )
    .await;
    app.run_jobs().await;
    assert_eq!(in_mailman(&core, "b2-naf").await, before);
    assert_eq!(in_mailman(&core, "other").await, ["someone@else.org"]);
    owned.shutdown().await;
}

#[actix_web::test]
async fn lists_follow_the_records_sqlite() {
    lists_follow_the_records(Backend::Sqlite).await;
}

#[actix_web::test]
async fn lists_follow_the_records_postgres() {
    lists_follow_the_records(Backend::Postgres).await;
}

/// Without Mailman nothing is synced and the dry run says why.
#[actix_web::test]
async fn without_mailman_the_dry_run_says_nothing_is_synced() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let kek = Institution::with_representative(&app).await;
    let id = define(&app, &kek.admin, "b2-all", json!({}), false).await;
    let report = app.run_jobs().await;
    assert_eq!((report.lists_synced, report.lists_failed), (0, 0));
    plan(&app, &kek.admin, &id)
        .await
        .assert_problem(409, "mailman_not_configured");
    plan(&app, &kek.ir_token, &id)
        .await
        .assert_problem(403, "forbidden");
    app.shutdown().await;
}
