//! Author lists in the browser: the publications role makes a list (a list without a title is
//! not sent), reads the forecast for a later day, downloads the files and starts the review;
//! the representative opens the link from the mail, signs the institution's section off and
//! sees their own authorship; freezing asks first while an institution has not signed; the
//! differences to a later list.

use b2mms_shared::Role;
use b2mms_tests::fixtures::Institution;
use b2mms_tests::new_password;
use fantoccini::Locator;
use serde_json::json;

use crate::support::*;

/// The base address the web app under test puts into its mails (see `web_app`).
const PUBLIC: &str = "http://127.0.0.1";

#[actix_web::test]
async fn a_list_is_made_reviewed_signed_off_frozen_compared_and_downloaded() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    kek.add_authors(&app).await;
    let pubs = app.seed_person("pubs", &[Role::Publications], kek.id).await;
    let pubs_token = app.sign_in_fresh(&pubs).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    signed_in(&client, &app, "pubs").await;
    click(&client, "header a[href='/author-lists']").await;
    wait_for_text(&client, "main h1", "Author lists").await;
    wait_for_text(
        &client,
        "[data-testid=author-lists-empty]",
        "No author list yet",
    )
    .await;
    accessible(&client, "author lists").await;

    // A list without a title is not sent; the summary says what to fix.
    set_date(&client, "#date", &app.day(0)).await;
    click(&client, "[data-testid=new-author-list] button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=error-summary]",
        "Give the paper's title",
    )
    .await;
    fill(&client, "#title", "Measurement of B → K* γ").await;
    fill(&client, "#reference", "BELLE2-PAPER-2026-001").await;
    click(&client, "[data-testid=new-author-list] button[type=submit]").await;
    wait_for_text(&client, "main h1", "Measurement of B → K* γ").await;
    wait_for_text(&client, "[data-testid=author-list-state]", "Draft").await;
    wait_for_text(&client, "[data-testid=author-count]", "4").await;
    let byline = wait_for_text(&client, "[data-testid=author-list-authors]", "Åström").await;
    let at = |name: &str| {
        byline
            .find(name)
            .unwrap_or_else(|| panic!("{name} in {byline}"))
    };
    assert!(
        at("Åström") < at("Łukasiewicz")
            && at("Łukasiewicz") < at("Verlassen")
            && at("Verlassen") < at("Zimmer"),
        "{byline}"
    );
    let list_path = client.current_url().await.unwrap().path().to_owned();
    accessible(&client, "author list").await;

    // Every file downloads, as the API writes it.
    click(&client, "[data-testid='authors.xml']").await;
    let xml = downloaded(profile.path(), "authors.xml").await;
    assert!(
        xml.contains("<collaborationauthorlist") && xml.contains("Zimmer"),
        "{xml}"
    );
    click(&client, "[data-testid='authors.tex']").await;
    let tex = downloaded(profile.path(), "authors.tex").await;
    assert!(
        tex.contains("\\author{") && tex.contains("\\affiliation{"),
        "{tex}"
    );
    click(&client, "[data-testid='authors.txt']").await;
    assert!(
        downloaded(profile.path(), "authors.txt")
            .await
            .contains("A. Zimmer")
    );
    click(&client, "[data-testid='authors.csv']").await;
    assert!(
        downloaded(profile.path(), "authors.csv")
            .await
            .contains("Łukasiewicz")
    );

    // The forecast for a day four months on: the student joins.
    client
        .goto(&app.url(&format!("/author-lists/forecast?date={}", app.day(120))))
        .await
        .unwrap();
    wait_for_text(
        &client,
        "[data-testid=forecast-summary]",
        &format!("On {}", app.day(120)),
    )
    .await;
    wait_for_text(&client, "[data-testid=forecast-joining]", "Lutz").await;
    accessible(&client, "author forecast").await;
    // An address with something else than a day says so rather than showing another day.
    client
        .goto(&app.url("/author-lists/forecast?date=next-week"))
        .await
        .unwrap();
    wait_for_text(&client, "[data-testid=forecast-bad-day]", "is not a day").await;

    // The review starts after saying what it does.
    client.goto(&app.url(&list_path)).await.unwrap();
    click(&client, "[data-testid=start-review]").await;
    wait_for_text(&client, ".confirm", "Send the list to the institutions").await;
    click(&client, "[data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=author-list-state]", "Under review").await;
    wait_for_text(&client, "[data-testid=author-list-done]", "under review").await;
    sign_out(&client).await;

    // The representative follows the link in the mail, through the sign-in.
    app.run_jobs().await;
    let mail = app
        .mail
        .to("irkek@kek.jp")
        .into_iter()
        .find(|m| m.subject.starts_with("Author list for review"))
        .expect("the representative is asked to review");
    let link = mail
        .body
        .split_whitespace()
        .find_map(|w| w.strip_prefix(PUBLIC))
        .expect("a link in the mail")
        .to_owned();
    assert_eq!(link, list_path);
    client.goto(&app.url(&link)).await.unwrap();
    wait_for_text(&client, "h1", "Sign in").await;
    fill(&client, "#account", "irkek").await;
    fill(&client, "#password", &new_password("irkek")).await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "main h1", "Measurement of B → K* γ").await;
    wait_for_text(
        &client,
        "[data-testid=section-KEK]",
        "waiting for its sign-off",
    )
    .await;
    // DESY's section is not theirs to sign.
    assert!(
        client
            .find(Locator::Css("[data-testid=sign-off-DESY]"))
            .await
            .is_err()
    );
    click(&client, "[data-testid=sign-off-KEK]").await;
    wait_for_text(&client, ".confirm", "Sign off the section of KEK").await;
    click(&client, "[data-testid=confirm]").await;
    wait_for_text(
        &client,
        "[data-testid=author-list-done]",
        "The section of KEK is signed off",
    )
    .await;
    wait_for_text(
        &client,
        "[data-testid=section-KEK]",
        "signed off by Test Irkek",
    )
    .await;
    accessible(&client, "author list, representative").await;
    // Their own authorship, on their start page: a member since today is not an author yet.
    client.goto(&app.url("/")).await.unwrap();
    wait_for_text(
        &client,
        "[data-testid=my-authorship]",
        "Not today: qualifies on",
    )
    .await;
    sign_out(&client).await;

    // Freezing while DESY has not signed asks first, and says so.
    signed_in(&client, &app, "pubs").await;
    client.goto(&app.url(&list_path)).await.unwrap();
    click(&client, "[data-testid=freeze]").await;
    wait_for_text(
        &client,
        ".confirm",
        "1 of 2 institutions have not signed off",
    )
    .await;
    click(&client, "[data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=author-list-state]", "Frozen").await;

    // A list for a day fourteen months on: Verlassen has dropped off by then, so the frozen
    // list has her in addition.
    let later = app
        .post(
            "/api/v1/author-lists",
            Some(&pubs_token),
            json!({"title": "Later paper", "date": app.day(430)}),
        )
        .await;
    assert_eq!(later.status.as_u16(), 201, "{}", later.text);
    client.goto(&app.url(&list_path)).await.unwrap();
    choose(&client, "#against", later.body["id"].as_str().unwrap()).await;
    wait_for_text(&client, "[data-testid=diff-added]", "L. Verlassen").await;
    client.close().await.unwrap();
}
