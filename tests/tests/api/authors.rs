//! Author lists: the policy (qualification, the tail after leaving, categories), individual
//! decisions, the forecast, lists frozen against later record changes, review and sign-offs,
//! the diff, collation order and every export (authors.xml against INSPIRE's DTD, the REVTeX
//! file compiled with pdflatex).

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, TestApp, on_both_databases};
use serde_json::{Value, json};

/// The family names of a list of people (forecast entries or listed authors).
fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.get("person")
                .map_or(&e["family_name"], |p| &p["family_name"])
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn entry<'a>(list: &'a Value, family: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["person"]["family_name"] == family)
        .unwrap_or_else(|| panic!("{family} in {list}"))
}

async fn person_id(app: &TestApp, token: &str, account: &str) -> String {
    let found = app
        .get(&format!("/api/v1/members?q={account}"), Some(token))
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    found.body["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{account}: {}", found.text))
        .to_owned()
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> b2mms_tests::Reply {
    app.send(reqwest::Method::PUT, path, Some(token), Some(body))
        .await
}

on_both_databases! {
    async fn the_policy_and_decisions_make_the_forecast(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        kek.add_authors(app).await;

        let today = app.get("/api/v1/author-lists/preview", Some(&kek.admin)).await;
        assert_eq!(today.status, StatusCode::OK, "{}", today.text);
        // Qualified physicists, in collation order; the engineer never; the student not yet.
        assert_eq!(names(&today.body["authors"]), ["Åström", "Łukasiewicz", "Verlassen", "Zimmer"]);
        let lutz = entry(&today.body["not_authors"], "Lutz");
        assert_eq!(lutz["reason"]["code"], "qualifies_on");
        let qualifies = (app.today() - chrono::Duration::days(90)).checked_add_months(chrono::Months::new(6)).unwrap();
        assert_eq!(lutz["reason"]["date"], qualifies.to_string());
        assert!(lutz["reason"]["text"].as_str().unwrap().starts_with("qualifies on "));
        let leaving = entry(&today.body["authors"], "Verlassen");
        assert_eq!(leaving["reason"]["code"], "stays_until", "{leaving}");

        // In four months the student has joined; in fourteen the leaver has dropped off.
        let later = app.get(&format!("/api/v1/author-lists/preview?date={}", app.day(120)), Some(&kek.ir_token)).await;
        assert_eq!(later.status, StatusCode::OK, "{}", later.text);
        assert_eq!(names(&later.body["joining"]), ["Lutz"]);
        let much_later = app.get(&format!("/api/v1/author-lists/preview?date={}", app.day(430)), Some(&kek.admin)).await;
        assert_eq!(names(&much_later.body["dropping"]), ["Verlassen"]);
        assert_eq!(entry(&much_later.body["dropping"], "Verlassen")["reason"]["code"], "stayed_until");
        app.get("/api/v1/author-lists/preview?date=tomorrow", Some(&kek.admin)).await.assert_problem(400, "invalid_query");

        // Decisions: the engineer is included for a year, Zimmer excluded at his request.
        let engel = person_id(app, &kek.admin, "engin").await;
        let zimmer = person_id(app, &kek.admin, "zimmer").await;
        let included = app.post("/api/v1/author-exceptions", Some(&kek.admin), json!({"person_id": engel, "kind": "include", "reason": "built the drift chamber", "from": app.day(-1), "until": app.day(365)})).await;
        assert_eq!(included.status, StatusCode::CREATED, "{}", included.text);
        let excluded = app.post("/api/v1/author-exceptions", Some(&kek.admin), json!({"person_id": zimmer, "kind": "exclude", "reason": "asked not to sign", "from": app.day(0)})).await;
        assert_eq!(excluded.status, StatusCode::CREATED, "{}", excluded.text);
        let now = app.get("/api/v1/author-lists/preview", Some(&kek.admin)).await;
        assert_eq!(names(&now.body["authors"]), ["Åström", "Engel", "Łukasiewicz", "Verlassen"]);
        assert_eq!(entry(&now.body["not_authors"], "Zimmer")["reason"]["text"], "excluded by decision: asked not to sign");
        let after_a_year = app.get(&format!("/api/v1/author-lists/preview?date={}", app.day(366)), Some(&kek.admin)).await;
        assert!(!names(&after_a_year.body["authors"]).contains(&"Engel".to_owned()));
        let listed = app.get("/api/v1/author-exceptions", Some(&kek.ir_token)).await;
        assert_eq!(listed.body.as_array().unwrap().len(), 2, "{}", listed.text);

        // Wrong decisions are refused with the field to fix; only the IB chair and admins decide.
        app.post("/api/v1/author-exceptions", Some(&kek.admin), json!({"person_id": engel, "kind": "include", "reason": " ", "from": app.day(0)})).await.assert_problem(422, "validation_failed");
        app.post("/api/v1/author-exceptions", Some(&kek.admin), json!({"person_id": engel, "kind": "include", "reason": "x", "from": app.day(0), "until": app.day(-1)})).await.assert_problem(422, "validation_failed");
        app.post("/api/v1/author-exceptions", Some(&kek.admin), json!({"person_id": "00000000-0000-4000-8000-000000000001", "kind": "exclude", "reason": "x", "from": app.day(0)})).await.assert_problem(404, "not_found");
        app.post("/api/v1/author-exceptions", Some(&kek.ir_token), json!({"person_id": engel, "kind": "include", "reason": "x", "from": app.day(0)})).await.assert_problem(403, "forbidden");
        let withdrawn = app.delete(&format!("/api/v1/author-exceptions/{}", excluded.body["id"].as_str().unwrap()), Some(&kek.admin)).await;
        assert_eq!(withdrawn.status, StatusCode::NO_CONTENT, "{}", withdrawn.text);
        let now = app.get("/api/v1/author-lists/preview", Some(&kek.admin)).await;
        assert!(names(&now.body["authors"]).contains(&"Zimmer".to_owned()));

        // The policy: admins change it (audited); bad values are refused.
        let policy = app.get("/api/v1/author-policy", Some(&kek.ir_token)).await;
        assert_eq!(policy.body["qualification_months"], 6, "{}", policy.text);
        assert_eq!(policy.body["categories"], json!(["physicist_permanent", "physicist_temporary", "phd_student"]));
        put(app, "/api/v1/author-policy", &kek.ir_token, json!({"categories": ["phd_student"], "qualification_months": 0, "months_after_end": 0})).await.assert_problem(403, "forbidden");
        put(app, "/api/v1/author-policy", &kek.admin, json!({"categories": [], "qualification_months": 0, "months_after_end": 200})).await.assert_problem(422, "validation_failed");
        let changed = put(app, "/api/v1/author-policy", &kek.admin, json!({"categories": ["phd_student", "physicist_permanent", "physicist_temporary"], "qualification_months": 0, "months_after_end": 12})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        let now = app.get("/api/v1/author-lists/preview", Some(&kek.admin)).await;
        assert!(names(&now.body["authors"]).contains(&"Lutz".to_owned()), "no qualification time: {}", now.text);
        let audit = app.get("/api/v1/audit?action=author_policy.changed", Some(&kek.admin)).await;
        assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
        assert!(audit.text.contains("author_policy.changed"), "{}", audit.text);

        // A category change: Lutz becomes an engineer and stays an author only for the tail.
        let lutz_id = person_id(app, &kek.admin, "lutzm").await;
        let patched = app.patch(&format!("/api/v1/members/{lutz_id}"), Some(&kek.admin), json!({"category": "technical_staff"})).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
        let tail = app.get(&format!("/api/v1/author-lists/preview?date={}", app.day(30)), Some(&kek.admin)).await;
        assert_eq!(entry(&tail.body["authors"], "Lutz")["reason"]["code"], "stays_until", "{}", tail.text);
        let gone = app.get(&format!("/api/v1/author-lists/preview?date={}", app.day(400)), Some(&kek.admin)).await;
        assert!(!names(&gone.body["authors"]).contains(&"Lutz".to_owned()));

        // Who may read: members with a role, tools with `authors:read`; not plain members.
        let plain = app.seed_person("plain", &[], kek.id).await;
        let plain_id = plain.id.clone();
        let plain = app.sign_in_fresh(&plain).await;
        app.get("/api/v1/author-lists/preview", Some(&plain)).await.assert_problem(403, "forbidden");
        app.get("/api/v1/author-lists", None).await.assert_problem(401, "missing_token");
        let mine = app.get("/api/v1/me/authorship", Some(&plain)).await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
        // A physicist since today, under the policy without qualification time.
        assert_eq!(mine.body["author"], true, "{}", mine.text);
        assert_eq!(mine.body["reason"]["code"], "qualified");
        assert_eq!(mine.body["reason"]["date"], app.day(0));
        // A member who has left still learns how long they stay an author, and nothing else.
        let patched = app.patch(&format!("/api/v1/members/{}", plain_id), Some(&kek.admin), json!({"status": "left"})).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
        let left = app.get("/api/v1/me/authorship", Some(&plain)).await;
        assert_eq!(left.status, StatusCode::OK, "{}", left.text);
        app.get("/api/v1/author-lists", Some(&plain)).await.assert_problem(403, "membership_ended");
        let tool = app.post("/api/v1/service-tokens", Some(&kek.admin), json!({"name": "inspire", "scopes": ["authors:read"]})).await;
        let tool = tool.body["token"].as_str().unwrap().to_owned();
        assert_eq!(app.get("/api/v1/author-lists/preview", Some(&tool)).await.status, StatusCode::OK);
        let other = app.post("/api/v1/service-tokens", Some(&kek.admin), json!({"name": "wiki", "scopes": ["members:read"]})).await;
        let other = other.body["token"].as_str().unwrap().to_owned();
        app.get("/api/v1/author-lists", Some(&other)).await.assert_problem(403, "scope_missing");
    }

    async fn lists_are_reviewed_frozen_compared_and_exported(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let (desy, _) = kek.add_authors(app).await;
        let kek_id = kek.id.to_string();

        // The publications role creates lists; representatives do not.
        app.post("/api/v1/author-lists", Some(&kek.ir_token), json!({"title": "x", "date": app.day(0)})).await.assert_problem(403, "forbidden");
        let editor = app.seed_person("pubs", &[], kek.id).await;
        let granted = app.post(&format!("/api/v1/members/{}/roles", editor.id), Some(&kek.admin), json!({"role": "publications"})).await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.text);
        let editor = app.sign_in_fresh(&editor).await;
        app.post("/api/v1/author-lists", Some(&editor), json!({"title": "  ", "date": app.day(0)})).await.assert_problem(422, "validation_failed");
        let created = app.post("/api/v1/author-lists", Some(&editor), json!({"title": "Measurement of B → K* γ & friends", "reference": "BELLE2-PAPER-2026-001", "date": app.day(0)})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.body["state"], "draft");
        let id = created.body["id"].as_str().unwrap().to_owned();
        let authors: Vec<&str> = created.body["authors"].as_array().unwrap().iter().map(|a| a["paper_name"].as_str().unwrap()).collect();
        assert_eq!(authors, ["K. Åström", "J. Łukasiewicz", "L. Verlassen", "A. Zimmer"]);
        let institutions: Vec<&str> = created.body["institutions"].as_array().unwrap().iter().map(|i| i["short_name"].as_str().unwrap()).collect();
        assert_eq!(institutions, ["KEK", "DESY"], "numbered by first appearance");

        // A draft follows the records.
        let zimmer = person_id(app, &kek.admin, "zimmer").await;
        let renamed = app.patch(&format!("/api/v1/members/{zimmer}"), Some(&kek.admin), json!({"paper_name": "A. M. Zimmer", "inspire_id": "inspire-00012345"})).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
        assert_eq!(renamed.body["inspire_id"], "INSPIRE-00012345");
        app.patch(&format!("/api/v1/members/{zimmer}"), Some(&kek.admin), json!({"inspire_id": "12345"})).await.assert_problem(422, "validation_failed");
        let draft = app.get(&format!("/api/v1/author-lists/{id}"), Some(&kek.ir_token)).await;
        assert_eq!(draft.body["authors"][3]["paper_name"], "A. M. Zimmer", "{}", draft.text);

        // Sign-offs only under review, only by the institution's representatives.
        let sign_kek = format!("/api/v1/author-lists/{id}/institutions/{kek_id}/sign-off");
        app.post(&sign_kek, Some(&kek.ir_token), json!({})).await.assert_problem(409, "invalid_transition");
        app.post(&format!("/api/v1/author-lists/{id}/freeze"), Some(&editor), json!({})).await.assert_problem(409, "invalid_transition");
        let review = app.post(&format!("/api/v1/author-lists/{id}/review"), Some(&editor), json!({})).await;
        assert_eq!(review.body["state"], "review", "{}", review.text);
        app.post(&format!("/api/v1/author-lists/{id}/review"), Some(&editor), json!({})).await.assert_problem(409, "invalid_transition");
        // Each institution's representatives are asked, once, with a link to the list.
        app.run_jobs().await;
        let asked: Vec<_> = app.mail.to("irkek@kek.jp").into_iter().filter(|m| m.subject.starts_with("Author list for review")).collect();
        assert_eq!(asked.len(), 1, "one mail to the KEK representative");
        assert!(asked[0].body.contains(&format!("/author-lists/{id}")) && asked[0].body.contains("KEK has"), "{}", asked[0].body);
        app.post(&format!("/api/v1/author-lists/{id}/institutions/{desy}/sign-off"), Some(&kek.ir_token), json!({})).await.assert_problem(403, "forbidden");
        // A double click: two sign-offs of one section at once make one, and both succeed.
        let (signed, again) = tokio::join!(
            app.post(&sign_kek, Some(&kek.ir_token), json!({})),
            app.post(&sign_kek, Some(&kek.ir_token), json!({})),
        );
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.text);
        assert_eq!(again.status, StatusCode::OK, "{}", again.text);
        assert_eq!(signed.body["sign_offs"].as_array().unwrap().len(), 1);
        assert_eq!(app.post(&sign_kek, Some(&kek.ir_token), json!({})).await.body["sign_offs"].as_array().unwrap().len(), 1, "signing twice changes nothing");

        // DESY has not signed: freezing asks for confirmation.
        let unconfirmed = app.post(&format!("/api/v1/author-lists/{id}/freeze"), Some(&editor), json!({})).await;
        unconfirmed.assert_problem(409, "sign_offs_missing");
        assert!(unconfirmed.text.contains("DESY"), "{}", unconfirmed.text);
        let frozen = app.post(&format!("/api/v1/author-lists/{id}/freeze?confirm=true"), Some(&editor), json!({})).await;
        assert_eq!(frozen.body["state"], "frozen", "{}", frozen.text);
        app.post(&format!("/api/v1/author-lists/{id}/freeze?confirm=true"), Some(&editor), json!({})).await.assert_problem(409, "invalid_transition");
        app.post(&sign_kek, Some(&kek.ir_token), json!({})).await.assert_problem(409, "invalid_transition");
        app.post(&format!("/api/v1/author-lists/{id}/reopen"), Some(&editor), json!({})).await.assert_problem(409, "invalid_transition");

        // A later record change leaves the frozen list as it was.
        app.patch(&format!("/api/v1/members/{zimmer}"), Some(&kek.admin), json!({"paper_name": "Anton Zimmer"})).await;
        let engel = person_id(app, &kek.admin, "engin").await;
        app.post("/api/v1/author-exceptions", Some(&kek.admin), json!({"person_id": engel, "kind": "include", "reason": "built the drift chamber", "from": app.day(-1)})).await;
        let still = app.get(&format!("/api/v1/author-lists/{id}"), Some(&kek.admin)).await;
        assert_eq!(still.body["authors"], frozen.body["authors"]);
        assert_eq!(still.body["authors"][3]["paper_name"], "A. M. Zimmer");

        // A second list sees the changes; the diff names them.
        let second = app.post("/api/v1/author-lists", Some(&kek.admin), json!({"title": "Second paper", "date": app.day(0)})).await;
        let second = second.body["id"].as_str().unwrap().to_owned();
        let diff = app.get(&format!("/api/v1/author-lists/{second}/diff?against={id}"), Some(&kek.admin)).await;
        assert_eq!(diff.status, StatusCode::OK, "{}", diff.text);
        assert_eq!(names(&diff.body["added"]), ["Engel"]);
        assert_eq!(diff.body["removed"], json!([]));
        assert_eq!(diff.body["changed"][0]["before_paper_name"], "A. M. Zimmer");
        assert_eq!(diff.body["changed"][0]["after_paper_name"], "Anton Zimmer");
        app.get(&format!("/api/v1/author-lists/{second}/diff"), Some(&kek.admin)).await.assert_problem(400, "invalid_query");

        // Readiness names what is missing.
        let ready = app.get(&format!("/api/v1/author-lists/{id}/readiness"), Some(&kek.admin)).await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
        let astrom = ready.body["authors"].as_array().unwrap().iter().find(|a| a["name"] == "Karin Åström").unwrap();
        assert_eq!(astrom["missing"], json!(["orcid", "inspire_id", "paper_name"]));
        let kek_missing = ready.body["institutions"].as_array().unwrap().iter().find(|i| i["short_name"] == "KEK").unwrap();
        assert_eq!(kek_missing["missing"], json!(["ror_id", "inspire_id", "address"]));

        // Every export, by a tool with `authors:read`.
        let tool = app.post("/api/v1/service-tokens", Some(&kek.admin), json!({"name": "inspire", "scopes": ["authors:read"]})).await;
        let tool = tool.body["token"].as_str().unwrap().to_owned();
        let file = |name: &str| {
            let url = app.url(&format!("/api/v1/author-lists/{id}/{name}"));
            let (client, tool) = (app.client.clone(), tool.clone());
            async move {
                let reply = client.get(url).bearer_auth(tool).send().await.unwrap();
                assert_eq!(reply.status(), StatusCode::OK);
                let kind = reply.headers()["content-type"].to_str().unwrap().to_owned();
                (kind, reply.text().await.unwrap())
            }
        };
        let (kind, text) = file("authors.txt").await;
        assert!(kind.starts_with("text/plain"), "{kind}");
        assert!(text.contains("K. Åström [1], J. Łukasiewicz [2], L. Verlassen [2], A. M. Zimmer [2]"), "{text}");
        assert!(text.contains("[2] Deutsches Elektronen-Synchrotron, Notkestraße 85, 22607 Hamburg, Germany"), "{text}");
        let (kind, csv) = file("authors.csv").await;
        assert!(kind.starts_with("text/csv"));
        assert_eq!(csv.lines().count(), 5, "{csv}");
        assert!(csv.lines().nth(4).unwrap().starts_with("4,A. M. Zimmer,Zimmer,Anton,0000-0002-1825-0097,INSPIRE-00012345,2,"), "{csv}");
        let (kind, xml) = file("authors.xml").await;
        assert!(kind.starts_with("application/xml"));
        assert!(xml.contains("<cal:authorid source=\"ORCID\">0000-0002-1825-0097</cal:authorid>"), "{xml}");
        assert!(xml.contains("<cal:orgName source=\"ROR\">https://ror.org/01js2sh04</cal:orgName>"), "{xml}");
        valid_against_the_dtd(&xml);
        let (_, tex) = file("authors.tex").await;
        assert!(tex.contains("\\author{K.~{\\r{A}}str{\\\"{o}}m}"), "{tex}");
        compiles_with_revtex(&tex);
        app.get(&format!("/api/v1/author-lists/{id}/authors.pdf"), Some(&tool)).await.assert_problem(404, "not_found");
        app.get("/api/v1/author-lists/00000000-0000-4000-8000-000000000001", Some(&tool)).await.assert_problem(404, "not_found");
    }
}

