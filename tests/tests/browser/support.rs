//! What the browser tests share: ChromeDriver and Chromium, the app serving the built
//! frontend, waiting, typing, clicking, the accessibility check and screenshots.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use b2mms_tests::{Backend, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};

pub const WAIT: Duration = Duration::from_secs(20);

pub fn workspace() -> PathBuf {
    b2mms_tests::workspace()
}

/// A ChromeDriver process on a free port, ended on drop.
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    pub async fn start() -> Self {
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

    pub async fn browser(&self, profile: &std::path::Path) -> Client {
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
                ],
                // Files the app saves land in the profile's `downloads` folder.
                "prefs": {
                    "download.default_directory": profile.join("downloads"),
                    "download.prompt_for_download": false,
                },
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Driver {
    /// Makes the page see a system that prefers the dark theme (Chromium's media emulation).
    pub async fn prefer_dark(&self, client: &Client) {
        let session = client.session_id().await.unwrap().expect("a session");
        let reply = reqwest::Client::new()
            .post(format!("{}/session/{session}/goog/cdp/execute", self.url))
            .json(&serde_json::json!({
                "cmd": "Emulation.setEmulatedMedia",
                "params": {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
            }))
            .send()
            .await
            .unwrap();
        assert!(
            reply.status().is_success(),
            "{}",
            reply.text().await.unwrap()
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until an element shows a text; the first time a test sees something on a page (an
/// address it has not seen just before), the page is kept as a screenshot of the visit.
pub async fn wait_for_text(client: &Client, css: &str, expected: &str) -> String {
    let started = Instant::now();
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && text.contains(expected)
        {
            visited(client).await;
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

/// What the page shows, for the message of a test that failed on it.
pub async fn page_text(client: &Client) -> String {
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let text = match client.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    format!("at {url}: {text}")
}

/// Waits for an element; a failure says what the page showed instead.
async fn element(client: &Client, css: &str) -> fantoccini::elements::Element {
    match client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => panic!("{css}: {e}; the page {}", page_text(client).await),
    }
}

pub async fn fill(client: &Client, css: &str, text: &str) {
    let field = element(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Runs axe-core in the page: no serious or critical accessibility violation may remain.
pub async fn accessible(client: &Client, page: &str) {
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

/// A screenshot of each page a test visits, when it first sees something there, named after
/// the test and numbered in order (`test-artifacts/screenshots/visited/`).
async fn visited(client: &Client) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SHOTS: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        /// The address of the last page kept, per test (each runs on a thread of its own).
        static LAST: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let Ok(url) = client.current_url().await else {
        return;
    };
    if LAST.with(|last| last.replace(url.to_string()) == url.as_str()) {
        return;
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("test")
        .replace("::", "-");
    let path = url.path().trim_matches('/').replace('/', "-");
    let n = SHOTS.fetch_add(1, Ordering::Relaxed);
    let dir = workspace().join("test-artifacts/screenshots/visited");
    std::fs::create_dir_all(&dir).unwrap();
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{test}-{n:03}-{path}.png")), png);
    }
}

pub async fn screenshot(client: &Client, name: &str) {
    accessible(client, name).await;
    let dir = workspace().join("test-artifacts/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// The real b2mms serving the built frontend over plain HTTP on loopback (where the refresh
/// cookie cannot be `Secure`).
pub async fn web_app() -> TestApp {
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
pub async fn set_first_password(client: &Client, current: &str, new: &str) {
    fill(client, "#current_password", current).await;
    fill(client, "#new_password", new).await;
    fill(client, "#confirm_password", new).await;
    click(client, "button[type=submit]").await;
    wait_for_text(client, "[data-testid=welcome]", "Signed in as").await;
}

/// Sets a date input the way the browser's picker does.
pub async fn set_date(client: &Client, css: &str, date: &str) {
    client
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![css.into(), date.into()],
        )
        .await
        .unwrap();
}

/// Chooses an option of a select by its value.
pub async fn choose(client: &Client, css: &str, value: &str) {
    element(client, css)
        .await
        .select_by_value(value)
        .await
        .unwrap();
}

/// Clicks an element; one that the page replaced between finding and clicking it (a list
/// drawn again with fresh data) is found again.
pub async fn click(client: &Client, css: &str) {
    for _ in 0..5 {
        match element(client, css).await.click().await {
            Ok(()) => return,
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("clicking {css}: {e}; the page {}", page_text(client).await),
        }
    }
    panic!(
        "{css} kept being replaced; the page {}",
        page_text(client).await
    );
}

pub async fn sign_in(client: &Client, app: &TestApp, account: &str, password: &str) {
    client.goto(&app.url("/login")).await.unwrap();
    fill(client, "#account", account).await;
    fill(client, "#password", password).await;
    click(client, "button[type=submit]").await;
}

/// Signs in with the password `sign_in_fresh` set and waits for the start page.
pub async fn signed_in(client: &Client, app: &TestApp, account: &str) {
    sign_in(client, app, account, &b2mms_tests::new_password(account)).await;
    wait_for_text(client, "[data-testid=welcome]", "Signed in as").await;
}

pub async fn sign_out(client: &Client) {
    click(client, "header nav button").await;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#account"))
        .await
        .unwrap();
}

/// Opens a submitted request through the API; returns its id.
pub async fn submitted_request(
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

/// The text of a file the page saved to the profile's `downloads` folder, once it is there.
pub async fn downloaded(profile: &std::path::Path, name: &str) -> String {
    let path = profile.join("downloads").join(name);
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(&path) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{name} was never downloaded to {}", path.display());
}
