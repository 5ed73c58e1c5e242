//! Voting: electorates previewed on a day, elections prepared by the officers and opened and
//! closed by the clock, secret ballots (once per elector, one winner of a race, choices
//! checked), receipts, reminders, results with turnout, quorum and weights, the electorate
//! as CSV, and a database that cannot pair voters with their choices.

use b2mms::store::DbConnection;
use b2mms_shared::Role;
use b2mms_tests::fixtures::Institution;
use b2mms_tests::{Backend, Reply, StatusCode, TestApp, on_both_databases};
use diesel::prelude::*;
use serde_json::{Value, json};

/// An election of `electorate` with `options`, opening in an hour and closing in three days.
fn election(app: &TestApp, electorate: Value, options: &[&str], quorum: Option<f64>) -> Value {
    let now = chrono::Utc::now();
    let _ = app;
    json!({
        "title": "Chair of the Institutional Board",
        "description": "Elect the next chair.",
        "options": options,
        "max_choices": 1,
        "electorate": electorate,
        "opens_at": now + chrono::Duration::hours(1),
        "closes_at": now + chrono::Duration::days(3),
        "quorum": quorum,
    })
}

async fn ballot(app: &TestApp, token: &str, id: &str, choices: &[&str]) -> Reply {
    app.post(
        &format!("/api/v1/elections/{id}/ballots"),
        Some(token),
        json!({"choices": choices}),
    )
    .await
}

/// Opens the election: the clock passes its opening time and the jobs run.
async fn open(app: &TestApp) {
    app.advance(chrono::Duration::minutes(61));
    let report = app.run_jobs().await;
    assert_eq!(report.elections_moved, 1, "{report:?}");
}

