//! Input that must be refused with a clear answer, never a 500 and never half-stored: control
//! characters anywhere, arrays where an object belongs, required fields left out.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::json;

on_both_databases! {
    async fn nul_and_control_characters_are_refused_everywhere(app: TestApp) {
        // Before any handler, on sign-in, invitation sign-in and reset: 422 naming the field.
        for (path, body, field) in [
            ("/api/v1/auth/login", json!({"account": "\u{0}", "password": "x"}), "account"),
            ("/api/v1/auth/invitation", json!({"username": "inv\u{0}", "password": "x"}), "username"),
            ("/api/v1/auth/password-reset", json!({"account_or_email": "a\u{0}b"}), "account_or_email"),
            ("/api/v1/auth/login", json!({"account": "jdoe", "password": "pass\u{7}word"}), "password"),
        ] {
            let r = app.post(path, None, body).await;
            r.assert_problem(422, "validation_failed");
            assert!(r.body["errors"][field].is_array(), "{path}: {}", r.text);
        }
        let kek = Institution::with_representative(app).await;
        // In a query: 400.
        app.get("/api/v1/members?q=%00", Some(&kek.admin)).await.assert_problem(400, "invalid_query");
        app.get("/api/v1/members?q=a%07b", Some(&kek.admin)).await.assert_problem(400, "invalid_query");

        // Free text takes line breaks, never NUL; the request is not half-stored.
        let (token, id) = kek.open_request(app, "n.rossi@kek.jp").await;
        let mut form = kek.form("Nino", "Rossi", "n.rossi@kek.jp", "nrossi");
        form["comment"] = json!("Postdoc\u{0} from Padova");
        let r = app.post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form.clone()).await;
        r.assert_problem(422, "validation_failed");
        assert!(r.body["errors"]["comment"].is_array(), "{}", r.text);
        assert_eq!(kek.state_of(app, &id).await, "identity_verified");
        form["comment"] = json!("Postdoc from Padova.\nArrives in May.");
        let sent = app.post(&format!("/api/v1/registrations/{id}/submit"), Some(&token), form).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
        let r = app
            .post(&format!("/api/v1/registrations/{id}/reject"), Some(&kek.ir_token), json!({"reason": "no\u{0}"}))
            .await;
        r.assert_problem(422, "validation_failed");
        assert!(r.body["errors"]["reason"].is_array(), "{}", r.text);
        assert_eq!(kek.state_of(app, &id).await, "awaiting_ir");
    }

    async fn arrays_are_not_objects(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        // Positional fields once signed people in.
        app.post("/api/v1/auth/login", None, json!(["boss", b2mms_tests::new_password("boss")]))
            .await
            .assert_problem(400, "invalid_body");
        app.post("/api/v1/institutions", Some(&kek.admin), json!(["Name", "NEW", "City", "DE"]))
            .await
            .assert_problem(400, "invalid_body");
        let list = app.get("/api/v1/institutions", None).await;
        assert!(list.body["items"].as_array().unwrap().iter().all(|i| i["short_name"] != "NEW"));
    }

    async fn a_missing_required_field_is_an_invalid_field(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let r = app
            .post("/api/v1/institutions", Some(&kek.admin), json!({"name": "Deutsches Elektronen-Synchrotron", "city": "Hamburg", "country": "DE"}))
            .await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.body["errors"]["short_name"][0]["code"], "field.required", "{}", r.text);
        let r = app.post("/api/v1/auth/login", None, json!({"account": "boss"})).await;
        r.assert_problem(422, "validation_failed");
        assert!(r.body["errors"]["password"].is_array(), "{}", r.text);
    }
}
