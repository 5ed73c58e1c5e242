//! Test support: the real b2mms application on a free port with a fresh database per test,
//! on SQLite and on PostgreSQL, and an HTTP client that talks to it like any other client.

use std::net::TcpListener;

use actix_web::web;
use b2mms::app::{self, AppState};
use b2mms::clock::Clock;
use b2mms::config::Config;
use b2mms_shared::api::NewMember;
use b2mms_shared::{Category, Role};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

pub mod fixtures;
pub mod mailman;
pub mod pg_cluster;
pub mod pki;
pub mod process;
pub mod registry;
pub mod smtp;

pub use reqwest::StatusCode;

/// Whether the tests run as root (PostgreSQL and Mailman then need to be told).
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The checkout under test. `cargo test` says so at run time; the path compiled in is only a
/// fallback, since a build cache shared between checkouts may reuse a test binary.
pub fn workspace() -> std::path::PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .parent()
        .expect("the tests crate lives in the workspace")
        .to_owned()
}

/// Runs each test body once on SQLite and once on PostgreSQL, as `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: &$crate::TestApp) $body

                #[actix_web::test]
                async fn sqlite() {
                    let app = $crate::TestApp::spawn($crate::Backend::Sqlite).await;
                    run(&app).await;
                    app.shutdown().await;
                }

                #[actix_web::test]
                async fn postgres() {
                    let app = $crate::TestApp::spawn($crate::Backend::Postgres).await;
                    run(&app).await;
                    app.shutdown().await;
                }
            }
        )*
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on. Tests talk to it without TLS:
/// libpq's OpenSSL tear-down at process exit must not race with connections still open in
/// server threads.
pub fn postgres_admin_url() -> String {
    let url = std::env::var("B2MMS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    without_tls(&url)
}

fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// A database that exists for one test and is removed after it.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres {
        name: String,
    },
    /// A database the test manages itself (a throwaway cluster).
    External,
}

