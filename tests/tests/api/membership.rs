//! The life of a membership after registration, driven by the application's clock: the end
//! of a term with its reminders and a renewal that cancels them, leaving, reactivation
//! without a new registration, and additional affiliations.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, TestApp, new_password, on_both_databases};
use serde_json::json;

/// Subjects of the reminders of a membership's end that reached `address`.
fn reminders(app: &TestApp, address: &str) -> Vec<String> {
    app.mail
        .to(address)
        .into_iter()
        .filter(|m| m.subject.starts_with("The membership of"))
        .map(|m| m.subject)
        .collect()
}

on_both_databases! {
    async fn a_term_ends_after_reminders_unless_it_is_renewed(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let jane = app.seed_person("jdoe", &[], kek.id).await;
        app.sign_in_fresh(&jane).await;
        let path = format!("/api/v1/members/{}", jane.id);
        let set = app.patch(&path, Some(&kek.ir_token), json!({"membership_end": app.day(40)})).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text);
        app.run_jobs().await;
        assert!(reminders(app, "jdoe@kek.jp").is_empty(), "40 days before: no reminder yet");

        // 30 days before, the member and the representative are told once, however often
        // the job runs.
        // Two instances running the job at the same moment send each reminder once.
        app.advance(chrono::Duration::days(10));
        futures_util::future::join(app.run_jobs(), app.run_jobs()).await;
        app.run_jobs().await;
        assert_eq!(reminders(app, "jdoe@kek.jp"), ["The membership of Test Jdoe ends in 30 days"]);
        assert_eq!(reminders(app, "irkek@kek.jp").len(), 1);
        app.advance(chrono::Duration::days(23));
        app.run_jobs().await;
        assert_eq!(reminders(app, "jdoe@kek.jp").len(), 2, "and 7 days before");

        // A renewal before the end cancels the rest: no reminder, no expiry.
        let ir_token = app.sign_in(&kek.ir).await;
        let renewed = app.patch(&path, Some(&ir_token), json!({"membership_end": app.day(100)})).await;
        assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.text);
        app.advance(chrono::Duration::days(8));
        app.run_jobs().await;
        assert_eq!(reminders(app, "jdoe@kek.jp").len(), 2);
        let ir_token = app.sign_in(&kek.ir).await;
        let still = app.get(&path, Some(&ir_token)).await;
        assert_eq!(still.body["status"], "active", "{}", still.text);

        // A term set close to its end is reminded at the nearest threshold, and on the day.
        let shortened = app.patch(&path, Some(&ir_token), json!({"membership_end": app.day(2)})).await;
        assert_eq!(shortened.status, StatusCode::OK, "{}", shortened.text);
        app.run_jobs().await;
        assert_eq!(reminders(app, "jdoe@kek.jp").last().unwrap(), "The membership of Test Jdoe ends in 2 days");
        app.advance(chrono::Duration::days(2));
        app.run_jobs().await;
        assert_eq!(reminders(app, "jdoe@kek.jp").last().unwrap(), "The membership of Test Jdoe ends today");
        let ir_token = app.sign_in(&kek.ir).await;
        let ended = app.get(&path, Some(&ir_token)).await;
        assert_eq!(ended.body["status"], "expired", "it ends on its end date: {}", ended.text);

        // The history keeps the period with its end.
        let periods = app.get(&format!("{path}/affiliations"), Some(&ir_token)).await;
        assert_eq!(periods.status, StatusCode::OK, "{}", periods.text);
        let periods = periods.body.as_array().unwrap().clone();
        assert_eq!(periods.len(), 1, "{periods:?}");
        assert_eq!(periods[0]["kind"], "primary");
        assert_eq!(periods[0]["end_date"], app.today().to_string());
        assert_eq!(periods[0]["category"], "physicist_temporary");

        // The account stays open for the grace period, then closes.
        let during = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await;
        assert_eq!(during.status, StatusCode::OK, "{}", during.text);
        app.advance(chrono::Duration::days(31));
        app.run_jobs().await;
        app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")}))
            .await
            .assert_problem(403, "account_disabled");
        let admin = app.sign_in(&kek.admin_person).await;
        let trail = app.get(&format!("/api/v1/audit?subject_id={}", jane.id), Some(&admin)).await;
        let actions: Vec<_> = trail.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert!(actions.contains(&"person.membership_expired".to_owned()), "{actions:?}");
    }

    async fn people_leave_and_come_back_without_registering_again(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let desy = app.seed_institution("DESY").await;
        let desy_ir = app.seed_person("irdesy", &[], desy).await;
        app.post(&format!("/api/v1/institutions/{desy}/representatives"), Some(&kek.admin), json!({"person_id": desy_ir.id})).await;
        let desy_token = app.sign_in_fresh(&desy_ir).await;
        let jane = app.seed_person("jdoe", &[], kek.id).await;
        let jane_token = app.sign_in_fresh(&jane).await;
        let path = format!("/api/v1/members/{}", jane.id);

        // Who may record a departure, and when.
        app.post(&format!("{path}/leave"), Some(&desy_token), json!({"date": app.day(10)}))
            .await
            .assert_problem(403, "forbidden");
        let r = app.post(&format!("{path}/leave"), Some(&jane_token), json!({"date": app.day(-1)})).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.body["errors"]["date"][0]["code"], "date.backdated");
        app.post(&format!("{path}/leave"), Some(&jane_token), json!({"date": "not a date"}))
            .await
            .assert_problem(422, "validation_failed");
        app.post("/api/v1/members/00000000-0000-0000-0000-000000000001/leave", Some(&desy_token), json!({"date": app.day(1)}))
            .await
            .assert_problem(403, "forbidden");
        app.post("/api/v1/members/00000000-0000-0000-0000-000000000001/leave", Some(&kek.admin), json!({"date": app.day(1)}))
            .await
            .assert_problem(404, "not_found");
        app.post(&format!("/api/v1/members/{}/leave", kek.admin_person.id), Some(&kek.admin), json!({"date": app.day(1)}))
            .await
            .assert_problem(409, "last_admin");
        // Even the secretariat does not end a membership before it began.
        let early = app.post(&format!("{path}/leave"), Some(&kek.admin), json!({"date": app.day(-400)})).await;
        assert_eq!(early.body["errors"]["date"][0]["code"], "date.before_start", "{}", early.text);
        let early = app.patch(&path, Some(&kek.admin), json!({"status": "expired", "membership_end": app.day(-400)})).await;
        assert_eq!(early.body["errors"]["membership_end"][0]["code"], "membership_end.before_start", "{}", early.text);

        // The member announces it; until the day the membership goes on, without reminders
        // to extend it.
        let announced = app.post(&format!("{path}/leave"), Some(&jane_token), json!({"date": app.day(10), "reason": "Moving to industry"})).await;
        assert_eq!(announced.status, StatusCode::OK, "{}", announced.text);
        assert_eq!(announced.body["status"], "active");
        assert_eq!(announced.body["membership_end"], app.day(10));
        app.run_jobs().await;
        let told = app.mail.to("jdoe@kek.jp");
        assert!(told.iter().any(|m| m.subject == "Your membership ends" && m.body.contains(&app.day(10))), "{told:?}");
        app.advance(chrono::Duration::days(10));
        app.run_jobs().await;
        assert!(reminders(app, "jdoe@kek.jp").is_empty(), "nobody is asked to extend a departure");
        let ir_token = app.sign_in(&kek.ir).await;
        let left = app.get(&path, Some(&ir_token)).await;
        assert_eq!(left.body["status"], "left", "{}", left.text);
        app.post(&format!("{path}/leave"), Some(&ir_token), json!({"date": app.day(1)}))
            .await
            .assert_problem(409, "membership_not_active");

        // Reactivation: by a representative of the new home, not the person, not an
        // outsider; into an active institution only; never twice.
        let admin = app.sign_in(&kek.admin_person).await;
        let desy_token = app.sign_in(&desy_ir).await;
        let jane_token = app.sign_in(&jane).await;
        let back = json!({"institution_id": desy, "category": "phd_student"});
        app.post(&format!("{path}/reactivate"), Some(&ir_token), back.clone()).await.assert_problem(403, "forbidden");

        // A person whose membership ended reaches their own record and history, asks to be
        // reactivated (once a day), and nothing else.
        app.post(&format!("{path}/reactivate"), Some(&jane_token), back.clone()).await.assert_problem(403, "membership_ended");
        app.get("/api/v1/members", Some(&jane_token)).await.assert_problem(403, "membership_ended");
        app.patch(&path, Some(&jane_token), json!({"paper_name": "J. Doe"})).await.assert_problem(403, "membership_ended");
        assert_eq!(app.get("/api/v1/me", Some(&jane_token)).await.body["status"], "left");
        assert_eq!(app.get(&format!("{path}/affiliations"), Some(&jane_token)).await.status, StatusCode::OK);
        app.get(&format!("/api/v1/members/{}", kek.ir.id), Some(&jane_token)).await.assert_problem(403, "forbidden");
        let asked = app.post("/api/v1/me/reactivation", Some(&jane_token), json!({})).await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.text);
        app.post("/api/v1/me/reactivation", Some(&jane_token), json!({})).await.assert_problem(429, "throttled");
        app.post("/api/v1/me/reactivation", Some(&ir_token), json!({})).await.assert_problem(409, "membership_active");
        app.run_jobs().await;
        assert!(app.mail.to("irkek@kek.jp").iter().any(|m| m.subject == "Test Jdoe asks to be reactivated"));

        app.post(&format!("{path}/reactivate"), Some(&desy_token), json!({"institution_id": desy, "category": "phd_student", "membership_end": app.day(0)}))
            .await
            .assert_problem(422, "validation_failed");
        app.post(&format!("{path}/reactivate"), Some(&desy_token), json!({"institution_id": desy, "category": "physicist_permanent"}))
            .await
            .assert_problem(403, "forbidden");
        let closed = app.patch(&format!("/api/v1/institutions/{desy}"), Some(&admin), json!({"status": "inactive"})).await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
        app.post(&format!("{path}/reactivate"), Some(&desy_token), back.clone()).await.assert_problem(409, "institution_inactive");
        app.patch(&format!("/api/v1/institutions/{desy}"), Some(&admin), json!({"status": "active"})).await;
        let again = app.post(&format!("{path}/reactivate"), Some(&desy_token), back.clone()).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text);
        assert_eq!(again.body["status"], "active");
        assert_eq!(again.body["account_name"], "jdoe", "the same account");
        assert_eq!(again.body["institution_id"], desy.to_string());
        assert_eq!(again.body["membership_end"], serde_json::Value::Null);
        app.post(&format!("{path}/reactivate"), Some(&desy_token), back.clone()).await.assert_problem(409, "already_active");

        // The history keeps both periods, the first ended by leaving.
        let periods = app.get(&format!("{path}/affiliations"), Some(&jane_token)).await;
        let periods = periods.body.as_array().unwrap().clone();
        assert_eq!(periods.len(), 2, "{periods:?}");
        assert_eq!(periods[0]["institution_short_name"], "KEK");
        assert_eq!(periods[0]["end_reason"], "left");
        assert_eq!(periods[1]["institution_short_name"], "DESY");
        assert_eq!(periods[1]["category"], "phd_student");
        assert_eq!(periods[1]["start_date"], app.today().to_string());
        assert_eq!(periods[1]["end_date"], serde_json::Value::Null);
    }

    async fn a_closed_account_opens_again_and_an_old_password_must_change(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let jane = app.seed_person("jdoe", &[], kek.id).await;
        app.sign_in_fresh(&jane).await;
        let path = format!("/api/v1/members/{}", jane.id);
        let left = app.post(&format!("{path}/leave"), Some(&kek.ir_token), json!({"date": app.day(0)})).await;
        assert_eq!(left.status, StatusCode::OK, "{}", left.text);
        assert_eq!(left.body["status"], "left", "a departure today takes effect at once");
        app.advance(chrono::Duration::days(200));
        app.run_jobs().await;
        app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")}))
            .await
            .assert_problem(403, "account_disabled");

        // Everyone's password is old by now: an administrator appointed today reactivates.
        let secretariat = app.seed_institution("Office").await;
        let fresh_admin = app.seed_person("newboss", &[b2mms_shared::Role::Admin], secretariat).await;
        let admin_token = app.sign_in_fresh(&fresh_admin).await;
        let back = app.post(&format!("{path}/reactivate"), Some(&admin_token), json!({"institution_id": kek.id, "category": "physicist_temporary", "membership_end": app.day(365)})).await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.text);
        assert_eq!(back.body["account_status"], "active");
        assert_eq!(back.body["membership_end"], app.day(365));
        app.run_jobs().await;
        assert!(app.mail.to("jdoe@kek.jp").iter().any(|m| m.subject == "Your membership is active again"));
        let login = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        assert_eq!(login.body["must_change_password"], true, "the password is older than 180 days");
        // The job does not close the reopened account again.
        app.run_jobs().await;
        let record = app.get(&path, Some(&admin_token)).await;
        assert_eq!(record.body["account_status"], "active", "{}", record.text);
    }

    async fn additional_affiliations_are_added_and_ended_by_those_who_may(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let desy = app.seed_institution("DESY").await;
        let desy_ir = app.seed_person("irdesy", &[], desy).await;
        app.post(&format!("/api/v1/institutions/{desy}/representatives"), Some(&kek.admin), json!({"person_id": desy_ir.id})).await;
        let desy_token = app.sign_in_fresh(&desy_ir).await;
        let jane = app.seed_person("jdoe", &[], kek.id).await;
        let jane_token = app.sign_in_fresh(&jane).await;
        let other = app.seed_person("other", &[], kek.id).await;
        let other_token = app.sign_in_fresh(&other).await;
        let path = format!("/api/v1/members/{}/affiliations", jane.id);

        app.post(&path, Some(&kek.ir_token), json!({"institution_id": desy})).await.assert_problem(403, "forbidden");
        app.post(&path, Some(&jane_token), json!({"institution_id": desy})).await.assert_problem(403, "forbidden");
        let home = app.post(&path, Some(&kek.ir_token), json!({"institution_id": kek.id})).await;
        home.assert_problem(422, "validation_failed");
        assert_eq!(home.body["errors"]["institution_id"][0]["code"], "institution_id.home");
        let backwards = app.post(&path, Some(&desy_token), json!({"institution_id": desy, "start_date": app.day(5), "end_date": app.day(1)})).await;
        assert_eq!(backwards.body["errors"]["end_date"][0]["code"], "end_date.before_start", "{}", backwards.text);
        let added = app.post(&path, Some(&desy_token), json!({"institution_id": desy})).await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
        assert_eq!(added.body["kind"], "secondary");
        assert_eq!(added.body["institution_short_name"], "DESY");
        app.post(&path, Some(&desy_token), json!({"institution_id": desy, "start_date": app.day(3)}))
            .await
            .assert_problem(409, "affiliation_overlap");

        // Who reads them: the person, their representatives, administrators, tools.
        let mine = app.get(&path, Some(&jane_token)).await;
        let kinds: Vec<_> = mine.body.as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap().to_owned()).collect();
        assert_eq!(kinds, ["primary", "secondary"]);
        app.get(&path, Some(&other_token)).await.assert_problem(403, "forbidden");
        app.get("/api/v1/members/00000000-0000-0000-0000-000000000001/affiliations", Some(&other_token))
            .await
            .assert_problem(403, "forbidden");
        app.get("/api/v1/members/00000000-0000-0000-0000-000000000001/affiliations", Some(&kek.admin))
            .await
            .assert_problem(404, "not_found");
        let token = app.post("/api/v1/service-tokens", Some(&kek.admin), json!({"name": "authors", "scopes": ["members:read"]})).await;
        let secret = token.body["token"].as_str().unwrap().to_owned();
        assert_eq!(app.get(&path, Some(&secret)).await.status, StatusCode::OK);

        // Ending one: never before it starts, not a membership period, not twice.
        let id = added.body["id"].as_str().unwrap().to_owned();
        let primary = mine.body[0]["id"].as_str().unwrap().to_owned();
        app.delete(&format!("{path}/{id}?end_date={}", app.day(10)), Some(&other_token)).await.assert_problem(403, "forbidden");
        app.delete(&format!("{path}/{id}?end_date={}", app.day(-1)), Some(&desy_token)).await.assert_problem(422, "validation_failed");
        app.delete(&format!("{path}/{primary}"), Some(&kek.ir_token)).await.assert_problem(409, "primary_affiliation");
        app.delete(&format!("{path}/{id}?end_date=someday"), Some(&desy_token)).await.assert_problem(400, "invalid_query");
        let ended = app.delete(&format!("{path}/{id}?end_date={}", app.day(10)), Some(&kek.ir_token)).await;
        assert_eq!(ended.status, StatusCode::NO_CONTENT, "{}", ended.text);
        app.delete(&format!("{path}/{id}?end_date={}", app.day(20)), Some(&desy_token)).await.assert_problem(409, "affiliation_ended");
        let after = app.get(&path, Some(&jane_token)).await;
        assert_eq!(after.body[1]["end_date"], app.day(10), "{}", after.text);
        // After it ends, the same institution can be added again.
        let later = app.post(&path, Some(&desy_token), json!({"institution_id": desy, "start_date": app.day(10)})).await;
        assert_eq!(later.status, StatusCode::CREATED, "{}", later.text);
    }
}

