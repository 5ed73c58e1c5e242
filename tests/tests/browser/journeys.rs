//! The journeys that broke off the happy path: a form showing a problem is never sent (the
//! error summary takes the focus instead), selects show what the form will send and required
//! choices start at "choose", and decision screens offer each person only what they may do
//! now and confirm what happened.

use b2mms_shared::Role;
use b2mms_tests::fixtures::Institution;
use b2mms_tests::{TestApp, new_password};
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::support::*;

/// The text of the option a select shows.
async fn shown_option(client: &Client, css: &str) -> String {
    let script = format!(
        "const s = document.querySelector({css:?}); return s.options[s.selectedIndex].text;"
    );
    client
        .execute(&script, vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The id of the element that has the keyboard focus.
async fn focused(client: &Client) -> String {
    client
        .execute(
            "const a = document.activeElement; return a.getAttribute('data-testid') || a.id || a.tagName;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn is_present(client: &Client, css: &str) -> bool {
    client.find(Locator::Css(css)).await.is_ok()
}

async fn state(app: &TestApp, kek: &Institution, id: &str) -> String {
    kek.state_of(app, id).await
}

#[actix_web::test]
async fn a_registration_form_that_shows_a_problem_is_not_sent() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let invitation = app
        .post(
            "/api/v1/invitations",
            Some(&kek.ir_token),
            json!({"email": "l.moretti@kek.jp", "institution_id": kek.id}),
        )
        .await;
    let (username, password) = (
        invitation.body["username"].as_str().unwrap().to_owned(),
        invitation.body["password"].as_str().unwrap().to_owned(),
    );

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.goto(&app.url("/register/invitation")).await.unwrap();
    fill(&client, "#username", &username).await;
    fill(&client, "#invitation_password", &password).await;
    click(&client, "button[type=submit]").await;
    // A suggested spelling is taken with one click and the focus stays on the field.
    fill(&client, "#given_name", "luca").await;
    click(&client, "button.suggestion").await;
    assert_eq!(focused(&client).await, "given_name");
    assert!(!is_present(&client, "button.suggestion").await);
    let given = client.find(Locator::Css("#given_name")).await.unwrap();
    assert_eq!(given.prop("value").await.unwrap().as_deref(), Some("Luca"));
    fill(&client, "#family_name", "Moretti").await;
    fill(&client, "#account_name", "lmoretti").await;
    fill(&client, "#initial_password", "Violet-Harbour-Lamp-73").await;
    fill(&client, "#confirm_password", "Violet-Harbour-Lamp-74").await;
    wait_for_text(&client, "#confirm_password-errors", "differ").await;
    // Nothing chosen yet: the category says so, not "Physicist – permanent" or "Visitor".
    assert_eq!(shown_option(&client, "#category").await, "— choose —");

    // Sending is refused: the summary names both problems, links to the fields, has the focus.
    click(&client, "form button[type=submit]").await;
    let summary = wait_for_text(&client, "[data-testid=error-summary]", "differ").await;
    assert!(summary.contains("Choose the category"), "{summary}");
    assert_eq!(focused(&client).await, "error-summary");
    wait_for_text(&client, "#category-errors", "Choose the category").await;
    screenshot(&client, "registration-refused").await;
    let id = app
        .get(
            "/api/v1/registrations?state=identity_verified",
            Some(&kek.admin),
        )
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(state(&app, &kek, &id).await, "identity_verified");
    // The summary's link takes the person to the field.
    click(&client, "[data-testid=error-summary] a[href='#category']").await;
    assert_eq!(focused(&client).await, "category");

    // Fixed, it is sent, with the password typed twice.
    choose(&client, "#category", "phd_student").await;
    assert_eq!(shown_option(&client, "#category").await, "PhD student");
    fill(&client, "#confirm_password", "Violet-Harbour-Lamp-73").await;
    click(&client, "form button[type=submit]").await;
    wait_for_text(&client, "[data-testid=state]", "representative").await;
    assert_eq!(state(&app, &kek, &id).await, "awaiting_ir");
    client.close().await.unwrap();
}

#[actix_web::test]
async fn selects_show_what_is_sent_and_required_choices_are_refused_empty() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    // The IR's invitation: the category starts at "let them choose" and returns there.
    sign_in(&client, &app, "irkek", &new_password("irkek")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    client.goto(&app.url("/invitations")).await.unwrap();
    wait_for_text(&client, "h1", "Invitations").await;
    assert_eq!(
        shown_option(&client, "#invite_category").await,
        "— let them choose —"
    );
    click(&client, "form button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=error-summary]",
        "Enter the email address",
    )
    .await;
    fill(&client, "#invite_email", "a.ferri@kek.jp").await;
    choose(&client, "#invite_category", "visitor").await;
    click(&client, "form button[type=submit]").await;
    wait_for_text(&client, "[data-testid=invite-username]", "inv-").await;
    assert_eq!(
        shown_option(&client, "#invite_category").await,
        "— let them choose —"
    );
    let sent = app.get("/api/v1/invitations", Some(&kek.ir_token)).await;
    assert_eq!(
        sent.body["items"][0]["category"], "visitor",
        "{}",
        sent.text
    );
    // The list of invitations, narrowed by status in the address; a revocation asks first.
    wait_for_text(
        &client,
        "[data-testid=invitations-total]",
        "1 invitation(s)",
    )
    .await;
    choose(&client, "#invitations_status", "revoked").await;
    wait_for_text(
        &client,
        "[data-testid=invitations-empty]",
        "No invitation has this status",
    )
    .await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .query()
            .unwrap_or_default()
            .contains("status=revoked")
    );
    choose(&client, "#invitations_status", "").await;
    click(&client, "[data-testid=invitations] [data-testid=revoke]").await;
    click(&client, "[data-testid=invitations] [data-testid=confirm]").await;
    choose(&client, "#invitations_status", "revoked").await;
    wait_for_text(&client, "[data-testid=invitations]", "Revoked").await;
    sign_out(&client).await;

    // The admin's pickers start at "choose"; appointing without a choice is refused in the
    // form, not sent to a path that does not exist.
    sign_in(&client, &app, "boss", &new_password("boss")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    client.goto(&app.url("/admin/institutions")).await.unwrap();
    wait_for_text(&client, "[data-testid=institutions]", "KEK").await;
    assert_eq!(
        shown_option(&client, "#appoint_institution").await,
        "— choose —"
    );
    // Editing shows the institution's own status, which is what a save sends.
    click(&client, "[data-testid=edit-institution]").await;
    assert_eq!(shown_option(&client, "#edit_status").await, "Active");
    fill(&client, "#appoint_account", "irkek").await;
    click(
        &client,
        "form:has(#appoint_institution) button[type=submit]",
    )
    .await;
    let summary = wait_for_text(
        &client,
        "form:has(#appoint_institution) [data-testid=error-summary]",
        "Choose the institution",
    )
    .await;
    assert!(!summary.contains("route"), "{summary}");
    assert!(
        !client
            .source()
            .await
            .unwrap()
            .contains("No API route has this path")
    );
    screenshot(&client, "admin-appoint-refused").await;

    // A person created by an admin gets the category chosen, never a default.
    client.goto(&app.url("/admin/people")).await.unwrap();
    wait_for_text(&client, "h1", "People").await;
    assert_eq!(shown_option(&client, "#new_category").await, "— choose —");
    fill(&client, "#new_given", "Sara").await;
    fill(&client, "#new_family", "Galli").await;
    fill(&client, "#new_email", "s.galli@kek.jp").await;
    fill(&client, "#new_account", "sgalli").await;
    fill(&client, "#new_password", "Belle-Two-Rocks-9").await;
    choose(&client, "#new_institution", &kek.id.to_string()).await;
    click(&client, "form:has(#new_category) button[type=submit]").await;
    wait_for_text(
        &client,
        "form:has(#new_category) [data-testid=error-summary]",
        "Choose the category",
    )
    .await;
    choose(&client, "#new_category", "technical_staff").await;
    click(&client, "form:has(#new_category) button[type=submit]").await;
    wait_for_text(&client, "[data-testid=created]", "sgalli").await;
    let found = app.get("/api/v1/members?q=sgalli", Some(&kek.admin)).await;
    let id = found.body["items"][0]["id"].as_str().unwrap().to_owned();
    let person = app
        .get(&format!("/api/v1/members/{id}"), Some(&kek.admin))
        .await;
    assert_eq!(
        person.body["category"], "technical_staff",
        "{}",
        person.text
    );
    client.close().await.unwrap();
}

#[actix_web::test]
async fn decision_screens_offer_what_each_person_may_do_now_and_confirm_it() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let chair = app.seed_person("ibchair", &[Role::IbChair], kek.id).await;
    app.sign_in_fresh(&chair).await;
    let (token, id) = kek.open_request(&app, "p.conti@kek.jp").await;
    let mut form = kek.form("Paolo", "Conti", "p.conti@kek.jp", "pconti");
    form["category"] = json!("physicist_permanent");
    let submitted = app
        .post(
            &format!("/api/v1/registrations/{id}/submit"),
            Some(&token),
            form,
        )
        .await;
    assert_eq!(submitted.status.as_u16(), 200, "{}", submitted.text);

    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    let page = app.url(&format!("/requests/{id}"));

    // The IR approves and is told what happens next; the buttons go.
    // The navigation counts what waits for the IR, and counts it down once decided.
    sign_in(&client, &app, "irkek", &new_password("irkek")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    let count = wait_for_text(&client, "header [data-testid=waiting-count]", "1").await;
    assert!(count.starts_with('1'), "{count}");
    client.goto(&page).await.unwrap();
    click(&client, "[data-testid=approve]").await;
    wait_for_text(&client, "[data-testid=decided]", "Institutional Board").await;
    click(&client, "header a[href='/requests']").await;
    wait_for_text(&client, "main h1", "Registration requests").await;
    for _ in 0..30 {
        if !is_present(&client, "[data-testid=waiting-count]").await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!is_present(&client, "[data-testid=waiting-count]").await);
    // Nothing waits for the IR now; all the IR can see, narrowed to a state, still lists it,
    // and the narrowing is kept when coming back from the request.
    wait_for_text(
        &client,
        "[data-testid=no-requests]",
        "No request is waiting for you",
    )
    .await;
    click(&client, "[data-testid=show-all]").await;
    choose(&client, "#requests_state", "awaiting_ib").await;
    wait_for_text(&client, "[data-testid=requests]", "Paolo Conti").await;
    wait_for_text(&client, "[data-testid=requests-total]", "1 request(s)").await;
    click(&client, "[data-testid=requests] a").await;
    wait_for_text(&client, "[data-testid=state]", "Institutional Board").await;
    client.back().await.unwrap();
    wait_for_text(&client, "[data-testid=requests]", "Paolo Conti").await;
    assert_eq!(
        shown_option(&client, "#requests_state").await,
        "Waiting for the Institutional Board"
    );
    choose(&client, "#requests_state", "rejected").await;
    wait_for_text(&client, "[data-testid=no-requests]", "No request matches").await;
    client.goto(&page).await.unwrap();
    wait_for_text(&client, "[data-testid=state]", "Institutional Board").await;
    assert!(!is_present(&client, "[data-testid=approve]").await);
    // Coming back later, the IR is not offered to approve what waits for the Board.
    client.refresh().await.unwrap();
    wait_for_text(&client, "[data-testid=state]", "Institutional Board").await;
    assert!(!is_present(&client, "[data-testid=approve]").await);
    screenshot(&client, "request-awaiting-ib-as-ir").await;
    sign_out(&client).await;

    // The IB chair reads text for deciders, approves, and sees it confirmed.
    sign_in(&client, &app, "ibchair", &new_password("ibchair")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    wait_for_text(&client, "header [data-testid=waiting-count]", "1").await;
    client.goto(&page).await.unwrap();
    let status = wait_for_text(&client, "[data-testid=state]", "Institutional Board").await;
    assert!(!status.contains("your"), "{status}");
    click(&client, "[data-testid=approve]").await;
    let said = wait_for_text(&client, "[data-testid=decided]", "You approved").await;
    assert!(said.contains("account is being created"), "{said}");
    assert!(!is_present(&client, "[data-testid=approve]").await);
    assert!(!is_present(&client, "form.reject").await);
    screenshot(&client, "request-approved-by-chair").await;
    sign_out(&client).await;

    // Once provisioned, the request lists no possible duplicate (its own new member).
    assert_eq!(app.run_jobs().await.provisioned, 1);
    sign_in(&client, &app, "boss", &new_password("boss")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    client.goto(&page).await.unwrap();
    wait_for_text(&client, "[data-testid=state]", "account exists").await;
    assert!(!is_present(&client, "[data-testid=duplicates]").await);
    wait_for_text(&client, "[data-testid=nothing-to-do]", "nothing").await;
    let page_text = client.source().await.unwrap();
    for code in ["ir_approved", "registration.", "awaiting_ib"] {
        assert!(!page_text.contains(code), "the page shows the code {code}");
    }
    client.close().await.unwrap();
}
