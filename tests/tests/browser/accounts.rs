//! Signing in, the forced password change, and a lost password.

use b2mms_shared::Role;
use b2mms_tests::new_password;
use fantoccini::Locator;

use crate::support::*;

#[actix_web::test]
async fn an_administrator_signs_in_through_the_web_frontend() {
    let app = web_app().await;
    let home = app.seed_institution("KEK").await;
    let boss = app.seed_person("boss", &[Role::Admin], home).await;

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    // Signed out, the start page leads to sign-in.
    client.goto(&app.url("/")).await.unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_url(&app.url("/login").parse().unwrap())
        .await
        .unwrap();
    screenshot(&client, "login").await;

    // A wrong password is explained.
    fill(&client, "#account", "boss").await;
    fill(&client, "#password", "Not-The-Password-1").await;
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "#login-error", "wrong").await;

    fill(&client, "#password", &boss.password).await;
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The initial password must be changed; the rules show while typing.
    fill(&client, "#current_password", &boss.password).await;
    fill(&client, "#new_password", "boss").await;
    wait_for_text(&client, "#new_password-errors", "at least 10 characters").await;
    wait_for_text(&client, "[data-testid=strength]", "very weak").await;
    wait_for_text(&client, "#new_password-errors", "account name").await;
    screenshot(&client, "change-password").await;
    fill(&client, "#new_password", &new_password("boss")).await;
    fill(&client, "#confirm_password", &new_password("boss")).await;
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // Signed in: who and with which roles.
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as Test Boss").await;
    let roles = wait_for_text(&client, "[data-testid=roles]", "Administrator").await;
    assert!(roles.contains("Member"), "{roles}");
    assert_eq!(
        client
            .find(Locator::Css("[data-testid=account]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "boss"
    );
    screenshot(&client, "home").await;

    // A reload resumes the session from the HttpOnly refresh cookie.
    client.refresh().await.unwrap();
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as Test Boss").await;
    let cookie_visible: serde_json::Value = client
        .execute("return document.cookie.includes('b2mms_refresh')", vec![])
        .await
        .unwrap();
    assert_eq!(
        cookie_visible,
        serde_json::Value::Bool(false),
        "refresh cookie is HttpOnly"
    );

    // Signing out ends the session and returns to sign-in.
    client
        .find(Locator::Css("header button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_url(&app.url("/login").parse().unwrap())
        .await
        .unwrap();
    client.refresh().await.unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#account"))
        .await
        .unwrap();

    client.close().await.unwrap();
}

/// An imported member without a password sets it from the link in the mail, then signs in;
/// the link works once.
#[actix_web::test]
async fn an_imported_member_sets_a_password_from_the_mail() {
    let app = web_app().await;
    app.seed_institution("KEK").await;
    let (_, admin) = app.admin().await;
    app.import_csv(
        &admin,
        "account_name,given_name,family_name,email,category,institution\n\
         hsato,Hana,Sato,hana.sato@kek.jp,phd_student,KEK\n"
            .to_owned(),
    )
    .await;
    let mailed = app
        .post(
            "/api/v1/members/set-password-mails",
            Some(&admin),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(mailed.status.as_u16(), 200, "{}", mailed.text);
    app.run_jobs().await;
    let mail = app
        .mail
        .to("hana.sato@kek.jp")
        .pop()
        .expect("set-password mail");
    let link = mail
        .body
        .split_whitespace()
        .find(|w| w.contains("/reset-password?token="))
        .expect("a link in the mail")
        .to_owned();
    let path = link[link.find("/reset-password").unwrap()..].to_owned();

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.goto(&app.url(&path)).await.unwrap();
    wait_for_text(&client, "h1", "Set a new password").await;
    fill(&client, "#new_password", "Quiet-Maple-Harbour-57").await;
    fill(&client, "#confirm_password", "Quiet-Maple-Harbour-57").await;
    click(&client, "form button[type=submit]").await;
    wait_for_text(&client, "[data-testid=reset-done]", "password is set").await;
    sign_in(&client, &app, "hsato", "Quiet-Maple-Harbour-57").await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as Hana Sato").await;
    sign_out(&client).await;

    // The same link a second time is refused, and says so.
    client.goto(&app.url(&path)).await.unwrap();
    wait_for_text(&client, "h1", "Set a new password").await;
    fill(&client, "#new_password", "Other-Maple-Harbour-58").await;
    fill(&client, "#confirm_password", "Other-Maple-Harbour-58").await;
    click(&client, "form button[type=submit]").await;
    wait_for_text(&client, "[role=alert]", "already used").await;
    client.close().await.unwrap();
}

/// A lost password, reset from the link in the mail.
#[actix_web::test]
async fn a_lost_password_is_reset_from_the_mail() {
    let app = web_app().await;
    let home = app.seed_institution("KEK").await;
    let jane = app.seed_person("jdoe", &[], home).await;
    app.sign_in_fresh(&jane).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.goto(&app.url("/login")).await.unwrap();
    click(&client, "a[href='/forgot-password']").await;
    fill(&client, "#account_or_email", "jdoe@kek.jp").await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "[data-testid=reset-sent]", "on its way").await;
    app.run_jobs().await;
    let mail = app.mail.to("jdoe@kek.jp").pop().expect("reset mail");
    let link = mail
        .body
        .split_whitespace()
        .find(|w| w.contains("/reset-password?token="))
        .unwrap()
        .to_owned();
    let path = &link[link.find("/reset-password").unwrap()..];
    client.goto(&app.url(path)).await.unwrap();
    fill(&client, "#new_password", "Brand-New-Harbour-44").await;
    fill(&client, "#confirm_password", "Brand-New-Harbour-44").await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "[data-testid=reset-done]", "set").await;
    sign_in(&client, &app, "jdoe", "Brand-New-Harbour-44").await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as Test Jdoe").await;
    sign_out(&client).await;

    // Without a certificate, the certificate page says what to do.
    click(&client, "a[href='/register/certificate']").await;
    click(&client, "section button").await;
    wait_for_text(
        &client,
        "[role=alert]",
        "No client certificate was presented",
    )
    .await;
    screenshot(&client, "register-certificate").await;

    // An applicant withdraws from the status page.
    let ir = app.seed_person("irkek", &[], home).await;
    let (_, admin) = app.admin().await;
    app.post(
        &format!("/api/v1/institutions/{home}/representatives"),
        Some(&admin),
        serde_json::json!({"person_id": ir.id}),
    )
    .await;
    let ir_token = app.sign_in_fresh(&ir).await;
    let invitation = app
        .post(
            "/api/v1/invitations",
            Some(&ir_token),
            serde_json::json!({"email": "leaving@kek.jp", "institution_id": home}),
        )
        .await;
    client.goto(&app.url("/register/invitation")).await.unwrap();
    fill(
        &client,
        "#username",
        invitation.body["username"].as_str().unwrap(),
    )
    .await;
    fill(
        &client,
        "#invitation_password",
        invitation.body["password"].as_str().unwrap(),
    )
    .await;
    click(&client, "button[type=submit]").await;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#given_name"))
        .await
        .unwrap();
    client.goto(&app.url("/registration")).await.unwrap();
    wait_for_text(&client, "[data-testid=state]", "not sent yet").await;
    // Withdrawing asks first; cancelling keeps the request.
    click(&client, "[data-testid=withdraw]").await;
    wait_for_text(&client, ".confirm", "closed for good").await;
    click(&client, ".confirm button.secondary").await;
    wait_for_text(&client, "[data-testid=withdraw]", "Withdraw").await;
    wait_for_text(&client, "[data-testid=state]", "not sent yet").await;
    click(&client, "[data-testid=withdraw]").await;
    click(&client, "[data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=state]", "Withdrawn").await;
    assert!(
        client
            .find(Locator::Css("[data-testid=withdraw]"))
            .await
            .is_err()
    );
    client.close().await.unwrap();
}
