//! `b2mms demo` loads a living collaboration.

use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::json;

on_both_databases! {
    async fn the_demo_is_a_living_collaboration(app: TestApp) {
        let state = app.state.clone();
        let loaded = app
            .state
            .db
            .run(move |conn| b2mms::demo::load(conn, &state.services))
            .await
            .unwrap();
        assert_eq!(loaded.accounts.len(), 8);
        let institutions = app.get("/api/v1/institutions", None).await;
        assert_eq!(institutions.body["total"], 5);
        let kek = institutions.body["items"].as_array().unwrap().iter().find(|i| i["short_name"] == "KEK").unwrap();
        assert_eq!(kek["representatives"][0]["account_name"], "ksato");

        let login = app
            .post("/api/v1/auth/login", None, json!({"account": "mtanaka", "password": b2mms::demo::PASSWORD}))
            .await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        let admin = app
            .post(
                "/api/v1/auth/password",
                Some(login.body["access_token"].as_str().unwrap()),
                json!({"current_password": b2mms::demo::PASSWORD, "new_password": "Admin-Fresh-Pepper-91"}),
            )
            .await;
        let admin = admin.body["access_token"].as_str().unwrap();
        let all = app.get("/api/v1/registrations", Some(admin)).await;
        assert_eq!(all.body["total"], 5, "{}", all.text);
        let states: Vec<&str> = all.body["items"].as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
        for state in ["awaiting_ir", "awaiting_ib", "rejected", "provisioned"] {
            assert!(states.contains(&state), "{states:?}");
        }
        let suzuki = all.body["items"].as_array().unwrap().iter().find(|r| r["account_name"] == "hsuzuki2").unwrap();
        assert_eq!(suzuki["possible_duplicates"][0]["account_name"], "hsuzuki");
        let invitation = app
            .post("/api/v1/auth/invitation", None, json!({"username": "inv-demo0001", "password": "Invite-Demo-Kite-77"}))
            .await;
        assert_eq!(invitation.status, StatusCode::OK, "{}", invitation.text);

        // The computing facility's group needs an application and has a manager.
        let groups = app.get("/api/v1/groups", Some(admin)).await;
        let naf = groups.body.as_array().unwrap().iter().find(|g| g["name"] == "NAF").cloned().expect("NAF");
        assert_eq!(naf["join_policy"], "approval");
        assert_eq!(naf["managers"][0]["account_name"], "lhoffman");

        // The invitation went through the representative's operation: its mail is queued.
        assert!(app.mail.to("new.colleague@kek.example.org").is_empty(), "not yet delivered");
        let report = app.run_jobs().await;
        assert!(report.mail_sent >= 1, "{report:?}");
        let invited = app.mail.to("new.colleague@kek.example.org");
        assert!(invited.iter().any(|m| m.body.contains("inv-demo0001")), "{invited:?}");

        // Mailing lists for everyone and for the representatives.
        let lists = app.get("/api/v1/mailing-lists", Some(admin)).await;
        let reach: Vec<(String, i64)> = lists.body.as_array().unwrap().iter()
            .map(|l| (l["name"].as_str().unwrap().to_owned(), l["subscribers"].as_i64().unwrap()))
            .collect();
        assert_eq!(reach, [("b2-all".to_owned(), 9), ("b2-irs".to_owned(), 3)], "{}", lists.text);

        // An Institutional Board vote is open; KEK's representative may cast KEK's ballot.
        let login = app.post("/api/v1/auth/login", None, json!({"account": "ksato", "password": b2mms::demo::PASSWORD})).await;
        let ir = app
            .post("/api/v1/auth/password", Some(login.body["access_token"].as_str().unwrap()),
                  json!({"current_password": b2mms::demo::PASSWORD, "new_password": "Ir-Fresh-Pepper-92"}))
            .await;
        let ir = ir.body["access_token"].as_str().unwrap();
        let votes = app.get("/api/v1/elections", Some(ir)).await;
        assert_eq!(votes.body[0]["state"], "open", "{}", votes.text);
        assert_eq!(votes.body[0]["mine"]["on_behalf_of"], "KEK");
        assert_eq!(votes.body[0]["electors"], 3, "the institutions with a representative");

        // Only into an empty database.
        let state = app.state.clone();
        let again = app.state.db.run(move |conn| b2mms::demo::load(conn, &state.services)).await;
        assert!(again.is_err());
    }
}
