//! Bad input of every kind gets a 4xx problem document and changes nothing.

use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::json;

on_both_databases! {
    async fn malformed_requests_are_explained(app: TestApp) {
        let (_, admin) = app.admin().await;
        let raw = |body: &'static str, content_type: &'static str| {
            let app = &app;
            let admin = admin.clone();
            async move {
                let r = app
                    .client
                    .post(app.url("/api/v1/institutions"))
                    .bearer_auth(admin)
                    .header("content-type", content_type)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                b2mms_tests::Reply::from(r).await
            }
        };
        raw("{not json", "application/json").await.assert_problem(400, "malformed_json");
        raw("[1, 2]", "application/json").await.assert_problem(400, "invalid_body");
        let wrong_type = raw("{\"name\": 5}", "application/json").await;
        wrong_type.assert_problem(422, "validation_failed");
        assert_eq!(wrong_type.body["errors"]["name"][0]["code"], "field.wrong_type", "{}", wrong_type.text);
        raw("name=KEK", "application/x-www-form-urlencoded").await.assert_problem(415, "unsupported_media_type");

        let huge = "x".repeat(200 * 1024);
        let big = app
            .post(
                "/api/v1/institutions",
                Some(&admin),
                json!({"name": huge, "short_name": "B", "city": "C", "country": "JP"}),
            )
            .await;
        big.assert_problem(413, "body_too_large");

        let unknown_field = app
            .post(
                "/api/v1/institutions",
                Some(&admin),
                json!({"name": "N", "short_name": "S", "city": "C", "country": "JP", "is_admin": true}),
            )
            .await;
        unknown_field.assert_problem(422, "validation_failed");
        assert_eq!(unknown_field.body["errors"]["is_admin"][0]["code"], "field.unknown", "{}", unknown_field.text);

        app.get("/api/v1/institutions/not-a-uuid", None).await.assert_problem(400, "invalid_path");
        app.get("/api/v1/institutions/7d9f0e36-0000-4000-8000-000000000000", None)
            .await
            .assert_problem(404, "not_found");
        app.get("/api/v1/no/such/route", None).await.assert_problem(404, "route_not_found");
        let wrong_method = app.delete("/api/v1/auth/login", None).await;
        wrong_method.assert_problem(405, "method_not_allowed");
        assert_eq!(wrong_method.header("allow"), Some("POST"));
        app.get("/api/v1/me", Some("garbage")).await.assert_problem(401, "invalid_token");

        let list = app.get("/api/v1/institutions", None).await;
        assert_eq!(list.body["total"], 1, "nothing written by any of these");
    }

    async fn hostile_strings_are_data(app: TestApp) {
        let (_, admin) = app.admin().await;
        let sql = "Robert'); DROP TABLE institutions;--";
        let created = app
            .post(
                "/api/v1/institutions",
                Some(&admin),
                json!({"name": sql, "short_name": "<b>X</b>", "city": "\" OR 1=1 --", "country": "JP"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.body["name"], sql);
        assert_eq!(created.body["short_name"], "<b>X</b>");
        let list = app.get("/api/v1/institutions", None).await;
        assert_eq!(list.body["total"], 2);
        let control = app
            .post(
                "/api/v1/institutions",
                Some(&admin),
                json!({"name": "Evil\u{0000}Name", "short_name": "E", "city": "C", "country": "JP"}),
            )
            .await;
        control.assert_problem(422, "validation_failed");
    }

    async fn request_ids_are_returned_and_traceable(app: TestApp) {
        let health = app.get("/api/v1/health", None).await;
        let id = health.header("x-request-id").expect("request id");
        assert!(!id.is_empty());
        let r = app
            .client
            .get(app.url("/api/v1/nothing"))
            .header("x-request-id", "trace-42")
            .send()
            .await
            .unwrap();
        let reply = b2mms_tests::Reply::from(r).await;
        assert_eq!(reply.header("x-request-id"), Some("trace-42"));
        assert_eq!(reply.body["request_id"], "trace-42");
        let r = app
            .client
            .get(app.url("/api/v1/health"))
            .header("x-request-id", "bad id with spaces <script>")
            .send()
            .await
            .unwrap();
        assert_ne!(r.headers()["x-request-id"], "bad id with spaces <script>");
        assert_eq!(r.status(), StatusCode::OK);
    }
}
