//! The web frontend in headless Chromium against the real b2mms: an administrator signs in,
//! is made to change the initial password (seeing the shared password rules live), sees their
//! record and roles, survives a reload through the refresh cookie, and signs out.
//!
//! Needs the built frontend (`cargo run -p xtask -- web`) and Chromium with ChromeDriver
//! (`scripts/test` provides all three). Screenshots go to `test-artifacts/screenshots/`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use b2mms_shared::Role;
use b2mms_tests::{Backend, TestApp, new_password};
use fantoccini::{Client, ClientBuilder, Locator};

const WAIT: Duration = Duration::from_secs(20);

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A ChromeDriver process on a free port, ended on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {program} ({e}); install chromium-driver or run scripts/test")
            });
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while reqwest::get(format!("{url}/status")).await.is_err() {
            assert!(started.elapsed() < WAIT, "chromedriver did not come up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, url }
    }

    async fn browser(&self, profile: &std::path::Path) -> Client {
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": binary,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_for_text(client: &Client, css: &str, expected: &str) -> String {
    let started = Instant::now();
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && text.contains(expected)
        {
            return text;
        }
        assert!(
            started.elapsed() < WAIT,
            "`{css}` never showed `{expected}`; page: {}",
            client.source().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(client: &Client, css: &str, text: &str) {
    let field = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Runs axe-core in the page: no serious or critical accessibility violation may remain.
async fn accessible(client: &Client, page: &str) {
    let path = std::env::var("B2MMS_AXE").unwrap_or_else(|_| {
        workspace()
            .join("target/tools/node_modules/axe-core/axe.min.js")
            .display()
            .to_string()
    });
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core is needed for the accessibility checks ({path}: {e}); scripts/test installs it")
    });
    client
        .execute(&format!("{source}; return true;"), vec![])
        .await
        .unwrap();
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(r => done(
               r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(found).unwrap();
    assert!(violations.is_empty(), "{page}: {violations:#?}");
}

async fn screenshot(client: &Client, name: &str) {
    accessible(client, name).await;
    let dir = workspace().join("test-artifacts/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// The real b2mms serving the built frontend over plain HTTP on loopback (where the refresh
/// cookie cannot be `Secure`).
async fn web_app() -> TestApp {
    let dist = workspace().join("frontend/dist");
    assert!(
        dist.join("index.html").is_file(),
        "the web frontend is not built: run `cargo run -p xtask -- web` (scripts/test does)"
    );
    TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.web_dir = dist;
        c.public_url = "http://127.0.0.1".into();
    })
    .await
}

/// Replaces the initial password on the forced-change page.
async fn set_first_password(client: &Client, current: &str, new: &str) {
    fill(client, "#current_password", current).await;
    fill(client, "#new_password", new).await;
    fill(client, "#confirm_password", new).await;
    click(client, "button[type=submit]").await;
    wait_for_text(client, "[data-testid=welcome]", "Signed in as").await;
}

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
    let roles = wait_for_text(&client, "[data-testid=roles]", "admin").await;
    assert!(roles.contains("member"), "{roles}");
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

async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn sign_in(client: &Client, app: &TestApp, account: &str, password: &str) {
    client.goto(&app.url("/login")).await.unwrap();
    fill(client, "#account", account).await;
    fill(client, "#password", password).await;
    click(client, "button[type=submit]").await;
}

async fn sign_out(client: &Client) {
    click(client, "header nav button").await;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#account"))
        .await
        .unwrap();
}

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
    wait_for_text(&client, "[data-testid=members]", "ndeangel").await;
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
    wait_for_text(&client, "[data-testid=members]", "ndeangel").await;
    screenshot(&client, "phone-members").await;
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
    click(&client, "section button.secondary").await;
    wait_for_text(&client, "[data-testid=state]", "Withdrawn").await;
    client.close().await.unwrap();
}

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
    wait_for_text(&client, "[data-testid=person]", "ib_chair").await;
    screenshot(&client, "admin-people").await;
    click(&client, "[data-testid=person] a").await;
    wait_for_text(&client, "[data-testid=audit]", "role.granted").await;
    screenshot(&client, "admin-audit").await;

    click(&client, "a[href='/admin/tokens']").await;
    fill(&client, "#token_name", "wiki-sync").await;
    click(&client, "form button[type=submit]").await;
    wait_for_text(&client, ".notice code", "b2mms_st_").await;
    wait_for_text(&client, "[data-testid=tokens]", "members:read").await;
    screenshot(&client, "admin-tokens").await;
    client.close().await.unwrap();
}

/// Opens a submitted request through the API; returns its id.
async fn submitted_request(
    app: &TestApp,
    ir_token: &str,
    institution: uuid::Uuid,
    email: &str,
    account: &str,
    category: &str,
) -> String {
    let invitation = app
        .post(
            "/api/v1/invitations",
            Some(ir_token),
            serde_json::json!({"email": email, "institution_id": institution}),
        )
        .await;
    let login = app
        .post(
            "/api/v1/auth/invitation",
            None,
            serde_json::json!({"username": invitation.body["username"], "password": invitation.body["password"]}),
        )
        .await;
    let (token, id) = (
        login.body["access_token"].as_str().unwrap(),
        login.body["registration_id"].as_str().unwrap().to_owned(),
    );
    let submitted = app
        .post(
            &format!("/api/v1/registrations/{id}/submit"),
            Some(token),
            serde_json::json!({"given_name": "Ada", "family_name": format!("{}{}", account[..1].to_uppercase(), &account[1..]), "email": email,
                "account_name": account, "initial_password": "Violet-Harbour-Lamp-73", "institution_id": institution, "category": category}),
        )
        .await;
    assert_eq!(
        submitted.status,
        b2mms_tests::StatusCode::OK,
        "{}",
        submitted.text
    );
    id
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
