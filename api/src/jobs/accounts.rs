//! Account lifecycle: password-expiry reminders (30, 14, 7 and 1 days before, each once), the
//! end of memberships on their end date, and disabling the accounts of people whose membership
//! ended longer ago than the grace period.

use b2mms_shared::links;
use b2mms_shared::{AccountStatus, MembershipStatus, PersonId};
use chrono::Duration;
use diesel::prelude::*;

use crate::error::AppResult;
use crate::mail::templates;
use crate::services::Services;
use crate::store::audit::{self, Actor, Change};
use crate::store::schema::{accounts, persons};
use crate::store::{self, from_db_time, outbox, to_db_time};

pub const REMINDER_DAYS: [i64; 4] = [30, 14, 7, 1];

/// Sends the password-expiry reminders that are due; how many.
pub async fn remind_expiring_passwords(state: &Services) -> AppResult<usize> {
    let now = state.clock.now();
    let link = links::absolute(&state.config.public_url, links::CHANGE_PASSWORD);
    state
        .db
        .write(move |conn| {
            let mut sent = 0;
            for (person, account, email, expires) in store::credentials::expiring_before(
                conn,
                now,
                now + Duration::days(REMINDER_DAYS[0]),
            )? {
                let left = from_db_time(expires) - now;
                // The nearest threshold not yet passed: 30, 14, 7 or 1 days.
                let Some(days) = REMINDER_DAYS
                    .iter()
                    .rev()
                    .copied()
                    .find(|d| left <= Duration::days(*d))
                else {
                    continue;
                };
                let threshold = i32::try_from(days).unwrap_or(i32::MAX);
                if store::credentials::note_reminder(conn, &person, expires, threshold, now)? {
                    let remaining = left.num_days().max(0) + 1;
                    let mail = templates::password_expires(
                        &account,
                        remaining.min(days),
                        from_db_time(expires),
                        &link,
                    );
                    outbox::enqueue(conn, &email, &mail.subject, &mail.body, now)?;
                    sent += 1;
                }
            }
            Ok(sent)
        })
        .await
}

/// Ends memberships past their end date and disables accounts after the grace period; how
/// many records changed.
pub async fn end_memberships(state: &Services) -> AppResult<usize> {
    let now = state.clock.now();
    let today = now.date_naive();
    let grace = Duration::days(state.config.account_grace_days);
    let due = move |conn: &mut store::DbConnection| -> AppResult<(Vec<PersonId>, Vec<PersonId>)> {
        let ended: Vec<PersonId> = persons::table
            .filter(persons::status.eq(MembershipStatus::Active))
            .filter(persons::membership_end.lt(today))
            .select(persons::id)
            .load(conn)?;
        let past_grace: Vec<PersonId> = persons::table
            .inner_join(accounts::table)
            .filter(persons::status.ne(MembershipStatus::Active))
            .filter(
                persons::grace_from
                    .is_null()
                    .and(persons::membership_end.lt(today - grace))
                    .or(persons::grace_from.lt(today - grace)),
            )
            .filter(accounts::status.eq(AccountStatus::Active))
            .select(persons::id)
            .load(conn)?;
        Ok((ended, past_grace))
    };
    // A read first: most rounds have nothing to do and need no write lock.
    let (ended, past_grace) = state.db.run(due).await?;
    if ended.is_empty() && past_grace.is_empty() {
        return Ok(0);
    }
    state
        .db
        .write(move |conn| {
            let actor = Actor::system(now);
            let mut changed = 0;
            let (ended, _) = due(conn)?;
            for id in ended {
                diesel::update(persons::table.find(&id))
                    .set((
                        persons::status.eq(MembershipStatus::Expired),
                        persons::updated_at.eq(to_db_time(now)),
                    ))
                    .execute(conn)?;
                audit::record::<(), _>(
                    conn,
                    &actor,
                    Change {
                        action: audit::Event::PersonMembershipExpired,
                        subject: audit::Subject::Person(&id),
                        before: None,
                        after: Some(&serde_json::json!({ "status": MembershipStatus::Expired })),
                    },
                )?;
                changed += 1;
            }
            // Expiring memberships above may have added people past their grace period.
            let (_, past_grace) = due(conn)?;
            for id in past_grace {
                diesel::update(accounts::table.find(&id))
                    .set((
                        accounts::status.eq(AccountStatus::Disabled),
                        accounts::updated_at.eq(to_db_time(now)),
                    ))
                    .execute(conn)?;
                store::sessions::revoke_all_of(conn, &id, None, now)?;
                audit::record_plain(
                    conn,
                    &actor,
                    audit::Event::AccountDisabled,
                    audit::Subject::Account(&id),
                )?;
                changed += 1;
            }
            Ok(changed)
        })
        .await
}
