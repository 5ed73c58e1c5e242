//! The collaboration's statistics: members now by category, country and institution, the
//! month-by-month series, registration requests and group sizes — for members, not for
//! those whose membership ended or tools without `members:read`.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, on_both_databases};
use serde_json::{Value, json};

fn count(list: &Value, key: &str, value: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|entry| entry[key] == value)
        .map_or(0, |entry| entry["count"].as_i64().unwrap())
}

on_both_databases! {
    async fn the_figures_follow_the_records(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let desy = app
            .post("/api/v1/institutions", Some(&kek.admin), json!({"name": "Deutsches Elektronen-Synchrotron", "short_name": "DESY", "city": "Hamburg", "country": "DE"}))
            .await;
        assert_eq!(desy.status, StatusCode::CREATED, "{}", desy.text);
        let naf = app
            .post("/api/v1/groups", Some(&kek.admin), json!({"name": "NAF", "description": "Computing", "join_policy": "open"}))
            .await;
        assert_eq!(naf.status, StatusCode::CREATED, "{}", naf.text);
        let ends = app.day(5);
        app.import_csv(&kek.admin, format!(
            "account_name,given_name,family_name,email,category,institution,membership_start,membership_end,groups\n\
             amueller,Anna,Müller,anna.mueller@desy.de,phd_student,DESY,2025-01-15,,NAF\n\
             bweber,Bert,Weber,bert.weber@desy.de,phd_student,DESY,2025-01-15,{ends},\n\
             tkato,Taro,Kato,taro.kato@kek.jp,physicist_permanent,KEK,2025-01-15,,NAF\n"
        )).await;
        kek.approved_request(app, "Rossi", "nino.rossi@kek.jp", "nrossi").await;
        kek.open_request(app, "waiting@kek.jp").await;

        let figures = app.get("/api/v1/statistics?months=36", Some(&kek.ir_token)).await;
        assert_eq!(figures.status, StatusCode::OK, "{}", figures.text);
        let f = &figures.body;
        // The admin, the IR and the three imported people.
        assert_eq!(f["members"], 5, "{}", figures.text);
        assert_eq!(count(&f["by_category"], "category", "phd_student"), 2);
        assert_eq!(count(&f["by_category"], "category", "physicist_permanent"), 1);
        assert_eq!(count(&f["by_country"], "country", "DE"), 2);
        assert_eq!(count(&f["by_country"], "country", "JP"), 3);
        assert_eq!(f["by_institution"][0]["count"], 2, "largest first: {}", f["by_institution"]);
        assert_eq!(count(&f["by_institution"], "short_name", "DESY"), 2);
        let groups = f["groups"].as_array().unwrap();
        assert_eq!(groups[0]["members"], 5, "the main group holds every member: {groups:?}");
        assert_eq!(groups.iter().find(|g| g["name"] == "NAF").unwrap()["members"], 2);
        assert_eq!(count(&f["registrations"]["by_state"], "state", "approved"), 1, "{}", f["registrations"]);
        assert_eq!(count(&f["registrations"]["by_state"], "state", "identity_verified"), 1);
        assert_eq!(f["registrations"]["decided"], 1);
        assert!(f["registrations"]["median_days_to_decision"].as_f64().unwrap() >= 0.0);
        let series = f["over_time"].as_array().unwrap();
        assert_eq!(series.len(), 36);
        let last = series.last().unwrap();
        assert_eq!(last["day"], app.today().to_string());
        assert_eq!(last["total"], 5);
        let january = series.iter().find(|m| m["month"] == "2025-01").unwrap();
        assert_eq!(january["total"], 3, "the imported periods began on 15 January 2025: {january}");
        assert_eq!(count(&january["by_category"], "category", "phd_student"), 2);
        let before = series.iter().find(|m| m["month"] == "2024-12").unwrap();
        assert_eq!(before["total"], 0);

        // Bert's membership ends: he leaves the figures of today, not those of the past. The
        // approved request is provisioned meanwhile: a new member, a decided request.
        app.advance(chrono::Duration::days(40));
        app.run_jobs().await;
        let admin = app.sign_in(&kek.admin_person).await;
        let later = app.get("/api/v1/statistics", Some(&admin)).await;
        assert_eq!(later.status, StatusCode::OK, "{}", later.text);
        assert_eq!(later.body["members"], 5, "{}", later.text);
        assert_eq!(count(&later.body["by_country"], "country", "DE"), 1);
        assert_eq!(count(&later.body["by_category"], "category", "phd_student"), 1);
        assert_eq!(count(&later.body["registrations"]["by_state"], "state", "provisioned"), 1);
        assert_eq!(later.body["registrations"]["decided"], 1);
        let series = later.body["over_time"].as_array().unwrap();
        assert_eq!(series.len(), 24, "two years by default");
        assert_eq!(series.last().unwrap()["total"], 5);
        assert_eq!(series.iter().find(|m| m["month"] == "2025-06").unwrap()["total"], 3);
    }

    async fn only_members_and_readers_see_the_figures(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        app.get("/api/v1/statistics", None).await.assert_problem(401, "missing_token");
        app.get("/api/v1/statistics?months=0", Some(&kek.ir_token)).await.assert_problem(400, "invalid_query");
        app.get("/api/v1/statistics?months=121", Some(&kek.ir_token)).await.assert_problem(400, "invalid_query");
        app.get("/api/v1/statistics?months=many", Some(&kek.ir_token)).await.assert_problem(400, "invalid_query");

        let token = |scopes: Value| {
            let admin = kek.admin.clone();
            async move {
                let made = app.post("/api/v1/service-tokens", Some(&admin), json!({"name": "stats", "scopes": scopes})).await;
                assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
                made.body["token"].as_str().unwrap().to_owned()
            }
        };
        let audit_only = token(json!(["audit:read"])).await;
        app.get("/api/v1/statistics", Some(&audit_only)).await.assert_problem(403, "scope_missing");
        let reader = token(json!(["members:read"])).await;
        let read = app.get("/api/v1/statistics", Some(&reader)).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text);
        assert!(!read.text.contains('@'), "aggregates only, no addresses");

        // A member whose membership has ended sees no figures.
        let jane = app.seed_person("jdoe", &[], kek.id).await;
        let path = format!("/api/v1/members/{}", jane.id);
        let ended = app.patch(&path, Some(&kek.admin), json!({"membership_end": app.day(1)})).await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
        let jane_token = app.sign_in_fresh(&jane).await;
        assert_eq!(app.get("/api/v1/statistics", Some(&jane_token)).await.status, StatusCode::OK);
        app.advance(chrono::Duration::days(2));
        app.run_jobs().await;
        let jane_token = app.sign_in(&jane).await;
        app.get("/api/v1/statistics", Some(&jane_token)).await.assert_problem(403, "membership_ended");
    }
}
