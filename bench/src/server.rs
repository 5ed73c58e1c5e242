//! The b2mms release (or given) binary as a process under test: started on a free port
//! against the generated database, timed until it answers, and its resident memory read from
//! `/proc`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A running b2mms process.
pub struct Server {
    child: Child,
    pub base: String,
    /// From the start of the process until `/api/v1/health` answered 200.
    pub ready_after: Duration,
}

/// A free local port.
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    pub async fn start(binary: &str, database_url: &str) -> Result<Self> {
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let child = Command::new(binary)
            .arg("serve")
            .env("B2MMS_DATABASE_URL", database_url)
            .env("B2MMS_BIND", format!("127.0.0.1:{port}"))
            .env("B2MMS_PUBLIC_URL", &base)
            .env("B2MMS_MAIL_URL", "log")
            .env("B2MMS_LOG", "warn")
            // Provisioning in the registration burst is done by the background jobs.
            .env("B2MMS_JOBS_INTERVAL", "1")
            // The load comes from one address; the per-address sign-in quota would measure
            // itself instead of the server.
            .env("B2MMS_AUTH_RATE_PER_MINUTE", "100000000")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {binary}"))?;
        let mut server = Self {
            child,
            base,
            ready_after: Duration::ZERO,
        };
        let client = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(status) = server.child.try_wait()? {
                bail!("{binary} exited with {status} before it was ready");
            }
            let health = client.get(server.url("/api/v1/health")).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                server.ready_after = started.elapsed();
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        bail!("{binary} did not become ready within a minute")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in MiB.
    pub fn rss_mib(&self) -> Result<f64> {
        rss_mib(self.child.id())
    }

    /// Signs in and answers with the access token.
    pub async fn sign_in(&self, account: &str, password: &str) -> Result<String> {
        let reply: serde_json::Value = reqwest::Client::new()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "account": account, "password": password }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        reply["access_token"]
            .as_str()
            .map(str::to_owned)
            .context("no access token in the sign-in answer")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process in MiB (`VmRSS`).
pub fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .context("no VmRSS")?
        .parse()?;
    Ok(kib / 1024.0)
}
