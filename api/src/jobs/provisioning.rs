//! The provisioning job: claims approved requests that are due, pushes each account to the
//! external registry when one is configured (the request stays `approved` until the registry
//! confirms), then provisions it through `ops::provisioning`; passing failures are retried
//! with backoff, permanent ones go to the admins.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::lease;
use crate::error::{AppError, AppResult};
use crate::ops;
use crate::services::Services;
use crate::store;
use crate::store::models::RegistrationRow;

/// What the external registry receives.
#[derive(Debug, Serialize)]
struct RegistryAccount<'a> {
    registration_id: &'a str,
    account_name: &'a str,
    given_name: &'a str,
    middle_name: Option<&'a str>,
    family_name: &'a str,
    contact_email: &'a str,
    /// The initial password as an argon2id PHC string; b2mms never holds it in clear.
    password_hash: &'a str,
}

/// Provisions what is due; `(provisioned, failed attempts)`.
pub async fn run(state: &Services) -> AppResult<(usize, usize)> {
    let now = state.clock.now();
    let due = state
        .db
        .run(move |conn| store::provisioning::due_for_provisioning(conn, now, 20))
        .await?;
    let (mut done, mut failed) = (0, 0);
    for row in due {
        let (id, old) = (row.id.clone(), row.provision_next_at);
        let (me, until) = (state.instance.clone(), lease::lease_end(state));
        let claimed = state
            .db
            .write(move |conn| store::provisioning::claim_provisioning(conn, &id, old, &me, until))
            .await?;
        if !claimed {
            continue;
        }
        let (id, me) = (row.id.clone(), state.instance.clone());
        let outcome = lease::hold(
            state,
            provision_claimed(state, &row, now),
            move |conn, until| store::provisioning::renew_provisioning_claim(conn, &id, &me, until),
        )
        .await;
        match outcome {
            Ok(true) => done += 1,
            Ok(false) => {}
            Err(Failure::Permanent(error)) => {
                tracing::error!(registration = %row.id, error, "provisioning failed for a reason retrying cannot fix; an admin must resolve it");
                let (public_url, now) = (state.config.public_url.clone(), state.clock.now());
                let id = row.id.clone();
                state
                    .db
                    .write(move |conn| {
                        ops::provisioning::give_up(conn, &public_url, &id, &error, now)
                    })
                    .await?;
                failed += 1;
            }
            Err(Failure::Retry(error)) => {
                tracing::warn!(registration = %row.id, attempt = row.provision_attempts + 1, error, "provisioning did not complete; will retry");
                let next = state.clock.now() + super::backoff(row.provision_attempts);
                let id = row.id.clone();
                state
                    .db
                    .write(move |conn| {
                        store::provisioning::provisioning_failed(conn, &id, &error, next)
                    })
                    .await?;
                failed += 1;
            }
        }
    }
    Ok((done, failed))
}

/// Why provisioning did not complete; the text is for the log and the request's record.
enum Failure {
    /// Passing: the registry or the database is away. Tried again with backoff.
    Retry(String),
    /// The records do not allow it (the person or account exists meanwhile, the form is
    /// incomplete): no retry can fix it, an admin must.
    Permanent(String),
}

/// Pushes a claimed request to the registry (if any) and creates its records.
async fn provision_claimed(
    state: &Services,
    row: &RegistrationRow,
    now: DateTime<Utc>,
) -> Result<bool, Failure> {
    push_to_registry(state, row)
        .await
        .map_err(|e| Failure::Retry(format!("registry did not confirm: {e}")))?;
    let id = row.id.clone();
    let config = state.config.clone();
    state
        .db
        .write(move |conn| ops::provisioning::provision(conn, &config, &id, now))
        .await
        .map_err(|e| match e {
            AppError::Unavailable(_) => Failure::Retry(e.to_string()),
            AppError::Conflict { detail, .. } => Failure::Permanent(detail),
            other => Failure::Permanent(other.to_string()),
        })
}

/// Pushes the account to the external registry, if one is configured.
async fn push_to_registry(state: &Services, row: &RegistrationRow) -> Result<(), String> {
    let Some(base) = &state.config.registry_url else {
        return Ok(());
    };
    let missing = || "the request lacks its form".to_owned();
    let body = RegistryAccount {
        registration_id: row.id.as_str(),
        account_name: row.account_name.as_deref().ok_or_else(missing)?,
        given_name: row.given_name.as_deref().ok_or_else(missing)?,
        middle_name: row.middle_name.as_deref(),
        family_name: row.family_name.as_deref().ok_or_else(missing)?,
        contact_email: row.email.as_deref().ok_or_else(missing)?,
        password_hash: row.password_hash.as_deref().ok_or_else(missing)?,
    };
    let mut request = state
        .http
        .post(format!("{}/accounts", base.trim_end_matches('/')))
        .timeout(std::time::Duration::from_secs(30))
        .json(&body);
    if let Some(token) = &state.config.registry_token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("registry unreachable: {e}"))?;
    let status = response.status();
    // 409: the registry already has this account from an earlier attempt; that confirms too.
    if status.is_success() || status == reqwest::StatusCode::CONFLICT {
        Ok(())
    } else {
        Err(format!("registry answered {status}"))
    }
}
