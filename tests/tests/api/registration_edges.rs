//! Registration under stress: duplicates, races, a mail server that is down, a registry that
//! fails, and requests nobody decides.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::registry::FakeRegistry;
use b2mms_tests::{Backend, StatusCode, TestApp, on_both_databases};
use serde_json::{Value, json};

/// An admin's token, the institution "KEK" and its IR's token.
async fn setup(app: &TestApp) -> (String, uuid::Uuid, String) {
    let kek = Institution::with_representative(app).await;
    (kek.admin, kek.id, kek.ir_token)
}

async fn open(app: &TestApp, ir: &str, institution: uuid::Uuid, email: &str) -> (String, String) {
    b2mms_tests::fixtures::open_request(app, ir, institution, email).await
}

fn form(institution: uuid::Uuid, given: &str, family: &str, email: &str, account: &str) -> Value {
    json!({
        "given_name": given,
        "family_name": family,
        "email": email,
        "account_name": account,
        "initial_password": "Violet-Harbour-Lamp-73",
        "institution_id": institution,
        "category": "physicist_temporary"
    })
}

on_both_databases! {
    async fn never_register_twice(app: TestApp) {
        let (admin, kek, ir) = setup(app).await;
        // Toru Iijima is already a member (of another institution).
        let nagoya = app.seed_institution("Nagoya").await;
        let existing = app
            .post(
                "/api/v1/members",
                Some(&admin),
                json!({"given_name": "Toru", "family_name": "Iijima", "email": "iijima@nagoya-u.jp", "account_name": "tiijima",
                       "initial_password": "Belle-Two-Rocks-9", "institution_id": nagoya, "category": "physicist_permanent"}),
            )
            .await;
        assert_eq!(existing.status, StatusCode::CREATED, "{}", existing.text);
        let existing_id = existing.body["id"].as_str().unwrap().to_owned();

        // Same email: refused, saying whom to ask.
        let (token, id) = open(app, &ir, kek, "iijima@nagoya-u.jp").await;
        let twice = app
            .post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form(kek, "Toru", "Iijima", "iijima@nagoya-u.jp", "toru"))
            .await;
        twice.assert_problem(409, "duplicate_person");
        assert!(twice.body["detail"].as_str().unwrap().contains("Nagoya"), "{}", twice.text);
        assert!(twice.body["detail"].as_str().unwrap().contains("representative"), "{}", twice.text);

        // Only resembling (same family name, same initial): accepted, shown to the IR only.
        let (token, id) = open(app, &ir, kek, "t.iijima@kek.jp").await;
        let similar = app
            .post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form(kek, "Tōru", "Iijima", "t.iijima@kek.jp", "tiijima2"))
            .await;
        assert_eq!(similar.status, StatusCode::OK, "{}", similar.text);
        assert_eq!(similar.body["registration"]["possible_duplicates"], json!([]), "not shown to the applicant");
        let seen = app.get(&format!("/api/v1/registrations/{id}"), Some(&ir)).await;
        let matches = seen.body["possible_duplicates"].as_array().unwrap();
        assert_eq!(matches.len(), 1, "{}", seen.text);
        assert_eq!(matches[0]["person_id"], existing_id.as_str());
        assert_eq!(matches[0]["institution_short_name"], "Nagoya");

        // The IR links it: the existing record is reactivated and moved, not duplicated.
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&ir), json!({"link_person_id": uuid::Uuid::new_v4()}))
            .await
            .assert_problem(422, "validation_failed");
        let linked = app
            .post(&format!("/api/v1/registrations/{id}/approve"), Some(&ir), json!({"link_person_id": existing_id}))
            .await;
        assert_eq!(linked.status, StatusCode::OK, "{}", linked.text);
        assert_eq!(linked.body["link_person_id"], existing_id.as_str());
        assert_eq!(app.run_jobs().await.provisioned, 1);
        let done = app.get(&format!("/api/v1/registrations/{id}"), Some(&ir)).await;
        assert_eq!(done.body["person_id"], existing_id.as_str());
        let person = app.get(&format!("/api/v1/members/{existing_id}"), Some(&admin)).await;
        assert_eq!(person.body["institution_short_name"], "KEK");
        assert_eq!(person.body["account_name"], "tiijima", "the account keeps its name");
        assert_eq!(person.body["category"], "physicist_temporary");
        // The name the request had reserved is free again; the initial password works.
        let login = app.post("/api/v1/auth/login", None, json!({"account": "tiijima", "password": "Violet-Harbour-Lamp-73"})).await;
        assert_eq!(login.body["must_change_password"], true, "{}", login.text);
        let (token, id) = open(app, &ir, kek, "other@kek.jp").await;
        let reuse = app
            .post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form(kek, "Other", "Person", "other@kek.jp", "tiijima2"))
            .await;
        assert_eq!(reuse.status, StatusCode::OK, "{}", reuse.text);
    }

    async fn two_applicants_taking_one_account_name_leave_one_winner(app: TestApp) {
        let (_, kek, ir) = setup(app).await;
        let mut applicants = Vec::new();
        for i in 0..5 {
            applicants.push(open(app, &ir, kek, &format!("racer{i}@kek.jp")).await);
        }
        let attempts = applicants.iter().enumerate().map(|(i, (token, id))| {
            let body = form(kek, "Race", &format!("Runner{}", "abcde".chars().nth(i).unwrap()), &format!("racer{i}@kek.jp"), "speedy");
            async move { app.post(&format!("/api/v1/registrations/{id}/submit"), Some(token), body).await }
        });
        let replies = futures_util::future::join_all(attempts).await;
        let winners = replies.iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(winners, 1, "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
        for r in replies.iter().filter(|r| r.status != StatusCode::OK) {
            r.assert_problem(409, "account_name_taken");
        }
        let waiting = app.get("/api/v1/registrations?state=awaiting_ir", Some(&ir)).await;
        assert_eq!(waiting.body["total"], 1, "the losers stay unsubmitted");
    }

    async fn two_irs_approving_at_once_leave_one_winner(app: TestApp) {
        let (admin, kek, ir) = setup(app).await;
        let deputy = app.seed_person("deputy", &[], kek).await;
        app.post(&format!("/api/v1/institutions/{kek}/representatives"), Some(&admin), json!({"person_id": deputy.id})).await;
        let deputy = app.sign_in_fresh(&deputy).await;
        let (token, id) = open(app, &ir, kek, "popular@kek.jp").await;
        let submitted = app
            .post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form(kek, "Pop", "Ular", "popular@kek.jp", "popular"))
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
        let path = format!("/api/v1/registrations/{id}/approve");
        let tokens = [ir.clone(), deputy.clone(), ir.clone(), deputy.clone(), admin.clone()];
        let replies = futures_util::future::join_all(tokens.iter().map(|t| app.post(&path, Some(t), json!({})))).await;
        let winners = replies.iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(winners, 1, "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
        for r in replies.iter().filter(|r| r.status != StatusCode::OK) {
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        }
        let done = app.get(&format!("/api/v1/registrations/{id}"), Some(&ir)).await;
        let approvals = done.body["history"].as_array().unwrap().iter().filter(|e| e["action"] == "registration.ir_approved").count();
        assert_eq!(approvals, 1, "one decision recorded");
        assert_eq!(app.run_jobs().await.provisioned, 1);
        assert_eq!(app.run_jobs().await.provisioned, 0, "provisioned once");
    }

    async fn a_mail_outage_loses_nothing(app: TestApp) {
        let (_, kek, ir) = setup(app).await;
        app.run_jobs().await;
        let before = app.mail.messages().len();
        // The mail server goes down; work goes on.
        let sink = &app.mail;
        sink.stop();
        let (token, id) = open(app, &ir, kek, "patient@kek.jp").await;
        let submitted = app
            .post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form(kek, "Pat", "Ient", "patient@kek.jp", "patient"))
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
        let approved = app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&ir), json!({})).await;
        assert_eq!(approved.body["state"], "approved");
        let report = app.run_jobs().await;
        assert_eq!(report.provisioned, 1, "provisioning does not wait for mail");
        assert!(report.mail_failed >= 3, "{report:?}");
        assert_eq!(report.mail_sent, 0);
        // It comes back: after the backoff everything is delivered, once.
        sink.restart().await;
        app.advance(chrono::Duration::minutes(10));
        let report = app.run_jobs().await;
        assert_eq!(report.mail_failed, 0, "{report:?}");
        let after = sink.messages();
        assert_eq!(after.len() - before, report.mail_sent);
        let to_applicant: Vec<String> = sink.to("patient@kek.jp").into_iter().map(|m| m.subject).collect();
        assert!(to_applicant.iter().any(|s| s.contains("Invitation")), "{to_applicant:?}");
        assert!(to_applicant.iter().any(|s| s.contains("approved")), "{to_applicant:?}");
        assert!(to_applicant.iter().any(|s| s.contains("ready")), "{to_applicant:?}");
        assert_eq!(app.run_jobs().await.mail_sent, 0, "nothing twice");
    }

    async fn reminders_after_two_and_five_working_days(app: TestApp) {
        let (_, kek, ir) = setup(app).await;
        let (token, id) = open(app, &ir, kek, "waiting@kek.jp").await;
        app.post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form(kek, "Wait", "Ing", "waiting@kek.jp", "waiting"))
            .await;
        app.run_jobs().await;
        let count = |subject: &str, to: &str| app.mail.to(to).iter().filter(|m| m.subject.contains(subject)).count();
        assert_eq!(app.run_jobs().await.reminders, 0);
        // Whatever weekday today is, a calendar week holds five working days.
        app.advance(chrono::Duration::days(4) + chrono::Duration::hours(1));
        app.run_jobs().await;
        assert_eq!(count("Reminder", "irkek@kek.jp"), 1, "{:?}", app.mail.to("irkek@kek.jp"));
        app.advance(chrono::Duration::days(4));
        app.run_jobs().await;
        assert_eq!(count("stuck", "boss@kek.jp"), 1, "{:?}", app.mail.to("boss@kek.jp"));
        app.advance(chrono::Duration::days(7));
        app.run_jobs().await;
        assert_eq!(count("Reminder", "irkek@kek.jp"), 1, "each reminder once");
        assert_eq!(count("stuck", "boss@kek.jp"), 1);
    }
}

