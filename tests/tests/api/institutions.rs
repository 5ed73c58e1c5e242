//! Institutions and representatives.

use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::json;

fn kek() -> serde_json::Value {
    json!({
        "name": "High Energy Accelerator Research Organization",
        "short_name": "KEK",
        "city": "Tsukuba",
        "country": "jp",
        "ror_id": "https://ror.org/01g5y5k24",
        "inspire_id": "903013"
    })
}

on_both_databases! {
    async fn admins_create_and_everyone_lists(app: TestApp) {
        let (_, admin) = app.admin().await;
        let created = app.post("/api/v1/institutions", Some(&admin), kek()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let id = created.body["id"].as_str().unwrap().to_owned();
        assert_eq!(created.header("location"), Some(format!("/api/v1/institutions/{id}").as_str()));
        assert_eq!(created.body["country"], "JP");
        assert_eq!(created.body["ror_id"], "01g5y5k24");
        assert_eq!(created.body["status"], "active");
        assert_eq!(created.body["representatives"], json!([]));

        // The list and a single institution are public.
        let list = app.get("/api/v1/institutions", None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.body["total"], 2, "KEK and the admin's Secretariat");
        assert_eq!(list.body["page"], 1);
        assert_eq!(list.body["per_page"], 100);
        assert_eq!(list.body["items"][0]["short_name"], "KEK");
        let paged = app.get("/api/v1/institutions?page=2&per_page=1", None).await;
        assert_eq!(paged.body["items"][0]["short_name"], "Secretariat");
        assert_eq!(paged.body["items"].as_array().unwrap().len(), 1);
        app.get("/api/v1/institutions?per_page=0", None).await.assert_problem(400, "invalid_query");
        app.get("/api/v1/institutions?page=x", None).await.assert_problem(400, "invalid_query");

        let one = app.get(&format!("/api/v1/institutions/{id}"), None).await;
        assert_eq!(one.body["name"], "High Energy Accelerator Research Organization");

        // Same name or short name, in any case: one institution only.
        let mut dup = kek();
        dup["name"] = json!("Another name");
        dup["short_name"] = json!("kek");
        app.post("/api/v1/institutions", Some(&admin), dup).await.assert_problem(409, "institution_exists");
    }

    async fn invalid_institutions_get_every_error_at_once(app: TestApp) {
        let (_, admin) = app.admin().await;
        let bad = app
            .post(
                "/api/v1/institutions",
                Some(&admin),
                json!({"name": " ", "short_name": "K", "city": "Tsukuba", "country": "Japan", "ror_id": "12345"}),
            )
            .await;
        bad.assert_problem(422, "validation_failed");
        let errors = bad.body["errors"].as_object().unwrap();
        assert_eq!(errors["name"][0]["code"], "text.required");
        assert_eq!(errors["country"][0]["code"], "country.invalid");
        assert_eq!(errors["ror_id"][0]["code"], "ror_id.invalid");
        assert!(errors["country"][0]["message"].as_str().unwrap().contains("JP"));
        assert!(!errors.contains_key("city"));
        let list = app.get("/api/v1/institutions", None).await;
        assert_eq!(list.body["total"], 1, "nothing written");
    }

    async fn only_admins_change_institutions(app: TestApp) {
        let (_, admin) = app.admin().await;
        let home = app.seed_institution("DESY").await;
        let member = app.seed_person("jdoe", &[], home).await;
        let token = app.sign_in_fresh(&member).await;
        app.post("/api/v1/institutions", Some(&token), kek()).await.assert_problem(403, "forbidden");
        app.post("/api/v1/institutions", None, kek()).await.assert_problem(401, "missing_token");
        app.patch(&format!("/api/v1/institutions/{home}"), Some(&token), json!({"city": "Berlin"}))
            .await
            .assert_problem(403, "forbidden");

        let patched = app
            .patch(
                &format!("/api/v1/institutions/{home}"),
                Some(&admin),
                json!({"city": "Hamburg", "country": "de", "inspire_id": "902770", "status": "inactive"}),
            )
            .await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
        assert_eq!(patched.body["city"], "Hamburg");
        assert_eq!(patched.body["country"], "DE");
        assert_eq!(patched.body["inspire_id"], "902770");
        assert_eq!(patched.body["status"], "inactive");
        assert_eq!(patched.body["short_name"], "DESY", "absent fields unchanged");
        let cleared = app
            .patch(&format!("/api/v1/institutions/{home}"), Some(&admin), json!({"inspire_id": null}))
            .await;
        assert_eq!(cleared.body["inspire_id"], serde_json::Value::Null);

        let missing = uuid::Uuid::new_v4();
        app.patch(&format!("/api/v1/institutions/{missing}"), Some(&admin), json!({"city": "X"}))
            .await
            .assert_problem(404, "not_found");
        let colour = app.patch(&format!("/api/v1/institutions/{home}"), Some(&admin), json!({"colour": "red"})).await;
        colour.assert_problem(422, "validation_failed");
        assert_eq!(colour.body["errors"]["colour"][0]["code"], "field.unknown", "{}", colour.text);
    }

    async fn representatives_are_appointed_and_removed(app: TestApp) {
        let (_, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let desy = app.seed_institution("DESY").await;
        let ir = app.seed_person("irkek", &[], kek).await;
        let colleague = app.seed_person("colleag", &[], kek).await;
        let stranger = app.seed_person("strange", &[], desy).await;

        let path = format!("/api/v1/institutions/{kek}/representatives");
        let added = app.post(&path, Some(&admin), json!({"person_id": ir.id})).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.text);
        assert_eq!(added.body["representatives"][0]["account_name"], "irkek");
        // Appointing twice changes nothing.
        let again = app.post(&path, Some(&admin), json!({"person_id": ir.id})).await;
        assert_eq!(again.body["representatives"].as_array().unwrap().len(), 1);
        let unknown = app.post(&path, Some(&admin), json!({"person_id": uuid::Uuid::new_v4()})).await;
        unknown.assert_problem(422, "validation_failed");
        assert_eq!(unknown.body["errors"]["person_id"][0]["code"], "person.unknown");

        let ir_token = app.sign_in_fresh(&ir).await;
        let me = app.get("/api/v1/me", Some(&ir_token)).await;
        assert_eq!(me.body["roles"], json!(["member", "ir"]));
        assert_eq!(me.body["representative_of"], json!([kek]));
        // An IR sees the records of their institution, not those of others.
        let seen = app.get(&format!("/api/v1/members/{}", colleague.id), Some(&ir_token)).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
        app.get(&format!("/api/v1/members/{}", stranger.id), Some(&ir_token))
            .await
            .assert_problem(403, "forbidden");
        // An IR does not appoint IRs.
        app.post(&path, Some(&ir_token), json!({"person_id": colleague.id}))
            .await
            .assert_problem(403, "forbidden");

        let removed = app.delete(&format!("{path}/{}", ir.id), Some(&admin)).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);
        app.delete(&format!("{path}/{}", ir.id), Some(&admin)).await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/members/{}", colleague.id), Some(&ir_token))
            .await
            .assert_problem(403, "forbidden");
    }
}