impl TestDb {
    pub fn create(backend: Backend) -> (Self, String) {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("b2mms.db").display());
                (Self::Sqlite(dir), url)
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("b2mms_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = diesel::PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is needed for the tests (B2MMS_TEST_POSTGRES_URL={admin}): {e}. \
                         Run the tests with scripts/test, which starts it."
                    )
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
                let server = match base.rfind('/') {
                    Some(i) if !base[..i].ends_with('/') => &base[..i],
                    _ => base,
                };
                let url = without_tls(&format!("{server}/{name}?{query}").replace("?&", "?"));
                (Self::Postgres { name }, url)
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres { name } = self
            && let Ok(mut conn) = diesel::PgConnection::establish(&postgres_admin_url())
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// A running b2mms and a client for it.
pub struct TestApp {
    pub base: String,
    /// The SMTP server the app delivers its mail to.
    pub mail: smtp::SmtpSink,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    pub backend: Backend,
    pub database_url: String,
    server: actix_web::dev::ServerHandle,
    db: Option<TestDb>,
}

/// The configuration tests run with: fast, and pointing at `database_url`.
pub fn test_config(database_url: &str) -> Config {
    Config {
        database_url: database_url.to_owned(),
        workers: 2,
        database_pool_size: 4,
        // Tests run the jobs themselves (`TestApp::run_jobs`), deterministically.
        jobs_interval: 0,
        public_url: "https://b2mms.test".to_owned(),
        registry_email_domain: "belle2.org".to_owned(),
        ..Config::default()
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns with a configuration adjusted by `adjust`.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        let (db, url) = TestDb::create(backend);
        let mail = smtp::SmtpSink::start().await;
        let mut config = test_config(&url);
        config.mail_url = mail.url();
        adjust(&mut config);
        let state = AppState::initialize(config, Clock::system())
            .await
            .expect("application state");
        Self::start(backend, state, db, url, mail)
    }

    /// Serves an already prepared state.
    pub fn start(
        backend: Backend,
        state: AppState,
        db: TestDb,
        database_url: String,
        mail: smtp::SmtpSink,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let running = app::start(state, listener).expect("server starts");
        let server = running.server.handle();
        actix_web::rt::spawn(running.server);
        let scheme = if running.state.tls.is_some() {
            "https"
        } else {
            "http"
        };
        Self {
            base: format!("{scheme}://{}", running.addr),
            mail,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            state: running.state,
            backend,
            database_url,
            server,
            db: Some(db),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(reqwest::Method::DELETE, path, token, None).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.expect("request sent")).await
    }

    /// Creates a person with an account directly in the store (as `create-admin` does).
    pub async fn seed_person(
        &self,
        account: &str,
        roles: &[Role],
        institution_id: uuid::Uuid,
    ) -> Seeded {
        let state = self.state.clone();
        let password = "Initial-Secret-42!".to_owned();
        let body = NewMember {
            given_name: "Test".into(),
            middle_name: None,
            family_name: capitalised(account),
            email: format!("{account}@kek.jp"),
            account_name: account.into(),
            initial_password: password.clone(),
            institution_id,
            category: Category::PhysicistTemporary,
        };
        let roles = roles.to_vec();
        let member = state
            .db
            .run({
                let state = state.clone();
                move |conn| b2mms::ops::people::create_blocking(conn, &state, &body, &roles)
            })
            .await
            .expect("seeded person");
        Seeded {
            id: member.id.to_string(),
            account: account.into(),
            password,
        }
    }

    /// Signs in with the initial password and sets a new one; returns a full session token.
    pub async fn sign_in_fresh(&self, person: &Seeded) -> String {
        let first = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"account": person.account, "password": person.password}),
            )
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let limited = first.body["access_token"].as_str().unwrap().to_owned();
        let changed = self
            .post(
                "/api/v1/auth/password",
                Some(&limited),
                json!({"current_password": person.password, "new_password": new_password(&person.account)}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        changed.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Signs in again (after `sign_in_fresh` set the password), e.g. after moving the clock.
    pub async fn sign_in(&self, person: &Seeded) -> String {
        let login = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"account": person.account, "password": new_password(&person.account)}),
            )
            .await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        login.body["access_token"].as_str().unwrap().to_owned()
    }

    /// An institution created through the store.
    pub async fn seed_institution(&self, short_name: &str) -> uuid::Uuid {
        let short = short_name.to_owned();
        let id = self
            .state
            .db
            .write(move |conn| {
                let body = b2mms_shared::api::NewInstitution {
                    name: format!("Institute {short}"),
                    short_name: short.clone(),
                    city: "Tsukuba".into(),
                    country: "JP".into(),
                    ror_id: None,
                    inspire_id: None,
                    paper_name: None,
                    address: None,
                };
                b2mms::ops::institutions::create_by_operator(conn, body, chrono_now())
            })
            .await
            .expect("seeded institution");
        id.id
    }

    /// Imports people from CSV (`POST /api/v1/members/import?apply=true`) as `admin`, which
    /// must succeed.
    pub async fn import_csv(&self, admin: &str, csv: String) {
        let reply = self
            .client
            .post(self.url("/api/v1/members/import?apply=true"))
            .bearer_auth(admin)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("import sent");
        let status = reply.status();
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            reply.text().await.unwrap_or_default()
        );
    }

    /// One round of the background jobs.
    pub async fn run_jobs(&self) -> b2mms::jobs::Report {
        b2mms::jobs::run_once(&self.state).await
    }

    /// Today in the collaboration's calendar, by the application's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        b2mms::domain::calendar::today(self.state.clock.now())
    }

    /// A day `days` from today, as the API writes it.
    pub fn day(&self, days: i64) -> String {
        (self.today() + chrono::Duration::days(days)).to_string()
    }

    /// Moves the application's clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        self.state.clock.advance(by);
    }

    /// An administrator with a full session: `(person, token)`.
    pub async fn admin(&self) -> (Seeded, String) {
        let home = self.seed_institution("Secretariat").await;
        let admin = self.seed_person("boss", &[Role::Admin], home).await;
        let token = self.sign_in_fresh(&admin).await;
        (admin, token)
    }
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

impl TestApp {
    /// Stops the server and waits for its workers, so that nothing of it outlives the test.
    pub async fn shutdown(self) {
        self.server.stop(true).await;
    }

    /// Stops this server but keeps its database, for other processes to carry on with:
    /// the database (removed when the returned guard drops) and its URL.
    pub async fn hand_over_database(mut self) -> (TestDb, String) {
        self.server.stop(true).await;
        let db = self.db.take().expect("the database");
        (db, self.database_url.clone())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the runtime ends with the test anyway.
        drop(self.server.stop(false));
    }
}

/// The password `sign_in_fresh` sets.
pub fn new_password(account: &str) -> String {
    format!("Changed-{}-Pw-77?", account.len())
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A person created for a test.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub id: String,
    pub account: String,
    pub password: String,
}

/// A response, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub async fn from(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem document with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(self.body["code"], code, "{}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        assert_eq!(
            self.body["request_id"].as_str(),
            self.header("x-request-id"),
            "the problem names its request"
        );
    }

    /// The value of a cookie set by this response.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                let (pair, _) = c.split_once(';').unwrap_or((c, ""));
                let (k, v) = pair.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_owned())
            })
    }
}
