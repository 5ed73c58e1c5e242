//! Records changed after they exist, part by part by those who may (product §2): the
//! membership by the representatives and admins, the name in papers also by the person, the
//! middle name and ORCID iD by the person and admins, names and the contact address by admins;
//! a person's own new contact address confirmed from a link to it.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, TestApp, on_both_databases};
use serde_json::json;

/// The confirmation link mailed to `address`: its token.
fn confirmation_token(app: &TestApp, address: &str) -> String {
    let mail = app.mail.to(address);
    let body = &mail.last().expect("a confirmation mail").body;
    let start = body.find("/email/confirm?token=").expect("a link") + "/email/confirm?token=".len();
    body[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_owned()
}

on_both_databases! {
    async fn each_part_of_a_record_is_changed_by_those_who_may(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let member = app.seed_person("aricci", &[], kek.id).await;
        let own = app.sign_in_fresh(&member).await;
        let path = format!("/api/v1/members/{}", member.id);

        // The person: the name in papers, middle name and ORCID iD; not the membership, not names.
        let mine = app
            .patch(&path, Some(&own), json!({"paper_name": "A. Ricci", "middle_name": "Maria", "orcid": "https://orcid.org/0000-0002-1825-0097"}))
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
        assert_eq!(mine.body["paper_name"], "A. Ricci");
        assert_eq!(mine.body["middle_name"], "Maria");
        assert_eq!(mine.body["orcid"], "0000-0002-1825-0097");
        app.patch(&path, Some(&own), json!({"membership_end": "2030-01-01"}))
            .await
            .assert_problem(403, "forbidden");
        app.patch(&path, Some(&own), json!({"family_name": "Rossi"}))
            .await
            .assert_problem(403, "forbidden");
        app.patch(&path, Some(&own), json!({"email": "a.ricci@kek.jp"}))
            .await
            .assert_problem(403, "forbidden");

        // The representative: the membership and the name in papers; not the personal details.
        let by_ir = app
            .patch(&path, Some(&kek.ir_token), json!({"category": "phd_student", "membership_end": "2031-03-31", "paper_name": "A. M. Ricci"}))
            .await;
        assert_eq!(by_ir.status, StatusCode::OK, "{}", by_ir.text);
        assert_eq!(by_ir.body["category"], "phd_student");
        assert_eq!(by_ir.body["paper_name"], "A. M. Ricci");
        // Rights come before values: a wrong ORCID iD from the IR is a 403, not a 422.
        app.patch(&path, Some(&kek.ir_token), json!({"orcid": "nonsense"}))
            .await
            .assert_problem(403, "forbidden");
        app.patch(&path, Some(&kek.ir_token), json!({"given_name": "Anna"}))
            .await
            .assert_problem(403, "forbidden");
        // Another institution's representative changes nothing.
        let desy = app.seed_institution("DESY").await;
        let other_ir = app.seed_person("irdesy", &[], desy).await;
        app.post(&format!("/api/v1/institutions/{desy}/representatives"), Some(&kek.admin), json!({"person_id": other_ir.id})).await;
        let other_ir = app.sign_in_fresh(&other_ir).await;
        app.patch(&path, Some(&other_ir), json!({"paper_name": "X"}))
            .await
            .assert_problem(403, "forbidden");

        // The secretariat: names and the contact address too, by the same rules as a registration.
        let by_admin = app
            .patch(&path, Some(&kek.admin), json!({"given_name": "Anna", "family_name": "Ricci Curbastro", "email": "anna.ricci@kek.jp"}))
            .await;
        assert_eq!(by_admin.status, StatusCode::OK, "{}", by_admin.text);
        assert_eq!(by_admin.body["family_name"], "Ricci Curbastro");
        assert_eq!(by_admin.body["email"], "anna.ricci@kek.jp");
        assert_eq!(by_admin.body["account_name"], "aricci", "the account name never changes");
        let refused = app
            .patch(&path, Some(&kek.admin), json!({"given_name": "ANNA", "email": "anna@gmail.com", "orcid": "0000-0000-0000-0000", "paper_name": "  "}))
            .await;
        refused.assert_problem(422, "validation_failed");
        for field in ["given_name", "email", "orcid"] {
            assert!(refused.body["errors"][field].is_array(), "{field}: {}", refused.text);
        }
        // Nothing of a refused change was written.
        let now = app.get(&path, Some(&kek.admin)).await;
        assert_eq!(now.body["given_name"], "Anna");
        assert_eq!(now.body["paper_name"], "A. M. Ricci");
        // Another person's address is refused.
        app.patch(&path, Some(&kek.admin), json!({"email": "irkek@kek.jp"}))
            .await
            .assert_problem(409, "email_taken");
        // Empty or null clears an optional field.
        let cleared = app.patch(&path, Some(&own), json!({"paper_name": null, "middle_name": ""})).await;
        assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.text);
        assert!(cleared.body["paper_name"].is_null() && cleared.body["middle_name"].is_null(), "{}", cleared.text);

        // Every change is in the audit trail with what it changed.
        let trail = app.get(&format!("/api/v1/audit?subject_id={}&action=person.updated", member.id), Some(&kek.admin)).await;
        assert_eq!(trail.body["total"], 4, "{}", trail.text);
        let by_secretariat = &trail.body["items"][1];
        assert_eq!(by_secretariat["before"]["email"], "aricci@kek.jp");
        assert_eq!(by_secretariat["after"]["email"], "anna.ricci@kek.jp");
    }

    async fn a_new_contact_address_is_confirmed_from_the_new_mailbox(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let member = app.seed_person("bverdi", &[], kek.id).await;
        let token = app.sign_in_fresh(&member).await;
        let me = || async { app.get("/api/v1/me", Some(&app.sign_in(&member).await)).await.body["email"].clone() };

        // Refused: no sign-in, a personal provider, the current address, someone else's.
        app.post("/api/v1/me/email", None, json!({"email": "b.verdi@kek.jp"}))
            .await
            .assert_problem(401, "missing_token");
        let personal = app.post("/api/v1/me/email", Some(&token), json!({"email": "bv@gmail.com"})).await;
        personal.assert_problem(422, "validation_failed");
        assert_eq!(personal.body["errors"]["email"][0]["code"], "email.personal_provider", "{}", personal.text);
        let same = app.post("/api/v1/me/email", Some(&token), json!({"email": "bverdi@kek.jp"})).await;
        assert_eq!(same.body["errors"]["email"][0]["code"], "email.unchanged", "{}", same.text);
        app.post("/api/v1/me/email", Some(&token), json!({"email": "irkek@kek.jp"}))
            .await
            .assert_problem(409, "email_taken");

        // Asked twice: only the newest link works; nothing changes before it is followed.
        let asked = app.post("/api/v1/me/email", Some(&token), json!({"email": "b.verdi@kek.jp"})).await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.text);
        app.run_jobs().await;
        let first = confirmation_token(app, "b.verdi@kek.jp");
        // Right away a second link is refused, so that nobody's mailbox can be flooded.
        let again = app.post("/api/v1/me/email", Some(&token), json!({"email": "bruno.verdi@kek.jp"})).await;
        again.assert_problem(429, "throttled");
        assert!(again.headers.contains_key("retry-after"), "{}", again.text);
        app.advance(chrono::Duration::minutes(6));
        let token = app.sign_in(&member).await;
        app.post("/api/v1/me/email", Some(&token), json!({"email": "bruno.verdi@kek.jp"})).await;
        app.run_jobs().await;
        let second = confirmation_token(app, "bruno.verdi@kek.jp");
        assert_eq!(me().await, "bverdi@kek.jp");
        app.post("/api/v1/auth/email/confirm", None, json!({"token": first}))
            .await
            .assert_problem(400, "invalid_email_token");

        let confirmed = app.post("/api/v1/auth/email/confirm", None, json!({"token": second})).await;
        assert_eq!(confirmed.status, StatusCode::NO_CONTENT, "{}", confirmed.text);
        assert_eq!(me().await, "bruno.verdi@kek.jp");
        app.run_jobs().await;
        let told = app.mail.to("bverdi@kek.jp");
        assert!(told.iter().any(|m| m.subject.contains("contact address was changed") && m.body.contains("bruno.verdi@kek.jp")), "{told:?}");
        // Used once.
        app.post("/api/v1/auth/email/confirm", None, json!({"token": second}))
            .await
            .assert_problem(400, "invalid_email_token");

        // A link older than a day no longer works.
        app.advance(chrono::Duration::minutes(6));
        let token = app.sign_in(&member).await;
        app.post("/api/v1/me/email", Some(&token), json!({"email": "b.v@kek.jp"})).await;
        app.run_jobs().await;
        let late = confirmation_token(app, "b.v@kek.jp");
        app.advance(chrono::Duration::hours(25));
        app.post("/api/v1/auth/email/confirm", None, json!({"token": late}))
            .await
            .assert_problem(400, "invalid_email_token");
        assert_eq!(me().await, "bruno.verdi@kek.jp");
    }

    async fn two_people_confirming_the_same_new_address_leave_one_owner(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let (first, second) = (app.seed_person("cfirst", &[], kek.id).await, app.seed_person("csecond", &[], kek.id).await);
        for person in [&first, &second] {
            let token = app.sign_in_fresh(person).await;
            let asked = app.post("/api/v1/me/email", Some(&token), json!({"email": "shared.desk@kek.jp"})).await;
            assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.text);
        }
        app.run_jobs().await;
        let mail = app.mail.to("shared.desk@kek.jp");
        assert_eq!(mail.len(), 2);
        let token_of = |m: &b2mms_tests::smtp::Received| {
            let at = m.body.find("token=").unwrap() + "token=".len();
            m.body[at..].split_whitespace().next().unwrap().to_owned()
        };
        let (a, b) = (token_of(&mail[0]), token_of(&mail[1]));
        // Both at once: one owner, the other told the address is taken; nothing half-written.
        let (one, other) = tokio::join!(
            app.post("/api/v1/auth/email/confirm", None, json!({"token": a})),
            app.post("/api/v1/auth/email/confirm", None, json!({"token": b})),
        );
        let mut codes = [one.status.as_u16(), other.status.as_u16()];
        codes.sort_unstable();
        assert_eq!(codes, [204, 409], "{} / {}", one.text, other.text);
        let owners = app.get("/api/v1/members?q=shared.desk", Some(&kek.admin)).await;
        assert_eq!(owners.body["total"], 1, "{}", owners.text);
    }
}

