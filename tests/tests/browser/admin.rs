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
    choose(&client, "#new_institution", &kek_id).await;
    choose(&client, "#new_category", "physicist_temporary").await;
    click(&client, "form.new-person button[type=submit]").await;
    wait_for_text(&client, "[data-testid=created]", "ksato").await;

    click(&client, "a[href='/admin/institutions']").await;
    choose(&client, "#appoint_institution", &kek_id).await;
    fill(&client, "#appoint_account", "ksato").await;
    click(&client, "form.appoint button[type=submit]").await;
    wait_for_text(&client, "[data-testid=institutions]", "Kenji Sato (ksato)").await;
    // Editing fills the form with the record; a wrong identifier stops it with the reason.
    client
        .find(Locator::XPath(
            "//tr[td[1][normalize-space()='KEK']]//button[@data-testid='edit-institution']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = client.find(Locator::Css("#edit_name")).await.unwrap();
    assert_eq!(
        name.prop("value").await.unwrap().as_deref(),
        Some("High Energy Accelerator Research Organization")
    );
    fill(&client, "#edit_city", "Oho").await;
    fill(&client, "#edit_ror", "not-a-ror").await;
    click(&client, "form.edit-institution button[type=submit]").await;
    wait_for_text(&client, "[data-testid=error-summary]", "ROR id looks like").await;
    fill(&client, "#edit_ror", "https://ror.org/01g5y5k24").await;
    fill(&client, "#edit_inspire", "903267").await;
    click(&client, "form.edit-institution button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=institutions-notice]",
        "changes to KEK are saved",
    )
    .await;
    wait_for_text(&client, "[data-testid=institutions]", "Oho, JP").await;
    let kek = app
        .get(&format!("/api/v1/institutions/{kek_id}"), None)
        .await;
    assert_eq!(kek.body["ror_id"], "01g5y5k24", "{}", kek.text);
    assert_eq!(kek.body["inspire_id"], "903267", "{}", kek.text);
    screenshot(&client, "admin-institutions").await;

    click(&client, "a[href='/admin/people']").await;
    fill(&client, "#people_query", "sato").await;
    click(&client, "form button[type=submit]").await;
    // The search's result, not the list drawn before it.
    wait_for_text(&client, "[data-testid=people-total]", "1 people").await;
    click(&client, "[data-testid=people] button.link").await;
    wait_for_text(&client, "[data-testid=person]", "ksato").await;
    // A role is granted only after a question that says what it allows.
    click(&client, "[data-testid=role-ib_chair]").await;
    wait_for_text(
        &client,
        "[data-testid=person] .confirm",
        "Grant Kenji Sato the role",
    )
    .await;
    click(&client, "[data-testid=person] .confirm button.secondary").await;
    wait_for_text(&client, "[data-testid=role-ib_chair]", "Grant").await;
    click(&client, "[data-testid=role-ib_chair]").await;
    click(&client, "[data-testid=person] [data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=role-ib_chair]", "Withdraw").await;
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

    // The whole trail, filtered by what happened, shows what changed; the filters stay in
    // the address and survive a visit to a record and the way back.
    click(&client, "header a[href='/admin/audit']").await;
    wait_for_text(&client, "main h1", "Audit trail").await;
    choose(&client, "#audit_action", "institution.updated").await;
    fill(&client, "#audit_actor", "boss").await;
    click(&client, "form.filters button[type=submit]").await;
    wait_for_text(&client, "[data-testid=audit-total]", "1 event(s)").await;
    let row = wait_for_text(&client, "[data-testid=audit]", "Institution changed").await;
    assert!(row.contains("Tsukuba") && row.contains("Oho"), "{row}");
    assert!(
        !row.contains("city"),
        "raw field names are not shown: {row}"
    );
    screenshot(&client, "admin-audit-filtered").await;
    click(&client, "[data-testid=audit] td a").await;
    wait_for_text(&client, "main h1", "Audit trail of one record").await;
    client.back().await.unwrap();
    wait_for_text(&client, "[data-testid=audit-total]", "1 event(s)").await;
    let kept = client.current_url().await.unwrap();
    assert!(
        kept.query()
            .unwrap_or_default()
            .contains("action=institution.updated"),
        "{kept}"
    );
    // A filter nothing matches says so.
    fill(&client, "#audit_actor", "nobody").await;
    click(&client, "form.filters button[type=submit]").await;
    wait_for_text(&client, "[data-testid=audit-empty]", "No event matches").await;

    // A representative is removed after a question naming who and where.
    click(&client, "header a[href='/admin/institutions']").await;
    click(&client, "[data-testid=remove-representative]").await;
    wait_for_text(
        &client,
        "[data-testid=institutions] .confirm",
        "Remove Kenji Sato as representative of KEK?",
    )
    .await;
    click(&client, "[data-testid=institutions] [data-testid=confirm]").await;
    wait_for_text(
        &client,
        "[data-testid=institutions-notice]",
        "removed from KEK",
    )
    .await;
    let kek = app
        .get(&format!("/api/v1/institutions/{kek_id}"), None)
        .await;
    assert_eq!(
        kek.body["representatives"],
        serde_json::json!([]),
        "{}",
        kek.text
    );

    click(&client, "a[href='/admin/tokens']").await;
    wait_for_text(&client, "[data-testid=tokens-empty]", "No token").await;
    // Without a scope, and with an expiry in the past, nothing is issued.
    fill(&client, "#token_name", "wiki-sync").await;
    set_date(&client, "#token_expires", "2020-01-01").await;
    click(&client, "form button[type=submit]").await;
    let summary = wait_for_text(&client, "[data-testid=error-summary]", "Tick at least one").await;
    assert!(summary.contains("after today"), "{summary}");
    screenshot(&client, "admin-tokens-refused").await;
    click(&client, "#scope-members-read").await;
    click(&client, "#scope-audit-read").await;
    let next_year = (chrono::Utc::now() + chrono::Duration::days(365)).date_naive();
    set_date(&client, "#token_expires", &next_year.to_string()).await;
    click(&client, "form button[type=submit]").await;
    let secret = wait_for_text(&client, "[data-testid=token-secret] code", "b2mms_st_").await;
    let listed = wait_for_text(&client, "[data-testid=tokens]", "The member directory").await;
    assert!(listed.contains("The audit trail"), "{listed}");
    assert!(listed.contains(&next_year.to_string()), "{listed}");
    assert_eq!(app.get("/api/v1/audit", Some(&secret)).await.status, 200);
    screenshot(&client, "admin-tokens").await;

    // Revoking asks first; then the tool is refused and the secret is no longer shown.
    click(&client, "[data-testid=tokens] [data-testid=revoke]").await;
    wait_for_text(
        &client,
        "[data-testid=tokens] .confirm",
        "Revoke the token wiki-sync?",
    )
    .await;
    click(&client, "[data-testid=tokens] [data-testid=confirm]").await;
    wait_for_text(
        &client,
        "[data-testid=token-notice]",
        "wiki-sync is revoked",
    )
    .await;
    wait_for_text(&client, "[data-testid=tokens]", "revoked").await;
    assert!(
        client
            .find(Locator::Css("[data-testid=token-secret]"))
            .await
            .is_err()
    );
    assert_eq!(app.get("/api/v1/audit", Some(&secret)).await.status, 401);
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
    // The button is busy until the server answers, then says what happened.
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