#[actix_web::test]
async fn the_external_registry_is_retried_until_it_confirms() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let registry = FakeRegistry::start(3);
        let url = registry.url.clone();
        let app = TestApp::spawn_with(backend, move |c| {
            c.registry_url = Some(url);
            c.registry_token = Some("registry-secret".into());
        })
        .await;
        let (_, kek, mut ir) = setup(&app).await;
        let ir_person = b2mms_tests::Seeded {
            id: String::new(),
            account: "irkek".into(),
            password: String::new(),
        };
        let (token, id) = open(&app, &ir, kek, "pushed@kek.jp").await;
        app.post(
            &format!("/api/v1/registrations/{id}/submit"),
            Some(&token),
            form(kek, "Push", "Ed", "pushed@kek.jp", "pushed"),
        )
        .await;
        app.post(
            &format!("/api/v1/registrations/{id}/approve"),
            Some(&ir),
            json!({}),
        )
        .await;
        for attempt in 1..=3 {
            ir = app.sign_in(&ir_person).await;
            let report = app.run_jobs().await;
            assert_eq!(
                report.provisioning_failed, 1,
                "attempt {attempt}: {report:?}"
            );
            let state = app
                .get(&format!("/api/v1/registrations/{id}"), Some(&ir))
                .await;
            assert_eq!(
                state.body["state"], "approved",
                "stays approved until the registry confirms"
            );
            // Not retried before its backoff ends.
            assert_eq!(app.run_jobs().await.provisioning_failed, 0);
            app.advance(chrono::Duration::minutes(10));
        }
        assert_eq!(registry.calls(), 3);
        let ir = app.sign_in(&ir_person).await;
        let report = app.run_jobs().await;
        assert_eq!(report.provisioned, 1, "{report:?}");
        assert_eq!(registry.calls(), 4);
        let pushed = registry.accepted();
        assert_eq!(pushed[0]["account_name"], "pushed");
        assert!(
            pushed[0]["password_hash"]
                .as_str()
                .unwrap()
                .starts_with("$argon2id$"),
            "only the hash leaves"
        );
        let done = app
            .get(&format!("/api/v1/registrations/{id}"), Some(&ir))
            .await;
        assert_eq!(done.body["state"], "provisioned");
        app.shutdown().await;
    }
}

