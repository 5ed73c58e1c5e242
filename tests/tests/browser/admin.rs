//! The secretariat's pages.

use b2mms_shared::Role;
use b2mms_tests::new_password;
use fantoccini::Locator;

use crate::support::*;

/// The secretariat sets up an institution and its representative in the browser.
#[actix_web::test]
async fn an_admin_sets_up_an_institution_and_its_representative() {
    let app = web_app().await;
    let home = app.seed_institution("Secretariat").await;
    let boss = app.seed_person("boss", &[Role::Admin], home).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    sign_in(&client, &app, "boss", &boss.password).await;
    set_first_password(&client, &boss.password, &new_password("boss")).await;

    click(&client, "a[href='/admin/institutions']").await;
    fill(
        &client,
        "#inst_name",
        "High Energy Accelerator Research Organization",
    )
    .await;
    fill(&client, "#inst_short", "KEK").await;
    fill(&client, "#inst_city", "Tsukuba").await;
    fill(&client, "#inst_country", "JP").await;
    click(&client, "form button[type=submit]").await;
    wait_for_text(&client, "[data-testid=institutions]", "Tsukuba, JP").await;

    click(&client, "a[href='/admin/people']").await;
    fill(&client, "#new_given", "Kenji").await;
    fill(&client, "#new_family", "Sato").await;
    fill(&client, "#new_email", "kenji.sato@kek.jp").await;
    fill(&client, "#new_account", "ksato").await;
    fill(&client, "#new_password", "Initial-Secret-42!").await;
    let kek_id = app.get("/api/v1/institutions", None).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["short_name"] == "KEK")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    client
        .find(Locator::Css("#new_institution"))
        .await
        .unwrap()
        .select_by_value(&kek_id)
        .await
        .unwrap();
    client
        .find(Locator::Css("#new_category"))
        .await
        .unwrap()
        .select_by_value("physicist_temporary")
        .await
        .unwrap();
    click(&client, "form:last-of-type button[type=submit]").await;
    wait_for_text(&client, "[data-testid=created]", "ksato").await;

    click(&client, "a[href='/admin/institutions']").await;
    client
        .find(Locator::Css("#appoint_institution"))
        .await
        .unwrap()
        .select_by_value(&kek_id)
        .await
        .unwrap();
    fill(&client, "#appoint_account", "ksato").await;
    click(&client, "form:last-of-type button[type=submit]").await;
    wait_for_text(&client, "[data-testid=institutions]", "Kenji Sato (ksato)").await;
    client
        .find(Locator::Css("#edit_institution"))
        .await
        .unwrap()
        .select_by_value(&kek_id)
        .await
        .unwrap();
    fill(&client, "#edit_city", "Oho").await;
    click(&client, "form:nth-of-type(2) button[type=submit]").await;
    wait_for_text(&client, "[data-testid=institutions]", "Oho, JP").await;
    screenshot(&client, "admin-institutions").await;

    click(&client, "a[href='/admin/people']").await;
    fill(&client, "#people_query", "sato").await;
    click(&client, "form button[type=submit]").await;
    click(&client, "[data-testid=people] button.link").await;
    wait_for_text(&client, "[data-testid=person]", "ksato").await;
    click(
        &client,
        "[data-testid=person] .actions button:nth-of-type(2)",
    )
    .await;
    wait_for_text(
        &client,
        "[data-testid=person]",
        "Chair of the Institutional Board",
    )
    .await;
    screenshot(&client, "admin-people").await;
    click(&client, "[data-testid=person] a").await;
    wait_for_text(&client, "[data-testid=audit]", "Role granted").await;
    screenshot(&client, "admin-audit").await;

    click(&client, "a[href='/admin/tokens']").await;
    fill(&client, "#token_name", "wiki-sync").await;
    click(&client, "form button[type=submit]").await;
    wait_for_text(&client, ".notice code", "b2mms_st_").await;
    wait_for_text(&client, "[data-testid=tokens]", "members:read").await;
    screenshot(&client, "admin-tokens").await;
    client.close().await.unwrap();
}

/// Mail the server did not take stays queued where the secretariat sees it, and goes out when
/// they say so once the server is back.
#[actix_web::test]
async fn an_admin_sees_undelivered_mail_and_sends_it_again() {
    let app = web_app().await;
    let home = app.seed_institution("Secretariat").await;
    let boss = app.seed_person("boss", &[Role::Admin], home).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    sign_in(&client, &app, "boss", &boss.password).await;
    set_first_password(&client, &boss.password, &new_password("boss")).await;
    let admin = app.sign_in(&boss).await;

    // The mail server is down when an invitation goes out.
    app.mail.stop();
    let invited = app
        .post(
            "/api/v1/invitations",
            Some(&admin),
            serde_json::json!({"email": "x.y@kek.jp", "institution_id": home}),
        )
        .await;
    assert_eq!(invited.status.as_u16(), 201, "{}", invited.text);
    assert_eq!(app.run_jobs().await.mail_failed, 1);

    click(&client, "a[href='/admin/mail']").await;
    wait_for_text(&client, "[data-testid=mail-queue-count]", "1 message(s)").await;
    wait_for_text(&client, "[data-testid=mail-queue]", "x.y@kek.jp").await;
    screenshot(&client, "admin-mail-queue").await;

    app.mail.restart().await;
    click(&client, "[data-testid=mail-queue] button").await;
    wait_for_text(&client, ".notice", "due now").await;
    assert_eq!(app.run_jobs().await.mail_sent, 1);
    assert_eq!(app.mail.to("x.y@kek.jp").len(), 1);
    click(&client, "a[href='/admin/tokens']").await;
    click(&client, "a[href='/admin/mail']").await;
    wait_for_text(
        &client,
        "[data-testid=mail-queue-count]",
        "Every message has been delivered.",
    )
    .await;
    client.close().await.unwrap();
}
