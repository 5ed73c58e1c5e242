//! The life of a membership in the browser: a representative finds the memberships that end
//! soon, records a departure after reading when the account closes and reactivates a record
//! opened from the link of a reminder; a member asks to move and the new institution's
//! representative approves it from the link in the mail; a person whose membership ended sees
//! their record and asks to be reactivated.

use b2mms_tests::TestApp;
use b2mms_tests::fixtures::Institution;
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::support::*;

/// The path of the first link to `marker` in the newest mail to `address` with `subject`.
fn mailed_path(app: &TestApp, address: &str, subject: &str, marker: &str) -> String {
    let mails = app.mail.to(address);
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.subject.contains(subject))
        .unwrap_or_else(|| panic!("no mail `{subject}` to {address}: {mails:?}"));
    let link = mail
        .body
        .split_whitespace()
        .find(|w| w.contains(marker))
        .unwrap_or_else(|| panic!("no link in {}", mail.body));
    link[link.find(marker).unwrap()..].to_owned()
}

/// Opens the person `name` from the members list.
async fn open_member(client: &Client, name: &str) {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//button[@data-testid='open-person'][contains(., '{name}')]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(client, "[data-testid=member] h2", name).await;
}

#[actix_web::test]
async fn a_representative_finds_ending_memberships_records_a_departure_and_reactivates() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let soon = app.seed_person("csoon", &[], kek.id).await;
    let long = app.seed_person("dlong", &[], kek.id).await;
    let term = app.seed_person("gterm", &[], kek.id).await;
    for (person, days) in [(&soon, 10), (&long, 100), (&term, 20)] {
        let set = app
            .patch(
                &format!("/api/v1/members/{}", person.id),
                Some(&kek.ir_token),
                json!({"membership_end": app.day(days)}),
            )
            .await;
        assert_eq!(set.status, b2mms_tests::StatusCode::OK, "{}", set.text);
    }
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    signed_in(&client, &app, "irkek").await;
    click(&client, "header a[href='/members']").await;
    wait_for_text(&client, "main h1", "Members of my institution").await;
    click(&client, "[data-testid=ending-soon]").await;
    wait_for_text(&client, "[data-testid=people-total]", "2 people").await;
    let listed = wait_for_text(&client, "[data-testid=people]", "Csoon").await;
    assert!(!listed.contains("Dlong"), "{listed}");
    assert!(listed.contains(&app.day(10)), "{listed}");
    screenshot(&client, "ir-members-ending-soon").await;

    // A departure says when the account closes before it is recorded.
    open_member(&client, "Test Csoon").await;
    wait_for_text(
        &client,
        "[data-testid=membership-end]",
        &format!("ends on {}", app.day(10)),
    )
    .await;
    // A new end says when the account would close before it is saved.
    set_date(&client, "#rec_membership_end", &app.day(60)).await;
    let closes_then = app.today() + chrono::Duration::days(60 + 31);
    wait_for_text(
        &client,
        "form.record-editor",
        &format!("the account closes on {closes_then}"),
    )
    .await;
    set_date(&client, "#rec_membership_end", &app.day(10)).await;
    click(&client, "[data-testid=leave] summary").await;
    set_date(&client, "#leave_date", &app.day(5)).await;
    fill(&client, "#leave_reason", "Moved to industry").await;
    click(&client, "[data-testid=leave-submit]").await;
    let closes = app.today() + chrono::Duration::days(5 + 31);
    let question = wait_for_text(
        &client,
        "[data-testid=leave] .confirm",
        "leaves the collaboration",
    )
    .await;
    assert!(question.contains(&closes.to_string()), "{question}");
    accessible(&client, "departure question").await;
    click(&client, "[data-testid=leave] [data-testid=confirm]").await;
    wait_for_text(
        &client,
        "[data-testid=membership-end]",
        &format!("ends on {}", app.day(5)),
    )
    .await;
    let recorded = app
        .get(&format!("/api/v1/members/{}", soon.id), Some(&kek.admin))
        .await;
    assert_eq!(
        recorded.body["membership_end"],
        app.day(5),
        "{}",
        recorded.text
    );

    // The reminder's link opens the record; a departed member is reactivated from it.
    let gone = app
        .post(
            &format!("/api/v1/members/{}/leave", long.id),
            Some(&kek.ir_token),
            json!({"date": app.day(0)}),
        )
        .await;
    assert_eq!(gone.status, b2mms_tests::StatusCode::OK, "{}", gone.text);
    app.run_jobs().await;
    let path = mailed_path(
        &app,
        "irkek@kek.jp",
        "The membership of Test Gterm",
        "/members/",
    );
    assert_eq!(path, format!("/members/{}", term.id));
    client
        .goto(&app.url(&format!("/members/{}", long.id)))
        .await
        .unwrap();
    wait_for_text(&client, "main h1", "Test Dlong").await;
    wait_for_text(&client, "[data-testid=record-status]", "Left").await;
    choose(&client, "#reactivate_category", "phd_student").await;
    click(&client, "[data-testid=reactivate-submit]").await;
    let question = wait_for_text(
        &client,
        "[data-testid=reactivate] .confirm",
        "becomes a member at KEK again",
    )
    .await;
    assert!(question.contains("dlong"), "{question}");
    screenshot(&client, "ir-reactivate").await;
    click(&client, "[data-testid=reactivate] [data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=record-status]", "Active").await;
    let history = wait_for_text(&client, "[data-testid=affiliations]", "PhD").await;
    assert!(
        history.contains("left"),
        "the first period ended by leaving: {history}"
    );
    client.goto(&app.url(&path)).await.unwrap();
    wait_for_text(&client, "main h1", "Test Gterm").await;
    wait_for_text(
        &client,
        "[data-testid=membership-end]",
        &format!("ends on {}", app.day(20)),
    )
    .await;
    client.close().await.unwrap();
}

