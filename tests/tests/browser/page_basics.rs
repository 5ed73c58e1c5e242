//! What every page shares: the placeholder while the WebAssembly starts, the favicon, the
//! precompressed bundle, a title that names the page, the focus on the page's heading after
//! each route change, the skip link, and the dark theme when the system asks for it.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::new_password;
use fantoccini::Client;

use crate::support::*;

async fn script(client: &Client, js: &str) -> serde_json::Value {
    client.execute(js, vec![]).await.unwrap()
}

/// What has the keyboard focus: its tag and its id.
async fn focused(client: &Client) -> String {
    script(
        client,
        "const a = document.activeElement; return a.tagName + '#' + a.id;",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn title(client: &Client) -> String {
    // The title follows the heading as soon as the page has one.
    for _ in 0..50 {
        let title = client.title().await.unwrap();
        if title != "b2mms — collaboration membership" {
            return title;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    client.title().await.unwrap()
}

#[actix_web::test]
async fn the_first_load_shows_a_placeholder_and_sends_a_precompressed_bundle() {
    let app = web_app().await;
    let page = app
        .client
        .get(app.url("/login"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["content-encoding"], "br");
    let plain = app.client.get(app.url("/login")).send().await.unwrap();
    let html = plain.text().await.unwrap();
    assert!(html.contains(r#"id="loading""#), "{html}");
    assert!(html.contains("Loading the membership system"), "{html}");

    // Every asset the page and its start script name exists, with twins no larger than itself.
    let mut assets: Vec<String> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with('/') && s.contains('.') && !s.starts_with("/api"))
        .map(str::to_owned)
        .collect();
    let loader = assets
        .iter()
        .find(|a| a.starts_with("/start-"))
        .expect("index.html names its start script")
        .clone();
    let loader = app.client.get(app.url(&loader)).send().await.unwrap();
    let loader = loader.text().await.unwrap();
    assets.extend(
        loader
            .split('\'')
            .filter_map(|s| s.strip_prefix("./"))
            .map(|s| format!("/{s}")),
    );
    // Both builds: the member build and the staff build.
    assert_eq!(
        assets.iter().filter(|a| a.ends_with(".wasm")).count(),
        2,
        "{assets:?}"
    );
    assert!(
        assets.iter().any(|a| a.ends_with(".svg")),
        "a favicon: {assets:?}"
    );
    for asset in &assets {
        let plain = app.client.get(app.url(asset)).send().await.unwrap();
        assert_eq!(plain.status(), 200, "{asset}");
        if asset.ends_with(".svg") {
            assert_eq!(plain.headers()["content-type"], "image/svg+xml");
        }
        let plain = plain.bytes().await.unwrap().len();
        // Every sizeable file has twins; a tiny one (the loader) is sent as it is.
        let sizeable = [".wasm", ".js", ".css"].iter().any(|e| asset.ends_with(e))
            && !asset.starts_with("/start-");
        for encoding in ["br", "gzip"] {
            let packed = app
                .client
                .get(app.url(asset))
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            let sent = packed
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            let size = packed.bytes().await.unwrap().len();
            if sizeable {
                assert_eq!(sent.as_deref(), Some(encoding), "{asset}");
                assert!(
                    size < plain,
                    "{asset}: {encoding} twin of {size} bytes for {plain}"
                );
            }
        }
    }

    // In the browser the placeholder gives way to the app.
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.goto(&app.url("/login")).await.unwrap();
    wait_for_text(&client, "h1", "Sign in").await;
    assert_eq!(
        script(
            &client,
            "return document.getElementById('loading') === null"
        )
        .await,
        true
    );
    assert_eq!(title(&client).await, "Sign in — b2mms");
    client.close().await.unwrap();
}

#[actix_web::test]
async fn each_route_change_names_the_page_and_moves_the_focus_to_its_heading() {
    let app = web_app().await;
    Institution::with_representative(&app).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    sign_in(&client, &app, "irkek", &new_password("irkek")).await;
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;

    for (link, heading) in [
        ("/requests", "Registration requests"),
        ("/invitations", "Invitations"),
        ("/members", "Members of my institution"),
        ("/transfers", "Changes of institution"),
        ("/statistics", "Statistics"),
    ] {
        click(&client, &format!("header a[href='{link}']")).await;
        wait_for_text(&client, "main h1", heading).await;
        assert_eq!(title(&client).await, format!("{heading} — b2mms"));
        let mut focus = focused(&client).await;
        for _ in 0..30 {
            if focus.starts_with("H1") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            focus = focused(&client).await;
        }
        assert!(focus.starts_with("H1"), "{link}: the focus is on {focus}");
    }

    // The skip link is the first thing the keyboard reaches and leads into the page.
    client.goto(&app.url("/members")).await.unwrap();
    wait_for_text(&client, "main h1", "Members").await;
    let first = script(
        &client,
        "return document.querySelector('a[href], button, input, select, textarea').className",
    )
    .await;
    assert_eq!(first, "skip-link");
    // It shows once the keyboard reaches it.
    script(&client, "document.querySelector('.skip-link').focus()").await;
    let top = script(
        &client,
        "return document.querySelector('.skip-link').getBoundingClientRect().top",
    )
    .await;
    assert!(
        top.as_f64().unwrap() >= 0.0,
        "the focused skip link is on screen: {top}"
    );
    click(&client, ".skip-link").await;
    assert_eq!(focused(&client).await, "MAIN#main");
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/members")
    );
    client.close().await.unwrap();
}

#[actix_web::test]
async fn the_dark_theme_follows_the_system_and_keeps_its_contrast() {
    let app = web_app().await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.goto(&app.url("/login")).await.unwrap();
    wait_for_text(&client, "h1", "Sign in").await;
    let light = script(
        &client,
        "return getComputedStyle(document.documentElement).backgroundColor",
    )
    .await;

    driver.prefer_dark(&client).await;
    client.goto(&app.url("/login")).await.unwrap();
    wait_for_text(&client, "h1", "Sign in").await;
    assert_eq!(
        script(
            &client,
            "return matchMedia('(prefers-color-scheme: dark)').matches"
        )
        .await,
        true
    );
    let dark = script(
        &client,
        "return getComputedStyle(document.documentElement).backgroundColor",
    )
    .await;
    assert_ne!(light, dark);
    assert_eq!(dark, "rgb(18, 22, 28)");
    // A form with a problem, in the dark: axe checks the contrast of every colour in use.
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "main", "").await;
    screenshot(&client, "dark-login").await;
    client.goto(&app.url("/forgot-password")).await.unwrap();
    wait_for_text(&client, "h1", "Lost password").await;
    screenshot(&client, "dark-forgot-password").await;
    client.close().await.unwrap();
}

/// Whether the page is wider than the window (a table or the navigation cut off).
async fn overflow(client: &Client) -> i64 {
    script(
        client,
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    )
    .await
    .as_i64()
    .unwrap_or_default()
}

#[actix_web::test]
async fn every_page_fits_a_phone_for_each_role() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let member = app.seed_person("mrossi", &[], kek.id).await;
    app.sign_in_fresh(&member).await;
    // Something in every list.
    kek.open_request(&app, "n.bruno@kek.jp").await;
    kek.add_authors(&app).await;
    let list = app
        .post(
            "/api/v1/author-lists",
            Some(&kek.admin),
            serde_json::json!({"title": "A paper with a rather long title about B mesons", "date": app.day(0)}),
        )
        .await;
    assert_eq!(list.status.as_u16(), 201, "{}", list.text);
    let list = format!("/author-lists/{}", list.body["id"].as_str().unwrap());
    let mailing = app
        .post(
            "/api/v1/mailing-lists",
            Some(&kek.admin),
            serde_json::json!({"name": "b2-everyone-at-kek-and-elsewhere", "address": "b2-everyone-at-kek-and-elsewhere@lists.example.org", "description": "Everyone", "audience": {}, "extra_addresses": ["a-rather-long-address-of-a-secretariat@kek.jp"]}),
        )
        .await;
    assert_eq!(mailing.status.as_u16(), 201, "{}", mailing.text);
    let mailing = format!("/mailing-lists/{}", mailing.body["id"].as_str().unwrap());
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.set_window_size(390, 844).await.unwrap();
    let admin = kek.admin_person.account.clone();
    let roles: [(&str, &[&str]); 3] = [
        (
            "mrossi",
            &["/", "/password", "/groups", "/statistics", "/elections"],
        ),
        (
            "irkek",
            &[
                "/",
                "/requests?all=true",
                "/invitations",
                "/members",
                "/transfers",
                &list,
            ],
        ),
        (
            &admin,
            &[
                "/admin/institutions",
                "/admin/people",
                "/admin/tokens",
                "/admin/mail",
                "/admin/audit",
                "/author-lists",
                "/author-lists/forecast",
                &list,
                "/mailing-lists",
                &mailing,
            ],
        ),
    ];
    for (account, pages) in roles {
        sign_in(&client, &app, account, &new_password(account)).await;
        wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
        for path in pages {
            client.goto(&app.url(path)).await.unwrap();
            wait_for_text(&client, "main h1", "").await;
            // The page's data has arrived when nothing says "Loading" any more.
            for _ in 0..50 {
                if !page_text(&client).await.contains("Loading") {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert!(
                overflow(&client).await <= 0,
                "{account} {path} is wider than a phone"
            );
            let name = format!("phone-{account}{}", path.replace(['/', '?', '='], "-"));
            let name = name.get(..60).unwrap_or(&name);
            screenshot(&client, name).await;
        }
        sign_out(&client).await;
    }
    client.close().await.unwrap();
}

/// The WebAssembly files this page has loaded, by their build's name.
async fn loaded_builds(client: &Client) -> Vec<String> {
    let names = script(
        client,
        "return performance.getEntriesByType('resource').map(e => e.name)\
           .filter(n => n.endsWith('.wasm')).map(n => n.split('/').pop().split('_bg-')[0]);",
    )
    .await;
    serde_json::from_value(names).unwrap()
}

#[actix_web::test]
async fn members_load_the_small_build_and_people_with_a_role_the_staff_build() {
    let app = web_app().await;
    let kek = Institution::with_representative(&app).await;
    let jane = app.seed_person("jdoe", &[], kek.id).await;
    app.sign_in_fresh(&jane).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    // A member stays in the member build.
    signed_in(&client, &app, "jdoe").await;
    assert_eq!(loaded_builds(&client).await, ["b2mms"]);
    sign_out(&client).await;

    // The representative's sign-in reloads into the staff build, still signed in.
    signed_in(&client, &app, "irkek").await;
    assert_eq!(loaded_builds(&client).await, ["staff"]);
    click(&client, "header a[href='/requests']").await;
    wait_for_text(&client, "main h1", "Registration requests").await;
    sign_out(&client).await;
    // The browser remembers it: the next visit starts in the staff build.
    client.goto(&app.url("/login")).await.unwrap();
    wait_for_text(&client, "h1", "Sign in").await;
    assert_eq!(loaded_builds(&client).await, ["staff"]);
    // A member signing in here afterwards is served by the staff build, and the next visit
    // is back in the member build.
    signed_in(&client, &app, "jdoe").await;
    assert_eq!(loaded_builds(&client).await, ["staff"]);
    client.goto(&app.url("/")).await.unwrap();
    wait_for_text(&client, "[data-testid=welcome]", "Signed in as").await;
    assert_eq!(loaded_builds(&client).await, ["b2mms"]);
    sign_out(&client).await;
    client.close().await.unwrap();

    // A staff page opened from a mailed link in a fresh browser loads the staff build, which
    // asks for a sign-in and comes back to the page.
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.goto(&app.url("/invitations")).await.unwrap();
    wait_for_text(&client, "h1", "Sign in").await;
    assert_eq!(loaded_builds(&client).await, ["staff"]);
    fill(&client, "#account", "irkek").await;
    fill(&client, "#password", &new_password("irkek")).await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "main h1", "Invitations").await;
    client.close().await.unwrap();

    // A browser that keeps no site data cannot switch builds: the page says so instead of
    // reloading for ever.
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;
    client.goto(&app.url("/login")).await.unwrap();
    wait_for_text(&client, "h1", "Sign in").await;
    script(
        &client,
        "Storage.prototype.setItem = () => { throw new DOMException('blocked', 'SecurityError'); };\
         history.pushState({}, '', '/admin/people');\
         dispatchEvent(new PopStateEvent('popstate'));",
    )
    .await;
    wait_for_text(&client, "main h1", "This page cannot load").await;
    assert!(page_text(&client).await.contains("local storage"));
    assert_eq!(loaded_builds(&client).await, ["b2mms"]);
    client.close().await.unwrap();
}
