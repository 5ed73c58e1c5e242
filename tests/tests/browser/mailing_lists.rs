//! Mailing lists in the browser: an administrator defines a list (a definition that breaks a
//! rule is not sent), sees who is on it, asks what the next sync would change, changes the
//! definition and removes the list after a question; a member sees the lists they are on.

use b2mms_tests::fixtures::Institution;
use serde_json::json;

use crate::support::*;

#[actix_web::test]
async fn an_admin_defines_a_list_sees_its_members_changes_and_removes_it() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let member = app.seed_person("plain", &[], kek.id).await;
    app.sign_in_fresh(&member).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    signed_in(&client, &app, "boss").await;
    click(&client, "header a[href='/mailing-lists']").await;
    wait_for_text(&client, "main h1", "Mailing lists").await;
    wait_for_text(
        &client,
        "[data-testid=mailing-lists-empty]",
        "No mailing list",
    )
    .await;
    accessible(&client, "mailing lists").await;

    // Nothing is sent while a field breaks its rule; the summary says what to fix.
    fill(&client, "#list_name", "two words").await;
    fill(&client, "#list_address", "nowhere").await;
    fill(&client, "#list_countries", "Atlantis").await;
    click(&client, "[data-testid=list-form] button[type=submit]").await;
    let summary = wait_for_text(&client, "[data-testid=error-summary]", "1 to 64 letters").await;
    assert!(
        summary.contains("Say what the list is for") && summary.contains("b2-authors@lists"),
        "{summary}"
    );
    fill(&client, "#list_name", "b2-kek").await;
    fill(&client, "#list_address", "b2-kek@lists.example.org").await;
    fill(&client, "#list_description", "Everyone at KEK").await;
    fill(&client, "#list_countries", "jp").await;
    click(&client, &format!("#list-institution-{}", kek.id)).await;
    fill(&client, "#list_extra", "Desk@kek.jp").await;
    click(&client, "[data-testid=list-form] button[type=submit]").await;
    wait_for_text(&client, "main h1", "Mailing list b2-kek").await;
    wait_for_text(
        &client,
        "[data-testid=list-reach]",
        "active members, of 1 chosen institution(s), in JP",
    )
    .await;
    let members = wait_for_text(&client, "[data-testid=list-members]", "plain@kek.jp").await;
    assert!(
        members.contains("irkek@kek.jp") && members.contains("desk@kek.jp"),
        "{members}"
    );
    assert!(
        !members.contains("boss@kek.jp"),
        "the secretariat is not in Japan: {members}"
    );
    wait_for_text(&client, "[data-testid=list-sync]", "not synced yet").await;
    accessible(&client, "mailing list").await;

    // Without Mailman the dry run says so.
    click(&client, "[data-testid=sync-plan]").await;
    wait_for_text(
        &client,
        "[data-testid=sync-plan-result]",
        "No Mailman is configured",
    )
    .await;

    // The definition changes; a taken address is refused with the server's reason.
    app.post("/api/v1/mailing-lists", Some(&kek.admin), json!({"name": "taken", "address": "taken@lists.example.org", "description": "x", "audience": {}}))
        .await;
    click(&client, "main .actions button.secondary").await;
    fill(&client, "#list_address", "taken@lists.example.org").await;
    click(&client, "[data-testid=list-form] button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=list-form] .error",
        "Another mailing list has this address",
    )
    .await;
    fill(&client, "#list_address", "b2-kek@lists.example.org").await;
    fill(
        &client,
        "#list_description",
        "Everyone at KEK, and the desk",
    )
    .await;
    click(&client, "#list-role-ir").await;
    click(&client, "[data-testid=list-form] button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=list-notice]",
        "The list b2-kek is saved",
    )
    .await;
    wait_for_text(
        &client,
        "[data-testid=list-reach]",
        "institutional representatives",
    )
    .await;
    let members = wait_for_text(&client, "[data-testid=list-members]", "irkek@kek.jp").await;
    assert!(
        !members.contains("plain@kek.jp"),
        "only representatives now: {members}"
    );
    screenshot(&client, "mailing-list").await;

    // The member sees the lists they are on.
    let everyone = app
        .post("/api/v1/mailing-lists", Some(&kek.admin), json!({"name": "b2-all", "address": "b2-all@lists.example.org", "description": "All", "audience": {}}))
        .await;
    assert!(everyone.status.is_success(), "{}", everyone.text);
    sign_out(&client).await;
    signed_in(&client, &app, "plain").await;
    wait_for_text(
        &client,
        "[data-testid=my-mailing-lists]",
        "b2-all (b2-all@lists.example.org) at plain@kek.jp",
    )
    .await;
    let mine = wait_for_text(&client, "[data-testid=my-mailing-lists]", "b2-all").await;
    assert!(!mine.contains("b2-kek"), "{mine}");
    sign_out(&client).await;

    // Removing asks first, then the list is gone.
    signed_in(&client, &app, "boss").await;
    click(&client, "header a[href='/mailing-lists']").await;
    // The overview says how many addresses each list has: the representative and the desk.
    let count = wait_for_text(
        &client,
        "[data-testid=list-row-b2-kek] td[data-label=Addresses]",
        "2",
    )
    .await;
    assert_eq!(count.trim(), "2");
    click(
        &client,
        "[data-testid=mailing-lists] a[href^='/mailing-lists/']",
    )
    .await;
    wait_for_text(&client, "main h1", "Mailing list").await;
    let name = wait_for_text(&client, "main h1", "Mailing list").await;
    click(&client, "[data-testid=remove-list]").await;
    wait_for_text(&client, "main .confirm", "b2mms stops keeping it").await;
    click(&client, "main [data-testid=confirm]").await;
    wait_for_text(&client, "main h1", "Mailing lists").await;
    let left = wait_for_text(&client, "[data-testid=mailing-lists]", "b2-").await;
    let removed = name.trim_start_matches("Mailing list ").trim();
    assert!(
        !left.contains(&format!("{removed}@")),
        "{removed} is gone: {left}"
    );
    client.close().await.unwrap();
}
