//! The daily course of memberships, in this order: reminders of a membership's end (30 and 7
//! days before and on the day, each once, to the member and their representatives),
//! memberships ended on their end date (`expired`, or `left` for a departure), accounts
//! disabled once the grace period has passed, and changes of institution carried out on their
//! effective date (`carry_out_transfers`).

use b2mms_shared::{AccountStatus, MembershipStatus, PeriodEnd, PersonId, links};
use chrono::Duration;
use diesel::prelude::*;

use crate::domain::calendar;
use crate::error::AppResult;
use crate::mail::templates;
use crate::ops::membership::account_closes;
use crate::services::Services;
use crate::store::audit::{self, Actor, Change};
use crate::store::schema::{accounts, persons};
use crate::store::{self, outbox, to_db_time};

/// Days before the end of a membership on which its member and representatives are told.
pub const REMINDER_DAYS: [i64; 3] = [30, 7, 0];

/// Sends the reminders of memberships' ends that are due; how many mails.
pub async fn remind_ends(state: &Services) -> AppResult<usize> {
    let now = state.clock.now();
    let today = calendar::today(now);
    let grace = state.config.account_grace_days;
    let public_url = state.config.public_url.clone();
    let horizon = today + Duration::days(REMINDER_DAYS[0]);
    let due = state
        .db
        .run(move |conn| store::periods::ending_between(conn, today, horizon))
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    state
        .db
        .write(move |conn| {
            let mut sent = 0;
            // Each institution's representatives are read once per round.
            let mut representatives: std::collections::HashMap<_, Vec<String>> =
                std::collections::HashMap::new();
            for (person, institution) in store::periods::ending_between(conn, today, horizon)? {
                let Some(end) = person.membership_end else {
                    continue;
                };
                let left = (end - today).num_days();
                // The nearest threshold not yet passed: 30, 7 or 0 days.
                let Some(days) = REMINDER_DAYS.iter().rev().copied().find(|d| left <= *d) else {
                    continue;
                };
                let threshold = i32::try_from(days).unwrap_or(i32::MAX);
                if !store::periods::note_reminder(
                    conn,
                    &person.id,
                    end,
                    threshold,
                    to_db_time(now),
                )? {
                    continue;
                }
                let name = format!("{} {}", person.given_name, person.family_name);
                let link = links::absolute(&public_url, &links::member(&person.id));
                let mail = templates::membership_ends(
                    &name,
                    &institution,
                    left,
                    end,
                    account_closes(end, today, grace),
                    &link,
                );
                let mut to = vec![person.email.clone()];
                if !representatives.contains_key(&person.institution_id) {
                    let found = store::roles::representative_emails(conn, &person.institution_id)?;
                    representatives.insert(person.institution_id.clone(), found);
                }
                to.extend(representatives[&person.institution_id].iter().cloned());
                to.sort();
                to.dedup();
                for address in to {
                    outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
                    sent += 1;
                }
            }
            Ok(sent)
        })
        .await
}

/// Ends memberships that reached their end date and disables accounts after the grace
/// period; how many records changed.
pub async fn end_due(state: &Services) -> AppResult<usize> {
    let now = state.clock.now();
    let today = calendar::today(now);
    let grace = Duration::days(state.config.account_grace_days);
    let past_grace = move |conn: &mut store::DbConnection| -> AppResult<Vec<PersonId>> {
        Ok(persons::table
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
            .load(conn)?)
    };
    // A read first: most rounds have nothing to do and need no write lock.
    let (ended, closing) = state
        .db
        .run(move |conn| Ok((store::periods::ended_by(conn, today)?, past_grace(conn)?)))
        .await?;
    if ended.is_empty() && closing.is_empty() {
        return Ok(0);
    }
    state
        .db
        .write(move |conn| {
            let actor = Actor::system(now);
            let mut changed = 0;
            for (id, reason) in store::periods::ended_by(conn, today)? {
                let (status, action) = match reason {
                    Some(PeriodEnd::Left) => (MembershipStatus::Left, audit::Event::PersonLeft),
                    _ => (
                        MembershipStatus::Expired,
                        audit::Event::PersonMembershipExpired,
                    ),
                };
                diesel::update(persons::table.find(&id))
                    .set((
                        persons::status.eq(status),
                        persons::updated_at.eq(to_db_time(now)),
                    ))
                    .execute(conn)?;
                audit::record::<(), _>(
                    conn,
                    &actor,
                    Change {
                        action,
                        subject: audit::Subject::Person(&id),
                        before: None,
                        after: Some(&serde_json::json!({ "status": status })),
                    },
                )?;
                crate::ops::groups::membership_ended(conn, &id, &actor, now)?;
                changed += 1;
            }
            // Memberships ended above may have added people past their grace period.
            for id in past_grace(conn)? {
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

/// Carries out the approved changes of institution whose date has come; how many.
pub async fn carry_out_transfers(state: &Services) -> AppResult<usize> {
    let now = state.clock.now();
    let today = calendar::today(now);
    // A read first: most rounds have nothing to do and need no write lock.
    let due = state
        .db
        .run(move |conn| store::transfers::due(conn, today))
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    state
        .db
        .write(move |conn| crate::ops::transfers::carry_out_due(conn, today, now))
        .await
}
