//! Registration end to end (product §5): invitation, identity, the form, IR and IB approval,
//! provisioning, first sign-in, and every way a request can end.

use b2mms_shared::Role;
use b2mms_tests::fixtures::Institution;
use b2mms_tests::{Reply, StatusCode, TestApp, on_both_databases};
use serde_json::{Value, json};

/// The IR invites `email`; returns the invitation answer.
async fn invite(app: &TestApp, s: &Institution, email: &str, category: &str) -> Value {
    let created = app
        .post(
            "/api/v1/invitations",
            Some(&s.ir_token),
            json!({"email": email, "institution_id": s.id, "category": category, "given_name": "Nino"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.body
}

/// Signs in with an invitation; `(token, registration id)`.
async fn open(app: &TestApp, invitation: &Value) -> (String, String) {
    let login = app
        .post(
            "/api/v1/auth/invitation",
            None,
            json!({"username": invitation["username"], "password": invitation["password"]}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    (
        login.body["access_token"].as_str().unwrap().to_owned(),
        login.body["registration_id"].as_str().unwrap().to_owned(),
    )
}

fn form(institution: uuid::Uuid, email: &str, account: &str, category: &str) -> Value {
    json!({
        "given_name": "Nino",
        "family_name": "de Angelo",
        "email": email,
        "account_name": account,
        "initial_password": "Violet-Harbour-Lamp-73",
        "institution_id": institution,
        "category": category,
        "orcid": "0000-0002-1825-0097"
    })
}

/// Invitation → login → submit; returns `(applicant token, registration id, submit reply)`.
async fn submitted(
    app: &TestApp,
    s: &Institution,
    email: &str,
    account: &str,
    category: &str,
) -> (String, String, Reply) {
    let invitation = invite(app, s, email, category).await;
    let (token, id) = open(app, &invitation).await;
    let reply = app
        .post(
            &format!("/api/v1/registrations/{id}/submit"),
            Some(&token),
            form(s.id, email, account, category),
        )
        .await;
    (token, id, reply)
}

on_both_databases! {
    async fn the_whole_flow_from_invitation_to_first_sign_in(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let invitation = invite(app, &s, "Nino.deAngelo@kek.jp", "phd_student").await;
        assert_eq!(invitation["status"], "pending");
        assert_eq!(invitation["email"], "nino.deangelo@kek.jp");
        let username = invitation["username"].as_str().unwrap();
        let password = invitation["password"].as_str().unwrap();

        // The invitee receives the temporary credentials by mail.
        app.run_jobs().await;
        let mails = app.mail.to("nino.deangelo@kek.jp");
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert!(mails[0].subject.contains("Invitation"), "{}", mails[0].subject);
        assert!(mails[0].body.contains(username) && mails[0].body.contains(password), "{}", mails[0].body);

        // Step one: the identity is proven; the token reaches the registration endpoints only.
        let (token, id) = open(app, &invitation).await;
        app.get("/api/v1/me", Some(&token)).await.assert_problem(403, "registration_token");
        app.get("/api/v1/institutions", Some(&token)).await; // public anyway
        app.post("/api/v1/invitations", Some(&token), json!({})).await.assert_problem(403, "registration_token");
        let opened = app.get(&format!("/api/v1/registrations/{id}"), Some(&token)).await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
        assert_eq!(opened.body["state"], "identity_verified");
        assert_eq!(opened.body["identity"], "invitation");
        assert_eq!(opened.body["institution_short_name"], "KEK");
        assert_eq!(opened.body["email"], "nino.deangelo@kek.jp");
        assert_eq!(opened.body["given_name"], "Nino");
        assert_eq!(opened.body["category"], "phd_student");
        // Signing in again resumes the same request.
        let (_, again) = open(app, &invitation).await;
        assert_eq!(again, id);
        let listed = app.get("/api/v1/invitations", Some(&s.ir_token)).await;
        assert_eq!(listed.body["items"][0]["status"], "used");
        assert_eq!(listed.body["items"][0]["registration_id"], id.as_str());
        assert!(!listed.text.contains(password), "the temporary password is shown only once");

        // Step two: the form; every violation at once.
        let bad = app
            .post(
                &format!("/api/v1/registrations/{id}/submit"),
                Some(&token),
                json!({
                    "given_name": "NINO",
                    "family_name": "angelo",
                    "email": "nino@gmail.com",
                    "account_name": "n",
                    "initial_password": "password",
                    "institution_id": s.id,
                    "category": "phd_student",
                    "orcid": "0000-0002-1825-0098"
                }),
            )
            .await;
        bad.assert_problem(422, "validation_failed");
        let errors = bad.body["errors"].as_object().unwrap();
        for field in ["given_name", "family_name", "email", "account_name", "initial_password", "orcid"] {
            assert!(errors.contains_key(field), "{field}: {}", bad.text);
        }
        assert_eq!(errors["given_name"][0]["suggestion"], "Nino");
        assert_eq!(errors["family_name"][0]["suggestion"], "Angelo");

        let ok = app
            .post(
                &format!("/api/v1/registrations/{id}/submit"),
                Some(&token),
                form(s.id, "nino.deangelo@kek.jp", "NDeAngel", "phd_student"),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        assert_eq!(ok.body["message"], "Request for membership was created. Desired account name: ndeangel");
        let registration = &ok.body["registration"];
        assert_eq!(registration["state"], "awaiting_ir");
        assert_eq!(registration["registry_email"], "nino.de.angelo@belle2.org");
        assert!(!ok.text.contains("Violet-Harbour-Lamp-73"));
        app.post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form(s.id, "nino.deangelo@kek.jp", "ndeangel", "phd_student"))
            .await
            .assert_problem(409, "already_submitted");

        // The IR is told and sees the request.
        app.run_jobs().await;
        let to_ir = app.mail.to("irkek@kek.jp");
        assert_eq!(to_ir.len(), 1);
        assert!(to_ir[0].body.contains(&format!("https://b2mms.test/requests/{id}")), "{}", to_ir[0].body);
        let pending = app.get("/api/v1/registrations?state=awaiting_ir", Some(&s.ir_token)).await;
        assert_eq!(pending.body["total"], 1, "{}", pending.text);
        assert_eq!(pending.body["items"][0]["account_name"], "ndeangel");

        // The applicant cannot approve; the IR can.
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&token), json!({}))
            .await
            .assert_problem(403, "forbidden");
        let approved = app
            .post(&format!("/api/v1/registrations/{id}/approve"), Some(&s.ir_token), json!({"comment": "Welcome!"}))
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        assert_eq!(approved.body["state"], "approved");

        // Provisioning: a person, an account with the initial password, the main group.
        let report = app.run_jobs().await;
        assert_eq!(report.provisioned, 1, "{report:?}");
        let done = app.get(&format!("/api/v1/registrations/{id}"), Some(&token)).await;
        assert_eq!(done.body["state"], "provisioned");
        let person_id = done.body["person_id"].as_str().unwrap().to_owned();
        let history: Vec<&str> = done.body["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(history, ["registration.opened", "registration.submitted", "registration.ir_approved", "registration.provisioned"]);
        assert_eq!(done.body["history"][2]["comment"], "Welcome!");
        assert_eq!(done.body["history"][2]["actor"], "irkek");
        let ready = app.mail.to("nino.deangelo@kek.jp");
        assert!(ready.iter().any(|m| m.subject.contains("approved")), "{ready:?}");
        let welcome = ready.iter().find(|m| m.subject.contains("ready")).expect("account-ready mail");
        assert!(welcome.body.contains("ndeangel") && welcome.body.contains("nino.de.angelo@belle2.org"));

        // First sign-in with the initial password: only a password change.
        let login = app
            .post("/api/v1/auth/login", None, json!({"account": "ndeangel", "password": "Violet-Harbour-Lamp-73"}))
            .await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        assert_eq!(login.body["must_change_password"], true);
        let limited = login.body["access_token"].as_str().unwrap();
        app.get("/api/v1/me", Some(limited)).await.assert_problem(403, "password_change_required");
        let changed = app
            .post("/api/v1/auth/password", Some(limited), json!({"current_password": "Violet-Harbour-Lamp-73", "new_password": "Quiet-Meadow-Engine-58"}))
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        let me = app.get("/api/v1/me", Some(changed.body["access_token"].as_str().unwrap())).await;
        assert_eq!(me.body["id"], person_id.as_str());
        assert_eq!(me.body["registry_email"], "nino.de.angelo@belle2.org");
        assert_eq!(me.body["orcid"], "0000-0002-1825-0097");
        assert_eq!(me.body["category"], "phd_student");
        assert_eq!(me.body["institution_short_name"], "KEK");
        assert_eq!(me.body["status"], "active");
        assert!(me.body["membership_start"].is_string());
        assert_eq!(me.body["groups"], json!(["collaboration"]), "the main group");
    }

    async fn permanent_physicists_need_the_ib_chair(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let home = s.id;
        let chair = app.seed_person("ibchair", &[Role::IbChair], home).await;
        let chair_token = app.sign_in_fresh(&chair).await;
        let (applicant, id, reply) = submitted(app, &s, "perm@kek.jp", "perm", "physicist_permanent").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

        // The IB chair does not act before the IR.
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&chair_token), json!({}))
            .await
            .assert_problem(403, "forbidden");
        let by_ir = app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&s.ir_token), json!({})).await;
        assert_eq!(by_ir.body["state"], "awaiting_ib", "{}", by_ir.text);
        // Now the IR cannot approve again; the chair sees it among theirs.
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&s.ir_token), json!({}))
            .await
            .assert_problem(403, "forbidden");
        let theirs = app.get("/api/v1/registrations?state=awaiting_ib", Some(&chair_token)).await;
        assert_eq!(theirs.body["total"], 1, "{}", theirs.text);
        app.run_jobs().await;
        assert!(app.mail.to("ibchair@kek.jp").iter().any(|m| m.subject.contains("Institutional Board") || m.subject.contains("IB")));
        assert!(app.mail.to("perm@kek.jp").iter().any(|m| m.subject.contains("Institutional Board")));

        let by_chair = app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&chair_token), json!({})).await;
        assert_eq!(by_chair.body["state"], "approved", "{}", by_chair.text);
        assert_eq!(app.run_jobs().await.provisioned, 1);
        let done = app.get(&format!("/api/v1/registrations/{id}"), Some(&applicant)).await;
        assert_eq!(done.body["state"], "provisioned");
        let actions: Vec<&str> = done.body["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"registration.ib_approved"), "{actions:?}");
    }

    async fn rejection_needs_a_reason_and_frees_the_name(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let (applicant, id, reply) = submitted(app, &s, "one@kek.jp", "wanted", "student").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let no_reason = app.post(&format!("/api/v1/registrations/{id}/reject"), Some(&s.ir_token), json!({"reason": "  "})).await;
        no_reason.assert_problem(422, "validation_failed");
        assert_eq!(no_reason.body["errors"]["reason"][0]["code"], "reason.required");
        let missing = app.post(&format!("/api/v1/registrations/{id}/reject"), Some(&s.ir_token), json!({})).await;
        missing.assert_problem(422, "validation_failed");
        assert_eq!(missing.body["errors"]["reason"][0]["code"], "field.required");

        let rejected = app
            .post(&format!("/api/v1/registrations/{id}/reject"), Some(&s.ir_token), json!({"reason": "Not a member of our group."}))
            .await;
        assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.text);
        assert_eq!(rejected.body["state"], "rejected");
        assert_eq!(rejected.body["decision_reason"], "Not a member of our group.");
        app.run_jobs().await;
        assert!(app.mail.to("one@kek.jp").iter().any(|m| m.body.contains("Not a member of our group.")));
        // Final: nothing more happens to it.
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&s.ir_token), json!({})).await.assert_problem(409, "invalid_transition");
        app.post(&format!("/api/v1/registrations/{id}/withdraw"), Some(&applicant), json!({})).await.assert_problem(409, "invalid_transition");
        // The account name is free again.
        let (_, _, second) = submitted(app, &s, "two@kek.jp", "wanted", "student").await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    }

    async fn applicants_withdraw_their_own_requests(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let (applicant, id, _) = submitted(app, &s, "leave@kek.jp", "leaver", "student").await;
        app.post(&format!("/api/v1/registrations/{id}/withdraw"), Some(&s.ir_token), json!({}))
            .await
            .assert_problem(403, "forbidden");
        let withdrawn = app.post(&format!("/api/v1/registrations/{id}/withdraw"), Some(&applicant), json!({})).await;
        assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
        assert_eq!(withdrawn.body["state"], "withdrawn");
        app.run_jobs().await;
        assert!(app.mail.to("irkek@kek.jp").iter().any(|m| m.subject.contains("withdrew")));
        let (_, _, reuse) = submitted(app, &s, "other@kek.jp", "leaver", "student").await;
        assert_eq!(reuse.status, StatusCode::OK, "the name is free again: {}", reuse.text);
    }

    async fn unsubmitted_requests_expire(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let invitation = invite(app, &s, "late@kek.jp", "student").await;
        let (token, id) = open(app, &invitation).await;
        app.advance(chrono::Duration::days(29));
        assert_eq!(app.run_jobs().await.expired, 0);
        app.advance(chrono::Duration::days(2));
        assert_eq!(app.run_jobs().await.expired, 1);
        let ir = app.sign_in(&s.ir).await;
        let expired = app.get(&format!("/api/v1/registrations/{id}"), Some(&ir)).await;
        assert_eq!(expired.body["state"], "expired");
        let fresh = app.post("/api/v1/auth/invitation", None, json!({"username": invitation["username"], "password": invitation["password"]})).await;
        assert_eq!(fresh.status, StatusCode::OK, "a used invitation still shows the request");
        app.post(&format!("/api/v1/registrations/{id}/submit"), Some(fresh.body["access_token"].as_str().unwrap()), form(s.id, "late@kek.jp", "latey", "student"))
            .await
            .assert_problem(409, "already_submitted");
        let _ = token;
    }

    async fn invitations_expire_and_can_be_revoked(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let first = invite(app, &s, "first@kek.jp", "student").await;
        let second = invite(app, &s, "second@kek.jp", "student").await;
        let revoked = app.post(&format!("/api/v1/invitations/{}/revoke", first["id"].as_str().unwrap()), Some(&s.ir_token), json!({})).await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
        assert_eq!(revoked.body["status"], "revoked");
        app.post(&format!("/api/v1/invitations/{}/revoke", first["id"].as_str().unwrap()), Some(&s.ir_token), json!({}))
            .await
            .assert_problem(409, "invitation_not_revocable");
        app.post("/api/v1/auth/invitation", None, json!({"username": first["username"], "password": first["password"]}))
            .await
            .assert_problem(403, "invitation_revoked");
        app.post("/api/v1/auth/invitation", None, json!({"username": second["username"], "password": "wrong"}))
            .await
            .assert_problem(401, "invalid_credentials");
        app.advance(chrono::Duration::days(15));
        app.post("/api/v1/auth/invitation", None, json!({"username": second["username"], "password": second["password"]}))
            .await
            .assert_problem(403, "invitation_expired");
        let ir = app.sign_in(&s.ir).await;
        let expired = app.get("/api/v1/invitations?status=expired", Some(&ir)).await;
        assert_eq!(expired.body["total"], 1, "{}", expired.text);
        let pending = app.get("/api/v1/invitations?status=pending", Some(&ir)).await;
        assert_eq!(pending.body["total"], 0);

        // Only IRs of the institution and admins invite and see invitations.
        let other = app.seed_institution("DESY").await;
        app.post("/api/v1/invitations", Some(&ir), json!({"email": "x@desy.de", "institution_id": other}))
            .await
            .assert_problem(403, "forbidden");
        let member = app.seed_person("plain", &[], s.id).await;
        let member_token = app.sign_in_fresh(&member).await;
        app.get("/api/v1/invitations", Some(&member_token)).await.assert_problem(403, "forbidden");
        let admin = app.sign_in(&s.admin_person).await;
        let all = app.get("/api/v1/invitations", Some(&admin)).await;
        assert_eq!(all.body["total"], 2);
        let personal = app.post("/api/v1/invitations", Some(&ir), json!({"email": "someone@gmail.com", "institution_id": s.id})).await;
        personal.assert_problem(422, "validation_failed");
        assert_eq!(personal.body["errors"]["email"][0]["code"], "email.personal_provider");
    }

    async fn other_institutions_irs_see_nothing(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let (_, id, _) = submitted(app, &s, "mine@kek.jp", "mine", "student").await;
        let desy = app.seed_institution("DESY").await;
        let stranger = app.seed_person("irdesy", &[], desy).await;
        app.post(&format!("/api/v1/institutions/{desy}/representatives"), Some(&s.admin), json!({"person_id": stranger.id})).await;
        let token = app.sign_in_fresh(&stranger).await;
        app.get(&format!("/api/v1/registrations/{id}"), Some(&token)).await.assert_problem(403, "forbidden");
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&token), json!({})).await.assert_problem(403, "forbidden");
        let theirs = app.get("/api/v1/registrations", Some(&token)).await;
        assert_eq!(theirs.body["total"], 0);
        // Another applicant cannot see it either.
        let (other_applicant, _, _) = submitted(app, &s, "else@kek.jp", "elsey", "student").await;
        app.get(&format!("/api/v1/registrations/{id}"), Some(&other_applicant)).await.assert_problem(403, "forbidden");
        // Admins see and decide everything.
        let approved = app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&s.admin), json!({})).await;
        assert_eq!(approved.body["state"], "approved", "{}", approved.text);
        let _ = s.ir;
    }
}

