//! Mailing lists kept from the records: each part of the audience rule, extra and excluded
//! addresses, the plain-text form, the lists a member is on, who may read and define them,
//! and the definitions refused.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, TestApp, on_both_databases};
use serde_json::{Value, json};

/// Defines a list named `name` with `audience` (and any other fields of `more`); its id.
async fn define(app: &TestApp, admin: &str, name: &str, audience: Value, more: Value) -> String {
    let mut body = json!({
        "name": name,
        "address": format!("{name}@lists.example.org"),
        "description": format!("The list {name}"),
        "audience": audience,
    });
    for (key, value) in more.as_object().unwrap() {
        body[key] = value.clone();
    }
    let made = app.post("/api/v1/mailing-lists", Some(admin), body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    made.body["id"].as_str().unwrap().to_owned()
}

/// The addresses on a list today.
async fn addresses(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let found = app
        .get(&format!("/api/v1/mailing-lists/{id}/members"), Some(token))
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    assert_eq!(
        found.body["total"].as_u64().unwrap() as usize,
        found.body["subscribers"].as_array().unwrap().len()
    );
    found.body["subscribers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["address"].as_str().unwrap().to_owned())
        .collect()
}

on_both_databases! {
    async fn every_part_of_an_audience_rule_narrows_the_list(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let (desy, _) = kek.add_authors(app).await;
        let admin = kek.admin.clone();
        let group = app
            .post("/api/v1/groups", Some(&admin), json!({"name": "NAF", "description": "Computing", "join_policy": "closed"}))
            .await;
        let group = group.body["id"].as_str().unwrap().to_owned();
        let lutz = app.get("/api/v1/members?q=lutz", Some(&admin)).await.body["items"][0]["id"].as_str().unwrap().to_owned();
        let added = app.post(&format!("/api/v1/groups/{group}/members"), Some(&admin), json!({"person_id": lutz})).await;
        assert!(added.status.is_success(), "{}", added.text);

        // No rule: every active member, each once, by address.
        let everyone = define(app, &admin, "b2-all", json!({}), json!({})).await;
        let all = addresses(app, &admin, &everyone).await;
        let active = app.get("/api/v1/members?status=active&per_page=500", Some(&admin)).await;
        assert_eq!(all.len() as u64, active.body["total"].as_u64().unwrap(), "{all:?}");
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, all, "by address, each once");
        assert!(all.contains(&"maria.lutz@kek.jp".to_owned()) && all.contains(&"irkek@kek.jp".to_owned()));

        for (name, audience, expected) in [
            ("students", json!({"categories": ["phd_student"]}), vec!["maria.lutz@kek.jp"]),
            ("germany", json!({"countries": ["de"]}), vec!["anton.zimmer@desy.de", "jan.lukasiewicz@desy.de", "lea.verlassen@desy.de"]),
            ("desy", json!({"institution_ids": [desy]}), vec!["anton.zimmer@desy.de", "jan.lukasiewicz@desy.de", "lea.verlassen@desy.de"]),
            ("desy-permanent", json!({"institution_ids": [desy], "categories": ["physicist_permanent"]}), vec!["anton.zimmer@desy.de"]),
            ("naf", json!({"group_ids": [group]}), vec!["maria.lutz@kek.jp"]),
            ("irs", json!({"roles": ["ir"]}), vec!["irkek@kek.jp"]),
            ("board", json!({"roles": ["ib_chair"]}), vec![]),
            ("nobody-left", json!({"statuses": ["left"]}), vec![]),
        ] {
            let id = define(app, &admin, name, audience, json!({})).await;
            assert_eq!(addresses(app, &admin, &id).await, expected, "{name}");
        }
        // Authors are those on today's forecast: the long-standing physicists, not the
        // student who joined 90 days ago.
        let authors = define(app, &admin, "authors", json!({"authors": true}), json!({})).await;
        let on = addresses(app, &admin, &authors).await;
        assert!(on.contains(&"anton.zimmer@desy.de".to_owned()) && on.contains(&"karin.astrom@kek.jp".to_owned()), "{on:?}");
        assert!(!on.contains(&"maria.lutz@kek.jp".to_owned()), "{on:?}");
        let others = define(app, &admin, "not-authors", json!({"authors": false}), json!({})).await;
        let off = addresses(app, &admin, &others).await;
        assert!(off.contains(&"maria.lutz@kek.jp".to_owned()) && !off.contains(&"anton.zimmer@desy.de".to_owned()), "{off:?}");
        assert_eq!(on.len() + off.len(), all.len());

        // Extra addresses join, excluded ones never appear; the plain form, one a line.
        let desk = define(
            app,
            &admin,
            "desy-desk",
            json!({"institution_ids": [desy]}),
            json!({"extra_addresses": ["Desk@DESY.de"], "excluded_addresses": ["lea.verlassen@desy.de"]}),
        )
        .await;
        assert_eq!(addresses(app, &admin, &desk).await, ["anton.zimmer@desy.de", "desk@desy.de", "jan.lukasiewicz@desy.de"]);
        let plain = app
            .client
            .get(app.url(&format!("/api/v1/mailing-lists/{desk}/members")))
            .bearer_auth(&admin)
            .header("Accept", "text/plain")
            .send()
            .await
            .unwrap();
        assert!(plain.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        assert_eq!(plain.text().await.unwrap(), "anton.zimmer@desy.de\ndesk@desy.de\njan.lukasiewicz@desy.de\n");

        // Subscribed with the collaboration address, where a person has one.
        let registry = define(app, &admin, "desy-registry", json!({"institution_ids": [desy]}), json!({"subscribe_with": "registry_email"})).await;
        let found = app.get(&format!("/api/v1/mailing-lists/{registry}/members"), Some(&admin)).await;
        for subscriber in found.body["subscribers"].as_array().unwrap() {
            let person = subscriber["person"]["id"].as_str().unwrap();
            let record = app.get(&format!("/api/v1/members/{person}"), Some(&admin)).await;
            let expected = record.body["registry_email"].as_str().or(record.body["email"].as_str()).unwrap().to_lowercase();
            assert_eq!(subscriber["address"].as_str().unwrap(), expected, "{}", record.text);
        }

        // A change of the records shows at once: the physicist whose membership ends in 30
        // days drops off when it has expired.
        app.advance(chrono::Duration::days(31));
        app.run_jobs().await;
        let admin = app.sign_in(&kek.admin_person).await;
        assert_eq!(addresses(app, &admin, &desk).await, ["anton.zimmer@desy.de", "desk@desy.de", "jan.lukasiewicz@desy.de"]);
        let germany = app.get("/api/v1/mailing-lists", Some(&admin)).await;
        let germany = germany.body.as_array().unwrap().iter().find(|l| l["name"] == "germany").unwrap()["id"].as_str().unwrap().to_owned();
        assert_eq!(addresses(app, &admin, &germany).await, ["anton.zimmer@desy.de", "jan.lukasiewicz@desy.de"]);
        let expired = define(app, &admin, "expired", json!({"statuses": ["expired"]}), json!({})).await;
        assert_eq!(addresses(app, &admin, &expired).await, ["lea.verlassen@desy.de"]);

        // The overview and one list say how many addresses each has today.
        let overview = app.get("/api/v1/mailing-lists", Some(&admin)).await;
        for list in overview.body.as_array().unwrap() {
            let id = list["id"].as_str().unwrap();
            let count = addresses(app, &admin, id).await.len() as i64;
            assert_eq!(list["subscribers"], count, "{}", list["name"]);
            assert_eq!(app.get(&format!("/api/v1/mailing-lists/{id}"), Some(&admin)).await.body["subscribers"], count);
        }
    }
}

on_both_databases! {
    async fn lists_are_defined_by_admins_read_by_tools_and_members_see_their_own(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let admin = kek.admin.clone();
        let member = app.seed_person("plain", &[], kek.id).await;
        let member = app.sign_in_fresh(&member).await;
        let kek_list = define(app, &admin, "b2-kek", json!({"institution_ids": [kek.id]}), json!({})).await;
        let excluded = define(app, &admin, "b2-quiet", json!({}), json!({"excluded_addresses": ["plain@kek.jp"]})).await;
        define(app, &admin, "b2-irs", json!({"roles": ["ir"]}), json!({})).await;

        // A member sees the lists they are on, not those they are excluded from or outside.
        let mine = app.get("/api/v1/me/mailing-lists", Some(&member)).await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
        let names: Vec<&str> = mine.body.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["b2-kek"]);
        assert_eq!(mine.body[0]["subscribed_as"], "plain@kek.jp");
        let irs = app.get("/api/v1/me/mailing-lists", Some(&kek.ir_token)).await;
        let names: Vec<&str> = irs.body.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["b2-irs", "b2-kek", "b2-quiet"]);
        app.get("/api/v1/me/mailing-lists", None).await.assert_problem(401, "missing_token");

        // Members and representatives neither read nor define lists; tools read with the scope.
        for token in [&member, &kek.ir_token] {
            app.get("/api/v1/mailing-lists", Some(token)).await.assert_problem(403, "forbidden");
            app.get(&format!("/api/v1/mailing-lists/{kek_list}/members"), Some(token)).await.assert_problem(403, "forbidden");
            app.post("/api/v1/mailing-lists", Some(token), json!({"name": "x", "address": "x@lists.example.org", "description": "x", "audience": {}}))
                .await
                .assert_problem(403, "forbidden");
            app.send(reqwest::Method::DELETE, &format!("/api/v1/mailing-lists/{kek_list}"), Some(token), None).await.assert_problem(403, "forbidden");
        }
        let token = |scopes: Value| {
            let admin = admin.clone();
            async move {
                let made = app.post("/api/v1/service-tokens", Some(&admin), json!({"name": "list-sync", "scopes": scopes})).await;
                assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
                made.body["token"].as_str().unwrap().to_owned()
            }
        };
        let directory_only = token(json!(["members:read"])).await;
        app.get(&format!("/api/v1/mailing-lists/{kek_list}/members"), Some(&directory_only)).await.assert_problem(403, "scope_missing");
        let lists = token(json!(["mailing-lists:read"])).await;
        assert_eq!(addresses(app, &lists, &kek_list).await, ["irkek@kek.jp", "plain@kek.jp"]);
        assert_eq!(app.get("/api/v1/mailing-lists", Some(&lists)).await.body.as_array().unwrap().len(), 3);
        app.post("/api/v1/mailing-lists", Some(&lists), json!({"name": "x", "address": "x@lists.example.org", "description": "x", "audience": {}}))
            .await
            .assert_problem(403, "scope_missing");

        // Changed and removed by an admin, each step in the audit trail.
        let changed = app
            .send(reqwest::Method::PATCH, &format!("/api/v1/mailing-lists/{excluded}"), Some(&admin), Some(json!({"excluded_addresses": [], "description": "Everyone"})))
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        assert_eq!(changed.body["description"], "Everyone");
        assert_eq!(changed.body["name"], "b2-quiet", "what is not sent stays");
        assert!(addresses(app, &admin, &excluded).await.contains(&"plain@kek.jp".to_owned()));
        let removed = app.send(reqwest::Method::DELETE, &format!("/api/v1/mailing-lists/{excluded}"), Some(&admin), None).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
        app.get(&format!("/api/v1/mailing-lists/{excluded}"), Some(&admin)).await.assert_problem(404, "not_found");
        app.send(reqwest::Method::DELETE, &format!("/api/v1/mailing-lists/{excluded}"), Some(&admin), None).await.assert_problem(404, "not_found");
        let trail = app.get("/api/v1/audit?per_page=200", Some(&admin)).await;
        let actions: Vec<&str> = trail.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for action in ["mailing_list.created", "mailing_list.updated", "mailing_list.deleted"] {
            assert!(actions.contains(&action), "{action}: {actions:?}");
        }
    }
}