on_both_databases! {
    async fn an_election_opens_takes_secret_ballots_closes_and_is_published(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        kek.add_authors(app).await;
        let chair = app.seed_person("chair", &[Role::IbChair], kek.id).await;
        let chair_token = app.sign_in_fresh(&chair).await;
        let alice = app.seed_person("alice", &[], kek.id).await;
        let alice_token = app.sign_in_fresh(&alice).await;
        let bob = app.seed_person("robert", &[], kek.id).await;
        app.sign_in_fresh(&bob).await;

        // Previews: who a rule makes eligible on a day.
        let preview = |rule: Value| {
            let token = chair_token.clone();
            async move { app.post("/api/v1/electorates/preview", Some(&token), json!({"rule": rule, "date": app.day(0)})).await }
        };
        let permanent = preview(json!({"kind": "members", "categories": ["physicist_permanent"]})).await;
        assert_eq!(permanent.status, StatusCode::OK, "{}", permanent.text);
        let names: Vec<&str> = permanent.body["electors"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Karin Åström", "Anton Zimmer"]);
        assert_eq!(permanent.body["count"], 2);
        let seasoned = preview(json!({"kind": "members", "min_months": 12})).await;
        let names: Vec<&str> = seasoned.body["electors"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"Anton Zimmer") && !names.contains(&"Test Alice") && !names.contains(&"Maria Lutz"), "{names:?}");
        // A change of institution keeps the months of membership.
        let zimmer = app.get("/api/v1/members?q=zimmer", Some(&kek.admin)).await.body["items"][0]["id"].as_str().unwrap().to_owned();
        let moved = app.post(&format!("/api/v1/members/{zimmer}/transfers"), Some(&kek.ir_token), json!({"institution_id": kek.id, "effective_date": app.day(0)})).await;
        assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.text);
        let approved = app.post(&format!("/api/v1/transfers/{}/approve", moved.body["id"].as_str().unwrap()), Some(&kek.ir_token), json!({})).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        let after_move = preview(json!({"kind": "members", "min_months": 12})).await;
        assert_eq!(after_move.body["electors"], seasoned.body["electors"], "{}", after_move.text);
        let seasoned_long = preview(json!({"kind": "members", "min_months": 26})).await;
        let names: Vec<&str> = seasoned_long.body["electors"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"Anton Zimmer") && !names.is_empty(), "800 days are 26 months: {names:?}");
        let too_long = preview(json!({"kind": "members", "min_months": 27})).await;
        assert_eq!(too_long.body["count"], 0, "{}", too_long.text);
        preview(json!({"kind": "group", "group_id": uuid::Uuid::new_v4()})).await.assert_problem(422, "validation_failed");
        preview(json!({"kind": "everyone"})).await.assert_problem(422, "validation_failed");
        app.post("/api/v1/electorates/preview", Some(&alice_token), json!({"rule": {"kind": "members"}, "date": app.day(0)}))
            .await
            .assert_problem(403, "forbidden");

        // Prepared by an officer; what breaks a rule is refused.
        let everyone = json!({"kind": "members"});
        app.post("/api/v1/elections", Some(&kek.ir_token), election(app, everyone.clone(), &["Yes", "No"], None))
            .await
            .assert_problem(403, "forbidden");
        for (field, mut body) in [
            ("options", election(app, everyone.clone(), &["Only one"], None)),
            ("options[1]", election(app, everyone.clone(), &["Yes", "Yes"], None)),
            ("quorum", election(app, everyone.clone(), &["Yes", "No"], Some(2.0))),
            ("max_choices", { let mut b = election(app, everyone.clone(), &["Yes", "No"], None); b["max_choices"] = json!(3); b }),
            ("closes_at", { let mut b = election(app, everyone.clone(), &["Yes", "No"], None); b["closes_at"] = b["opens_at"].clone(); b }),
        ] {
            body["title"] = json!(format!("Refused for {field}"));
            let refused = app.post("/api/v1/elections", Some(&chair_token), body).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", refused.text);
            assert!(refused.body["errors"][field].is_array(), "{field}: {}", refused.text);
        }
        let made = app.post("/api/v1/elections", Some(&chair_token), election(app, everyone.clone(), &["Yes", "No", "Abstain"], Some(0.5))).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        assert_eq!(made.body["state"], "draft");
        let id = made.body["id"].as_str().unwrap().to_owned();
        assert_eq!(app.get("/api/v1/elections", Some(&alice_token)).await.body, json!([]), "a draft is the officers'");
        ballot(app, &alice_token, &id, &["Yes"]).await.assert_problem(403, "forbidden");

        // The clock opens it and freezes the electorate.
        assert_eq!(app.run_jobs().await.elections_moved, 0);
        open(app).await;
        let alice_token = app.sign_in(&alice).await;
        let bob_token = app.sign_in(&bob).await;
        let chair_token = app.sign_in(&chair).await;
        let seen = app.get("/api/v1/elections", Some(&alice_token)).await;
        assert_eq!(seen.body[0]["state"], "open", "{}", seen.text);
        assert_eq!(seen.body[0]["mine"], json!({"eligible": true, "voted": false, "weight": 1}));
        let electors = seen.body[0]["electors"].as_i64().unwrap();
        let late = app.seed_person("late", &[], kek.id).await;
        let late_token = app.sign_in_fresh(&late).await;
        ballot(app, &late_token, &id, &["Yes"]).await.assert_problem(403, "forbidden");
        app.get(&format!("/api/v1/elections/{id}"), Some(&late_token)).await.assert_problem(404, "not_found");

        // Ballots: checked, once each; two at once for one voter leave one.
        ballot(app, &alice_token, &id, &["Maybe"]).await.assert_problem(422, "validation_failed");
        ballot(app, &alice_token, &id, &["Yes", "No"]).await.assert_problem(422, "validation_failed");
        ballot(app, &alice_token, &id, &[]).await.assert_problem(422, "validation_failed");
        let for_institution = app.post(&format!("/api/v1/elections/{id}/ballots"), Some(&alice_token), json!({"choices": ["Yes"], "institution_id": kek.id})).await;
        for_institution.assert_problem(422, "validation_failed");
        assert_eq!(for_institution.body["errors"]["institution_id"][0]["code"], "institution_id.not_an_institution_vote");
        let cast = ballot(app, &alice_token, &id, &["Yes"]).await;
        assert_eq!(cast.status, StatusCode::CREATED, "{}", cast.text);
        let receipt = cast.body["receipt"].as_str().unwrap().to_owned();
        ballot(app, &alice_token, &id, &["No"]).await.assert_problem(409, "already_voted");
        let (a, b) = futures_util::future::join(ballot(app, &bob_token, &id, &["No"]), ballot(app, &bob_token, &id, &["Yes"])).await;
        let won: Vec<&Reply> = [&a, &b].into_iter().filter(|r| r.status == StatusCode::CREATED).collect();
        assert_eq!(won.len(), 1, "{} / {}", a.text, b.text);
        let lost = if a.status == StatusCode::CREATED { &b } else { &a };
        lost.assert_problem(409, "already_voted");
        let bob_chose = if a.status == StatusCode::CREATED { "No" } else { "Yes" };
        let mine = app.get(&format!("/api/v1/elections/{id}"), Some(&alice_token)).await;
        assert_eq!(mine.body["mine"]["voted"], true);
        assert_eq!(mine.body["voted"], 2);
        app.get(&format!("/api/v1/elections/{id}/results"), Some(&chair_token)).await.assert_problem(409, "results_not_available");

        // A day before closing, those who have not voted are reminded, once, with a link.
        app.advance(chrono::Duration::days(2));
        let report = app.run_jobs().await;
        assert_eq!(report.vote_reminders as i64, electors - 2, "{report:?}");
        assert!(app.mail.to("alice@kek.jp").iter().all(|m| !m.subject.contains("vote")), "a voter is not reminded");
        let reminder = app.mail.to("chair@kek.jp").into_iter().find(|m| m.subject.contains("Your vote is still open")).expect("the chair is reminded");
        assert!(reminder.body.contains(&format!("/elections/{id}")), "{}", reminder.body);
        assert_eq!(app.run_jobs().await.vote_reminders, 0, "once");

        // Closed on time: no more ballots; the officers see the results, others once published.
        app.advance(chrono::Duration::hours(24));
        assert_eq!(app.run_jobs().await.elections_moved, 1);
        let (alice_token, chair_token, ir_token) = (app.sign_in(&alice).await, app.sign_in(&chair).await, app.sign_in(&kek.ir).await);
        let chair_ballot = ballot(app, &chair_token, &id, &["No"]).await;
        chair_ballot.assert_problem(409, "election_not_open");
        let results = app.get(&format!("/api/v1/elections/{id}/results"), Some(&chair_token)).await;
        assert_eq!(results.status, StatusCode::OK, "{}", results.text);
        let votes = |label: &str| results.body["options"].as_array().unwrap().iter().find(|o| o["label"] == label).unwrap()["votes"].as_i64().unwrap();
        assert_eq!((votes("Yes"), votes("No"), votes("Abstain")), if bob_chose == "Yes" { (2, 0, 0) } else { (1, 1, 0) });
        assert_eq!(results.body["voted"], 2);
        assert_eq!(results.body["electors"].as_i64().unwrap(), electors);
        assert_eq!(results.body["quorum_met"], false, "two of {electors} is not half");
        app.get(&format!("/api/v1/elections/{id}/results"), Some(&ir_token)).await.assert_problem(409, "results_not_available");
        app.post(&format!("/api/v1/elections/{id}/publish"), Some(&ir_token), json!({})).await.assert_problem(403, "forbidden");
        let published = app.post(&format!("/api/v1/elections/{id}/publish"), Some(&chair_token), json!({})).await;
        assert_eq!(published.body["state"], "published", "{}", published.text);
        app.post(&format!("/api/v1/elections/{id}/publish"), Some(&chair_token), json!({})).await.assert_problem(409, "election_not_closed");
        assert_eq!(app.get(&format!("/api/v1/elections/{id}/results"), Some(&alice_token)).await.body["options"], results.body["options"]);

        // The receipt shows the ballot was counted, and nothing more.
        let check = app.get(&format!("/api/v1/elections/{id}/receipts/{receipt}"), Some(&alice_token)).await;
        assert_eq!(check.body, json!({"counted": true}));
        let check = app.get(&format!("/api/v1/elections/{id}/receipts/AAAAA-BBBBB-CCCCC-DDDDD"), Some(&alice_token)).await;
        assert_eq!(check.body, json!({"counted": false}));

        // The electorate for the record; the audit trail says who voted, never what.
        let csv = app.client.get(app.url(&format!("/api/v1/elections/{id}/electorate.csv"))).bearer_auth(&chair_token).send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = csv.text().await.unwrap();
        assert!(csv.starts_with("elector_id,name,weight,voted\n"), "{csv}");
        assert_eq!(csv.lines().count() as i64, electors + 1);
        assert!(csv.lines().any(|l| l.contains("Test Alice") && l.ends_with(",true")), "{csv}");
        app.get(&format!("/api/v1/elections/{id}/electorate.csv"), Some(&alice_token)).await.assert_problem(403, "forbidden");
        let admin = app.sign_in(&kek.admin_person).await;
        let trail = app.get("/api/v1/audit?per_page=500", Some(&admin)).await;
        let voted: Vec<&Value> = trail.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "election.voted").collect();
        assert_eq!(voted.len(), 2);
        assert!(!trail.text.contains("\"Yes\"") || trail.text.matches("\"Yes\"").count() == 1, "only the election's options, at its creation: {}", trail.text);
    }

    async fn an_institutional_board_vote_is_cast_by_a_representative_and_weighed_by_authors(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let (desy, _) = kek.add_authors(app).await;
        let irdesy = app.seed_person("irdesy", &[], uuid::Uuid::parse_str(&desy).unwrap()).await;
        let appointed = app.post(&format!("/api/v1/institutions/{desy}/representatives"), Some(&kek.admin), json!({"person_id": irdesy.id})).await;
        assert_eq!(appointed.status, StatusCode::OK, "{}", appointed.text);
        let second = app.seed_person("irkekb", &[], kek.id).await;
        app.post(&format!("/api/v1/institutions/{}/representatives", kek.id), Some(&kek.admin), json!({"person_id": second.id})).await;
        let rule = json!({"kind": "institutions", "weight": "authors"});
        let preview = app.post("/api/v1/electorates/preview", Some(&kek.admin), json!({"rule": rule, "date": app.day(0)})).await;
        let weights: Vec<(String, i64)> = preview.body["electors"].as_array().unwrap().iter().map(|e| (e["name"].as_str().unwrap().to_owned(), e["weight"].as_i64().unwrap())).collect();
        assert_eq!(weights, [("DESY".to_owned(), 3), ("KEK".to_owned(), 1)], "{}", preview.text);
        let made = app.post("/api/v1/elections", Some(&kek.admin), election(app, rule, &["A", "B"], Some(1.0))).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        let id = made.body["id"].as_str().unwrap().to_owned();
        open(app).await;
        let (desy_token, kek_token, second_token) = (app.sign_in_fresh(&irdesy).await, app.sign_in(&kek.ir).await, app.sign_in_fresh(&second).await);
        let member = app.seed_person("plain", &[], kek.id).await;
        let member_token = app.sign_in_fresh(&member).await;
        ballot(app, &member_token, &id, &["A"]).await.assert_problem(403, "forbidden");
        let seen = app.get(&format!("/api/v1/elections/{id}"), Some(&desy_token)).await;
        assert_eq!(seen.body["mine"], json!({"eligible": true, "voted": false, "weight": 3, "on_behalf_of": "DESY",
            "institutions": [{"institution_id": desy, "name": "DESY", "weight": 3, "voted": false}]}));

        // A representative of both institutions names the one a ballot is for.
        let both = app.seed_person("irboth", &[], kek.id).await;
        let admin = app.sign_in(&kek.admin_person).await;
        for institution in [desy.clone(), kek.id.to_string()] {
            let appointed = app.post(&format!("/api/v1/institutions/{institution}/representatives"), Some(&admin), json!({"person_id": both.id})).await;
            assert_eq!(appointed.status, StatusCode::OK, "{}", appointed.text);
        }
        let both_token = app.sign_in_fresh(&both).await;
        let seen = app.get(&format!("/api/v1/elections/{id}"), Some(&both_token)).await;
        assert_eq!(seen.body["mine"]["on_behalf_of"], "DESY, KEK", "{}", seen.text);
        assert_eq!(seen.body["mine"]["weight"], 4);
        let unnamed = ballot(app, &both_token, &id, &["A"]).await;
        unnamed.assert_problem(422, "validation_failed");
        assert_eq!(unnamed.body["errors"]["institution_id"][0]["code"], "institution_id.required", "{}", unnamed.text);
        let for_ballot = |institution: &str, choice: &str| json!({"choices": [choice], "institution_id": institution});
        let ballots = format!("/api/v1/elections/{id}/ballots");
        app.post(&ballots, Some(&both_token), for_ballot(&uuid::Uuid::new_v4().to_string(), "A")).await.assert_problem(403, "forbidden");
        app.post(&ballots, Some(&kek_token), for_ballot(&desy, "A")).await.assert_problem(403, "forbidden");
        assert_eq!(app.post(&ballots, Some(&both_token), for_ballot(&desy, "A")).await.status, StatusCode::CREATED);
        ballot(app, &desy_token, &id, &["B"]).await.assert_problem(409, "already_voted");
        let seen = app.get(&format!("/api/v1/elections/{id}"), Some(&both_token)).await;
        assert_eq!(seen.body["mine"]["voted"], false, "KEK has not voted yet: {}", seen.text);
        assert_eq!(seen.body["mine"]["institutions"][0]["voted"], true, "{}", seen.text);
        assert_eq!(ballot(app, &kek_token, &id, &["B"]).await.status, StatusCode::CREATED);
        ballot(app, &second_token, &id, &["A"]).await.assert_problem(409, "already_voted");
        app.post(&ballots, Some(&both_token), for_ballot(&kek.id.to_string(), "A")).await.assert_problem(409, "already_voted");
        let seen = app.get(&format!("/api/v1/elections/{id}"), Some(&both_token)).await;
        assert_eq!(seen.body["mine"]["voted"], true, "{}", seen.text);
        app.advance(chrono::Duration::days(3));
        app.run_jobs().await;
        let admin = app.sign_in(&kek.admin_person).await;
        let results = app.get(&format!("/api/v1/elections/{id}/results"), Some(&admin)).await;
        assert_eq!(results.body["options"], json!([{"label": "A", "votes": 3}, {"label": "B", "votes": 1}]), "{}", results.text);
        assert_eq!((results.body["total_weight"].clone(), results.body["cast_weight"].clone(), results.body["quorum_met"].clone()), (json!(4), json!(4), json!(true)));
    }
}

