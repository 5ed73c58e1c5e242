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

async fn screenshot(client: &Client, name: &str) {
    let dir = workspace().join("test-artifacts/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

#[actix_web::test]
async fn an_administrator_signs_in_through_the_web_frontend() {
    let dist = workspace().join("frontend/dist");
    assert!(
        dist.join("index.html").is_file(),
        "the web frontend is not built: run `cargo run -p xtask -- web` (scripts/test does)"
    );
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.web_dir = dist;
        // Plain HTTP on loopback: the refresh cookie cannot be `Secure` here.
        c.public_url = "http://127.0.0.1".into();
    })
    .await;
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