on_both_databases! {
    async fn an_existing_account_is_reactivated_not_duplicated(app: TestApp) {
        let (admin, kek, ir) = setup(app).await;
        let former = app
            .post(
                "/api/v1/members",
                Some(&admin),
                json!({"given_name": "Rita", "family_name": "Former", "email": "rita@old-lab.org", "account_name": "rformer",
                       "initial_password": "Belle-Two-Rocks-9", "institution_id": kek, "category": "student"}),
            )
            .await;
        let former_id = former.body["id"].as_str().unwrap().to_owned();
        let (token, id) = open(app, &ir, kek, "rita.former@kek.jp").await;
        let mut body = form(kek, "Rita", "Former", "rita.former@kek.jp", "rformer");
        body["existing_account"] = json!("RFormer");
        let submitted = app.post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), body.clone()).await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
        assert_eq!(submitted.body["registration"]["existing_account"], "rformer");
        let unknown = {
            let (token, id) = open(app, &ir, kek, "nobody@kek.jp").await;
            let mut body = form(kek, "No", "Body", "nobody@kek.jp", "ghost");
            body["existing_account"] = json!("ghost");
            app.post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), body).await
        };
        unknown.assert_problem(422, "validation_failed");
        assert_eq!(unknown.body["errors"]["existing_account"][0]["code"], "existing_account.unknown");

        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&ir), json!({})).await;
        assert_eq!(app.run_jobs().await.provisioned, 1);
        let done = app.get(&format!("/api/v1/registrations/{id}"), Some(&ir)).await;
        assert_eq!(done.body["person_id"], former_id.as_str(), "the same person");
        let person = app.get(&format!("/api/v1/members/{former_id}"), Some(&admin)).await;
        assert_eq!(person.body["account_name"], "rformer");
        assert_eq!(person.body["category"], "physicist_temporary");
        let login = app.post("/api/v1/auth/login", None, json!({"account": "rformer", "password": "Violet-Harbour-Lamp-73"})).await;
        assert_eq!(login.body["must_change_password"], true, "{}", login.text);
    }
}

on_both_databases! {
    async fn account_names_can_be_checked_while_typing(app: TestApp) {
        let (_, kek, ir) = setup(app).await;
        let free = app.get("/api/v1/account-names/NewName", None).await;
        assert_eq!(free.status, StatusCode::OK);
        assert_eq!(free.body, json!({"name": "newname", "available": true, "violations": []}));
        let taken = app.get("/api/v1/account-names/irkek", None).await;
        assert_eq!(taken.body["available"], false);
        assert_eq!(taken.body["violations"][0]["code"], "account_name.taken");
        assert!(!taken.text.contains("KEK") && !taken.text.contains("Irkek"), "never says by whom: {}", taken.text);
        let invalid = app.get("/api/v1/account-names/root", None).await;
        assert_eq!(invalid.body["violations"][0]["code"], "account_name.reserved");
        // Reserved by an open request counts as taken too.
        let (token, id) = open(app, &ir, kek, "res@kek.jp").await;
        app.post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form(kek, "Re", "Served", "res@kek.jp", "reservd")).await;
        assert_eq!(app.get("/api/v1/account-names/reservd", None).await.body["available"], false);
    }
}
