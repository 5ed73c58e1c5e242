//! Rules of the collaboration that hold whatever a caller tries: nobody locks the
//! collaboration out, nobody decides about themselves, outsiders learn nothing of a record's
//! state, and representatives do not backdate the end of a membership.

use b2mms_shared::Role;
use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::json;

on_both_databases! {
    async fn nobody_can_lock_out_the_collaboration(app: TestApp) {
        let (boss, admin) = app.admin().await;
        let me = format!("/api/v1/members/{}", boss.id);
        for patch in [json!({"status": "left"}), json!({"status": "expired"}), json!({"membership_end": "2099-01-01"})] {
            app.patch(&me, Some(&admin), patch).await.assert_problem(409, "last_admin");
        }
        app.delete(&format!("{me}/roles/admin"), Some(&admin)).await.assert_problem(409, "last_admin");

        // A second admin whose membership has ended does not count.
        let home = app.seed_institution("DESY").await;
        let other = app.seed_person("second", &[Role::Admin], home).await;
        let ended = app
            .patch(&format!("/api/v1/members/{}", other.id), Some(&admin), json!({"status": "expired"}))
            .await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
        app.patch(&me, Some(&admin), json!({"status": "left"})).await.assert_problem(409, "last_admin");

        // With another active admin it is allowed.
        app.seed_person("third", &[Role::Admin], home).await;
        let left = app.patch(&me, Some(&admin), json!({"membership_end": "2099-01-01"})).await;
        assert_eq!(left.status, StatusCode::OK, "{}", left.text);
    }

    async fn nobody_decides_about_themselves(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let own = format!("/api/v1/members/{}", kek.ir.id);
        app.patch(&own, Some(&kek.ir_token), json!({"membership_end": "2099-01-01"}))
            .await
            .assert_problem(403, "forbidden");
        app.patch(&own, Some(&kek.ir_token), json!({"category": "technical_staff"}))
            .await
            .assert_problem(403, "forbidden");
        // Another IR of the institution may.
        let deputy = app.seed_person("deputy", &[], kek.id).await;
        app.post(&format!("/api/v1/institutions/{}/representatives", kek.id), Some(&kek.admin), json!({"person_id": deputy.id}))
            .await;
        let deputy_token = app.sign_in_fresh(&deputy).await;
        let changed = app.patch(&own, Some(&deputy_token), json!({"membership_end": "2099-01-01"})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);

        // An applicant cannot approve or reject their own request, in any state: 403, not 409.
        let (token, id) = kek.open_request(app, "self@kek.jp").await;
        for action in ["approve", "reject"] {
            app.post(&format!("/api/v1/registrations/{id}/{action}"), Some(&token), json!({"reason": "x"}))
                .await
                .assert_problem(403, "forbidden");
        }
    }

    async fn outsiders_get_403_before_anything_about_the_record(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let desy = app.seed_institution("DESY").await;
        let outsider = app.seed_person("irdesy", &[], desy).await;
        app.post(&format!("/api/v1/institutions/{desy}/representatives"), Some(&kek.admin), json!({"person_id": outsider.id}))
            .await;
        let outsider_token = app.sign_in_fresh(&outsider).await;
        let (token, id) = kek.open_request(app, "n.rossi@kek.jp").await;
        // Not submitted yet: an outsider still hears 403, not that it cannot be approved now,
        // and an empty reason is not what they are told about.
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&outsider_token), json!({}))
            .await
            .assert_problem(403, "forbidden");
        app.post(&format!("/api/v1/registrations/{id}/reject"), Some(&outsider_token), json!({"reason": " "}))
            .await
            .assert_problem(403, "forbidden");
        let sent = app
            .post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), kek.form("Nino", "Rossi", "n.rossi@kek.jp", "nrossi"))
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
        app.post(&format!("/api/v1/registrations/{id}/approve"), Some(&outsider_token), json!({"comment": "x".repeat(5000)}))
            .await
            .assert_problem(403, "forbidden");
    }

    async fn representatives_do_not_backdate_and_backdating_keeps_the_grace(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let member = app.seed_person("jdoe", &[], kek.id).await;
        let path = format!("/api/v1/members/{}", member.id);
        let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive().to_string();
        let r = app.patch(&path, Some(&kek.ir_token), json!({"membership_end": yesterday})).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.body["errors"]["membership_end"][0]["code"], "membership_end.backdated");

        // The secretariat may backdate (to a day after the membership began): the membership
        // has ended, the account closes only after the full grace period from today.
        app.advance(chrono::Duration::days(100));
        let admin = app.sign_in(&kek.admin_person).await;
        let long_ago = app.day(-90);
        let r = app.patch(&path, Some(&admin), json!({"status": "expired", "membership_end": long_ago})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        app.run_jobs().await;
        let login = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": member.password})).await;
        assert_eq!(login.status, StatusCode::OK, "within the grace period: {}", login.text);
        app.advance(chrono::Duration::days(31));
        app.run_jobs().await;
        let login = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": member.password})).await;
        login.assert_problem(403, "account_disabled");
    }
}
