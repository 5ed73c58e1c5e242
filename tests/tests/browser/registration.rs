//! Registration in the browser: the invitee's story, and the decisions of IRs and the IB chair.

use b2mms_shared::Role;
use b2mms_tests::new_password;
use fantoccini::Locator;

use crate::support::*;

/// The story of the collaboration: an IR signs in, changes the initial password and invites
/// someone; the invitee reads the mail, registers, sees live validation and fixes it, submits;
/// the IR approves; the new member signs in with the initial password, must change it, and
/// sees their record.
#[actix_web::test]
async fn an_invitee_registers_and_becomes_a_member() {
    let app = web_app().await;
    let (_, admin) = app.admin().await;
    let kek = app.seed_institution("KEK").await;
    let ir = app.seed_person("irkek", &[], kek).await;
    app.post(
        &format!("/api/v1/institutions/{kek}/representatives"),
        Some(&admin),
        serde_json::json!({"person_id": ir.id}),
    )
    .await;

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    // The IR signs in, sets a new password, invites.
    sign_in(&client, &app, "irkek", &ir.password).await;
    set_first_password(&client, &ir.password, &new_password("irkek")).await;
    click(&client, "a[href='/invitations']").await;
    fill(&client, "#invite_email", "nino@gmail.com").await;
    wait_for_text(&client, "#invite_email-errors", "home institution").await;
    fill(&client, "#invite_email", "nino.deangelo@kek.jp").await;
    click(&client, "form button[type=submit]").await;
    let username = wait_for_text(&client, "[data-testid=invite-username]", "inv-").await;
    screenshot(&client, "invitations").await;
    sign_out(&client).await;

    // The invitee reads the mail and registers.
    app.run_jobs().await;
    let mail = app
        .mail
        .to("nino.deangelo@kek.jp")
        .pop()
        .expect("invitation mail");
    let password = mail
        .body
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Password:")
                .map(|p| p.trim().to_owned())
        })
        .expect("password in the mail");
    assert!(mail.body.contains(&username));
    client.goto(&app.url("/register/invitation")).await.unwrap();
    fill(&client, "#username", &username).await;
    fill(&client, "#invitation_password", &password).await;
    click(&client, "button[type=submit]").await;
    // Accented letters lose their marks in the collaboration address, in the browser as on
    // the server.
    fill(&client, "#given_name", "Zoë").await;
    fill(&client, "#family_name", "Ångström-Núñez").await;
    wait_for_text(
        &client,
        "[data-testid=registry-email]",
        "zoe.angstroem-nunez@",
    )
    .await;
    fill(&client, "#given_name", "Nino").await;
    fill(&client, "#family_name", "DE ANGELO").await;
    wait_for_text(&client, "#family_name-errors", "capital letter").await;
    click(&client, "label[for=family_name] button.suggestion").await;
    wait_for_text(&client, "[data-testid=registry-email]", "nino.de.angelo@").await;
    fill(&client, "#account_name", "root").await;
    wait_for_text(&client, "#account_name-errors", "reserved").await;
    fill(&client, "#account_name", "irkek").await;
    wait_for_text(&client, "#account_name-errors", "taken").await;
    fill(&client, "#account_name", "ndeangel").await;
    fill(&client, "#initial_password", "short").await;
    wait_for_text(&client, "#initial_password-errors", "at least 10").await;
    fill(&client, "#initial_password", "Violet-Harbour-Lamp-73").await;
    fill(&client, "#confirm_password", "Violet-Harbour-Lamp-73").await;
    client
        .find(Locator::Css("#category"))
        .await
        .unwrap()
        .select_by_value("phd_student")
        .await
        .unwrap();
    wait_for_text(&client, "[data-testid=category-help]", "official member").await;
    screenshot(&client, "registration-form").await;
    click(&client, "form button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=flash]",
        "Request for membership was created. Desired account name: ndeangel",
    )
    .await;
    wait_for_text(&client, "[data-testid=state]", "representative").await;
    screenshot(&client, "registration-status").await;

    // The IR approves.
    sign_in(&client, &app, "irkek", &new_password("irkek")).await;
    click(&client, "a[href='/requests']").await;
    wait_for_text(&client, "[data-testid=requests]", "Nino de Angelo").await;
    screenshot(&client, "requests").await;
    click(&client, "[data-testid=requests] a").await;
    click(&client, "[data-testid=approve]").await;
    wait_for_text(&client, "[data-testid=state]", "Approved").await;
    sign_out(&client).await;
    assert_eq!(app.run_jobs().await.provisioned, 1);

    // The new member signs in with the initial password and must change it.
    sign_in(&client, &app, "ndeangel", "Violet-Harbour-Lamp-73").await;
    set_first_password(&client, "Violet-Harbour-Lamp-73", "Quiet-Meadow-Engine-58").await;
    wait_for_text(
        &client,
        "[data-testid=welcome]",
        "Signed in as Nino de Angelo",
    )
    .await;
    wait_for_text(&client, "[data-testid=groups]", "collaboration").await;
    screenshot(&client, "new-member").await;

    // The IR sees the new member among the institution's members, also on a phone.
    sign_out(&client).await;
    sign_in(&client, &app, "irkek", &new_password("irkek")).await;
    click(&client, "a[href='/members']").await;
    wait_for_text(&client, "[data-testid=people]", "ndeangel").await;
    client.set_window_size(390, 844).await.unwrap();
    for path in ["/members", "/requests", "/invitations", "/"] {
        client.goto(&app.url(path)).await.unwrap();
        wait_for_text(&client, "h1", "").await;
        let overflow: serde_json::Value = client
            .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth", vec![])
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{path} is wider than a phone: {overflow}"
        );
    }
    client.goto(&app.url("/members")).await.unwrap();
    wait_for_text(&client, "[data-testid=people]", "ndeangel").await;
    screenshot(&client, "phone-members").await;
    client.close().await.unwrap();
}