/// A second institution with its own representative: `(institution id, IR, IR's token)`.
async fn second_institution(
    app: &TestApp,
    kek: &Institution,
    short: &str,
) -> (uuid::Uuid, b2mms_tests::Seeded, String) {
    let id = app.seed_institution(short).await;
    let ir = app
        .seed_person(&format!("ir{}", short.to_lowercase()), &[], id)
        .await;
    let appointed = app
        .post(
            &format!("/api/v1/institutions/{id}/representatives"),
            Some(&kek.admin),
            json!({"person_id": ir.id}),
        )
        .await;
    assert_eq!(appointed.status, StatusCode::OK, "{}", appointed.text);
    let token = app.sign_in_fresh(&ir).await;
    (id, ir, token)
}

on_both_databases! {
    async fn a_change_of_institution_is_decided_by_the_new_one_and_happens_on_its_date(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let (desy, _desy_ir, desy_token) = second_institution(app, &kek, "DESY").await;
        let (lmu, _lmu_ir, lmu_token) = second_institution(app, &kek, "LMU").await;
        let jane = app.seed_person("jdoe", &[], kek.id).await;
        let jane_token = app.sign_in_fresh(&jane).await;
        let other = app.seed_person("other", &[], kek.id).await;
        let other_token = app.sign_in_fresh(&other).await;
        let path = format!("/api/v1/members/{}/transfers", jane.id);

        // Who may ask, and for what.
        app.post(&path, Some(&other_token), json!({"institution_id": desy, "effective_date": app.day(10)})).await.assert_problem(403, "forbidden");
        app.post(&path, Some(&kek.ir_token), json!({"institution_id": desy, "effective_date": app.day(10)})).await.assert_problem(403, "forbidden");
        let past = app.post(&path, Some(&jane_token), json!({"institution_id": desy, "effective_date": app.day(-1)})).await;
        assert_eq!(past.body["errors"]["effective_date"][0]["code"], "effective_date.past", "{}", past.text);
        let home = app.post(&path, Some(&jane_token), json!({"institution_id": kek.id, "effective_date": app.day(10)})).await;
        assert_eq!(home.body["errors"]["institution_id"][0]["code"], "institution_id.home", "{}", home.text);
        app.post(&path, Some(&jane_token), json!({"institution_id": "00000000-0000-0000-0000-000000000001", "effective_date": app.day(10)}))
            .await
            .assert_problem(422, "validation_failed");

        let to_desy = app.post(&path, Some(&jane_token), json!({"institution_id": desy, "effective_date": app.day(10)})).await;
        assert_eq!(to_desy.status, StatusCode::CREATED, "{}", to_desy.text);
        assert_eq!(to_desy.body["state"], "pending");
        assert_eq!(to_desy.body["requested_by"], "jdoe");
        assert_eq!(to_desy.body["decidable"], false, "the person does not decide");
        app.post(&path, Some(&jane_token), json!({"institution_id": desy, "effective_date": app.day(12)})).await.assert_problem(409, "transfer_pending");
        let to_lmu = app.post(&path, Some(&lmu_token), json!({"institution_id": lmu, "effective_date": app.day(5), "category": "phd_student"})).await;
        assert_eq!(to_lmu.status, StatusCode::CREATED, "{}", to_lmu.text);
        app.run_jobs().await;
        assert!(app.mail.to("irdesy@kek.jp").iter().any(|m| m.subject == "Test Jdoe asks to move to DESY"));

        // Who sees them.
        let seen = |token: String| async move { app.get("/api/v1/transfers?state=pending", Some(&token)).await };
        let by_desy = seen(desy_token.clone()).await;
        assert_eq!(by_desy.body["total"], 1, "{}", by_desy.text);
        assert_eq!(by_desy.body["items"][0]["decidable"], true);
        assert_eq!(seen(kek.ir_token.clone()).await.body["total"], 2, "the old institution sees both");
        assert_eq!(seen(jane_token.clone()).await.body["total"], 2, "the person sees their own");
        assert_eq!(seen(other_token.clone()).await.body["total"], 0);
        app.get("/api/v1/transfers?state=sideways", Some(&jane_token)).await.assert_problem(400, "invalid_query");

        // Who decides: the new institution only.
        let desy_id = to_desy.body["id"].as_str().unwrap().to_owned();
        let lmu_id = to_lmu.body["id"].as_str().unwrap().to_owned();
        app.post(&format!("/api/v1/transfers/{desy_id}/approve"), Some(&kek.ir_token), json!({})).await.assert_problem(403, "forbidden");
        app.post(&format!("/api/v1/transfers/{desy_id}/approve"), Some(&jane_token), json!({})).await.assert_problem(403, "forbidden");
        app.post("/api/v1/transfers/00000000-0000-0000-0000-000000000001/approve", Some(&desy_token), json!({})).await.assert_problem(404, "not_found");

        // Two pending changes approved at once: exactly one wins.
        let desy_path = format!("/api/v1/transfers/{desy_id}/approve");
        let lmu_path = format!("/api/v1/transfers/{lmu_id}/approve");
        let (a, b) = futures_util::future::join(
            app.post(&desy_path, Some(&desy_token), json!({})),
            app.post(&lmu_path, Some(&lmu_token), json!({})),
        )
        .await;
        let winners = [&a, &b].iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(winners, 1, "{} / {}", a.text, b.text);
        let (won, lost, lost_token, loser_short, days) = if a.status == StatusCode::OK {
            (a, b, lmu_token.clone(), "LMU", 10)
        } else {
            (b, a, desy_token.clone(), "DESY", 5)
        };
        lost.assert_problem(409, "transfer_approved_already");
        assert_eq!(won.body["state"], "approved");
        let lost_id = if loser_short == "LMU" { &lmu_id } else { &desy_id };
        app.post(&format!("/api/v1/transfers/{lost_id}/reject"), Some(&lost_token), json!({"reason": "  "})).await.assert_problem(422, "validation_failed");
        let rejected = app.post(&format!("/api/v1/transfers/{lost_id}/reject"), Some(&lost_token), json!({"reason": "No position here"})).await;
        assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.text);
        assert_eq!(rejected.body["state"], "rejected");
        app.post(&format!("/api/v1/transfers/{lost_id}/approve"), Some(&lost_token), json!({})).await.assert_problem(409, "transfer_decided");
        app.run_jobs().await;
        let told = app.mail.to("jdoe@kek.jp");
        assert!(told.iter().any(|m| m.subject.contains("was rejected") && m.body.contains("No position here")), "{told:?}");
        assert!(app.mail.to("irkek@kek.jp").iter().any(|m| m.subject.starts_with("Test Jdoe moves to")), "the old institution is told");

        // Nothing moves before the date; on the date the affiliation moves and the history
        // keeps both periods.
        let record = format!("/api/v1/members/{}", jane.id);
        app.advance(chrono::Duration::days(days - 1));
        app.run_jobs().await;
        let admin = app.sign_in(&kek.admin_person).await;
        assert_eq!(app.get(&record, Some(&admin)).await.body["institution_id"], kek.id.to_string());
        app.advance(chrono::Duration::days(1));
        app.run_jobs().await;
        let admin = app.sign_in(&kek.admin_person).await;
        let moved = app.get(&record, Some(&admin)).await;
        let new_home = won.body["to_institution_id"].as_str().unwrap().to_owned();
        assert_eq!(moved.body["institution_id"], new_home, "{}", moved.text);
        assert_eq!(moved.body["status"], "active");
        let periods = app.get(&format!("{record}/affiliations"), Some(&admin)).await;
        let periods = periods.body.as_array().unwrap().clone();
        assert_eq!(periods.len(), 2, "{periods:?}");
        assert_eq!(periods[0]["institution_short_name"], "KEK");
        assert_eq!(periods[0]["end_reason"], "transfer");
        assert_eq!(periods[0]["end_date"], app.today().to_string());
        assert_eq!(periods[1]["start_date"], app.today().to_string());
        let done = app.get(&format!("/api/v1/transfers?person_id={}&state=completed", jane.id), Some(&admin)).await;
        assert_eq!(done.body["total"], 1, "{}", done.text);

        // A change approved for a later date is cancelled when the membership ends first; one
        // whose date has passed is not approved; one due today happens at once.
        let jane_token = app.sign_in(&jane).await;
        let kek_token = app.sign_in(&kek.ir).await;
        let back = app.post(&path, Some(&jane_token), json!({"institution_id": kek.id, "effective_date": app.day(1)})).await;
        let back_id = back.body["id"].as_str().unwrap().to_owned();
        app.advance(chrono::Duration::days(2));
        let kek_token2 = app.sign_in(&kek.ir).await;
        let late = app.post(&format!("/api/v1/transfers/{back_id}/approve"), Some(&kek_token2), json!({})).await;
        assert_eq!(late.body["errors"]["effective_date"][0]["code"], "effective_date.past", "{}", late.text);
        let jane_token = app.sign_in(&jane).await;
        let today = app.post(&path, Some(&jane_token), json!({"institution_id": kek.id, "effective_date": app.day(0)})).await;
        assert_eq!(today.status, StatusCode::CREATED, "{}", today.text);
        let now = app.post(&format!("/api/v1/transfers/{}/approve", today.body["id"].as_str().unwrap()), Some(&kek_token2), json!({})).await;
        assert_eq!(now.status, StatusCode::OK, "{}", now.text);
        assert_eq!(now.body["state"], "completed", "due today, carried out at once");
        let admin = app.sign_in(&kek.admin_person).await;
        assert_eq!(app.get(&record, Some(&admin)).await.body["institution_id"], kek.id.to_string());
        let _ = kek_token;

        let away = app.post(&path, Some(&jane_token), json!({"institution_id": desy, "effective_date": app.day(5)})).await;
        let away_id = away.body["id"].as_str().unwrap().to_owned();
        let desy_token = app.sign_in(&_desy_ir).await;
        let approved = app.post(&format!("/api/v1/transfers/{away_id}/approve"), Some(&desy_token), json!({})).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        let leaving = app.post(&format!("{record}/leave"), Some(&kek_token2), json!({"date": app.day(2)})).await;
        assert_eq!(leaving.status, StatusCode::OK, "{}", leaving.text);
        app.advance(chrono::Duration::days(5));
        app.run_jobs().await;
        let admin = app.sign_in(&kek.admin_person).await;
        let gone = app.get(&record, Some(&admin)).await;
        assert_eq!(gone.body["status"], "left", "{}", gone.text);
        assert_eq!(gone.body["institution_id"], kek.id.to_string(), "a person who left is not moved");
        let cancelled = app.get(&format!("/api/v1/transfers?person_id={}&state=cancelled", jane.id), Some(&admin)).await;
        assert_eq!(cancelled.body["total"], 1, "{}", cancelled.text);
    }
}

