//! Voting in the browser: the IB chair prepares a vote (what breaks a rule is not sent); a
//! member opens the reminder's link, is refused a ballot without a choice, votes, keeps the
//! receipt and checks it; after closing the chair sees the results as a chart with a table,
//! publishes them after a question, and the member sees them too.

use b2mms_shared::Role;
use b2mms_tests::fixtures::Institution;
use serde_json::json;

use crate::support::*;

/// The base address the web app under test puts into its mails (see `web_app`).
const PUBLIC: &str = "http://127.0.0.1";

#[actix_web::test]
async fn a_member_votes_from_the_reminder_and_the_chair_publishes_the_results() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let chair = app.seed_person("chair", &[Role::IbChair], kek.id).await;
    let chair_token = app.sign_in_fresh(&chair).await;
    let voter = app.seed_person("voter", &[], kek.id).await;
    app.sign_in_fresh(&voter).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    // The chair's form refuses what breaks a rule.
    signed_in(&client, &app, "chair").await;
    click(&client, "header a[href='/elections']").await;
    wait_for_text(&client, "main h1", "Votes").await;
    wait_for_text(&client, "[data-testid=elections-empty]", "No vote").await;
    fill(&client, "#election_title", "Spokesperson 2027").await;
    click(&client, "[data-testid=new-election] button[type=submit]").await;
    let summary = wait_for_text(
        &client,
        "[data-testid=error-summary]",
        "at least two options",
    )
    .await;
    assert!(
        summary.contains("Choose who may vote") && summary.contains("when the vote opens"),
        "{summary}"
    );
    accessible(&client, "votes").await;
    sign_out(&client).await;

    // A vote that is open now and closes within a day: the reminder goes out at once.
    let now = chrono::Utc::now();
    let made = app
        .post(
            "/api/v1/elections",
            Some(&chair_token),
            json!({"title": "Spokesperson 2027", "description": "Elect the spokesperson.", "options": ["Ada", "Grace"], "max_choices": 1,
                   "electorate": {"kind": "members"}, "opens_at": now - chrono::Duration::minutes(1), "closes_at": now + chrono::Duration::hours(12), "quorum": 0.5}),
        )
        .await;
    assert_eq!(made.status.as_u16(), 201, "{}", made.text);
    let report = app.run_jobs().await;
    assert!(
        report.elections_moved >= 1 && report.vote_reminders >= 1,
        "{report:?}"
    );
    let reminder = app
        .mail
        .to("voter@kek.jp")
        .into_iter()
        .find(|m| m.subject.contains("Your vote is still open"))
        .expect("the voter is reminded");
    let link = reminder
        .body
        .split_whitespace()
        .find_map(|w| w.strip_prefix(PUBLIC))
        .expect("a link")
        .trim_end_matches(['.', ','])
        .to_owned();

    // The mailed link opens the vote after signing in.
    signed_in(&client, &app, "voter").await;
    client.goto(&app.url(&link)).await.unwrap();
    wait_for_text(&client, "main h1", "Spokesperson 2027").await;
    wait_for_text(&client, "[data-testid=election-mine]", "You may vote").await;
    accessible(&client, "a vote").await;
    click(&client, "[data-testid=ballot] button[type=submit]").await;
    wait_for_text(&client, "[data-testid=ballot] .error", "Choose an option").await;
    click(&client, "#option-1").await;
    click(&client, "[data-testid=ballot] button[type=submit]").await;
    wait_for_text(&client, "[data-testid=receipt]", "Your ballot is counted").await;
    let code = wait_for_text(&client, "[data-testid=receipt] code", "-")
        .await
        .trim()
        .to_owned();
    assert_eq!((code.len(), code.matches('-').count()), (23, 3), "{code}");
    wait_for_text(&client, "[data-testid=election-mine]", "You have voted").await;
    fill(&client, "#receipt_code", &code).await;
    click(&client, "[data-testid=receipt-check] button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=receipt-answer]",
        "This ballot is counted",
    )
    .await;
    fill(&client, "#receipt_code", "AAAAA-BBBBB-CCCCC-DDDDD").await;
    click(&client, "[data-testid=receipt-check] button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=receipt-answer]",
        "No ballot of this vote",
    )
    .await;
    sign_out(&client).await;

    // Closed: the chair sees the results and publishes them; then the voter sees them.
    app.advance(chrono::Duration::hours(13));
    app.run_jobs().await;
    signed_in(&client, &app, "chair").await;
    client.goto(&app.url(&link)).await.unwrap();
    wait_for_text(&client, "[data-testid=election-state]", "Closed").await;
    let table = wait_for_text(&client, "[data-testid=results-table]", "Grace").await;
    assert!(table.contains("Ada"), "{table}");
    wait_for_text(&client, "[data-testid=turnout]", "1 of").await;
    click(&client, "[data-testid=publish]").await;
    click(&client, "main [data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=election-state]", "Results published").await;
    screenshot(&client, "vote-results").await;
    sign_out(&client).await;
    signed_in(&client, &app, "voter").await;
    client.goto(&app.url(&link)).await.unwrap();
    wait_for_text(&client, "[data-testid=results-table]", "Grace").await;
    client.close().await.unwrap();
}

