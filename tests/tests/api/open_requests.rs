//! One person, one open request: a second request for the same contact email or ORCID iD is
//! refused, also when both arrive at once; a request whose account cannot be created waits
//! visibly for an admin instead of being retried forever.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::json;

on_both_databases! {
    async fn a_second_open_request_for_the_same_person_is_refused(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let (first, first_id) = kek.open_request(app, "n.rossi@kek.jp").await;
        let (second, second_id) = kek.open_request(app, "n.rossi@kek.jp").await;
        let sent = app
            .post(&format!("/api/v1/registrations/{first_id}/submit"), Some(&first),
                  kek.form("Nino", "Rossi", "n.rossi@kek.jp", "nrossi"))
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
        let again = app
            .post(&format!("/api/v1/registrations/{second_id}/submit"), Some(&second),
                  kek.form("Nino", "Rossi", "n.rossi@kek.jp", "nrossi2"))
            .await;
        again.assert_problem(409, "duplicate_request");
        assert!(again.body["detail"].as_str().unwrap().contains("email address"), "{}", again.text);
        // Nothing of the refused one was kept: it is still waiting for its form.
        assert_eq!(kek.state_of(app, &second_id).await, "identity_verified");

        // Once the first is withdrawn, the second may go ahead.
        let withdrawn = app
            .post(&format!("/api/v1/registrations/{first_id}/withdraw"), Some(&first), json!({}))
            .await;
        assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
        let now_ok = app
            .post(&format!("/api/v1/registrations/{second_id}/submit"), Some(&second),
                  kek.form("Nino", "Rossi", "n.rossi@kek.jp", "nrossi2"))
            .await;
        assert_eq!(now_ok.status, StatusCode::OK, "{}", now_ok.text);
    }

    async fn the_same_orcid_in_two_open_requests_is_refused(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let (first, first_id) = kek.open_request(app, "a.bianchi@kek.jp").await;
        let (second, second_id) = kek.open_request(app, "a.verdi@kek.jp").await;
        let mut form = kek.form("Anna", "Bianchi", "a.bianchi@kek.jp", "abianchi");
        form["orcid"] = json!("0000-0002-1825-0097");
        let sent = app.post(&format!("/api/v1/registrations/{first_id}/submit"), Some(&first), form).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
        let mut other = kek.form("Anna", "Verdi", "a.verdi@kek.jp", "averdi");
        other["orcid"] = json!("0000-0002-1825-0097");
        let again = app.post(&format!("/api/v1/registrations/{second_id}/submit"), Some(&second), other).await;
        again.assert_problem(409, "duplicate_request");
        assert!(again.body["detail"].as_str().unwrap().contains("ORCID"), "{}", again.text);
    }

    async fn two_requests_for_one_person_sent_at_once_leave_one(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let mut opened = Vec::new();
        for _ in 0..6 {
            opened.push(kek.open_request(app, "c.neri@kek.jp").await);
        }
        let sends = opened.iter().enumerate().map(|(i, (token, id))| {
            let form = kek.form("Carla", "Neri", "c.neri@kek.jp", &format!("cneri{i}"));
            let path = format!("/api/v1/registrations/{id}/submit");
            async move { app.post(&path, Some(token), form).await }
        });
        let replies = futures_util::future::join_all(sends).await;
        let ok = replies.iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(ok, 1, "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
        for r in replies.iter().filter(|r| r.status != StatusCode::OK) {
            r.assert_problem(409, "duplicate_request");
        }
    }

    async fn an_account_that_cannot_be_created_waits_for_an_admin(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let id = kek.approved_request(app, "Gialli", "m.gialli@kek.jp", "mgialli").await;
        // Before the job runs, the secretariat creates the same person by hand.
        let existing = app
            .post("/api/v1/members", Some(&kek.admin),
                  json!({"given_name": "Mario", "family_name": "Gialli", "email": "m.gialli@kek.jp",
                         "account_name": "mgial", "initial_password": "Belle-Two-Rocks-9",
                         "institution_id": kek.id, "category": "physicist_temporary"}))
            .await;
        assert_eq!(existing.status, StatusCode::CREATED, "{}", existing.text);
        let person = existing.body["id"].as_str().unwrap().to_owned();

        let report = app.run_jobs().await;
        assert_eq!(report.provisioned, 0);
        assert_eq!(kek.state_of(app, &id).await, "provisioning_failed");
        // It is not retried by itself, and the applicant was not told the account is ready.
        let again = app.run_jobs().await;
        assert_eq!((again.provisioned, again.provisioning_failed), (0, 0));
        let applicant_mail = app.mail.to("m.gialli@kek.jp");
        assert!(applicant_mail.iter().all(|m| !m.subject.to_lowercase().contains("ready")), "{applicant_mail:?}");
        // The admins were told, with a link to the request.
        let admin_mail = app.mail.to(&format!("{}@kek.jp", kek.admin_person.account));
        assert!(admin_mail.iter().any(|m| m.subject.contains("could not be created") && m.body.contains(&format!("/requests/{id}")) && m.body.contains("This email address already belongs to Mario Gialli (KEK)")), "{admin_mail:?}");

        // Nobody but an admin resolves it.
        app.post(&format!("/api/v1/registrations/{id}/retry"), Some(&kek.ir_token), json!({}))
            .await
            .assert_problem(403, "forbidden");
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&kek.ir_token), json!({}))
            .await
            .assert_problem(409, "invalid_transition");
        // The admin links the request to the existing person: it completes as a reactivation.
        let retried = app
            .post(&format!("/api/v1/registrations/{id}/retry"), Some(&kek.admin), json!({"link_person_id": person}))
            .await;
        assert_eq!(retried.status, StatusCode::OK, "{}", retried.text);
        assert_eq!(retried.body["state"], "approved");
        let done = app.run_jobs().await;
        assert_eq!(done.provisioned, 1);
        assert_eq!(kek.state_of(app, &id).await, "provisioned");
        // A second retry finds nothing to retry.
        app.post(&format!("/api/v1/registrations/{id}/retry"), Some(&kek.admin), json!({}))
            .await
            .assert_problem(409, "invalid_transition");
    }

    async fn an_admin_can_reject_a_request_whose_account_failed(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let id = kek.approved_request(app, "Blu", "l.blu@kek.jp", "lblu").await;
        let existing = app
            .post("/api/v1/members", Some(&kek.admin),
                  json!({"given_name": "Luca", "family_name": "Blu", "email": "l.blu@kek.jp",
                         "account_name": "lucab", "initial_password": "Belle-Two-Rocks-9",
                         "institution_id": kek.id, "category": "physicist_temporary"}))
            .await;
        assert_eq!(existing.status, StatusCode::CREATED, "{}", existing.text);
        app.run_jobs().await;
        assert_eq!(kek.state_of(app, &id).await, "provisioning_failed");
        app.post(&format!("/api/v1/registrations/{id}/reject"), Some(&kek.ir_token), json!({"reason": "duplicate"}))
            .await
            .assert_problem(403, "forbidden");
        let rejected = app
            .post(&format!("/api/v1/registrations/{id}/reject"), Some(&kek.admin), json!({"reason": "Your record exists already."}))
            .await;
        assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.text);
        assert_eq!(rejected.body["state"], "rejected");
        // The reserved account name is free again.
        let check = app.get("/api/v1/account-names/lblu", None).await;
        assert_eq!(check.body["available"], true, "{}", check.text);
    }
}

