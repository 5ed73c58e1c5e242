//! Sessions: sign-in, forced password change, refresh rotation and reuse, sign-out, JWKS.

use b2mms_tests::{StatusCode, new_password, on_both_databases};
use serde_json::json;

on_both_databases! {
    async fn first_login_can_only_change_the_password(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        let jane = app.seed_person("jdoe", &[], home).await;

        let login = app
            .post("/api/v1/auth/login", None, json!({"account": "JDoe", "password": jane.password}))
            .await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        assert_eq!(login.body["token_type"], "Bearer");
        // The account name as stored, whatever case it was typed in.
        assert_eq!(login.body["account"], "jdoe");
        assert_eq!(login.body["must_change_password"], true);
        assert_eq!(login.body["roles"], json!(["member"]));
        assert!(login.body["password_expires_at"].is_string());
        assert!(login.body["expires_in"].as_i64().unwrap() > 0);
        let cookie = login
            .header("set-cookie")
            .expect("refresh cookie")
            .to_owned();
        assert!(cookie.starts_with("b2mms_refresh="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(!login.text.contains(&login.cookie("b2mms_refresh").unwrap()), "refresh token only in the cookie");

        let limited = login.body["access_token"].as_str().unwrap();
        app.get("/api/v1/me", Some(limited)).await.assert_problem(403, "password_change_required");

        // The policy is enforced, every violation reported at once.
        let weak = app
            .post(
                "/api/v1/auth/password",
                Some(limited),
                json!({"current_password": jane.password, "new_password": "jdoe"}),
            )
            .await;
        weak.assert_problem(422, "validation_failed");
        let codes: Vec<&str> = weak.body["errors"]["new_password"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"password.too_short"), "{codes:?}");
        assert!(codes.contains(&"password.contains_account_name"), "{codes:?}");

        let wrong = app
            .post(
                "/api/v1/auth/password",
                Some(limited),
                json!({"current_password": "not-it", "new_password": new_password("jdoe")}),
            )
            .await;
        wrong.assert_problem(403, "wrong_current_password");

        let changed = app
            .post(
                "/api/v1/auth/password",
                Some(limited),
                json!({"current_password": jane.password, "new_password": new_password("jdoe")}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        assert_eq!(changed.body["must_change_password"], false);
        let full = changed.body["access_token"].as_str().unwrap();
        let me = app.get("/api/v1/me", Some(full)).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.text);
        assert_eq!(me.body["account_name"], "jdoe");
        assert_eq!(me.body["email"], "jdoe@kek.jp");

        // The old password no longer works, the new one does, without a forced change.
        let old = app
            .post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": jane.password}))
            .await;
        old.assert_problem(401, "invalid_credentials");
        let again = app
            .post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": new_password("jdoe")}))
            .await;
        assert_eq!(again.body["must_change_password"], false, "{}", again.text);

        // Stored only as an argon2id hash.
        let stored = app
            .state
            .db
            .run(move |conn| b2mms::store::accounts::account_of(conn, &b2mms_shared::PersonId::parse(&jane.id).unwrap()))
            .await
            .unwrap();
        assert!(stored.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    async fn wrong_password_and_unknown_account_look_the_same(app: TestApp) {
        let home = app.seed_institution("KEK").await;
        app.seed_person("jdoe", &[], home).await;
        let wrong = app
            .post("/api/v1/auth/login", None, json!({"account": "jdoe", "password": "Wrong-Password-1"}))
            .await;
        let unknown = app
            .post("/api/v1/auth/login", None, json!({"account": "nobody1", "password": "Wrong-Password-1"}))
            .await;
        wrong.assert_problem(401, "invalid_credentials");
        unknown.assert_problem(401, "invalid_credentials");
        assert_eq!(wrong.body["detail"], unknown.body["detail"]);
        assert!(wrong.header("www-authenticate").is_some());
        let empty = app
            .post("/api/v1/auth/login", None, json!({"account": "", "password": ""}))
            .await;
        empty.assert_problem(401, "invalid_credentials");
    }

    async fn refresh_rotates_and_reuse_ends_the_session(app: TestApp) {
        let (admin, _) = app.admin().await;
        let login = app
            .post("/api/v1/auth/login", None, json!({"account": admin.account, "password": new_password(&admin.account)}))
            .await;
        let first = login.cookie("b2mms_refresh").unwrap();
        let access = login.body["access_token"].as_str().unwrap().to_owned();

        let refresh = |cookie: String| {
            let app = &app;
            async move {
                let response = app
                    .client
                    .post(app.url("/api/v1/auth/refresh"))
                    .header("cookie", format!("b2mms_refresh={cookie}"))
                    .send()
                    .await
                    .unwrap();
                b2mms_tests::Reply::from(response).await
            }
        };
        let second = refresh(first.clone()).await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.text);
        assert_eq!(second.body["roles"], json!(["member", "admin"]));
        let next = second.cookie("b2mms_refresh").unwrap();
        assert_ne!(next, first, "rotated");

        // Replaying the spent token ends the whole session, including its newest token.
        refresh(first).await.assert_problem(401, "refresh_token_reused");
        refresh(next).await.assert_problem(401, "invalid_refresh_token");
        app.get("/api/v1/me", Some(&access)).await.assert_problem(401, "session_ended");

        let none = app.post("/api/v1/auth/refresh", None, json!({})).await;
        none.assert_problem(401, "missing_refresh_token");
    }

    async fn logout_revokes_the_session(app: TestApp) {
        let (_, token) = app.admin().await;
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, StatusCode::OK);
        let out = app.post("/api/v1/auth/logout", Some(&token), json!({})).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let cleared = out.header("set-cookie").unwrap();
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        app.get("/api/v1/me", Some(&token)).await.assert_problem(401, "session_ended");
        app.post("/api/v1/auth/logout", None, json!({})).await.assert_problem(401, "missing_token");
    }

    async fn changing_the_password_ends_other_sessions(app: TestApp) {
        let (admin, token) = app.admin().await;
        let other = app
            .post("/api/v1/auth/login", None, json!({"account": admin.account, "password": new_password(&admin.account)}))
            .await;
        let other_token = other.body["access_token"].as_str().unwrap().to_owned();
        let changed = app
            .post(
                "/api/v1/auth/password",
                Some(&token),
                json!({"current_password": new_password(&admin.account), "new_password": "Another-Secret-99"}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        app.get("/api/v1/me", Some(&other_token)).await.assert_problem(401, "session_ended");
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, StatusCode::OK);
    }

    async fn tokens_verify_against_the_published_keys(app: TestApp) {
        let (admin, token) = app.admin().await;
        let jwks = app.get("/.well-known/jwks.json", None).await;
        assert_eq!(jwks.status, StatusCode::OK);
        let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.body.clone()).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
        let jwk = set.find(header.kid.as_deref().unwrap()).expect("signing key published");
        assert!(!jwks.text.contains("\"d\""), "no private part");
        let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
        validation.set_audience(&["b2mms:session"]);
        let data = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation).unwrap();
        assert_eq!(data.claims["sub"], admin.id.as_str());
        assert_eq!(data.claims["name"], "boss");
        let lifetime = data.claims["exp"].as_i64().unwrap() - data.claims["iat"].as_i64().unwrap();
        assert!(lifetime <= 3600, "short-lived");

        // A token signed by someone else is refused.
        let forged = {
            let mut parts: Vec<&str> = token.split('.').collect();
            parts[2] = "AAAA";
            parts.join(".")
        };
        app.get("/api/v1/me", Some(&forged)).await.assert_problem(401, "invalid_token");
        app.get("/api/v1/me", None).await.assert_problem(401, "missing_token");
    }

    async fn roles_take_effect_at_once(app: TestApp) {
        let (_, admin) = app.admin().await;
        let home = app.seed_institution("KEK").await;
        let chair = app.seed_person("chair", &[], home).await;
        let chair_token = app.sign_in_fresh(&chair).await;
        app.get("/api/v1/audit", Some(&chair_token)).await.assert_problem(403, "forbidden");
        let granted = app
            .post(&format!("/api/v1/members/{}/roles", chair.id), Some(&admin), json!({"role": "admin"}))
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.text);
        assert_eq!(app.get("/api/v1/audit", Some(&chair_token)).await.status, StatusCode::OK);
    }
}