on_both_databases! {
    async fn the_directory_is_ordered_and_exported_for_those_who_may(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let desy = app.seed_institution("DESY").await;
        let anna = app.seed_person("anna", &[], kek.id).await;
        app.seed_person("zora", &[], kek.id).await;
        app.seed_person("dora", &[], desy).await;
        let member = app.sign_in_fresh(&anna).await;
        let accounts = |reply: &b2mms_tests::Reply| -> Vec<String> {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            reply.body["items"].as_array().unwrap().iter()
                .map(|e| e["account_name"].as_str().unwrap_or_default().to_owned()).collect()
        };

        // Any order of the columns, either way; ties by name.
        let by_account = app.get(&format!("/api/v1/members?institution_id={}&sort=account&order=desc", kek.id), Some(&member)).await;
        assert_eq!(accounts(&by_account), ["zora", "irkek", "anna"]);
        let by_institution = app.get("/api/v1/members?sort=institution&q=ora", Some(&member)).await;
        assert_eq!(accounts(&by_institution), ["dora", "zora"]);
        app.get("/api/v1/members?sort=age", Some(&member)).await.assert_problem(400, "invalid_query");
        // The contact address is searched for administrators only.
        assert_eq!(accounts(&app.get("/api/v1/members?q=zora%40kek", Some(&kek.admin)).await), ["zora"]);
        assert!(accounts(&app.get("/api/v1/members?q=zora%40kek", Some(&member)).await).is_empty());

        // The export: admins everyone, a representative their institution, members nothing.
        let export = |token: String, query: String| async move {
            app.client
                .get(app.url(&format!("/api/v1/members.csv{query}")))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        };
        assert_eq!(export(member.clone(), String::new()).await.status(), 403);
        assert_eq!(export(kek.ir_token.clone(), format!("?institution_id={desy}")).await.status(), 403);
        let theirs = export(kek.ir_token.clone(), "?sort=account".into()).await.text().await.unwrap();
        let lines: Vec<&str> = theirs.lines().skip(1).collect();
        assert_eq!(lines.len(), 3, "{theirs}");
        assert!(lines.iter().all(|l| !l.starts_with("dora")), "{theirs}");
        // A cell a spreadsheet would run as a formula stays text.
        app.patch(&format!("/api/v1/members/{}", anna.id), Some(&member), json!({"paper_name": "=HYPERLINK(\"x\")"})).await;
        let all = export(kek.admin.clone(), "?sort=account".into()).await.text().await.unwrap();
        assert!(all.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{all}");
        assert!(all.lines().any(|l| l.starts_with("dora,")), "{all}");
    }
}
