//! Changes of institution: asked for by the member or a representative of the new
//! institution, approved or rejected by a representative of the new institution (the old one
//! is told), and carried out on the effective date — the history keeps both periods.

use b2mms_shared::api::{NewTransfer, Page, RejectTransfer, Transfer};
use b2mms_shared::rules::{RuleViolation, required_text};
use b2mms_shared::{
    Category, InstitutionId, MembershipStatus, PeriodEnd, PersonId, TransferId, TransferState,
    links,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::calendar;
use crate::domain::policy::Subject;
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::services::Services;
use crate::store::audit::{self, Actor, Change};
use crate::store::models::TransferRow;
use crate::store::transfers::{TransferListing, Visible};
use crate::store::{self, DbConnection, from_db_time, outbox, to_db_time};

fn render(listing: TransferListing, caller: Option<&Subject>) -> Transfer {
    let (row, person_name, from, to, requester) = listing;
    let decidable = row.state == TransferState::Pending
        && caller.is_some_and(|c| c.representative_of(&row.to_institution_id).is_ok());
    Transfer {
        id: row.id.uuid(),
        person_id: row.person_id.uuid(),
        person_name,
        from_institution_id: row.from_institution_id.uuid(),
        from_institution_short_name: from,
        to_institution_id: row.to_institution_id.uuid(),
        to_institution_short_name: to,
        effective_date: row.effective_date,
        category: row.category,
        state: row.state,
        requested_by: requester.unwrap_or_default(),
        requested_at: from_db_time(row.requested_at),
        decided_at: row.decided_at.map(from_db_time),
        reason: row.reason,
        decidable,
    }
}

/// A transfer as the caller sees it.
fn shown(conn: &mut DbConnection, id: &TransferId, caller: &Subject) -> AppResult<Transfer> {
    Ok(render(store::transfers::listing(conn, id)?, Some(caller)))
}

fn past(field: &'static str) -> AppError {
    AppError::invalid(
        field,
        RuleViolation::new(
            "effective_date.past",
            "A change of institution takes effect today or later: choose another date.",
        ),
    )
}

/// Asks to move a person to another institution on a date: the person themself, or a
/// representative of the new institution (or an administrator).
pub async fn request(
    state: &Services,
    caller: &Subject,
    person: PersonId,
    body: NewTransfer,
) -> AppResult<Transfer> {
    let now = state.clock.now();
    let today = calendar::today(now);
    let to = InstitutionId::from(body.institution_id);
    let own = person == caller.acting.person_id;
    if !own {
        caller.representative_of(&to).map_err(|_| {
            AppError::forbidden(
                "A change of institution is asked for by the person or by a representative of the new institution.",
            )
        })?;
    }
    let link = links::absolute(&state.config.public_url, links::TRANSFERS);
    let caller = caller.clone();
    let shown = state
        .db
        .write(move |conn| {
            if body.effective_date < today {
                return Err(past("effective_date"));
            }
            let member = store::persons::member(conn, &person)?;
            let target = crate::ops::institutions::active_named(conn, &to)?;
            if InstitutionId::from(member.institution_id) == to {
                return Err(AppError::invalid(
                    "institution_id",
                    RuleViolation::new(
                        "institution_id.home",
                        "The person is at this institution already; choose the new one.",
                    ),
                ));
            }
            if member.status != MembershipStatus::Active {
                return Err(AppError::conflict(
                    "membership_not_active",
                    "This membership is not active: a representative of the new institution reactivates it there instead.",
                ));
            }
            if store::transfers::exists_in_state(
                conn,
                &person,
                TransferState::Pending,
                Some(&to),
                Some(today),
            )? {
                return Err(AppError::conflict(
                    "transfer_pending",
                    "A change to this institution is already waiting for its representative; a pending change whose date has passed does not count.",
                ));
            }
            let row = TransferRow {
                id: store::new_id(),
                person_id: person.clone(),
                from_institution_id: InstitutionId::from(member.institution_id),
                to_institution_id: to.clone(),
                effective_date: body.effective_date,
                category: body.category,
                state: TransferState::Pending,
                requested_by: caller.acting.person_id.clone(),
                requested_at: to_db_time(now),
                decided_by: None,
                decided_at: None,
                reason: None,
                completed_at: None,
            };
            store::transfers::insert(conn, &row)?;
            audit::record::<(), _>(
                conn,
                &Actor::acting(&caller.acting, now),
                Change {
                    action: audit::Event::TransferRequested,
                    subject: audit::Subject::Person(&person),
                    before: None,
                    after: Some(&serde_json::json!({
                        "transfer_id": row.id,
                        "from": member.institution_short_name,
                        "to": target.short_name,
                        "effective_date": row.effective_date,
                        "category": row.category,
                    })),
                },
            )?;
            let name = format!("{} {}", member.given_name, member.family_name);
            let mail = templates::transfer_requested(
                &name,
                &member.institution_short_name,
                &target.short_name,
                row.effective_date,
                &link,
            );
            for address in store::roles::representative_emails(conn, &to)? {
                outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
            }
            shown(conn, &row.id, &caller)
        })
        .await?;
    state.jobs.nudge();
    Ok(shown)
}

/// The transfer a representative decides on: only representatives and administrators get
/// so far as to learn whether it exists.
fn decidable(conn: &mut DbConnection, caller: &Subject, id: &TransferId) -> AppResult<TransferRow> {
    caller.institutions_in_view()?;
    let row = store::transfers::find(conn, id)?;
    caller
        .representative_of(&row.to_institution_id)
        .map_err(|_| {
            AppError::forbidden(
                "A change of institution is decided by a representative of the new institution.",
            )
        })?;
    if row.state != TransferState::Pending {
        return Err(decided());
    }
    Ok(row)
}

fn decided() -> AppError {
    AppError::conflict(
        "transfer_decided",
        "This change of institution has been decided already.",
    )
}

/// Tells the person, whoever asked and the representatives of the old institution.
fn tell_decision(
    conn: &mut DbConnection,
    row: &TransferRow,
    rejected_because: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (_, name, from, to, _) = store::transfers::listing(conn, &row.id)?;
    let mail = templates::transfer_decided(&name, &from, &to, row.effective_date, rejected_because);
    let mut recipients = vec![store::persons::member(conn, &row.person_id)?.email];
    if row.requested_by != row.person_id {
        recipients.push(store::persons::member(conn, &row.requested_by)?.email);
    }
    recipients.extend(store::roles::representative_emails(
        conn,
        &row.from_institution_id,
    )?);
    recipients.sort();
    recipients.dedup();
    for address in recipients {
        outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
    }
    Ok(())
}

/// Approves a pending transfer: a representative of the new institution. Its date must not
/// have passed; one approved transfer per person at a time. Due today, it is carried out at
/// once.
pub async fn approve(state: &Services, caller: &Subject, id: TransferId) -> AppResult<Transfer> {
    let now = state.clock.now();
    let today = calendar::today(now);
    let may_make_permanent = caller.admin().is_ok() || caller.ib_chair().is_ok();
    let caller = caller.clone();
    let shown = state
        .db
        .write(move |conn| {
            let row = decidable(conn, &caller, &id)?;
            if row.effective_date < today {
                return Err(past("effective_date"));
            }
            let member = store::persons::member(conn, &row.person_id)?;
            if member.status != MembershipStatus::Active {
                return Err(AppError::conflict(
                    "membership_not_active",
                    "This membership is not active any more; reject the change, and reactivate the person instead.",
                ));
            }
            if row.category == Some(Category::PhysicistPermanent)
                && member.category != Category::PhysicistPermanent
                && !may_make_permanent
            {
                return Err(AppError::forbidden(
                    "The category physicist_permanent needs the Institutional Board's approval: ask the IB chair.",
                ));
            }
            if store::transfers::exists_in_state(
                conn,
                &row.person_id,
                TransferState::Approved,
                None,
                None,
            )? {
                return Err(store::transfers::another_approved());
            }
            let by = caller.acting.person_id.clone();
            if !store::transfers::decide(conn, &id, TransferState::Approved, &by, to_db_time(now), None)? {
                return Err(decided());
            }
            audit::record::<(), _>(
                conn,
                &Actor::acting(&caller.acting, now),
                Change {
                    action: audit::Event::TransferApproved,
                    subject: audit::Subject::Person(&row.person_id),
                    before: None,
                    after: Some(&serde_json::json!({
                        "transfer_id": row.id,
                        "effective_date": row.effective_date,
                    })),
                },
            )?;
            tell_decision(conn, &row, None, now)?;
            if row.effective_date <= today {
                carry_out(conn, &row, &Actor::acting(&caller.acting, now), now)?;
            }
            shown(conn, &id, &caller)
        })
        .await?;
    state.jobs.nudge();
    Ok(shown)
}

/// Rejects a pending transfer with a reason told to the person and whoever asked.
pub async fn reject(
    state: &Services,
    caller: &Subject,
    id: TransferId,
    body: RejectTransfer,
) -> AppResult<Transfer> {
    let now = state.clock.now();
    let caller = caller.clone();
    let shown = state
        .db
        .write(move |conn| {
            let row = decidable(conn, &caller, &id)?;
            let reason = required_text(&body.reason, 500, "reason")
                .map_err(|v| AppError::invalid("reason", v))?;
            let by = caller.acting.person_id.clone();
            if !store::transfers::decide(
                conn,
                &id,
                TransferState::Rejected,
                &by,
                to_db_time(now),
                Some(&reason),
            )? {
                return Err(decided());
            }
            audit::record::<(), _>(
                conn,
                &Actor::acting(&caller.acting, now),
                Change {
                    action: audit::Event::TransferRejected,
                    subject: audit::Subject::Person(&row.person_id),
                    before: None,
                    after: Some(&serde_json::json!({ "transfer_id": row.id, "reason": reason })),
                },
            )?;
            tell_decision(conn, &row, Some(&reason), now)?;
            shown(conn, &id, &caller)
        })
        .await?;
    state.jobs.nudge();
    Ok(shown)
}

/// Transfers the caller may see: administrators all, representatives those to or from their
/// institutions, everyone their own.
pub fn list(
    conn: &mut DbConnection,
    caller: &Subject,
    state: Option<TransferState>,
    person: Option<&PersonId>,
    page: (i64, i64, i64),
) -> AppResult<Page<Transfer>> {
    let (page, per_page, offset) = page;
    let visible = match caller.institutions_in_view() {
        Ok(None) => Visible::All,
        Ok(Some(institutions)) => Visible::Of {
            institutions,
            person: &caller.acting.person_id,
        },
        Err(_) => Visible::Of {
            institutions: &[],
            person: &caller.acting.person_id,
        },
    };
    let (rows, total) = store::transfers::list(conn, visible, state, person, per_page, offset)?;
    let items = rows
        .into_iter()
        .map(|listing| render(listing, Some(caller)))
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Moves the person: the current period ends on the effective date (by transfer) and one at
/// the new institution begins, keeping the membership's end; a person no longer active, or
/// whose membership ends by then, is not moved and the transfer is cancelled.
fn carry_out(
    conn: &mut DbConnection,
    row: &TransferRow,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let member = store::persons::member(conn, &row.person_id)?;
    let ends_first = member
        .membership_end
        .is_some_and(|end| end <= row.effective_date);
    if member.status != MembershipStatus::Active || ends_first {
        if store::transfers::finish(conn, &row.id, TransferState::Cancelled, to_db_time(now))? {
            audit::record::<(), _>(
                conn,
                actor,
                Change {
                    action: audit::Event::TransferCancelled,
                    subject: audit::Subject::Person(&row.person_id),
                    before: None,
                    after: Some(&serde_json::json!({ "transfer_id": row.id })),
                },
            )?;
        }
        return Ok(());
    }
    if !store::transfers::finish(conn, &row.id, TransferState::Completed, to_db_time(now))? {
        return Ok(());
    }
    let end = member.membership_end.filter(|e| *e > row.effective_date);
    let category = row.category.unwrap_or(member.category);
    store::periods::open_period(
        conn,
        &row.person_id,
        &row.to_institution_id,
        category,
        row.effective_date,
        end,
        Some(PeriodEnd::Transfer),
        to_db_time(now),
    )?;
    audit::record(
        conn,
        actor,
        Change {
            action: audit::Event::TransferCompleted,
            subject: audit::Subject::Person(&row.person_id),
            before: Some(&serde_json::json!({
                "institution_id": member.institution_id,
                "category": member.category,
            })),
            after: Some(&serde_json::json!({
                "transfer_id": row.id,
                "institution_id": row.to_institution_id,
                "category": category,
            })),
        },
    )
}

/// Carries out the approved transfers whose date has come; how many.
pub fn carry_out_due(
    conn: &mut DbConnection,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let due = store::transfers::due(conn, today)?;
    let actor = Actor::system(now);
    for row in &due {
        carry_out(conn, row, &actor, now)?;
    }
    Ok(due.len())
}