/// The ids of the requests that wait for the caller, and their total.
async fn waiting(app: &b2mms_tests::TestApp, token: &str) -> (Vec<String>, i64) {
    let reply = app
        .get(
            "/api/v1/registrations?waiting_for_me=true&per_page=50",
            Some(token),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let mut ids: Vec<String> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    (ids, reply.body["total"].as_i64().unwrap())
}

on_both_databases! {
    async fn each_caller_counts_the_requests_that_wait_for_them(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let chair = app.seed_person("ibchair", &[b2mms_shared::Role::IbChair], kek.id).await;
        let chair = app.sign_in_fresh(&chair).await;
        let desy = app.seed_institution("DESY").await;
        let desy_ir = app.seed_person("irdesy", &[], desy).await;
        app.post(&format!("/api/v1/institutions/{desy}/representatives"), Some(&kek.admin),
                 json!({"person_id": desy_ir.id})).await;
        let desy_ir = app.sign_in_fresh(&desy_ir).await;

        // At KEK: one awaiting the IR, one passed on to the Board, one not sent yet, one
        // whose account could not be created. At DESY: one awaiting its IR.
        let (token, at_ir) = kek.open_request(app, "a.rosa@kek.jp").await;
        app.post(&format!("/api/v1/registrations/{at_ir}/submit"), Some(&token),
                 kek.form("Anna", "Rosa", "a.rosa@kek.jp", "arosa")).await;
        let (token, at_ib) = kek.open_request(app, "b.viola@kek.jp").await;
        let mut permanent = kek.form("Bea", "Viola", "b.viola@kek.jp", "bviola");
        permanent["category"] = json!("physicist_permanent");
        app.post(&format!("/api/v1/registrations/{at_ib}/submit"), Some(&token), permanent).await;
        app.post(&format!("/api/v1/registrations/{at_ib}/approve"), Some(&kek.ir_token), json!({})).await;
        let (applicant, _unsent) = kek.open_request(app, "c.nero@kek.jp").await;
        let failed = kek.approved_request(app, "Gialli", "m.gialli@kek.jp", "mgialli").await;
        app.post("/api/v1/members", Some(&kek.admin),
                 json!({"given_name": "Mario", "family_name": "Gialli", "email": "m.gialli@kek.jp",
                        "account_name": "mgial", "initial_password": "Belle-Two-Rocks-9",
                        "institution_id": kek.id, "category": "physicist_temporary"})).await;
        app.run_jobs().await;
        assert_eq!(kek.state_of(app, &failed).await, "provisioning_failed");
        let (token, at_desy) = b2mms_tests::fixtures::open_request(app, &desy_ir, desy, "d.gris@desy.de").await;
        let mut desy_form = kek.form("Dora", "Gris", "d.gris@desy.de", "dgris");
        desy_form["institution_id"] = json!(desy);
        let sent = app.post(&format!("/api/v1/registrations/{at_desy}/submit"), Some(&token), desy_form).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);

        assert_eq!(waiting(app, &kek.ir_token).await, (vec![at_ir.clone()], 1));
        assert_eq!(waiting(app, &desy_ir).await, (vec![at_desy], 1));
        assert_eq!(waiting(app, &chair).await, (vec![at_ib], 1));
        assert_eq!(waiting(app, &kek.admin).await, (vec![failed], 1));
        assert_eq!(waiting(app, &applicant).await, (vec![], 0));
        // Without the filter the lists are as before.
        let all = app.get("/api/v1/registrations?waiting_for_me=false", Some(&kek.ir_token)).await;
        assert_eq!(all.body["total"], 4, "{}", all.text);

        // Decided, a request no longer waits.
        app.post(&format!("/api/v1/registrations/{at_ir}/approve"), Some(&kek.ir_token), json!({})).await;
        assert_eq!(waiting(app, &kek.ir_token).await, (vec![], 0));
        // Not a yes or no: refused with the field named.
        app.get("/api/v1/registrations?waiting_for_me=perhaps", Some(&kek.ir_token))
            .await
            .assert_problem(400, "invalid_query");
    }
}
