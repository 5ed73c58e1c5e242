//! Records changed in the browser, each part by those who may: a member their details and,
//! through the link mailed to it, their contact address (on a phone); a representative a
//! member's membership; the secretariat the names.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::new_password;
use fantoccini::Locator;

use crate::support::*;

#[actix_web::test]
async fn a_member_changes_their_details_and_confirms_a_new_address_on_a_phone() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let member = app.seed_person("aricci", &[], kek.id).await;
    app.sign_in_fresh(&member).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.set_window_size(390, 844).await.unwrap();
    sign_in(&client, &app, "aricci", &new_password("aricci")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    // Only what a member may change is offered.
    assert!(client.find(Locator::Css("#rec_category")).await.is_err());
    assert!(client.find(Locator::Css("#rec_given_name")).await.is_err());

    // A wrong ORCID iD stops the form with the reason; corrected, it is saved.
    fill(&client, "#rec_paper_name", "A. Ricci").await;
    fill(&client, "#rec_orcid", "0000-0000-0000-0000").await;
    click(&client, "form.record-editor button[type=submit]").await;
    wait_for_text(
        &client,
        "form.record-editor [data-testid=error-summary]",
        "ORCID",
    )
    .await;
    fill(&client, "#rec_orcid", "0000-0002-1825-0097").await;
    click(&client, "form.record-editor button[type=submit]").await;
    wait_for_text(&client, "[data-testid=record-saved]", "saved").await;
    wait_for_text(&client, "[data-testid=my-paper-name]", "A. Ricci").await;
    screenshot(&client, "phone-my-record").await;

    // A personal mailbox is refused; an institutional one gets a link, and the record keeps
    // the old address until the link is followed.
    fill(&client, "#new_email", "a.ricci@gmail.com").await;
    click(&client, "form.new-address button[type=submit]").await;
    wait_for_text(
        &client,
        "form.new-address [data-testid=error-summary]",
        "gmail",
    )
    .await;
    fill(&client, "#new_email", "anna.ricci@kek.jp").await;
    click(&client, "form.new-address button[type=submit]").await;
    wait_for_text(&client, "[data-testid=address-sent]", "anna.ricci@kek.jp").await;
    wait_for_text(&client, "[data-testid=my-email]", "aricci@kek.jp").await;
    app.run_jobs().await;
    let mail = app.mail.to("anna.ricci@kek.jp");
    let body = &mail.last().expect("the confirmation mail").body;
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/email/confirm?token="))
        .expect("a link");
    let path = &link[link.find("/email/").unwrap()..];
    client.goto(&app.url(path)).await.unwrap();
    click(&client, "[data-testid=confirm-email]").await;
    wait_for_text(&client, "[data-testid=email-confirmed]", "confirmed").await;
    screenshot(&client, "phone-address-confirmed").await;
    click(&client, "main a[href='/']").await;
    wait_for_text(&client, "[data-testid=my-email]", "anna.ricci@kek.jp").await;
    // The link works once.
    client.goto(&app.url(path)).await.unwrap();
    click(&client, "[data-testid=confirm-email]").await;
    wait_for_text(&client, "main [role=alert]", "already used").await;
    client.close().await.unwrap();
}

#[actix_web::test]
async fn a_representative_and_the_secretariat_change_what_they_may() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let member = app.seed_person("bverdi", &[], kek.id).await;
    app.sign_in_fresh(&member).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    // The IR: the membership and the name in papers, nothing personal.
    sign_in(&client, &app, "irkek", &new_password("irkek")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    click(&client, "header a[href='/members']").await;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//button[@data-testid='open-person'][contains(., 'Bverdi')]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "[data-testid=member] h2", "Test Bverdi").await;
    let shown = wait_for_text(&client, "[data-testid=member]", "Category").await;
    assert!(!shown.contains("ORCID"), "{shown}");
    choose(&client, "#rec_category", "phd_student").await;
    set_date(&client, "#rec_membership_end", "2031-03-31").await;
    click(&client, "form.record-editor button[type=submit]").await;
    wait_for_text(&client, "[data-testid=record-saved]", "saved").await;
    screenshot(&client, "ir-member-record").await;
    let edited = app
        .get(&format!("/api/v1/members/{}", member.id), Some(&kek.admin))
        .await;
    assert_eq!(edited.body["category"], "phd_student", "{}", edited.text);
    assert_eq!(
        edited.body["membership_end"], "2031-03-31",
        "{}",
        edited.text
    );
    sign_out(&client).await;

    // The secretariat: names too; a name in capitals is refused with the reason.
    sign_in(
        &client,
        &app,
        &kek.admin_person.account,
        &new_password(&kek.admin_person.account),
    )
    .await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    click(&client, "header a[href='/admin/people']").await;
    fill(&client, "#people_query", "bverdi").await;
    click(&client, "form button[type=submit]").await;
    // The search's result, not the list drawn before it.
    wait_for_text(&client, "[data-testid=people-total]", "1 people").await;
    click(&client, "[data-testid=people] button.link").await;
    wait_for_text(&client, "[data-testid=person]", "bverdi").await;
    fill(&client, "#rec_family_name", "VERDI").await;
    click(&client, "form.record-editor button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=person] [data-testid=error-summary]",
        "capital",
    )
    .await;
    fill(&client, "#rec_family_name", "Verdi Rossi").await;
    click(&client, "form.record-editor button[type=submit]").await;
    wait_for_text(&client, "[data-testid=record-saved]", "saved").await;
    wait_for_text(&client, "[data-testid=person] h2", "Verdi Rossi").await;
    let record = app
        .get(&format!("/api/v1/members/{}", member.id), Some(&kek.admin))
        .await;
    assert_eq!(record.body["family_name"], "Verdi Rossi", "{}", record.text);
    assert_eq!(record.body["account_name"], "bverdi");
    screenshot(&client, "admin-person-record").await;
    client.close().await.unwrap();
}

