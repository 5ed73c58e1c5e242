//! Every link b2mms mails opens the right page: the test makes b2mms send each kind of mail
//! that carries a link (invitation, request to decide on, IB decision, failed account,
//! account ready, reminders, password reset, password expiry, an author list to review), then
//! opens every link found in the mail sink in the browser, signed in as its recipient where
//! the page needs it.

use std::collections::BTreeMap;

use b2mms_shared::Role;
use b2mms_tests::fixtures::Institution;
use b2mms_tests::{TestApp, new_password};
use serde_json::json;

use crate::support::*;

/// The base address the web app under test puts into its mails (see `web_app`).
const PUBLIC: &str = "http://127.0.0.1";

/// Every link in every mail sent so far: path → the addresses it was sent to.
fn mailed_links(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let mut links = BTreeMap::<String, Vec<String>>::new();
    for mail in app.mail.messages() {
        for word in mail.body.split_whitespace() {
            if let Some(path) = word.strip_prefix(PUBLIC) {
                let path = path.trim_end_matches(['.', ',', ')']).to_owned();
                links
                    .entry(path)
                    .or_default()
                    .extend(mail.to.iter().cloned());
            }
        }
    }
    links
}

/// Submits an opened request.
async fn submit(app: &TestApp, token: &str, id: &str, form: serde_json::Value) {
    let reply = app
        .post(
            &format!("/api/v1/registrations/{id}/submit"),
            Some(token),
            form,
        )
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
}

/// The page that opened is not the app's "Page not found".
async fn assert_found(client: &fantoccini::Client, path: &str) {
    let heading = wait_for_text(client, "h1", "").await;
    assert!(!heading.contains("not found"), "{path}: {heading}");
}