/// The actions a caller is offered on a request.
async fn actions(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let reply = app
        .get(&format!("/api/v1/registrations/{id}"), Some(token))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    serde_json::from_value(reply.body["actions"].clone()).unwrap()
}

on_both_databases! {
    async fn each_caller_is_offered_what_they_may_do_with_a_request_now(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let chair = app.seed_person("ibchair", &[Role::IbChair], s.id).await;
        let chair = app.sign_in_fresh(&chair).await;
        let (applicant, id, reply) =
            submitted(app, &s, "p.conti@kek.jp", "pconti", "physicist_permanent").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_eq!(actions(app, &s.ir_token, &id).await, ["approve", "reject"]);
        assert_eq!(actions(app, &s.admin, &id).await, ["approve", "reject"]);
        assert_eq!(actions(app, &applicant, &id).await, ["withdraw"]);

        let approved = app
            .post(&format!("/api/v1/registrations/{id}/approve"), Some(&s.ir_token), json!({}))
            .await;
        assert_eq!(approved.body["state"], "awaiting_ib", "{}", approved.text);
        // The answer to a decision already says what the decider may do next: passed on to
        // the Board, the request is no longer the IR's to decide.
        assert_eq!(approved.body["actions"], json!([]));
        assert!(actions(app, &s.ir_token, &id).await.is_empty());
        assert_eq!(actions(app, &applicant, &id).await, ["withdraw"]);
        assert_eq!(actions(app, &chair, &id).await, ["approve", "reject"]);

        let decided = app
            .post(&format!("/api/v1/registrations/{id}/approve"), Some(&chair), json!({}))
            .await;
        assert_eq!(decided.body["state"], "approved", "{}", decided.text);
        assert_eq!(decided.body["actions"], json!([]));
        assert_eq!(app.run_jobs().await.provisioned, 1);
        // Provisioned: nothing left to do, and its own new member is no possible duplicate.
        let done = app.get(&format!("/api/v1/registrations/{id}"), Some(&s.admin)).await;
        assert_eq!(done.body["state"], "provisioned", "{}", done.text);
        assert_eq!(done.body["actions"], json!([]));
        assert_eq!(done.body["possible_duplicates"], json!([]));
    }
}

