//! Credentials over time: lost passwords, reuse, expiry and its reminders, and the end of a
//! membership.

use b2mms_tests::{StatusCode, TestApp, new_password, on_both_databases};
use serde_json::json;

fn link_token(body: &str) -> String {
    let start = body.find("token=").expect("a reset link") + "token=".len();
    body[start..].split_whitespace().next().unwrap().to_owned()
}

on_both_databases! {
    async fn a_lost_password_is_reset_by_a_one_time_link(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        let jane = app.seed_person("jdoe", &[], home).await;
        let session = app.sign_in_fresh(&jane).await;

        // The same answer whether or not the account exists.
        for who in ["jdoe", "JDOE@kek.jp", "nobody", "someone@nowhere.org", ""] {
            let r = app.post("/api/v1/auth/password-reset", None, json!({"account_or_email": who})).await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{who}");
            assert!(r.text.is_empty());
        }
        app.run_jobs().await;
        let mails = app.mail.to("jdoe@kek.jp");
        let resets: Vec<_> = mails.iter().filter(|m| m.subject.contains("Reset")).collect();
        assert_eq!(resets.len(), 1, "one link per cooldown, whether asked by name or by email");
        // After the cooldown another link can be had, by email too.
        app.advance(chrono::Duration::minutes(6));
        let r = app.post("/api/v1/auth/password-reset", None, json!({"account_or_email": "jdoe@kek.jp"})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        app.run_jobs().await;
        let mails = app.mail.to("jdoe@kek.jp");
        let resets: Vec<_> = mails.iter().filter(|m| m.subject.contains("Reset")).collect();
        assert_eq!(resets.len(), 2, "by account name, and by email after the cooldown");
        let token = link_token(&resets[0].body);
        assert!(resets[0].body.contains("https://b2mms.test/reset-password?token="));

        let weak = app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "new_password": "short"})).await;
        weak.assert_problem(422, "validation_failed");
        let done = app
            .post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "new_password": "Fresh-Copper-Valley-36"}))
            .await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
        // Single use; sessions ended; the new password works without a forced change.
        app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "new_password": "Other-Copper-Valley-37"}))
            .await
            .assert_problem(400, "invalid_reset_token");
        app.get("/api/v1/me", Some(&session)).await.assert_problem(401, "session_ended");
        let login = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": "Fresh-Copper-Valley-36"})).await;
        assert_eq!(login.body["must_change_password"], false, "{}", login.text);

        // Using one link spent the other one.
        let other = link_token(&resets[1].body);
        app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": other, "new_password": "Other-Copper-Valley-37"}))
            .await
            .assert_problem(400, "invalid_reset_token");
        // A link is good for an hour only.
        app.advance(chrono::Duration::minutes(6));
        let r = app.post("/api/v1/auth/password-reset", None, json!({"account_or_email": "jdoe"})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        app.run_jobs().await;
        let resets: Vec<_> = app.mail.to("jdoe@kek.jp").into_iter().filter(|m| m.subject.contains("Reset")).collect();
        assert_eq!(resets.len(), 3);
        let late = link_token(&resets[2].body);
        app.advance(chrono::Duration::minutes(61));
        app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": late, "new_password": "Late-Copper-Valley-38"}))
            .await
            .assert_problem(400, "invalid_reset_token");
        app.post("/api/v1/auth/password-reset/confirm", None, json!({"token": "forged", "new_password": "Late-Copper-Valley-38"}))
            .await
            .assert_problem(400, "invalid_reset_token");
    }

    async fn the_last_five_passwords_cannot_return(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        let jane = app.seed_person("jdoe", &[], home).await;
        let mut token = app.sign_in_fresh(&jane).await;
        let mut current = new_password("jdoe");
        let passwords = ["Amber-Falcon-Ridge-11", "Amber-Falcon-Ridge-12", "Amber-Falcon-Ridge-13", "Amber-Falcon-Ridge-14", "Amber-Falcon-Ridge-15"];
        for next in passwords {
            let r = app.post("/api/v1/auth/password", Some(&token), json!({"current_password": current, "new_password": next})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            token = r.body["access_token"].as_str().unwrap().to_owned();
            current = next.to_owned();
        }
        // The current password and the four before it count.
        let unchanged = app
            .post("/api/v1/auth/password", Some(&token), json!({"current_password": current, "new_password": current}))
            .await;
        assert_eq!(unchanged.body["errors"]["new_password"][0]["code"], "password.unchanged");
        for old in &passwords[..4] {
            let reused = app
                .post("/api/v1/auth/password", Some(&token), json!({"current_password": current, "new_password": old}))
                .await;
            reused.assert_problem(422, "validation_failed");
            assert_eq!(reused.body["errors"]["new_password"][0]["code"], "password.reused", "{old}");
        }
        // Six back is old enough.
        let r = app
            .post("/api/v1/auth/password", Some(&token), json!({"current_password": current, "new_password": new_password("jdoe")}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }

    async fn passwords_expire_with_reminders_first(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        let jane = app.seed_person("jdoe", &[], home).await;
        let token = app.sign_in_fresh(&jane).await;
        let me = app.get("/api/v1/me", Some(&token)).await;
        let expires = me.body["password_expires_at"].as_str().unwrap().to_owned();
        let reminders = |app: &TestApp| app.mail.to("jdoe@kek.jp").into_iter().filter(|m| m.subject.contains("expires")).map(|m| m.subject).collect::<Vec<_>>();
        app.advance(chrono::Duration::days(140));
        app.run_jobs().await;
        assert!(reminders(app).is_empty());
        app.advance(chrono::Duration::days(11)); // 29 days left
        app.run_jobs().await;
        app.run_jobs().await;
        assert_eq!(reminders(app).len(), 1, "{:?}", reminders(app));
        app.advance(chrono::Duration::days(16)); // 13 days left
        app.run_jobs().await;
        app.advance(chrono::Duration::days(7)); // 6 days left
        app.run_jobs().await;
        app.advance(chrono::Duration::days(5) + chrono::Duration::hours(12)); // half a day left
        app.run_jobs().await;
        app.run_jobs().await;
        let sent = reminders(app);
        assert_eq!(sent.len(), 4, "30, 14, 7 and 1 days before, each once: {sent:?}");
        assert!(sent[3].contains("1 day"), "{sent:?}");

        // Expired: signing in only allows a new password.
        app.advance(chrono::Duration::days(1));
        let login = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        assert_eq!(login.body["must_change_password"], true);
        assert_eq!(login.body["password_expires_at"], expires.as_str());
        let limited = login.body["access_token"].as_str().unwrap();
        app.get("/api/v1/me", Some(limited)).await.assert_problem(403, "password_change_required");
    }

    async fn an_ended_membership_closes_the_account_after_the_grace_period(app: TestApp) {
        let (admin, _) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let ir = app.seed_person("irkek", &[], kek).await;
        let admin_token = app.sign_in(&admin).await;
        app.post(&format!("/api/v1/institutions/{kek}/representatives"), Some(&admin_token), json!({"person_id": ir.id})).await;
        let ir_token = app.sign_in_fresh(&ir).await;
        let jane = app.seed_person("jdoe", &[], kek).await;
        let jane_token = app.sign_in_fresh(&jane).await;
        let path = format!("/api/v1/members/{}", jane.id);

        app.patch(&path, Some(&jane_token), json!({"status": "left"})).await.assert_problem(403, "forbidden");
        app.patch(&path, Some(&ir_token), json!({"category": "physicist_permanent"})).await.assert_problem(403, "forbidden");
        app.patch(&path, Some(&ir_token), json!({"status": "active", "membership_end": "2001-01-01"}))
            .await
            .assert_problem(422, "validation_failed");
        let left = app.patch(&path, Some(&ir_token), json!({"status": "left", "category": "student"})).await;
        assert_eq!(left.status, StatusCode::OK, "{}", left.text);
        assert_eq!(left.body["status"], "left");
        assert_eq!(left.body["category"], "student");
        assert!(left.body["membership_end"].is_string(), "leaving sets the end date");

        // Within the grace period the account still works.
        app.advance(chrono::Duration::days(20));
        app.run_jobs().await;
        let still = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await;
        assert_eq!(still.status, StatusCode::OK);
        let fresh = still.body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(app.get("/api/v1/me", Some(&fresh)).await.status, StatusCode::OK);
        // A representative cannot shorten the grace by backdating the end.
        let long_ago = (chrono::Utc::now() - chrono::Duration::days(40)).date_naive().to_string();
        let ir_token = app.sign_in(&ir).await;
        app.patch(&path, Some(&ir_token), json!({"membership_end": long_ago}))
            .await
            .assert_problem(422, "validation_failed");
        // Once the grace period has passed, the account closes, its tokens at once.
        app.advance(chrono::Duration::days(11));
        let last = app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")})).await;
        assert_eq!(last.status, StatusCode::OK, "the job has not run yet: {}", last.text);
        let fresh = last.body["access_token"].as_str().unwrap().to_owned();
        assert!(app.run_jobs().await.memberships_changed >= 1);
        app.get("/api/v1/me", Some(&fresh)).await.assert_problem(401, "session_ended");
        app.post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")}))
            .await
            .assert_problem(403, "account_disabled");

        // An end date in the past expires an active membership.
        let bob = app.seed_person("bobby", &[], kek).await;
        let admin_token = app.sign_in(&admin).await;
        let today = (chrono::Utc::now() + chrono::Duration::days(31)).date_naive();
        let set = app
            .patch(&format!("/api/v1/members/{}", bob.id), Some(&admin_token), json!({"membership_end": (today + chrono::Duration::days(1)).to_string()}))
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text);
        app.advance(chrono::Duration::days(2));
        app.run_jobs().await;
        let admin_token = app.sign_in(&admin).await;
        let bob = app.get(&format!("/api/v1/members/{}", bob.id), Some(&admin_token)).await;
        assert_eq!(bob.body["status"], "expired", "{}", bob.text);
    }
}
