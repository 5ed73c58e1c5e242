//! Groups in the browser: a member applies to an approval group (a reason is needed), joins
//! and leaves an open one; the group's manager approves from their queue; the secretariat
//! makes a group.

use b2mms_tests::fixtures::Institution;
use serde_json::json;

use crate::support::*;

#[actix_web::test]
async fn a_member_applies_and_the_manager_approves() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let manager = app.seed_person("alice", &[], kek.id).await;
    app.sign_in_fresh(&manager).await;
    let member = app.seed_person("bobby", &[], kek.id).await;
    app.sign_in_fresh(&member).await;
    let naf = app
        .post("/api/v1/groups", Some(&kek.admin), json!({"name": "NAF", "description": "The computing facility", "join_policy": "approval"}))
        .await;
    let naf = naf.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/groups/{naf}/managers"),
        Some(&kek.admin),
        json!({"person_id": manager.id}),
    )
    .await;
    app.post(
        "/api/v1/groups",
        Some(&kek.admin),
        json!({"name": "seminar", "description": "Talks", "join_policy": "open"}),
    )
    .await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    signed_in(&client, &app, "bobby").await;
    click(&client, "header a[href='/groups']").await;
    wait_for_text(&client, "main h1", "Groups").await;
    wait_for_text(
        &client,
        "[data-testid=group-collaboration]",
        "Every active member",
    )
    .await;
    // An application without a reason is not sent.
    click(&client, "[data-testid=group-NAF] [data-testid=apply-group]").await;
    wait_for_text(&client, "[data-testid=group-NAF] [role=alert]", "Say why").await;
    fill(&client, "#reason_NAF", "I analyse data").await;
    click(&client, "[data-testid=group-NAF] [data-testid=apply-group]").await;
    wait_for_text(&client, "[data-testid=group-NAF]", "You have applied").await;
    wait_for_text(
        &client,
        "[data-testid=my-applications]",
        "NAF: Waiting for a manager",
    )
    .await;
    // An open group is joined at once, and left after a question.
    click(
        &client,
        "[data-testid=group-seminar] [data-testid=join-group]",
    )
    .await;
    wait_for_text(
        &client,
        "[data-testid=group-seminar]",
        "You are in this group",
    )
    .await;
    screenshot(&client, "groups-member").await;
    click(
        &client,
        "[data-testid=group-seminar] [data-testid=leave-group]",
    )
    .await;
    wait_for_text(
        &client,
        "[data-testid=group-seminar] .confirm",
        "join again",
    )
    .await;
    click(&client, "[data-testid=group-seminar] [data-testid=confirm]").await;
    wait_for_text(
        &client,
        "[data-testid=group-seminar] [data-testid=join-group]",
        "Join",
    )
    .await;
    sign_out(&client).await;

    // The manager decides from the queue.
    signed_in(&client, &app, "alice").await;
    click(&client, "header a[href='/groups']").await;
    wait_for_text(
        &client,
        "[data-testid=queue-NAF]",
        "Test Bobby: I analyse data",
    )
    .await;
    click(
        &client,
        "[data-testid=queue-NAF] [data-testid=approve-application]",
    )
    .await;
    wait_for_text(&client, "[data-testid=queue-NAF] .confirm", "joins NAF").await;
    click(&client, "[data-testid=queue-NAF] [data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=queue-NAF]", "No application waits").await;
    screenshot(&client, "groups-manager").await;
    app.run_jobs().await;
    assert!(
        app.mail
            .to("bobby@kek.jp")
            .iter()
            .any(|m| m.subject == "You are now in NAF")
    );
    sign_out(&client).await;

    // The secretariat makes a group.
    signed_in(&client, &app, &kek.admin_person.account).await;
    click(&client, "header a[href='/groups']").await;
    wait_for_text(&client, "main h1", "Groups").await;
    click(&client, "[data-testid=new-group] summary").await;
    fill(&client, "#group_name", "board").await;
    fill(&client, "#group_description", "The collaboration board").await;
    choose(&client, "#group_policy", "closed").await;
    click(&client, "[data-testid=create-group]").await;
    wait_for_text(&client, "[data-testid=group-board]", "Managers add people").await;
    client.close().await.unwrap();
}