/// The IB path and a rejection, decided in the browser; and an expired session that returns
/// to the page the person was on.
#[actix_web::test]
async fn the_ib_chair_decides_and_an_ir_rejects() {
    let app = web_app().await;
    let (_, admin) = app.admin().await;
    let kek = app.seed_institution("KEK").await;
    let ir = app.seed_person("irkek", &[], kek).await;
    let chair = app.seed_person("ibchair", &[Role::IbChair], kek).await;
    app.post(
        &format!("/api/v1/institutions/{kek}/representatives"),
        Some(&admin),
        serde_json::json!({"person_id": ir.id}),
    )
    .await;
    let ir_token = app.sign_in_fresh(&ir).await;
    app.sign_in_fresh(&chair).await;
    let permanent = submitted_request(
        &app,
        &ir_token,
        kek,
        "perm@kek.jp",
        "perm",
        "physicist_permanent",
    )
    .await;
    let doubtful =
        submitted_request(&app, &ir_token, kek, "doubt@kek.jp", "doubtful", "student").await;

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    sign_in(&client, &app, "irkek", &new_password("irkek")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    client
        .goto(&app.url(&format!("/requests/{permanent}")))
        .await
        .unwrap();
    click(&client, "[data-testid=approve]").await;
    wait_for_text(&client, "[data-testid=state]", "Institutional Board").await;
    client
        .goto(&app.url(&format!("/requests/{doubtful}")))
        .await
        .unwrap();
    fill(&client, "#reason", "We do not know this person.").await;
    click(&client, "form.reject button[type=submit]").await;
    wait_for_text(&client, "[data-testid=state]", "Rejected").await;
    screenshot(&client, "request-rejected").await;
    sign_out(&client).await;

    sign_in(&client, &app, "ibchair", &new_password("ibchair")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    click(&client, "a[href='/requests']").await;
    wait_for_text(&client, "[data-testid=requests]", "Institutional Board").await;
    click(&client, "[data-testid=requests] a").await;
    click(&client, "[data-testid=approve]").await;
    wait_for_text(&client, "[data-testid=state]", "Approved").await;

    // The session runs out; signing in again leads back to the same page.
    client.goto(&app.url("/requests")).await.unwrap();
    wait_for_text(&client, "h1", "Registration requests").await;
    app.advance(chrono::Duration::hours(9));
    client.refresh().await.unwrap();
    client
        .wait()
        .at_most(WAIT)
        .for_url(&app.url("/login").parse().unwrap())
        .await
        .unwrap();
    fill(&client, "#account", "ibchair").await;
    fill(&client, "#password", &new_password("ibchair")).await;
    click(&client, "button[type=submit]").await;
    client
        .wait()
        .at_most(WAIT)
        .for_url(&app.url("/requests").parse().unwrap())
        .await
        .unwrap();
    wait_for_text(&client, "h1", "Registration requests").await;
    client.close().await.unwrap();
}

/// An approved request whose account could not be created (the secretariat had created the
/// person by hand meanwhile) waits for an admin, who links it to the existing person.
#[actix_web::test]
async fn an_admin_resolves_a_request_whose_account_could_not_be_created() {
    use b2mms_tests::fixtures::Institution;
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let id = kek
        .approved_request(&app, "Gialli", "m.gialli@kek.jp", "mgialli")
        .await;
    let existing = app
        .post(
            "/api/v1/members",
            Some(&kek.admin),
            serde_json::json!({"given_name": "Nino", "family_name": "Gialli", "email": "m.gialli@kek.jp",
                   "account_name": "ngial", "initial_password": "Belle-Two-Rocks-9",
                   "institution_id": kek.id, "category": "physicist_temporary"}),
        )
        .await;
    assert_eq!(existing.status.as_u16(), 201, "{}", existing.text);
    app.run_jobs().await;
    assert_eq!(kek.state_of(&app, &id).await, "provisioning_failed");

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    sign_in(&client, &app, "boss", &new_password("boss")).await;
    click(&client, "a[href='/requests']").await;
    wait_for_text(&client, "[data-testid=requests]", "could not be created").await;
    // The admins were mailed a link to the request: it opens the request's page.
    let mail = app
        .mail
        .to("boss@kek.jp")
        .into_iter()
        .find(|m| m.subject.contains("could not be created"))
        .expect("the admins' mail");
    let link = mail
        .body
        .split_whitespace()
        .find(|w| w.contains("/requests/"))
        .expect("a link in the mail");
    let path = &link[link.find("/requests/").unwrap()..];
    assert_eq!(path, format!("/requests/{id}"));
    client.goto(&app.url(path)).await.unwrap();
    wait_for_text(
        &client,
        "[data-testid=provision-error]",
        "Creating the account failed",
    )
    .await;
    screenshot(&client, "request-provisioning-failed").await;
    // Linking the request to the existing person asks first.
    click(&client, "[data-testid=duplicates] button").await;
    wait_for_text(&client, "[data-testid=confirm-link]", "Nino Gialli (ngial)").await;
    click(&client, "[data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=state]", "being created").await;
    assert_eq!(app.run_jobs().await.provisioned, 1);
    assert_eq!(kek.state_of(&app, &id).await, "provisioned");
    client.close().await.unwrap();
}
