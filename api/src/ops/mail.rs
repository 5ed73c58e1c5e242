//! The mail outbox as administrators handle it: what has not been delivered yet and why, and
//! trying a message again at once.

use b2mms_shared::api::QueuedMail;
use uuid::Uuid;

use crate::domain::policy::Admin;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::{self, audit};

/// A page of undelivered messages, oldest first, without their texts; and how many there are.
pub async fn undelivered(
    state: &Services,
    _admin: &Admin,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<QueuedMail>, i64)> {
    state
        .db
        .run(move |conn| store::outbox::undelivered(conn, offset, limit))
        .await
}

/// Makes an undelivered message due now and wakes the mail job.
pub async fn retry(state: &Services, admin: &Admin, id: Uuid) -> AppResult<()> {
    let id = id.to_string();
    let now = state.clock.now();
    let actor = audit::Actor::acting(admin.acting(), now);
    state
        .db
        .write(move |conn| {
            if !store::outbox::due_now(conn, &id, now)? {
                return Err(AppError::NotFound {
                    what: "undelivered message",
                });
            }
            audit::record_plain(
                conn,
                &actor,
                audit::Event::MailRetried,
                audit::Subject::Mail(&id),
            )
        })
        .await?;
    state.jobs.nudge();
    Ok(())
}