#[actix_web::test]
async fn every_link_b2mms_mails_opens_its_page() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let chair = app.seed_person("ibchair", &[Role::IbChair], kek.id).await;
    app.sign_in_fresh(&chair).await;

    // A permanent physicist: the IR is asked, approves, and the IB chair is asked.
    let (token, permanent) = kek.open_request(&app, "p.bianchi@kek.jp").await;
    let mut form = kek.form("Paola", "Bianchi", "p.bianchi@kek.jp", "pbianchi");
    form["category"] = json!("physicist_permanent");
    submit(&app, &token, &permanent, form).await;
    let approved = app
        .post(
            &format!("/api/v1/registrations/{permanent}/approve"),
            Some(&kek.ir_token),
            json!({}),
        )
        .await;
    assert_eq!(approved.status.as_u16(), 200, "{}", approved.text);
    // An approved request whose account cannot be created: the admins are asked.
    kek.approved_request(&app, "Gialli", "m.gialli@kek.jp", "mgialli")
        .await;
    let existing = app
        .post(
            "/api/v1/members",
            Some(&kek.admin),
            json!({"given_name": "Nino", "family_name": "Gialli", "email": "m.gialli@kek.jp",
                   "account_name": "ngial", "initial_password": "Belle-Two-Rocks-9",
                   "institution_id": kek.id, "category": "physicist_temporary"}),
        )
        .await;
    assert_eq!(existing.status.as_u16(), 201, "{}", existing.text);
    // An author list goes to review: the representatives are asked to sign their section off.
    // (Without a qualification time KEK's people are authors from their first day.)
    let policy = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/author-policy",
            Some(&kek.admin),
            Some(
                json!({"categories": ["physicist_permanent", "physicist_temporary", "phd_student"],
                        "qualification_months": 0, "months_after_end": 12}),
            ),
        )
        .await;
    assert_eq!(policy.status.as_u16(), 200, "{}", policy.text);
    let list = app
        .post(
            "/api/v1/author-lists",
            Some(&kek.admin),
            json!({"title": "A paper", "date": app.day(0)}),
        )
        .await;
    assert_eq!(list.status.as_u16(), 201, "{}", list.text);
    let list = list.body["id"].as_str().unwrap().to_owned();
    let review = app
        .post(
            &format!("/api/v1/author-lists/{list}/review"),
            Some(&kek.admin),
            json!({}),
        )
        .await;
    assert_eq!(review.status.as_u16(), 200, "{}", review.text);
    // An approved request whose account is created: the new member is told to sign in.
    kek.approved_request(&app, "Verdi", "g.verdi@kek.jp", "gverdi")
        .await;
    // A request left waiting: reminders to the IR and then to the admins.
    let (token, waiting) = kek.open_request(&app, "w.rossi@kek.jp").await;
    let form = kek.form("Walter", "Rossi", "w.rossi@kek.jp", "wrossi");
    submit(&app, &token, &waiting, form).await;
    app.run_jobs().await;
    app.advance(chrono::Duration::days(9));
    app.run_jobs().await;
    app.run_jobs().await;
    // Passwords that are about to expire.
    app.advance(chrono::Duration::days(160));
    app.run_jobs().await;
    // A lost password (the link lasts an hour).
    let reset = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"account_or_email": "irkek"}),
        )
        .await;
    assert_eq!(reset.status.as_u16(), 202, "{}", reset.text);
    // A new contact address, confirmed from the new mailbox (the link lasts a day).
    let chair_token = app.sign_in(&chair).await;
    let asked = app
        .post(
            "/api/v1/me/email",
            Some(&chair_token),
            json!({"email": "chair.office@kek.jp"}),
        )
        .await;
    assert_eq!(asked.status.as_u16(), 202, "{}", asked.text);
    app.run_jobs().await;

    let links = mailed_links(&app);
    let kinds = [
        "/register/invitation",
        &format!("/requests/{permanent}"),
        &format!("/requests/{waiting}"),
        "/login",
        "/reset-password?token=",
        "/password",
        "/email/confirm?token=",
        &format!("/author-lists/{list}"),
    ];
    for kind in kinds {
        assert!(
            links.keys().any(|l| l.starts_with(kind)),
            "no mail linked to {kind}: {links:#?}"
        );
    }

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    let staff = ["irkek", "ibchair", "boss"];
    for (path, recipients) in &links {
        client.goto(&app.url(path)).await.unwrap();
        if path == "/register/invitation" {
            wait_for_text(&client, "h1", "invitation").await;
            client
                .find(fantoccini::Locator::Css("#username"))
                .await
                .unwrap();
            assert_found(&client, path).await;
        } else if path == "/login" {
            wait_for_text(&client, "h1", "Sign in").await;
            client
                .find(fantoccini::Locator::Css("#account"))
                .await
                .unwrap();
            assert_found(&client, path).await;
        } else if path.starts_with("/email/confirm?token=") {
            assert_eq!(recipients, &["chair.office@kek.jp".to_owned()]);
            wait_for_text(&client, "h1", "Confirm your new contact address").await;
            click(&client, "[data-testid=confirm-email]").await;
            wait_for_text(&client, "[data-testid=email-confirmed]", "confirmed").await;
            let record = app
                .get("/api/v1/me", Some(&app.sign_in(&chair).await))
                .await;
            assert_eq!(
                record.body["email"], "chair.office@kek.jp",
                "{}",
                record.text
            );
            assert_found(&client, path).await;
            screenshot(&client, "mailed-email-confirmation").await;
        } else if path.starts_with("/reset-password?token=") {
            wait_for_text(&client, "h1", "Set a new password").await;
            fill(&client, "#new_password", "Amber-Cliff-Violin-31").await;
            fill(&client, "#confirm_password", "Amber-Cliff-Violin-31").await;
            click(&client, "form button[type=submit]").await;
            wait_for_text(&client, "[data-testid=reset-done]", "password is set").await;
            assert_found(&client, path).await;
            screenshot(&client, "mailed-reset-link").await;
        } else {
            // A page for signed-in people: the link leads through the sign-in and back.
            let account = recipients
                .iter()
                .filter_map(|r| r.split('@').next())
                .find(|a| staff.contains(a))
                .unwrap_or_else(|| panic!("{path} was mailed to {recipients:?}"));
            fill(&client, "#account", account).await;
            fill(&client, "#password", &new_password(account)).await;
            click(&client, "button[type=submit]").await;
            client
                .wait()
                .at_most(WAIT)
                .for_url(&app.url(path).parse().unwrap())
                .await
                .unwrap_or_else(|e| panic!("{path}: not back after signing in: {e}"));
            if path == "/password" {
                wait_for_text(&client, "h1", "Change your password").await;
                screenshot(&client, "mailed-password-link").await;
            } else if path.starts_with("/author-lists/") {
                wait_for_text(
                    &client,
                    "[data-testid=section-KEK]",
                    "waiting for its sign-off",
                )
                .await;
                screenshot(&client, "mailed-author-list-link").await;
            } else {
                wait_for_text(&client, "[data-testid=state]", "").await;
                screenshot(&client, &format!("mailed-request-link-{account}")).await;
            }
            assert_found(&client, path).await;
            sign_out(&client).await;
        }
    }
    client.close().await.unwrap();
}