/// Everything the database holds about an election, as someone holding it reads it: every
/// row of the electorate, tally and receipt tables in the order stored, and the audit
/// events; people named by name (their ids differ between databases), receipts by count.
fn holdings(conn: &mut DbConnection, backend: Backend) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    let _ = backend;
    let concat = |parts: &str| parts.replace(" || ", " || '|' || ");
    let queries = [
        format!(
            "SELECT {} AS line FROM election_electors",
            concat("name || CAST(weight AS TEXT) || CAST(voted AS TEXT)")
        ),
        format!(
            "SELECT {} AS line FROM election_tallies",
            concat("CAST(option_index AS TEXT) || CAST(votes AS TEXT)")
        ),
        "SELECT 'receipt' AS line FROM election_receipts".to_owned(),
        format!(
            "SELECT {} AS line FROM audit_events WHERE subject_type = 'election' AND action <> 'election.created' ORDER BY at, action",
            concat("action || actor || COALESCE(after_json, '') || COALESCE(before_json, '')")
        ),
    ];
    let mut out = Vec::new();
    for query in queries {
        out.extend(
            diesel::sql_query(query)
                .load::<Line>(conn)
                .unwrap()
                .into_iter()
                .map(|l| l.line),
        );
    }
    out
}

/// Alice and Bob vote in the same order in two collaborations, once Yes and No, once No and
/// Yes: everything stored reads the same, so nobody holding the database can tell who chose
/// what.
async fn holdings_after(backend: Backend, alice_chooses: &str, bob_chooses: &str) -> Vec<String> {
    let app = TestApp::spawn(backend).await;
    let kek = Institution::with_representative(&app).await;
    let alice = app.seed_person("alice", &[], kek.id).await;
    let bob = app.seed_person("robert", &[], kek.id).await;
    let made = app
        .post(
            "/api/v1/elections",
            Some(&kek.admin),
            election(&app, json!({"kind": "members"}), &["Yes", "No"], None),
        )
        .await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    open(&app).await;
    for (person, choice) in [(&alice, alice_chooses), (&bob, bob_chooses)] {
        let token = app.sign_in_fresh(person).await;
        assert_eq!(
            ballot(&app, &token, &id, &[choice]).await.status,
            StatusCode::CREATED
        );
    }
    let held = app
        .state
        .db
        .run(move |conn| Ok(holdings(conn, backend)))
        .await
        .unwrap();
    app.shutdown().await;
    held
}

fn nobody_can_pair_voters_with_choices(backend: Backend) {
    actix_web::rt::System::new().block_on(async {
        let one = holdings_after(backend, "Yes", "No").await;
        let other = holdings_after(backend, "No", "Yes").await;
        assert!(
            one.iter().any(|l| l.starts_with("Test Alice|"))
                && one.iter().any(|l| l.starts_with("election.voted|alice")),
            "{one:#?}"
        );
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(
            sorted(one),
            sorted(other),
            "what is stored differs with who chose what"
        );
    });
}

#[test]
fn nobody_holding_the_database_pairs_voters_with_choices_sqlite() {
    nobody_can_pair_voters_with_choices(Backend::Sqlite);
}

#[test]
fn nobody_holding_the_database_pairs_voters_with_choices_postgres() {
    nobody_can_pair_voters_with_choices(Backend::Postgres);
}