/// Validates with xmllint against INSPIRE's published `author.dtd`.
fn valid_against_the_dtd(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("authors.xml");
    std::fs::write(&file, xml).unwrap();
    let dtd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/author.dtd");
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--dtdvalid"])
        .arg(&dtd)
        .arg(&file)
        .output()
        .expect("xmllint (Debian's libxml2-utils) checks authors.xml; `.ci/run` installs it");
    assert!(
        out.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compiles a REVTeX 4.2 document with the author list.
fn compiles_with_revtex(authors: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("authors.tex"), authors).unwrap();
    std::fs::write(
        dir.path().join("paper.tex"),
        "\\documentclass[aps,prd,superscriptaddress]{revtex4-2}\n\\usepackage[T1]{fontenc}\n\\begin{document}\n\\title{A paper}\n\\input{authors.tex}\n\\begin{abstract}Text.\\end{abstract}\n\\maketitle\nText.\n\\end{document}\n",
    )
    .unwrap();
    let out = std::process::Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "paper.tex"])
        .current_dir(dir.path())
        .output()
        .expect("pdflatex with REVTeX (Debian's texlive-publishers) compiles authors.tex; `.ci/run` installs it");
    assert!(
        out.status.success(),
        "{}\n{authors}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(dir.path().join("paper.pdf").exists());
}
