//! Service tokens for collaboration tools, and the member directory they read.

use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::json;

on_both_databases! {
    async fn tools_read_what_their_scopes_allow_and_nothing_else(app: TestApp) {
        let (_, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let jane = app.seed_person("jdoe", &[], kek).await;
        let jane_token = app.sign_in_fresh(&jane).await;
        app.post("/api/v1/service-tokens", Some(&jane_token), json!({"name": "x", "scopes": ["members:read"]}))
            .await
            .assert_problem(403, "forbidden");
        app.post("/api/v1/service-tokens", Some(&admin), json!({"name": "x", "scopes": []}))
            .await
            .assert_problem(422, "validation_failed");
        let unknown = app.post("/api/v1/service-tokens", Some(&admin), json!({"name": "x", "scopes": ["everything"]})).await;
        unknown.assert_problem(422, "validation_failed");
        assert_eq!(unknown.body["errors"]["scopes[0]"][0]["code"], "field.not_allowed", "{}", unknown.text);

        let created = app
            .post("/api/v1/service-tokens", Some(&admin), json!({"name": "wiki-sync", "scopes": ["members:read"]}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let token = created.body["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("b2mms_st_"));
        let id = created.body["id"].as_str().unwrap().to_owned();

        let directory = app.get("/api/v1/members?q=DOE", Some(&token)).await;
        assert_eq!(directory.status, StatusCode::OK, "{}", directory.text);
        assert_eq!(directory.body["total"], 1);
        assert_eq!(directory.body["items"][0]["account_name"], "jdoe");
        assert!(directory.body["items"][0].get("password_expires_at").is_none(), "no account details in the directory");
        assert_eq!(app.get(&format!("/api/v1/members/{}", jane.id), Some(&token)).await.status, StatusCode::OK);
        for path in ["/api/v1/registrations", "/api/v1/audit", "/api/v1/me", "/api/v1/invitations"] {
            app.get(path, Some(&token)).await.assert_problem(403, "scope_missing");
        }
        app.post("/api/v1/institutions", Some(&token), json!({"name": "N", "short_name": "S", "city": "C", "country": "JP"}))
            .await
            .assert_problem(403, "scope_missing");

        let listed = app.get("/api/v1/service-tokens", Some(&admin)).await;
        assert_eq!(listed.body[0]["name"], "wiki-sync");
        assert!(listed.body[0]["last_used_at"].is_string(), "{}", listed.text);
        assert!(!listed.text.contains(&token), "the secret is shown once");

        // Revoked: gone at once.
        assert_eq!(app.delete(&format!("/api/v1/service-tokens/{id}"), Some(&admin)).await.status, StatusCode::NO_CONTENT);
        app.get("/api/v1/members", Some(&token)).await.assert_problem(401, "invalid_token");
        app.delete(&format!("/api/v1/service-tokens/{id}"), Some(&admin)).await.assert_problem(404, "not_found");

        // Expiring: gone when its time is up.
        let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let short = app
            .post("/api/v1/service-tokens", Some(&admin), json!({"name": "audit-export", "scopes": ["audit:read", "registrations:read"], "expires_at": expires}))
            .await;
        let short = short.body["token"].as_str().unwrap().to_owned();
        assert_eq!(app.get("/api/v1/audit", Some(&short)).await.status, StatusCode::OK);
        assert_eq!(app.get("/api/v1/registrations", Some(&short)).await.status, StatusCode::OK);
        app.advance(chrono::Duration::hours(2));
        app.get("/api/v1/audit", Some(&short)).await.assert_problem(401, "invalid_token");

        // Members read the directory too.
        let jane_token = app.sign_in(&jane).await;
        let seen = app.get(&format!("/api/v1/members?institution_id={kek}&status=active"), Some(&jane_token)).await;
        assert_eq!(seen.body["total"], 1, "{}", seen.text);
    }
}
