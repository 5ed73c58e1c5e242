//! Bulk import: a file is checked whole and every bad row reported with its line before
//! anything is written; applying writes people, periods and groups once, and again changes
//! nothing, and an import killed midway keeps whole batches and is finished by running it
//! again; the set-password links go out when an administrator sends them, and work.

use std::process::Command;

use b2mms_tests::process::binary;
use b2mms_tests::{Backend, Reply, StatusCode, TestApp, on_both_databases};
use serde_json::{Value, json};

const HEADER: &str = "account_name,given_name,middle_name,family_name,email,orcid,category,institution,membership_start,membership_end,groups\n";

async fn upload(app: &TestApp, token: Option<&str>, query: &str, csv: &str) -> Reply {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/members/import{query}")))
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv.to_owned());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Reply::from(request.send().await.unwrap()).await
}

fn problems(report: &Value) -> Vec<(u64, String, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn directory_total(app: &TestApp, admin: &str) -> u64 {
    let listed = app.get("/api/v1/members?per_page=1", Some(admin)).await;
    listed.body["total"].as_u64().unwrap()
}

fn link_token(body: &str) -> String {
    let start = body.find("token=").expect("a link") + "token=".len();
    body[start..].split_whitespace().next().unwrap().to_owned()
}

on_both_databases! {
    async fn every_bad_row_is_reported_and_nothing_is_written(app: TestApp) {
        let (admin_person, admin) = app.admin().await;
        app.seed_institution("KEK").await;
        let before = directory_total(app, &admin).await;
        let end = app.day(400);
        let csv = format!(
            "{HEADER}\
             tkato,Taro,,Kato,taro.kato@kek.jp,,physicist_permanent,KEK,,{end},\n\
             ab,anna,,Smith,anna@gmail.com,,postdoc,NOPE,{future},2020-01-01,Nope\n\
             tkato,Toru,,Kato,toru.kato@kek.jp,,student,KEK,,,\n\
             hsato,Hana,,Sato,{admin}@kek.jp,0000-0002-1825-0097,student,KEK,31.12.2024,,\n\
             short,Only,Two\n",
            future = app.day(3),
            admin = admin_person.account,
        );
        let dry = upload(app, Some(&admin), "", &csv).await;
        assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
        assert_eq!(dry.body["applied"], false);
        assert_eq!(dry.body["rows"], 5);
        let found = problems(&dry.body);
        for expected in [
            (3, "account_name", "account_name.too_short"),
            (3, "email", "email.personal_provider"),
            (3, "given_name", "name.no_capital"),
            (3, "category", "field.not_allowed"),
            (3, "institution", "institution.unknown"),
            (3, "membership_start", "membership_start.future"),
            (3, "membership_end", "membership_end.past"),
            (3, "groups", "group.unknown"),
            (4, "account_name", "import.repeated"),
            (5, "membership_start", "field.wrong_type"),
            (6, "", "csv.cell_count"),
        ] {
            assert!(
                found.contains(&(expected.0, expected.1.to_owned(), expected.2.to_owned())),
                "{expected:?} missing from {found:?}"
            );
        }
        // Applying a file with problems is refused whole, each problem named by line and column.
        let refused = upload(app, Some(&admin), "?apply=true", &csv).await;
        refused.assert_problem(422, "validation_failed");
        assert!(refused.body["errors"]["lines[3].email"].is_array(), "{}", refused.text);
        assert!(refused.body["errors"]["lines[6]"].is_array(), "{}", refused.text);
        assert_eq!(directory_total(app, &admin).await, before, "nothing written");

        // The address of an existing person is refused (never register twice).
        let clash = format!("{HEADER}hsato,Hana,,Sato,{}@kek.jp,,student,KEK,,,\n", admin_person.account);
        let found = problems(&upload(app, Some(&admin), "", &clash).await.body);
        assert_eq!(found, [(2, "email".to_owned(), "email_taken".to_owned())]);
        // An account name someone else holds is refused.
        let taken = format!("{HEADER}{},Hana,,Sato,hana.sato@kek.jp,,student,KEK,,,\n", admin_person.account);
        let found = problems(&upload(app, Some(&admin), "", &taken).await.body);
        assert_eq!(found, [(2, "account_name".to_owned(), "account_name_taken".to_owned())]);

        // A header without the required columns, or with one b2mms does not read, or no
        // people: not an import file at all, refused even in a dry run.
        let refused = upload(app, Some(&admin), "", "account_name,given_name,nickname\nx,y,z\n").await;
        refused.assert_problem(422, "validation_failed");
        assert!(refused.body["errors"]["lines[1].nickname"].is_array(), "{}", refused.text);
        assert!(refused.body["errors"]["lines[1].email"].is_array(), "{}", refused.text);
        let refused = upload(app, Some(&admin), "", HEADER).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.body["errors"]["lines[1]"][0]["code"], "import.empty", "{}", refused.text);
    }

    async fn only_administrators_import_and_only_csv(app: TestApp) {
        let kek = b2mms_tests::fixtures::Institution::with_representative(app).await;
        let csv = format!("{HEADER}tkato,Taro,,Kato,taro.kato@kek.jp,,student,KEK,,,\n");
        upload(app, None, "", &csv).await.assert_problem(401, "missing_token");
        upload(app, Some(&kek.ir_token), "?apply=true", &csv).await.assert_problem(403, "forbidden");
        let as_json = app.post("/api/v1/members/import", Some(&kek.admin), json!({"rows": []})).await;
        as_json.assert_problem(415, "unsupported_media_type");
        assert!(as_json.body["detail"].as_str().unwrap().contains("text/csv"));
        upload(app, Some(&kek.admin), "", "  \n").await.assert_problem(400, "import_empty");
        upload(app, Some(&kek.admin), "?apply=maybe", &csv).await.assert_problem(400, "invalid_query");
        app.post("/api/v1/members/set-password-mails", Some(&kek.ir_token), json!({}))
            .await
            .assert_problem(403, "forbidden");
    }

    async fn an_import_writes_people_once_and_their_links_work(app: TestApp) {
        let (_, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let naf = app
            .post("/api/v1/groups", Some(&admin), json!({"name": "NAF", "description": "Computing", "join_policy": "approval"}))
            .await;
        assert_eq!(naf.status, StatusCode::CREATED, "{}", naf.text);
        let naf = naf.body["id"].as_str().unwrap().to_owned();
        let before = directory_total(app, &admin).await;
        let end = app.day(500);
        let csv = format!(
            "\u{feff}{HEADER}\
             tkato,Taro,,Kato,taro.kato@kek.jp,0000-0002-1825-0097,physicist_permanent,kek,2024-04-01,{end},NAF;collaboration\n\
             \n\
             jmueller,Jana,Maria,Müller,jana.mueller@kek.jp,,phd_student,KEK,,,\n\
             \"hsato\",\" Hana \",,Sato,Hana.Sato@KEK.jp,,student,KEK,,,naf\n"
        );
        let dry = upload(app, Some(&admin), "", &csv).await;
        assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
        assert_eq!((dry.body["rows"].as_u64(), dry.body["new_people"].as_u64(), dry.body["applied"].as_bool()), (Some(3), Some(3), Some(false)), "{}", dry.text);
        assert_eq!(directory_total(app, &admin).await, before, "a dry run writes nothing");

        let applied = upload(app, Some(&admin), "?apply=true", &csv).await;
        assert_eq!(applied.status, StatusCode::OK, "{}", applied.text);
        assert_eq!(applied.body["applied"], true);
        assert_eq!(applied.body["new_people"], 3);
        assert_eq!(applied.body["mails_queued"], 0, "links wait for the administrator");
        assert_eq!(directory_total(app, &admin).await, before + 3);

        let found = app.get("/api/v1/members?q=kato", Some(&admin)).await;
        let taro = &found.body["items"][0];
        assert_eq!(taro["account_name"], "tkato", "{}", found.text);
        assert_eq!(taro["category"], "physicist_permanent");
        assert_eq!(taro["institution_id"], kek.to_string());
        assert_eq!(taro["membership_end"], end);
        let id = taro["id"].as_str().unwrap().to_owned();
        let periods = app.get(&format!("/api/v1/members/{id}/affiliations"), Some(&admin)).await;
        assert_eq!(periods.body[0]["start_date"], "2024-04-01", "{}", periods.text);
        let record = app.get(&format!("/api/v1/members/{id}"), Some(&admin)).await;
        assert_eq!(record.body["orcid"], "0000-0002-1825-0097", "{}", record.text);
        let members = app.get(&format!("/api/v1/groups/{naf}/members"), Some(&admin)).await;
        let mut in_naf: Vec<&str> = members.body["items"].as_array().unwrap().iter().map(|m| m["person"]["account_name"].as_str().unwrap()).collect();
        in_naf.sort_unstable();
        assert_eq!(in_naf, ["hsato", "tkato"], "{}", members.text);
        let hana = app.get("/api/v1/members?q=hsato", Some(&admin)).await;
        assert_eq!(hana.body["items"][0]["given_name"], "Hana", "cells are trimmed");
        let audit = app.get(&format!("/api/v1/audit?subject_id={id}"), Some(&admin)).await;
        assert_eq!(audit.body["total"], 1, "{}", audit.text);
        assert_eq!(audit.body["items"][0]["action"], "person.created");

        // The same file again changes nothing.
        let again = upload(app, Some(&admin), "?apply=true", &csv).await;
        assert_eq!((again.body["new_people"].as_u64(), again.body["existing_people"].as_u64()), (Some(0), Some(3)), "{}", again.text);
        assert_eq!(directory_total(app, &admin).await, before + 3);
        let audit = app.get(&format!("/api/v1/audit?subject_id={id}"), Some(&admin)).await;
        assert_eq!(audit.body["total"], 1);

        // No password yet: nothing signs in, and no expiry reminder is sent for a password
        // nobody has.
        let login = app.post("/api/v1/auth/login", None, json!({"account": "tkato", "password": "Violet-Harbour-Lamp-73"})).await;
        login.assert_problem(401, "invalid_credentials");
        app.advance(chrono::Duration::days(170));
        app.run_jobs().await;
        assert!(app.mail.to("taro.kato@kek.jp").is_empty(), "no mail before the administrator sends the links");
        app.advance(chrono::Duration::days(-170));

        // The administrator sends the links; each person is mailed once.
        let sent = app.post("/api/v1/members/set-password-mails", Some(&admin), json!({})).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
        assert_eq!(sent.body["queued"], 3);
        let again = app.post("/api/v1/members/set-password-mails", Some(&admin), json!({})).await;
        assert_eq!((again.body["queued"].as_u64(), again.body["mailed_before"].as_u64()), (Some(0), Some(3)));
        app.run_jobs().await;
        let mails = app.mail.to("taro.kato@kek.jp");
        assert_eq!(mails.len(), 1);
        assert!(mails[0].body.contains("https://b2mms.test/reset-password?token="), "{}", mails[0].body);
        assert!(mails[0].body.contains("tkato"));
        // The link works for days, not just an hour.
        app.advance(chrono::Duration::days(3));
        let token = link_token(&mails[0].body);
        let set = app
            .post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "new_password": "Fresh-Copper-Valley-36"}))
            .await;
        assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.text);
        let login = app.post("/api/v1/auth/login", None, json!({"account": "tkato", "password": "Fresh-Copper-Valley-36"})).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        assert_eq!(login.body["must_change_password"], false);
        // A link expires with the invitation period.
        let hana = app.mail.to("hana.sato@kek.jp");
        app.advance(chrono::Duration::days(15));
        app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": link_token(&hana[0].body), "new_password": "Fresh-Copper-Valley-37"}))
            .await
            .assert_problem(400, "invalid_reset_token");
    }
}

