//! Claims on background work: a row is taken by one named instance for a short lease that is
//! renewed while the work runs. Another instance takes it over only when the lease has run
//! out (its holder crashed); a restarted instance releases its own claims at once.

use std::future::Future;
use std::time::Duration;

use b2mms_shared::{MailStatus, RegistrationState};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::error::AppResult;
use crate::services::Services;
use crate::store::schema::{mail_outbox, registrations};
use crate::store::{DbConnection, to_db_time};

/// How long a claim holds without renewal.
pub const LEASE: Duration = Duration::from_secs(20);

/// The end of a lease taken now.
pub fn lease_end(state: &Services) -> NaiveDateTime {
    to_db_time(state.clock.now() + chrono::Duration::from_std(LEASE).unwrap_or_default())
}

/// Runs `work` while renewing the claim every third of the lease with `renew`, which is
/// given the new end of the lease.
pub async fn hold<T, W, R>(state: &Services, work: W, renew: R) -> T
where
    W: Future<Output = T>,
    R: Fn(&mut DbConnection, NaiveDateTime) -> AppResult<usize> + Clone + Send + 'static,
{
    tokio::pin!(work);
    let mut ticker = tokio::time::interval(LEASE / 3);
    ticker.tick().await;
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = ticker.tick() => {
                let until = lease_end(state);
                let renew = renew.clone();
                if let Err(e) = state.db.write(move |conn| renew(conn, until)).await {
                    tracing::warn!(error = %e, "could not renew a claim on background work");
                }
            }
        }
    }
}

/// Makes the work this instance had claimed before it stopped due again at once; how many
/// rows. Called at start-up: a crash never leaves work waiting for its lease to run out.
pub async fn release_own_claims(state: &Services) -> AppResult<usize> {
    let me = state.instance.clone();
    let now = to_db_time(state.clock.now());
    state
        .db
        .write(move |conn| {
            let mail = diesel::update(
                mail_outbox::table
                    .filter(mail_outbox::claimed_by.eq(&me))
                    .filter(mail_outbox::status.eq(MailStatus::Pending)),
            )
            .set((
                mail_outbox::claimed_by.eq(None::<String>),
                mail_outbox::next_attempt_at.eq(now),
            ))
            .execute(conn)?;
            let provisioning = diesel::update(
                registrations::table
                    .filter(registrations::claimed_by.eq(&me))
                    .filter(registrations::state.eq(RegistrationState::Approved)),
            )
            .set((
                registrations::claimed_by.eq(None::<String>),
                registrations::provision_next_at.eq(now),
            ))
            .execute(conn)?;
            Ok(mail + provisioning)
        })
        .await
}