on_both_databases! {
    async fn representatives_find_the_memberships_that_end_soon(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        for (account, days) in [("soon", Some(20)), ("later", Some(40)), ("sooner", Some(3)), ("open", None)] {
            let person = app.seed_person(account, &[], kek.id).await;
            if let Some(days) = days {
                let set = app.patch(&format!("/api/v1/members/{}", person.id), Some(&kek.ir_token), json!({"membership_end": app.day(days)})).await;
                assert_eq!(set.status, StatusCode::OK, "{}", set.text);
            }
        }
        let accounts = |body: &serde_json::Value| -> Vec<String> {
            body["items"].as_array().unwrap().iter().map(|p| p["account_name"].as_str().unwrap().to_owned()).collect()
        };
        let soon = app.get(&format!("/api/v1/members?institution_id={}&ending_within=30&sort=membership_end", kek.id), Some(&kek.ir_token)).await;
        assert_eq!(soon.status, StatusCode::OK, "{}", soon.text);
        assert_eq!(accounts(&soon.body), ["sooner", "soon"]);
        assert_eq!(soon.body["items"][0]["membership_end"], app.day(3));
        let all = app.get(&format!("/api/v1/members?institution_id={}&sort=membership_end&order=desc", kek.id), Some(&kek.ir_token)).await;
        let order = accounts(&all.body);
        assert_eq!(&order[..3], ["later", "soon", "sooner"], "{order:?}");
        app.get("/api/v1/members?ending_within=99999", Some(&kek.ir_token)).await.assert_problem(400, "invalid_query");
        app.get("/api/v1/members?ending_within=-1", Some(&kek.ir_token)).await.assert_problem(400, "invalid_query");
    }
}
