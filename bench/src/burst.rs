//! A burst of registrations through the whole workflow: the representative invites, the
//! invitee signs in with the invitation and submits, the representative approves, and the
//! background job provisions. Every request must end `provisioned` with exactly one
//! account-ready mail to the applicant; anything else fails the run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use b2mms::store::DbUrl;
use b2mms::store::schema::{mail_outbox, registrations};
use b2mms_shared::InstitutionId;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::server::Server;

/// What the burst measured.
pub struct Burst {
    /// Registrations taken from invitation to approval per second (the interactive part).
    pub approved_per_second: f64,
    /// Seconds from the first invitation until every request was provisioned.
    pub all_provisioned_after: f64,
}

/// A family name of letters only (names must be Latin), distinct for each `n`.
fn family_name(mut n: usize) -> String {
    let mut name = String::from("Burst");
    loop {
        name.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return name;
        }
    }
}

fn email(n: usize) -> String {
    format!("burst{n}@kek.jp")
}

async fn post(client: &reqwest::Client, url: &str, token: &str, body: Value) -> Result<Value> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    ensure!(status.is_success(), "POST {url}: {status} {text}");
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// One registration from invitation to approval; its request id.
async fn register(
    client: &reqwest::Client,
    base: &str,
    ir_token: &str,
    institution: &InstitutionId,
    n: usize,
) -> Result<String> {
    let url = |path: &str| format!("{base}{path}");
    let invitation = post(
        client,
        &url("/api/v1/invitations"),
        ir_token,
        json!({"email": email(n), "institution_id": institution}),
    )
    .await?;
    let login: Value = client
        .post(url("/api/v1/auth/invitation"))
        .json(&json!({"username": invitation["username"], "password": invitation["password"]}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .context("no registration token")?;
    let id = login["registration_id"]
        .as_str()
        .context("no request id")?
        .to_owned();
    post(
        client,
        &url(&format!("/api/v1/registrations/{id}/submit")),
        token,
        json!({
            "given_name": "Nino",
            "family_name": family_name(n),
            "email": email(n),
            "account_name": format!("burst{n}"),
            "initial_password": "Violet-Harbour-Lamp-73",
            "institution_id": institution,
            "category": "physicist_temporary",
        }),
    )
    .await?;
    post(
        client,
        &url(&format!("/api/v1/registrations/{id}/approve")),
        ir_token,
        json!({}),
    )
    .await?;
    Ok(id)
}

/// Runs `count` registrations on `clients` concurrent clients, then waits (at most
/// `patience`) until every one is provisioned and checks the mail.
pub async fn run(
    server: &Server,
    database_url: &str,
    ir_token: Arc<String>,
    institution: InstitutionId,
    count: usize,
    clients: usize,
    patience: Duration,
) -> Result<Burst> {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (next, token, institution) = (
                Arc::clone(&next),
                Arc::clone(&ir_token),
                institution.clone(),
            );
            let (base, client) = (server.url(""), reqwest::Client::new());
            tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= count {
                        return Ok::<_, anyhow::Error>(ids);
                    }
                    ids.push(register(&client, &base, &token, &institution, n).await?);
                }
            })
        })
        .collect();
    let mut ids = Vec::with_capacity(count);
    for worker in workers {
        ids.extend(worker.await??);
    }
    let approved_per_second = count as f64 / started.elapsed().as_secs_f64();
    ensure!(
        ids.len() == count,
        "{} of {count} registrations went through",
        ids.len()
    );

    let url = database_url.to_owned();
    let (provisioned_at, mails) =
        tokio::task::spawn_blocking(move || wait_until_provisioned(&url, &ids, started, patience))
            .await??;
    for n in 0..count {
        let got = mails.get(&email(n)).copied().unwrap_or(0);
        if got != 1 {
            bail!("{} got {got} account-ready mails, not one", email(n));
        }
    }
    Ok(Burst {
        approved_per_second,
        all_provisioned_after: provisioned_at,
    })
}

/// Polls the database (which holds these requests only) until every request is provisioned and its account-ready mail sent;
/// the seconds since `started`, and the account-ready mails sent per address.
fn wait_until_provisioned(
    url: &str,
    ids: &[String],
    started: Instant,
    patience: Duration,
) -> Result<(f64, std::collections::HashMap<String, usize>)> {
    let mut conn = DbUrl::parse(url)
        .map_err(anyhow::Error::msg)?
        .connect()
        .map_err(anyhow::Error::msg)?;
    let subject = b2mms::mail::templates::account_ready("", "", "").subject;
    loop {
        let states: Vec<String> = registrations::table
            .select(registrations::state)
            .load(&mut conn)?;
        let provisioned = states.iter().filter(|s| *s == "provisioned").count();
        let sent: Vec<String> = mail_outbox::table
            .filter(mail_outbox::subject.eq(&subject))
            .filter(mail_outbox::status.eq("sent"))
            .select(mail_outbox::to_address)
            .load(&mut conn)?;
        if provisioned >= ids.len() && sent.len() >= ids.len() {
            let mut per_address = std::collections::HashMap::new();
            for address in sent {
                *per_address.entry(address).or_insert(0) += 1;
            }
            return Ok((started.elapsed().as_secs_f64(), per_address));
        }
        if started.elapsed() > patience {
            bail!(
                "after {patience:?}: {provisioned} of {} provisioned, {} account-ready mails sent; states: {:?}",
                ids.len(),
                sent.len(),
                states
                    .iter()
                    .filter(|s| *s != "provisioned")
                    .take(5)
                    .collect::<Vec<_>>()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
