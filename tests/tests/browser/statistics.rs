//! Statistics in the browser: the figures as charts with their numbers in tables, matching
//! the records; a member whose membership has ended is not offered them.

use b2mms_tests::fixtures::Institution;
use serde_json::json;

use crate::support::*;

#[actix_web::test]
async fn members_read_the_figures_as_charts_and_tables() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let member = app.seed_person("mrossi", &[], kek.id).await;
    app.sign_in_fresh(&member).await;
    let csv = "account_name,given_name,family_name,email,category,institution,membership_start\n\
               amueller,Anna,Müller,anna.mueller@kek.jp,phd_student,KEK,2025-03-01\n\
               tkato,Taro,Kato,taro.kato@kek.jp,phd_student,KEK,2025-03-01\n";
    let imported = app
        .client
        .post(app.url("/api/v1/members/import?apply=true"))
        .bearer_auth(&kek.admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    signed_in(&client, &app, "mrossi").await;
    click(&client, "header a[href='/statistics']").await;
    wait_for_text(&client, "main h1", "Statistics").await;
    // The admin, the IR, the member and the two imported people.
    wait_for_text(&client, "[data-testid=members-total]", "5 active members").await;
    let categories = wait_for_text(&client, "[data-testid=by-category-table]", "PhD student").await;
    assert!(categories.contains("PhD student 2"), "{categories}");
    let chart = client
        .find(fantoccini::Locator::Css("[data-testid=by-category-chart]"))
        .await
        .unwrap();
    assert_eq!(chart.attr("role").await.unwrap().as_deref(), Some("img"));
    let bars = client
        .find_all(fantoccini::Locator::Css(
            "[data-testid=by-category-chart] rect",
        ))
        .await
        .unwrap();
    assert_eq!(bars.len(), 6, "one bar per category");
    let institutions = wait_for_text(&client, "[data-testid=by-institution-table]", "KEK").await;
    assert!(institutions.contains("KEK 4"), "{institutions}");
    wait_for_text(
        &client,
        "[data-testid=median]",
        "No request has been decided yet",
    )
    .await;
    // The month-by-month numbers behind the chart.
    click(&client, "figure[aria-labelledby=over-time-title] summary").await;
    let months = wait_for_text(&client, "[data-testid=over-time-table]", "2025-03").await;
    assert!(months.contains("2025-03 0 0 2 0 0 0 2"), "{months}");
    screenshot(&client, "statistics").await;

    // A member whose membership has ended is not offered the figures, and is told why.
    let ended = app
        .patch(
            &format!("/api/v1/members/{}", member.id),
            Some(&kek.admin),
            json!({"membership_end": app.day(1)}),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    app.advance(chrono::Duration::days(2));
    app.run_jobs().await;
    signed_in(&client, &app, "mrossi").await;
    let nav = wait_for_text(&client, "header nav", "My record").await;
    assert!(!nav.contains("Statistics"), "{nav}");
    client.goto(&app.url("/statistics")).await.unwrap();
    wait_for_text(&client, "main [role=alert]", "membership").await;
    client.close().await.unwrap();
}