/// The secretariat's list of people: searched by address, ordered by a column, paged with the
/// total, narrowed by category, country and group, "nothing found", kept in the address when
/// coming back, exported as CSV.
#[actix_web::test]
async fn the_people_list_is_searched_sorted_paged_and_kept() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    // Account names memaa, memab, … membd (names take letters only).
    let account = |i: u8| format!("mem{}{}", (b'a' + i / 26) as char, (b'a' + i % 26) as char);
    let mut seeded = Vec::new();
    for i in 0..30 {
        seeded.push(app.seed_person(&account(i), &[], kek.id).await);
    }
    let naf = app
        .post(
            "/api/v1/groups",
            Some(&kek.admin),
            serde_json::json!({"name": "NAF", "description": "Computing", "join_policy": "closed"}),
        )
        .await;
    let naf = naf.body["id"].as_str().unwrap().to_owned();
    for person in &seeded[..2] {
        let added = app
            .post(
                &format!("/api/v1/groups/{naf}/members"),
                Some(&kek.admin),
                serde_json::json!({"person_id": person.id}),
            )
            .await;
        assert_eq!(added.status, 204, "{}", added.text);
    }
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    sign_in(
        &client,
        &app,
        &kek.admin_person.account,
        &new_password(&kek.admin_person.account),
    )
    .await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    click(&client, "header a[href='/admin/people']").await;
    // 30 seeded, the IR and the administrator: two pages.
    wait_for_text(
        &client,
        "[data-testid=people-total]",
        "32 people · page 1 of 2",
    )
    .await;
    click(&client, "[data-testid=next-page]").await;
    wait_for_text(&client, "[data-testid=people-total]", "page 2 of 2").await;

    // Narrowed by category and by country; a country that is none is refused with the reason.
    choose(&client, "#people_category", "phd_student").await;
    wait_for_text(&client, "[data-testid=people-empty]", "Nobody").await;
    choose(&client, "#people_category", "physicist_temporary").await;
    wait_for_text(
        &client,
        "[data-testid=people-total]",
        "32 people · page 1 of 2",
    )
    .await;
    fill(&client, "#people_country", "DE").await;
    click(&client, "form.filters button[type=submit]").await;
    wait_for_text(&client, "[data-testid=people-empty]", "Nobody").await;
    fill(&client, "#people_country", "XX").await;
    click(&client, "form.filters button[type=submit]").await;
    wait_for_text(&client, ".people-list [role=alert]", "country").await;
    fill(&client, "#people_country", "jp").await;
    click(&client, "form.filters button[type=submit]").await;
    wait_for_text(
        &client,
        "[data-testid=people-total]",
        "32 people · page 1 of 2",
    )
    .await;
    choose(&client, "#people_category", "").await;
    // Narrowed to a group's members.
    choose(&client, "#people_group", &naf).await;
    wait_for_text(&client, "[data-testid=people-total]", "2 people").await;
    choose(&client, "#people_group", "").await;
    wait_for_text(&client, "[data-testid=people-total]", "32 people").await;
    click(&client, "[data-testid=next-page]").await;
    wait_for_text(&client, "[data-testid=people-total]", "page 2 of 2").await;

    // Ordered by account name, descending on the second click.
    click(&client, "[data-testid=sort-account]").await;
    wait_for_text(&client, "[data-testid=people-total]", "page 1 of 2").await;
    click(&client, "[data-testid=sort-account]").await;
    let first = wait_for_text(
        &client,
        "[data-testid=people] tbody tr:first-child",
        "membd",
    )
    .await;
    assert!(first.contains("Membd"), "{first}");
    let header = client
        .find(Locator::Css("th[aria-sort=descending]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(header.contains("Account"), "{header}");
    screenshot(&client, "admin-people-sorted").await;

    // Searched by contact address; a person opened and the list is as it was on the way back.
    fill(&client, "#people_query", "memah@kek").await;
    click(&client, "form.filters button[type=submit]").await;
    wait_for_text(&client, "[data-testid=people-total]", "1 people").await;
    let url = client.current_url().await.unwrap();
    assert!(url.query().unwrap_or_default().contains("q=memah"), "{url}");
    client.goto(&app.url("/admin/tokens")).await.unwrap();
    wait_for_text(&client, "main h1", "Service tokens").await;
    client.back().await.unwrap();
    wait_for_text(&client, "[data-testid=people] tbody", "memah").await;
    let kept = client.find(Locator::Css("#people_query")).await.unwrap();
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("memah@kek")
    );
    fill(&client, "#people_query", "nobody-at-all").await;
    click(&client, "form.filters button[type=submit]").await;
    wait_for_text(&client, "[data-testid=people-empty]", "Nobody matches").await;
    client.close().await.unwrap();

    // The export holds what the list finds, with contact addresses; members get none.
    let csv = app
        .client
        .get(app.url("/api/v1/members.csv?q=mema&sort=account"))
        .bearer_auth(&kek.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("account_name,given_name"), "{text}");
    assert_eq!(lines.len(), 27, "a header and memaa to memaz: {text}");
    assert!(
        lines[1].starts_with("memaa,") && lines[1].contains("memaa@kek.jp"),
        "{text}"
    );
}
