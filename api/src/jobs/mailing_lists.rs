//! Keeping the mailing lists in Mailman equal to their audiences: every round syncs each list
//! that is due, one instance per list (a claim renewed while the sync runs). A list whose sync
//! fails records why and is tried again after a growing pause; the others go on.

use crate::error::AppResult;
use crate::jobs::{backoff, lease};
use crate::mailman::Mailman;
use crate::ops::mailing_list_sync::{self, SyncFailure};
use crate::services::Services;
use crate::store::{self, to_db_time};

/// Syncs every list that is due: `(synced, failed)`. Nothing without a configured Mailman.
pub async fn sync_due(state: &Services) -> AppResult<(usize, usize)> {
    let Some(mailman) = Mailman::from_config(&state.config, &state.http) else {
        return Ok((0, 0));
    };
    let now = to_db_time(state.clock.now());
    let due = state
        .db
        .run(move |conn| store::mailing_lists::due(conn, now))
        .await?;
    let (mut synced, mut failed) = (0, 0);
    for id in due {
        let until = lease::lease_end(state);
        let claimed = {
            let id = id.clone();
            state
                .db
                .write(move |conn| store::mailing_lists::claim(conn, &id, now, until))
                .await?
        };
        if !claimed {
            continue;
        }
        let renew = {
            let id = id.clone();
            move |conn: &mut store::DbConnection, until| {
                store::mailing_lists::extend_claim(conn, &id, until)
            }
        };
        let outcome =
            lease::hold(state, mailing_list_sync::sync(state, &mailman, &id), renew).await;
        let at = state.clock.now();
        match outcome {
            Ok(done) => {
                tracing::info!(
                    list = %id,
                    subscribed = done.subscribed,
                    unsubscribed = done.unsubscribed,
                    "mailing list synced with Mailman"
                );
                state
                    .db
                    .write(move |conn| store::mailing_lists::synced(conn, &id, to_db_time(at)))
                    .await?;
                synced += 1;
            }
            Err(SyncFailure::Mailman(e)) => {
                tracing::warn!(list = %id, error = %e, "mailing list not synced; tried again later");
                let error = e.to_string();
                state
                    .db
                    .write(move |conn| {
                        let failures = store::mailing_lists::failures(conn, &id)?;
                        let retry_at = to_db_time(at + backoff(failures));
                        store::mailing_lists::failed(conn, &id, &error, retry_at)
                    })
                    .await?;
                failed += 1;
            }
            Err(SyncFailure::Records(e)) => return Err(e),
        }
    }
    Ok((synced, failed))
}
