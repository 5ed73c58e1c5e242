//! A client of Mailman 3 core's REST API (version 3.1): the domains, lists and members that
//! keeping the mailing lists in sync reads and changes. Every request has a time limit, so a
//! Mailman that hangs fails the sync of one list instead of holding up the jobs.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::config::Config;

/// How long one request to Mailman may take.
/// Members read per page of a roster.
const PAGE: usize = 500;

/// Why talking to Mailman failed, in words for the list's sync status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MailmanError(pub String);

/// Mailman's REST API with its credentials.
#[derive(Clone)]
pub struct Mailman {
    base: String,
    user: String,
    password: String,
    /// The bound on one request (`mailman_timeout`).
    timeout: Duration,
    http: reqwest::Client,
}

impl std::fmt::Debug for Mailman {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailman").field("base", &self.base).finish()
    }
}

/// A list as Mailman has it.
#[derive(Debug, Clone, Deserialize)]
pub struct ListInfo {
    /// `name.domain`, how Mailman names the list in its paths.
    pub list_id: String,
}

/// One subscriber of a list as Mailman has it.
#[derive(Debug, Clone, Deserialize)]
pub struct Subscriber {
    pub email: String,
    pub member_id: String,
}

#[derive(Deserialize)]
struct Roster {
    #[serde(default)]
    entries: Vec<Subscriber>,
    total_size: usize,
}

#[derive(Deserialize)]
struct WelcomeSetting {
    send_welcome_message: bool,
}

impl Mailman {
    /// The configured Mailman, if any.
    pub fn from_config(config: &Config, http: &reqwest::Client) -> Option<Self> {
        Some(Self {
            base: config
                .mailman_url
                .as_deref()?
                .trim_end_matches('/')
                .to_owned(),
            user: config.mailman_user.clone()?,
            password: config.mailman_password.clone()?,
            timeout: config.mailman_timeout(),
            http: http.clone(),
        })
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}/3.1/{path}", self.base))
            .basic_auth(&self.user, Some(&self.password))
            .timeout(self.timeout)
    }

    /// Sends a request; any answer but one of `expected` is an error naming what was asked.
    async fn send(
        &self,
        request: RequestBuilder,
        what: &str,
        expected: &[StatusCode],
    ) -> Result<Response, MailmanError> {
        let response = request.send().await.map_err(|e| {
            MailmanError(if e.is_timeout() {
                format!("Mailman did not answer in time ({what})")
            } else {
                format!("Mailman is unreachable ({what}): {e}")
            })
        })?;
        let status = response.status();
        if expected.contains(&status) {
            Ok(response)
        } else {
            let body = response.text().await.unwrap_or_default();
            let body: String = body.chars().take(200).collect();
            Err(MailmanError(format!(
                "Mailman answered {status} ({what}): {body}"
            )))
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(
        response: Response,
        what: &str,
    ) -> Result<T, MailmanError> {
        response
            .json()
            .await
            .map_err(|e| MailmanError(format!("Mailman's answer is not readable ({what}): {e}")))
    }

    /// The list with this posting address, if Mailman has it.
    pub async fn list(&self, address: &str) -> Result<Option<ListInfo>, MailmanError> {
        let what = format!("reading the list {address}");
        let response = self
            .send(
                self.request(Method::GET, &format!("lists/{address}")),
                &what,
                &[StatusCode::OK, StatusCode::NOT_FOUND],
            )
            .await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Self::json(response, &what).await.map(Some)
    }

    /// Creates the mail domain unless Mailman has it.
    pub async fn ensure_domain(&self, domain: &str) -> Result<(), MailmanError> {
        let what = format!("reading the domain {domain}");
        let found = self
            .send(
                self.request(Method::GET, &format!("domains/{domain}")),
                &what,
                &[StatusCode::OK, StatusCode::NOT_FOUND],
            )
            .await?;
        if found.status() == StatusCode::OK {
            return Ok(());
        }
        self.send(
            self.request(Method::POST, "domains")
                .json(&json!({ "mail_host": domain })),
            &format!("creating the domain {domain}"),
            // 400: another instance created it meanwhile.
            &[StatusCode::CREATED, StatusCode::BAD_REQUEST],
        )
        .await?;
        Ok(())
    }

    /// Creates the list (its domain must exist).
    pub async fn create_list(&self, address: &str) -> Result<ListInfo, MailmanError> {
        self.send(
            self.request(Method::POST, "lists")
                .json(&json!({ "fqdn_listname": address })),
            &format!("creating the list {address}"),
            &[StatusCode::CREATED],
        )
        .await?;
        self.list(address).await?.ok_or_else(|| {
            MailmanError(format!(
                "Mailman does not show the list {address} it created"
            ))
        })
    }

    /// Makes the list send its welcome message to new subscribers, or not.
    pub async fn set_welcome(&self, list_id: &str, send: bool) -> Result<(), MailmanError> {
        let what = format!("reading the welcome setting of {list_id}");
        let now: WelcomeSetting = Self::json(
            self.send(
                self.request(
                    Method::GET,
                    &format!("lists/{list_id}/config/send_welcome_message"),
                ),
                &what,
                &[StatusCode::OK],
            )
            .await?,
            &what,
        )
        .await?;
        if now.send_welcome_message != send {
            self.send(
                self.request(Method::PATCH, &format!("lists/{list_id}/config"))
                    .json(&json!({ "send_welcome_message": send })),
                &format!("changing the welcome setting of {list_id}"),
                &[StatusCode::NO_CONTENT],
            )
            .await?;
        }
        Ok(())
    }

    /// Every subscriber (role `member`) of the list.
    pub async fn subscribers(&self, list_id: &str) -> Result<Vec<Subscriber>, MailmanError> {
        let what = format!("reading the subscribers of {list_id}");
        let mut out = Vec::new();
        for page in 1.. {
            let roster: Roster = Self::json(
                self.send(
                    self.request(
                        Method::GET,
                        &format!("lists/{list_id}/roster/member?count={PAGE}&page={page}"),
                    ),
                    &what,
                    &[StatusCode::OK],
                )
                .await?,
                &what,
            )
            .await?;
            let last = roster.entries.len() < PAGE;
            out.extend(roster.entries);
            if last || out.len() >= roster.total_size {
                break;
            }
        }
        Ok(out)
    }

    /// Subscribes an address, verified, confirmed and approved already; `welcome` whether
    /// they get the list's welcome message.
    pub async fn subscribe(
        &self,
        list_id: &str,
        address: &str,
        welcome: bool,
    ) -> Result<(), MailmanError> {
        self.send(
            self.request(Method::POST, "members").json(&json!({
                "list_id": list_id,
                "subscriber": address,
                "pre_verified": true,
                "pre_confirmed": true,
                "pre_approved": true,
                "send_welcome_message": welcome,
            })),
            &format!("subscribing {address} to {list_id}"),
            // 409: subscribed meanwhile.
            &[StatusCode::CREATED, StatusCode::CONFLICT],
        )
        .await?;
        Ok(())
    }

    /// Unsubscribes a member at once (no confirmation, no notice).
    pub async fn unsubscribe(&self, subscriber: &Subscriber) -> Result<(), MailmanError> {
        self.send(
            self.request(
                Method::DELETE,
                &format!(
                    "members/{}?pre_approved=true&pre_confirmed=true",
                    subscriber.member_id
                ),
            ),
            &format!("unsubscribing {}", subscriber.email),
            // 404: gone meanwhile.
            &[StatusCode::NO_CONTENT, StatusCode::NOT_FOUND],
        )
        .await?;
        Ok(())
    }
}
