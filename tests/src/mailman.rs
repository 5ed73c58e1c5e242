//! A real Mailman 3 core (installed from PyPI by `scripts/test`, its command in
//! `B2MMS_MAILMAN`) that a test starts in a temporary directory on free ports, stops and starts
//! again, and asks through its own REST API what the lists hold.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The REST API's credentials in the tests.
pub const USER: &str = "restadmin";
pub const PASSWORD: &str = "restpass-for-tests";

/// A running Mailman core; stopped when dropped.
pub struct MailmanCore {
    pub port: u16,
    command: PathBuf,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl MailmanCore {
    /// Writes a configuration (its `var` directory, REST API and LMTP on free ports, no MTA
    /// to update) and starts the core.
    pub async fn start() -> Self {
        let command = PathBuf::from(std::env::var("B2MMS_MAILMAN").expect(
            "B2MMS_MAILMAN names Mailman's command (scripts/test installs Mailman from PyPI)",
        ));
        let dir = tempfile::Builder::new()
            .prefix("b2mms-mailman-")
            .tempdir()
            .expect("temporary directory");
        let port = crate::free_port();
        let config = format!(
            "[paths.here]\nvar_dir: {var}\n\n\
             [mailman]\nlayout: here\nsite_owner: postmaster@example.org\n\n\
             [webservice]\nhostname: 127.0.0.1\nport: {port}\nadmin_user: {USER}\nadmin_pass: {PASSWORD}\nworkers: 1\n\n\
             [mta]\nincoming: mailman.mta.null.NullMTA\nlmtp_host: 127.0.0.1\nlmtp_port: {lmtp}\n\
             smtp_host: 127.0.0.1\nsmtp_port: {smtp}\n",
            var = dir.path().join("var").display(),
            lmtp = crate::free_port(),
            smtp = crate::free_port(),
        );
        std::fs::write(dir.path().join("mailman.cfg"), config).expect("Mailman's configuration");
        let core = Self {
            port,
            command,
            dir,
            http: reqwest::Client::new(),
        };
        core.start_server().await;
        core
    }

    /// The REST API's base URL, as b2mms is configured with it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn mailman(&self, action: &str) -> std::process::ExitStatus {
        let mut command = Command::new(&self.command);
        command.arg("-C").arg(self.dir.path().join("mailman.cfg"));
        if crate::is_root() {
            command.arg("--run-as-root");
        }
        let log =
            std::fs::File::create(self.dir.path().join(format!("{action}.log"))).expect("log file");
        command
            .arg(action)
            .current_dir(self.dir.path())
            // Gunicorn's control socket goes under HOME: one per core.
            .env("HOME", self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .status()
            .unwrap_or_else(|e| panic!("mailman {action}: {e}"))
    }

    /// Starts the core and waits until its REST API answers.
    pub async fn start_server(&self) {
        if !self.mailman("start").success() {
            let log =
                std::fs::read_to_string(self.dir.path().join("start.log")).unwrap_or_default();
            panic!("mailman start failed: {log}");
        }
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(r) = self.get("system/versions").await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        panic!("Mailman's REST API did not answer within 90 s");
    }

    /// Stops the core and waits until its master process has ended (and with it the REST
    /// API and the lock that a new start checks).
    pub async fn stop_server(&self) {
        let master = std::fs::read_to_string(self.dir.path().join("var/master.pid"))
            .ok()
            .and_then(|pid| pid.trim().parse::<u32>().ok());
        self.mailman("stop");
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let running =
                master.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
            if !running && self.get("system/versions").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        panic!("Mailman did not stop within 60 s");
    }

    async fn get(&self, path: &str) -> reqwest::Result<reqwest::Response> {
        self.http
            .get(format!("{}/3.1/{path}", self.url()))
            .basic_auth(USER, Some(PASSWORD))
            .timeout(Duration::from_secs(10))
            .send()
            .await
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}/3.1/{path}", self.url()))
            .basic_auth(USER, Some(PASSWORD))
            .json(&body)
            .send()
            .await
            .expect("Mailman answers")
    }

    /// The addresses subscribed to the list, sorted; `None` when Mailman has no such list.
    pub async fn subscribers(&self, address: &str) -> Option<Vec<String>> {
        let list = self
            .get(&format!("lists/{address}"))
            .await
            .expect("Mailman answers");
        if list.status() == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        let list: Value = list.json().await.unwrap();
        let roster: Value = self
            .get(&format!(
                "lists/{}/roster/member?count=1000&page=1",
                list["list_id"].as_str().unwrap()
            ))
            .await
            .expect("Mailman answers")
            .json()
            .await
            .unwrap();
        let mut found: Vec<String> = roster["entries"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| e["email"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        Some(found)
    }

    /// Whether the list sends its welcome message to new subscribers.
    pub async fn welcomes(&self, address: &str) -> bool {
        let list_id = address.replace('@', ".");
        let setting: Value = self
            .get(&format!("lists/{list_id}/config/send_welcome_message"))
            .await
            .expect("Mailman answers")
            .json()
            .await
            .unwrap();
        setting["send_welcome_message"].as_bool().unwrap()
    }

    /// Creates a list by hand in Mailman, with one subscriber: a list b2mms does not manage.
    pub async fn create_own_list(&self, address: &str, subscriber: &str) {
        let domain = address.rsplit_once('@').unwrap().1;
        self.post("domains", json!({"mail_host": domain})).await;
        let made = self.post("lists", json!({"fqdn_listname": address})).await;
        assert_eq!(
            made.status(),
            reqwest::StatusCode::CREATED,
            "{}",
            made.text().await.unwrap()
        );
        self.subscribe_by_hand(address, subscriber).await;
    }

    /// Subscribes an address by hand, as a list owner might.
    pub async fn subscribe_by_hand(&self, list: &str, subscriber: &str) {
        let subscribed = self
            .post(
                "members",
                json!({
                    "list_id": list.replace('@', "."),
                    "subscriber": subscriber,
                    "pre_verified": true, "pre_confirmed": true, "pre_approved": true,
                }),
            )
            .await;
        assert_eq!(subscribed.status(), reqwest::StatusCode::CREATED);
    }
}

impl Drop for MailmanCore {
    fn drop(&mut self) {
        self.mailman("stop");
    }
}