fn import_command(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(binary())
        .arg("import")
        .args(args)
        .env_clear()
        .env("B2MMS_DATABASE_URL", database_url)
        .output()
        .expect("b2mms import runs")
}

#[actix_web::test]
async fn the_command_line_checks_first_and_writes_with_apply() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, admin) = app.admin().await;
    app.seed_institution("KEK").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("members.csv");
    std::fs::write(
        &file,
        format!("{HEADER}tkato,Taro,,Kato,taro.kato@kek.jp,,student,KEK,,,\nxx,Y,,Z,y@gmail.com,,student,KEK,,,\n"),
    )
    .unwrap();
    let path = file.to_str().unwrap().to_owned();
    let url = app.database_url.clone();
    let bad = {
        let (url, path) = (url.clone(), path.clone());
        tokio::task::spawn_blocking(move || import_command(&url, &["--apply", &path]))
            .await
            .unwrap()
    };
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(stderr.contains("line 3 account_name:"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");

    std::fs::write(
        &file,
        format!("{HEADER}tkato,Taro,,Kato,taro.kato@kek.jp,,student,KEK,,,\n"),
    )
    .unwrap();
    let before = directory_total(&app, &admin).await;
    let checked = {
        let (url, path) = (url.clone(), path.clone());
        tokio::task::spawn_blocking(move || import_command(&url, &[&path]))
            .await
            .unwrap()
    };
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(String::from_utf8_lossy(&checked.stdout).contains("1 new people"));
    assert_eq!(
        directory_total(&app, &admin).await,
        before,
        "without --apply nothing is written"
    );
    let applied =
        tokio::task::spawn_blocking(move || import_command(&url, &["--apply", "--mail", &path]))
            .await
            .unwrap();
    let stdout = String::from_utf8_lossy(&applied.stdout);
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert!(stdout.contains("1 set-password mails queued"), "{stdout}");
    // What another process wrote shows in the directory's total within a second.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(directory_total(&app, &admin).await, before + 1);
    app.run_jobs().await;
    assert_eq!(app.mail.to("taro.kato@kek.jp").len(), 1);
    app.shutdown().await;
}

/// `impaaaaa`, `impaaaab`, …: account names are letters, at most eight.
fn account_name(mut n: usize) -> String {
    let mut letters = [b'a'; 5];
    for letter in letters.iter_mut().rev() {
        *letter = b'a' + (n % 26) as u8;
        n /= 26;
    }
    format!("imp{}", String::from_utf8_lossy(&letters))
}

/// (people, membership periods, main-group memberships, audit events) of the imported.
async fn imported(app: &TestApp) -> [i64; 4] {
    use b2mms::store::schema::{affiliations, audit_events, group_members, persons};
    use diesel::prelude::*;
    app.state
        .db
        .run(|conn| {
            let ids = || {
                persons::table
                    .filter(persons::email.like("%@import.example.org"))
                    .select(persons::id)
            };
            let people: i64 = persons::table
                .filter(persons::email.like("%@import.example.org"))
                .count()
                .get_result(conn)?;
            let periods: i64 = affiliations::table
                .filter(affiliations::person_id.eq_any(ids()))
                .count()
                .get_result(conn)?;
            let groups: i64 = group_members::table
                .filter(group_members::person_id.eq_any(ids()))
                .count()
                .get_result(conn)?;
            let events: i64 = audit_events::table
                .filter(audit_events::subject_id.eq_any(ids()))
                .count()
                .get_result(conn)?;
            Ok([people, periods, groups, events])
        })
        .await
        .unwrap()
}

async fn an_import_killed_midway_is_finished_by_running_it_again(backend: Backend) {
    const PEOPLE: usize = 30_000;
    let app = TestApp::spawn(backend).await;
    app.seed_institution("KEK").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("members.csv");
    let mut csv = String::from(HEADER);
    for n in 0..PEOPLE {
        csv.push_str(&format!(
            "{},Anna,,Weber,anna.weber.{n}@import.example.org,,phd_student,KEK,,,\n",
            account_name(n)
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let mut child = Command::new(binary())
        .args(["import", "--apply"])
        .arg(&file)
        .env_clear()
        .env("B2MMS_DATABASE_URL", &app.database_url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed as soon as the first batch is stored.
    let started = std::time::Instant::now();
    while imported(&app).await[0] == 0 && started.elapsed().as_secs() < 120 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let stored = imported(&app).await;
    assert!(stored[0] > 0, "the import stored nothing in two minutes");
    let [people, periods, groups, events] = stored;
    assert!(people < PEOPLE as i64, "killed before the end: {stored:?}");
    assert_eq!(
        people % 1000,
        0,
        "a batch is stored whole or not at all: {stored:?}"
    );
    assert_eq!([periods, groups, events], [people; 3], "each person whole");

    let (url, path) = (app.database_url.clone(), file.to_str().unwrap().to_owned());
    let again = tokio::task::spawn_blocking(move || import_command(&url, &["--apply", &path]))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "{} new people, {people} already present",
            PEOPLE as i64 - people
        )),
        "{stdout}"
    );
    assert_eq!(
        imported(&app).await,
        [PEOPLE as i64; 4],
        "everyone exactly once"
    );
    app.shutdown().await;
}

#[actix_web::test]
async fn an_import_killed_midway_is_finished_by_running_it_again_sqlite() {
    an_import_killed_midway_is_finished_by_running_it_again(Backend::Sqlite).await;
}

#[actix_web::test]
async fn an_import_killed_midway_is_finished_by_running_it_again_postgres() {
    an_import_killed_midway_is_finished_by_running_it_again(Backend::Postgres).await;
}