#[actix_web::test]
async fn a_member_asks_to_move_and_the_new_representative_approves_from_the_mail() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let desy = app.seed_institution("DESY").await;
    let desy_ir = app.seed_person("irdesy", &[], desy).await;
    app.post(
        &format!("/api/v1/institutions/{desy}/representatives"),
        Some(&kek.admin),
        json!({"person_id": desy_ir.id}),
    )
    .await;
    app.sign_in_fresh(&desy_ir).await;
    let mover = app.seed_person("emove", &[], kek.id).await;
    app.sign_in_fresh(&mover).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    signed_in(&client, &app, "emove").await;
    click(&client, "[data-testid=move] summary").await;
    // Without an institution nothing is sent, and the page says why.
    click(&client, "[data-testid=move-submit]").await;
    wait_for_text(
        &client,
        "[data-testid=move] .confirm",
        "Choose the new institution",
    )
    .await;
    click(&client, "[data-testid=move] [data-testid=confirm]").await;
    wait_for_text(
        &client,
        "[data-testid=move] [role=alert]",
        "Choose the new institution",
    )
    .await;
    choose(&client, "#move_to", &desy.to_string()).await;
    set_date(&client, "#move_date", &app.day(3)).await;
    click(&client, "[data-testid=move-submit]").await;
    wait_for_text(
        &client,
        "[data-testid=move] .confirm",
        &format!("DESY to make it your home institution from {}", app.day(3)),
    )
    .await;
    click(&client, "[data-testid=move] [data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=move] [role=status]", "Asked").await;
    wait_for_text(
        &client,
        "[data-testid=transfers]",
        "Waiting for the new institution",
    )
    .await;
    sign_out(&client).await;

    app.run_jobs().await;
    let path = mailed_path(&app, "irdesy@kek.jp", "asks to move to DESY", "/transfers");
    signed_in(&client, &app, "irdesy").await;
    client.goto(&app.url(&path)).await.unwrap();
    wait_for_text(&client, "main h1", "Changes of institution").await;
    wait_for_text(&client, "[data-testid=transfer-list]", "Test Emove").await;
    screenshot(&client, "transfers-to-decide").await;
    click(&client, "[data-testid=approve-transfer]").await;
    wait_for_text(
        &client,
        "[data-testid=transfer-list] .confirm",
        "moves from KEK to DESY",
    )
    .await;
    click(&client, "[data-testid=transfer-list] [data-testid=confirm]").await;
    wait_for_text(&client, "[data-testid=transfers-empty]", "Nothing").await;
    let approved = app
        .get(
            &format!("/api/v1/transfers?person_id={}&state=approved", mover.id),
            Some(&kek.admin),
        )
        .await;
    assert_eq!(approved.body["total"], 1, "{}", approved.text);
    client.close().await.unwrap();
}

#[actix_web::test]
async fn a_person_whose_membership_ended_sees_their_record_and_asks_to_come_back() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let former = app.seed_person("fgone", &[], kek.id).await;
    app.sign_in_fresh(&former).await;
    let gone = app
        .post(
            &format!("/api/v1/members/{}/leave", former.id),
            Some(&kek.ir_token),
            json!({"date": app.day(0)}),
        )
        .await;
    assert_eq!(gone.status, b2mms_tests::StatusCode::OK, "{}", gone.text);
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.set_window_size(390, 844).await.unwrap();
    signed_in(&client, &app, "fgone").await;
    wait_for_text(&client, "[data-testid=ended]", "Your membership has ended").await;
    // Nothing to change, nothing else to reach.
    assert!(
        client
            .find(Locator::Css("form.record-editor"))
            .await
            .is_err()
    );
    let nav = wait_for_text(&client, "header nav", "Sign out").await;
    assert!(!nav.contains("Members"), "{nav}");
    click(&client, "[data-testid=ask-reactivation]").await;
    wait_for_text(&client, "[data-testid=reactivation-asked]", "asked").await;
    screenshot(&client, "phone-membership-ended").await;
    app.run_jobs().await;
    assert!(
        app.mail
            .to("irkek@kek.jp")
            .iter()
            .any(|m| m.subject == "Test Fgone asks to be reactivated")
    );
    client.close().await.unwrap();
}