on_both_databases! {
    async fn a_category_left_empty_is_refused_not_defaulted(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let invitation = invite(app, &s, "e.russo@kek.jp", "student").await;
        let (token, id) = open(app, &invitation).await;
        for (category, code) in [(json!(""), "field.required"), (json!("emperor"), "field.not_allowed")] {
            let mut body = form(s.id, "e.russo@kek.jp", "erusso", "student");
            body["category"] = category;
            let reply = app
                .post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), body)
                .await;
            reply.assert_problem(422, "validation_failed");
            assert_eq!(reply.body["errors"]["category"][0]["code"], code, "{}", reply.text);
            let message = reply.body["errors"]["category"][0]["message"].as_str().unwrap();
            assert!(message.contains("phd_student") && !message.contains('`'), "{message}");
        }
        assert_eq!(s.state_of(app, &id).await, "identity_verified");
    }
}

on_both_databases! {
    async fn a_decision_body_that_is_sent_is_checked_and_none_means_the_defaults(app: TestApp) {
        let s = Institution::with_representative(app).await;
        let (_, id, reply) = submitted(app, &s, "g.neri@kek.jp", "gneri", "student").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let path = format!("/api/v1/registrations/{id}/approve");
        // A body with a mistake is refused, not read as "no body" and approved.
        for (body, field, code) in [
            (json!({"link_person_id": "someone"}), "link_person_id", "field.wrong_type"),
            (json!({"comment": 5}), "comment", "field.wrong_type"),
            (json!({"link_person": uuid::Uuid::new_v4()}), "link_person", "field.unknown"),
        ] {
            let refused = app.post(&path, Some(&s.ir_token), body).await;
            refused.assert_problem(422, "validation_failed");
            assert_eq!(refused.body["errors"][field][0]["code"], code, "{}", refused.text);
            assert_eq!(s.state_of(app, &id).await, "awaiting_ir");
        }
        // No body at all: approve with the defaults.
        let bare = app
            .send(reqwest::Method::POST, &path, Some(&s.ir_token), None)
            .await;
        assert_eq!(bare.status, StatusCode::OK, "{}", bare.text);
        assert_eq!(s.state_of(app, &id).await, "approved");
        // A second approval of the same request is a conflict, not a second approval.
        app.post(&path, Some(&s.ir_token), json!({}))
            .await
            .assert_problem(409, "invalid_transition");
    }
}
