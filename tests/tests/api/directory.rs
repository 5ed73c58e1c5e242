//! The member directory found as people search: case and accents do not matter, narrowed by
//! country, category and group, and the same request with `Accept: text/csv` exported for
//! those who may.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{Reply, StatusCode, on_both_databases};
use serde_json::{Value, json};

fn accounts(body: &Value) -> Vec<String> {
    let mut found: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["account_name"].as_str().unwrap_or_default().to_owned())
        .collect();
    found.sort();
    found
}

on_both_databases! {
    async fn the_directory_finds_names_however_they_are_spelt(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let desy = app
            .post("/api/v1/institutions", Some(&kek.admin), json!({"name": "Deutsches Elektronen-Synchrotron", "short_name": "DESY", "city": "Hamburg", "country": "DE"}))
            .await;
        assert_eq!(desy.status, StatusCode::CREATED, "{}", desy.text);
        let desy = desy.body["id"].as_str().unwrap().to_owned();
        for (given, family, account, home, category) in [
            ("Anna", "Müller", "amueller", desy.as_str(), "phd_student"),
            ("Bert", "Mueller", "bmueller", desy.as_str(), "physicist_temporary"),
            ("Toru", "Iijima", "tiijima", &kek.id.to_string(), "physicist_permanent"),
            ("José", "Núñez", "jnunez", &kek.id.to_string(), "phd_student"),
        ] {
            let made = app
                .post("/api/v1/members", Some(&kek.admin), json!({
                    "given_name": given, "family_name": family, "email": format!("{account}@kek.jp"),
                    "account_name": account, "initial_password": "Initial-Secret-42!",
                    "institution_id": home, "category": category,
                }))
                .await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        }
        let token = kek.ir_token.clone();
        let search = |q: &str| {
            let (q, token) = (q.to_owned(), token.clone());
            async move {
                let url = reqwest::Url::parse_with_params(&app.url("/api/v1/members"), &[("q", q.as_str())]).unwrap();
                let asked = app.client.get(url);
                Reply::from(asked.bearer_auth(&token).send().await.unwrap()).await
            }
        };
        assert_eq!(accounts(&search("Müller").await.body), ["amueller", "bmueller"]);
        assert_eq!(accounts(&search("muller").await.body), ["amueller"]);
        assert_eq!(accounts(&search("MUELLER").await.body), ["amueller", "bmueller"]);
        assert_eq!(accounts(&search("IIJIMA").await.body), ["tiijima"]);
        assert_eq!(accounts(&search("nunez").await.body), ["jnunez"]);
        assert_eq!(accounts(&search("josé").await.body), ["jnunez"]);
        assert!(accounts(&search("annamu").await.body).is_empty(), "a term never spans two names");

        // Narrowed by country, category and group.
        let get = |query: String| {
            let token = token.clone();
            async move { app.get(&format!("/api/v1/members?{query}"), Some(&token)).await }
        };
        assert_eq!(accounts(&get("country=de".into()).await.body), ["amueller", "bmueller"]);
        assert_eq!(accounts(&get("country=DE&category=phd_student".into()).await.body), ["amueller"]);
        get("country=XX".into()).await.assert_problem(400, "invalid_query");
        get("category=wizard".into()).await.assert_problem(400, "invalid_query");
        let group = app.post("/api/v1/groups", Some(&kek.admin), json!({"name": "NAF", "description": "Computing", "join_policy": "closed"})).await;
        let group = group.body["id"].as_str().unwrap().to_owned();
        let jose = search("nunez").await.body["items"][0]["id"].as_str().unwrap().to_owned();
        app.post(&format!("/api/v1/groups/{group}/members"), Some(&kek.admin), json!({"person_id": jose})).await;
        assert_eq!(accounts(&get(format!("group_id={group}")).await.body), ["jnunez"]);

        // The same request as CSV: a representative gets their institution's people.
        let csv = app
            .client
            .get(app.url("/api/v1/members?q=n"))
            .bearer_auth(&kek.ir_token)
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("account_name,"), "{text}");
        assert!(text.contains("jnunez") && !text.contains("amueller"), "only KEK's people: {text}");
        let member = app.seed_person("plain", &[], kek.id).await;
        let member = app.sign_in_fresh(&member).await;
        let refused = app
            .client
            .get(app.url("/api/v1/members"))
            .bearer_auth(&member)
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
}

/// The ids of a directory page's people, in order.
fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

on_both_databases! {
    async fn paging_after_a_person_walks_every_order_without_skipping_or_repeating(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        kek.add_authors(app).await;
        // Two people spelt alike, told apart only by their id.
        for account in ["asame", "bsame"] {
            let made = app
                .post("/api/v1/members", Some(&kek.admin), json!({
                    "given_name": "Anna", "family_name": "Zimmer", "email": format!("{account}@kek.jp"),
                    "account_name": account, "initial_password": "Initial-Secret-42!",
                    "institution_id": kek.id, "category": "physicist_temporary",
                }))
                .await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        }
        let get = |query: String| {
            let token = kek.admin.clone();
            async move { app.get(&format!("/api/v1/members?{query}"), Some(&token)).await }
        };
        for sort in ["name", "category", "status", "membership_end", "account", "institution"] {
            for order in ["asc", "desc"] {
                let whole = get(format!("sort={sort}&order={order}&per_page=500")).await;
                assert_eq!(whole.status, StatusCode::OK, "{}", whole.text);
                assert!(whole.body.get("next_after").is_none(), "everyone fits: {}", whole.text);
                let expected = ids(&whole.body);
                assert!(expected.len() >= 10, "{sort} {order}: {}", whole.text);
                let mut walked = Vec::new();
                let mut page = get(format!("sort={sort}&order={order}&per_page=3")).await;
                assert_eq!(page.body["page"], 1);
                loop {
                    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
                    assert_eq!(page.body["total"], whole.body["total"]);
                    walked.extend(ids(&page.body));
                    let Some(next) = page.body["next_after"].as_str() else { break };
                    assert_eq!(Some(next), walked.last().map(String::as_str));
                    page = get(format!("sort={sort}&order={order}&per_page=3&after={next}")).await;
                    assert!(page.body.get("page").is_none(), "a page read after a person has no number");
                }
                assert_eq!(walked, expected, "sort={sort} order={order}");
            }
        }

        // Someone added in front while paging is not met again, nor anyone skipped.
        let first = get("per_page=4".into()).await;
        let next = first.body["next_after"].as_str().unwrap().to_owned();
        app.seed_person("aaron", &[], kek.id).await;
        let rest = get(format!("per_page=500&after={next}")).await;
        let mut walked = ids(&first.body);
        walked.extend(ids(&rest.body));
        let now = ids(&get("per_page=500".into()).await.body);
        let aaron = now.iter().find(|id| !walked.contains(id)).expect("the new person is not in the walk");
        assert_eq!(walked.len() + 1, now.len(), "{aaron} is the only one missing");

        // An unknown person to begin after, or both a page number and a person, are refused.
        get(format!("after={}", uuid::Uuid::new_v4())).await.assert_problem(400, "invalid_query");
        get(format!("page=2&after={next}")).await.assert_problem(400, "invalid_query");
        get("after=someone".into()).await.assert_problem(400, "invalid_query");
    }
}