on_both_databases! {
    async fn a_definition_that_breaks_a_rule_is_refused_and_nothing_is_stored(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let admin = kek.admin.clone();
        let good = || json!({"name": "b2-all", "address": "b2-all@lists.example.org", "description": "Everyone", "audience": {}});
        let refused = |change: Value| {
            let admin = admin.clone();
            let mut body = good();
            for (key, value) in change.as_object().unwrap() {
                body[key] = value.clone();
            }
            async move { app.post("/api/v1/mailing-lists", Some(&admin), body).await }
        };
        let field = |reply: &b2mms_tests::Reply, field: &str, code: &str| {
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text);
            assert_eq!(reply.body["errors"][field][0]["code"], code, "{}", reply.text);
        };
        field(&refused(json!({"name": "two words"})).await, "name", "name.format");
        field(&refused(json!({"address": "nowhere"})).await, "address", "address.invalid");
        field(&refused(json!({"description": " "})).await, "description", "text.required");
        field(&refused(json!({"audience": {"roles": []}})).await, "audience.roles", "audience.empty_part");
        field(&refused(json!({"audience": {"countries": ["Atlantis"]}})).await, "audience.countries[0]", "country.invalid");
        field(&refused(json!({"audience": {"group_ids": [uuid::Uuid::new_v4()]}})).await, "audience.group_ids[0]", "group.unknown");
        field(&refused(json!({"audience": {"institution_ids": [uuid::Uuid::new_v4()]}})).await, "audience.institution_ids[0]", "institution.unknown");
        field(&refused(json!({"extra_addresses": ["a@kek.jp", "A@kek.jp"]})).await, "extra_addresses[1]", "address.repeated");
        field(&refused(json!({"excluded_addresses": ["not an address"]})).await, "excluded_addresses[0]", "address.invalid");
        for wrong in [json!({"audience": {"roles": ["member"]}}), json!({"audience": {"everyone": true}}), json!({"subscribe_with": "pager"})] {
            let reply = refused(wrong.clone()).await;
            assert!(reply.status == StatusCode::UNPROCESSABLE_ENTITY || reply.status == StatusCode::BAD_REQUEST, "{wrong}: {}", reply.text);
            assert_eq!(reply.headers["content-type"], "application/problem+json", "{wrong}");
        }
        assert_eq!(app.get("/api/v1/mailing-lists", Some(&admin)).await.body, json!([]), "nothing stored");

        let first = app.post("/api/v1/mailing-lists", Some(&admin), good()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        refused(json!({})).await.assert_problem(409, "mailing_list_taken");
        refused(json!({"name": "other"})).await.assert_problem(409, "mailing_list_taken");
        let other = refused(json!({"name": "other", "address": "other@lists.example.org"})).await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
        let id = other.body["id"].as_str().unwrap();
        app.send(reqwest::Method::PATCH, &format!("/api/v1/mailing-lists/{id}"), Some(&admin), Some(json!({"name": "b2-all"})))
            .await
            .assert_problem(409, "mailing_list_taken");
        app.send(reqwest::Method::PATCH, &format!("/api/v1/mailing-lists/{id}"), Some(&admin), Some(json!({"audience": {"statuses": []}})))
            .await
            .assert_problem(422, "validation_failed");
        app.get("/api/v1/mailing-lists/not-an-id", Some(&admin)).await.assert_problem(400, "invalid_path");
        app.get(&format!("/api/v1/mailing-lists/{}/members", uuid::Uuid::new_v4()), Some(&admin)).await.assert_problem(404, "not_found");
    }
}
