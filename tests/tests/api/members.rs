//! People: direct creation, roles, records and the audit trail.

use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::{Value, json};

fn new_member(institution: uuid::Uuid, account: &str, email: &str) -> Value {
    json!({
        "given_name": "Toru",
        "family_name": "Iijima",
        "email": email,
        "account_name": account,
        "initial_password": "Belle-Two-Rocks-9",
        "institution_id": institution,
        "category": "physicist_permanent"
    })
}

on_both_databases! {
    async fn admins_create_members_who_must_change_their_password(app: TestApp) {
        let (_, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let created = app
            .post("/api/v1/members", Some(&admin), new_member(kek, "TIijima", "Toru.Iijima@kek.jp"))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.body["account_name"], "tiijima");
        assert_eq!(created.body["email"], "toru.iijima@kek.jp");
        assert_eq!(created.body["institution_short_name"], "KEK");
        assert_eq!(created.body["status"], "active");
        assert_eq!(created.body["account_status"], "active");
        assert!(created.body["membership_start"].is_string());
        assert_eq!(created.body["groups"], json!(["collaboration"]), "created people are in the main group as registered ones are");
        assert!(!created.text.contains("Belle-Two-Rocks-9"), "no password in responses");

        let login = app
            .post("/api/v1/auth/login", None, json!({"account": "tiijima", "password": "Belle-Two-Rocks-9"}))
            .await;
        assert_eq!(login.body["must_change_password"], true);

        // Every rule broken is reported; nothing is written.
        let bad = app
            .post(
                "/api/v1/members",
                Some(&admin),
                json!({
                    "given_name": "<script>",
                    "family_name": "",
                    "email": "no-at-sign",
                    "account_name": "root",
                    "initial_password": "short",
                    "institution_id": kek,
                    "category": "student"
                }),
            )
            .await;
        bad.assert_problem(422, "validation_failed");
        let errors = bad.body["errors"].as_object().unwrap();
        for field in ["given_name", "family_name", "email", "account_name", "initial_password"] {
            assert!(errors.contains_key(field), "{field}: {}", bad.text);
        }
        assert_eq!(errors["account_name"][0]["code"], "account_name.reserved");

        let unknown_institution = app
            .post("/api/v1/members", Some(&admin), new_member(uuid::Uuid::new_v4(), "other", "o@kek.jp"))
            .await;
        unknown_institution.assert_problem(422, "validation_failed");
        assert_eq!(unknown_institution.body["errors"]["institution_id"][0]["code"], "institution.unknown");

        let category = app
            .post("/api/v1/members", Some(&admin), {
                let mut m = new_member(kek, "other", "o@kek.jp");
                m["category"] = json!("emperor");
                m
            })
            .await;
        category.assert_problem(422, "validation_failed");
        assert_eq!(category.body["errors"]["category"][0]["code"], "field.not_allowed", "{}", category.text);
        // A category left empty is an error, never a default.
        let empty = app
            .post("/api/v1/members", Some(&admin), {
                let mut m = new_member(kek, "other", "o@kek.jp");
                m["category"] = json!("");
                m
            })
            .await;
        empty.assert_problem(422, "validation_failed");
        assert_eq!(empty.body["errors"]["category"][0]["code"], "field.required", "{}", empty.text);
    }

    async fn account_names_and_emails_are_unique(app: TestApp) {
        let (_, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let first = app.post("/api/v1/members", Some(&admin), new_member(kek, "tiijima", "t@kek.jp")).await;
        assert_eq!(first.status, StatusCode::CREATED);
        app.post("/api/v1/members", Some(&admin), new_member(kek, "TIIJIMA", "x@kek.jp"))
            .await
            .assert_problem(409, "account_name_taken");
        app.post("/api/v1/members", Some(&admin), new_member(kek, "toru", "T@KEK.jp"))
            .await
            .assert_problem(409, "email_taken");
    }

    async fn two_admins_taking_one_account_name_leave_one_winner(app: TestApp) {
        let (_, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let attempts = (0..6).map(|i| {
            let body = new_member(kek, "race", &format!("race{i}@kek.jp"));
            let app = &app;
            let admin = admin.clone();
            async move { app.post("/api/v1/members", Some(&admin), body).await }
        });
        let replies = futures_util::future::join_all(attempts).await;
        let won = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
        assert_eq!(won, 1, "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
        for r in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
            r.assert_problem(409, "account_name_taken");
        }
    }

    async fn roles_are_granted_and_withdrawn_by_admins(app: TestApp) {
        let (boss, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let person = app.seed_person("chair", &[], kek).await;
        let path = format!("/api/v1/members/{}/roles", person.id);

        let granted = app.post(&path, Some(&admin), json!({"role": "ib_chair"})).await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.text);
        assert_eq!(granted.body["roles"], json!(["member", "ib_chair"]));
        app.post(&path, Some(&admin), json!({"role": "ir"})).await.assert_problem(422, "validation_failed");
        app.post(&path, Some(&admin), json!({"role": "king"})).await.assert_problem(422, "validation_failed");

        let token = app.sign_in_fresh(&person).await;
        app.post(&path, Some(&token), json!({"role": "admin"})).await.assert_problem(403, "forbidden");

        assert_eq!(app.delete(&format!("{path}/ib_chair"), Some(&admin)).await.status, StatusCode::NO_CONTENT);
        app.delete(&format!("{path}/ib_chair"), Some(&admin)).await.assert_problem(404, "not_found");
        app.delete(&format!("{path}/emperor"), Some(&admin)).await.assert_problem(400, "invalid_path");

        // The last administrator stays.
        app.delete(&format!("/api/v1/members/{}/roles/admin", boss.id), Some(&admin))
            .await
            .assert_problem(409, "last_admin");
        let me = app.get("/api/v1/me", Some(&admin)).await;
        assert_eq!(me.body["roles"], json!(["member", "admin"]));
    }

    async fn every_change_is_audited(app: TestApp) {
        let (boss, admin) = app.admin().await;
        let created = app
            .post(
                "/api/v1/institutions",
                Some(&admin),
                json!({"name": "Deutsches Elektronen-Synchrotron", "short_name": "DESY", "city": "Hamburg", "country": "DE"}),
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        app.patch(&format!("/api/v1/institutions/{id}"), Some(&admin), json!({"city": "Zeuthen"})).await;

        let trail = app.get(&format!("/api/v1/audit?subject_id={id}"), Some(&admin)).await;
        assert_eq!(trail.status, StatusCode::OK, "{}", trail.text);
        assert_eq!(trail.body["total"], 2);
        let events = trail.body["items"].as_array().unwrap();
        assert_eq!(events[0]["action"], "institution.updated");
        assert_eq!(events[0]["before"]["city"], "Hamburg");
        assert_eq!(events[0]["after"]["city"], "Zeuthen");
        assert_eq!(events[0]["actor"], "boss");
        assert_eq!(events[0]["actor_id"], boss.id.as_str());
        assert!(events[0]["request_id"].is_string());
        assert_eq!(events[1]["action"], "institution.created");
        assert_eq!(events[1]["before"], Value::Null);

        let logins = app.get(&format!("/api/v1/audit?subject_id={}", boss.id), Some(&admin)).await;
        let actions: Vec<&str> = logins.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(actions.contains(&"login.succeeded"), "{actions:?}");
        assert!(actions.contains(&"password.changed"), "{actions:?}");
        assert!(actions.contains(&"person.created"), "{actions:?}");
        app.get("/api/v1/audit?subject_id=nope", Some(&admin)).await.assert_problem(400, "invalid_query");
    }

    async fn the_audit_trail_is_filtered_by_who_what_and_when(app: TestApp) {
        let (_, admin) = app.admin().await;
        let home = app.seed_institution("Clerks").await;
        let clerk = app.seed_person("clerk", &[b2mms_shared::Role::Admin], home).await;
        let clerk = app.sign_in_fresh(&clerk).await;
        let created = app
            .post("/api/v1/institutions", Some(&admin),
                  json!({"name": "Deutsches Elektronen-Synchrotron", "short_name": "DESY", "city": "Hamburg", "country": "DE"}))
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        app.patch(&format!("/api/v1/institutions/{id}"), Some(&clerk), json!({"city": "Zeuthen"})).await;
        let actions = |reply: &b2mms_tests::Reply| -> Vec<String> {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            reply.body["items"].as_array().unwrap().iter()
                .map(|e| e["action"].as_str().unwrap().to_owned()).collect()
        };

        // Who: by account name, in part and in any case.
        let by_clerk = app.get("/api/v1/audit?actor=CLER&action=institution.updated", Some(&admin)).await;
        assert_eq!(actions(&by_clerk), ["institution.updated"]);
        assert_eq!(by_clerk.body["items"][0]["actor"], "clerk");
        // What, combined with the record.
        let made = app.get(&format!("/api/v1/audit?action=institution.created&subject_id={id}"), Some(&admin)).await;
        assert_eq!(actions(&made), ["institution.created"]);
        assert_eq!(made.body["total"], 1);
        // A pattern's wildcards are taken as text.
        let wild = app.get("/api/v1/audit?actor=%25", Some(&admin)).await;
        assert_eq!(wild.body["total"], 0, "{}", wild.text);
        // When: the period is half-open, [since, until).
        let now = chrono::Utc::now();
        let hour = chrono::Duration::hours(1);
        let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let today = app.get(&format!("/api/v1/audit?subject_id={id}&since={}&until={}", at(now - hour), at(now + hour)), Some(&admin)).await;
        assert_eq!(today.body["total"], 2, "{}", today.text);
        let later = app.get(&format!("/api/v1/audit?subject_id={id}&since={}", at(now + hour)), Some(&admin)).await;
        assert_eq!(later.body["total"], 0, "{}", later.text);
        let earlier = app.get(&format!("/api/v1/audit?subject_id={id}&until={}", at(now - hour)), Some(&admin)).await;
        assert_eq!(earlier.body["total"], 0, "{}", earlier.text);

        // Wrong filters are refused with what to fix; nobody but admins reads the trail.
        app.get(&format!("/api/v1/audit?since={}&until={}", at(now), at(now - hour)), Some(&admin))
            .await
            .assert_problem(400, "invalid_query");
        app.get("/api/v1/audit?action=institution.burned", Some(&admin))
            .await
            .assert_problem(400, "invalid_query");
        app.get("/api/v1/audit?since=yesterday", Some(&admin))
            .await
            .assert_problem(400, "invalid_query");
        let member = app.seed_person("plain", &[], home).await;
        let member = app.sign_in_fresh(&member).await;
        app.get("/api/v1/audit?actor=clerk", Some(&member))
            .await
            .assert_problem(403, "forbidden");
    }
}

on_both_databases! {
    // The secretariat creating a person meets the same rules as a registration: an
    // institutional address, names that make a collaboration address.
    async fn an_admin_created_person_meets_the_registration_rules(app: TestApp) {
        let (_, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let mut body = new_member(kek, "ivanov", "ivan.ivanov@gmail.com");
        body["family_name"] = json!("Иванов");
        let refused = app.post("/api/v1/members", Some(&admin), body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.body["errors"]["email"][0]["code"], "email.personal_provider", "{}", refused.text);
        assert_eq!(refused.body["errors"]["family_name"][0]["code"], "name.latin_required", "{}", refused.text);
    }
}