#[actix_web::test]
async fn a_representative_of_two_institutions_casts_a_ballot_for_each() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let desy = app
        .post("/api/v1/institutions", Some(&kek.admin), json!({"name": "Deutsches Elektronen-Synchrotron", "short_name": "DESY", "city": "Hamburg", "country": "DE"}))
        .await;
    assert_eq!(desy.status.as_u16(), 201, "{}", desy.text);
    let desy = desy.body["id"].as_str().unwrap().to_owned();
    let appointed = app
        .post(
            &format!("/api/v1/institutions/{desy}/representatives"),
            Some(&kek.admin),
            json!({"person_id": kek.ir.id}),
        )
        .await;
    assert_eq!(appointed.status.as_u16(), 200, "{}", appointed.text);
    let now = chrono::Utc::now();
    let made = app
        .post(
            "/api/v1/elections",
            Some(&kek.admin),
            json!({"title": "Board rules 2027", "description": "", "options": ["Adopt", "Reject"], "max_choices": 1,
                   "electorate": {"kind": "institutions", "weight": "equal"}, "opens_at": now - chrono::Duration::minutes(1), "closes_at": now + chrono::Duration::days(3)}),
        )
        .await;
    assert_eq!(made.status.as_u16(), 201, "{}", made.text);
    let id = made.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.run_jobs().await.elections_moved, 1);
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    signed_in(&client, &app, "irkek").await;
    client
        .goto(&app.url(&format!("/elections/{id}")))
        .await
        .unwrap();
    wait_for_text(&client, "main h1", "Board rules 2027").await;
    wait_for_text(&client, "[data-testid=election-mine]", "for DESY, KEK").await;
    // A ballot without its institution is not sent.
    click(&client, "#option-0").await;
    click(&client, "[data-testid=ballot] button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=ballot] .error",
        "Choose the institution this ballot is for",
    )
    .await;
    accessible(&client, "a ballot for one of two institutions").await;
    choose(&client, "#ballot-for", &desy).await;
    click(&client, "[data-testid=ballot] button[type=submit]").await;
    wait_for_text(&client, "[data-testid=receipt]", "Your ballot is counted").await;
    // The other institution's ballot is still to cast.
    wait_for_text(
        &client,
        "[data-testid=ballot-for]",
        "This ballot is for KEK",
    )
    .await;
    click(&client, "#option-1").await;
    click(&client, "[data-testid=ballot] button[type=submit]").await;
    wait_for_text(&client, "[data-testid=election-mine]", "You have voted").await;
    let voted = app
        .get(&format!("/api/v1/elections/{id}"), Some(&kek.admin))
        .await;
    assert_eq!(voted.body["voted"], 2, "{}", voted.text);
    client.close().await.unwrap();
}
