//! A membership after registration: its periods and affiliations as history, leaving,
//! reactivation without a new registration, and additional institutions ("also at").

use b2mms_shared::api::{
    Affiliation, Leaving, Member, MembershipRules, NewAffiliation, Reactivation,
};
use b2mms_shared::rules::{RuleViolation, required_text};
use b2mms_shared::{
    AffiliationId, AffiliationKind, InstitutionId, MembershipStatus, PeriodEnd, PersonId, Role,
    Scope, links,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::calendar;
use crate::domain::policy::{RecordReader, Subject};
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::ops;
use crate::ops::members::Reader;
use crate::services::Services;
use crate::store::audit::{self, Actor, Change};
use crate::store::models::AffiliationRow;
use crate::store::{self, DbConnection, outbox, to_db_time};

/// The collaboration's settings that clients state before an action.
pub fn rules(config: &crate::config::Config) -> MembershipRules {
    MembershipRules {
        account_grace_days: config.account_grace_days,
        password_max_age_days: config.password_max_age_days,
        reminder_days: crate::jobs::memberships::REMINDER_DAYS.to_vec(),
    }
}

/// The day an account closes when a membership ends on `end`.
pub fn account_closes(end: NaiveDate, today: NaiveDate, grace_days: i64) -> NaiveDate {
    MembershipRules {
        account_grace_days: grace_days,
        password_max_age_days: 0,
        reminder_days: Vec::new(),
    }
    .account_closes(end, today)
}

/// Every affiliation of a person, for those who may read the record.
pub fn affiliations(
    conn: &mut DbConnection,
    reader: Reader<'_>,
    id: &PersonId,
) -> AppResult<Vec<Affiliation>> {
    match reader {
        Reader::Service(token) => {
            token.require(Scope::MembersRead)?;
        }
        Reader::Person(subject) => {
            let home = home_of(conn, subject, id)?;
            let _proof: RecordReader = subject.reader_of(id, &home)?;
        }
    }
    Ok(store::periods::of_person(conn, id)?
        .into_iter()
        .map(|(row, name, short_name)| Affiliation {
            id: row.id.uuid(),
            kind: row.kind,
            institution_id: row.institution_id.uuid(),
            institution_name: name,
            institution_short_name: short_name,
            category: row.category,
            start_date: row.start_date,
            end_date: row.end_date,
            end_reason: row.end_reason,
        })
        .collect())
}

/// The home institution of a person the caller asks about; an unknown person looks like one
/// the caller may not see, unless the caller may see everyone.
fn home_of(conn: &mut DbConnection, subject: &Subject, id: &PersonId) -> AppResult<InstitutionId> {
    match store::persons::home_institution(conn, id)? {
        Some(home) => Ok(home),
        None if *id == subject.acting.person_id || subject.admin().is_ok() => {
            Err(AppError::NotFound { what: "person" })
        }
        None => Err(AppError::forbidden(
            "Only the person, the representatives of their institution and administrators see this record.",
        )),
    }
}

fn not_active() -> AppError {
    AppError::conflict(
        "membership_not_active",
        "This membership is not active; reactivate it instead.",
    )
}

/// The person leaves on `date`: their representatives, administrators, or the person
/// announcing it themself. From that date the record is `left`, and the account closes after
/// the grace period; a date today or earlier takes effect at once.
pub async fn leave(
    state: &Services,
    caller: &Subject,
    id: PersonId,
    body: Leaving,
) -> AppResult<Member> {
    let now = state.clock.now();
    let today = calendar::today(now);
    let grace = state.config.account_grace_days;
    let caller = caller.clone();
    state
        .db
        .write(move |conn| {
            let before = store::persons::member(conn, &id)
                .map_err(|e| hide_unknown(e, &caller, &id))?;
            let home = InstitutionId::from(before.institution_id);
            let own = id == caller.acting.person_id;
            if !own {
                caller.representative_of(&home).map_err(|_| {
                    AppError::forbidden(
                        "Only the person, the representatives of their institution and administrators record a departure.",
                    )
                })?;
            }
            let reason = body
                .reason
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| required_text(r, 500, "reason"))
                .transpose()
                .map_err(|v| AppError::invalid("reason", v))?;
            if body.date < today && caller.admin().is_err() {
                return Err(AppError::invalid(
                    "date",
                    RuleViolation::new(
                        "date.backdated",
                        "Choose today or a later date: only the secretariat records a departure in the past.",
                    ),
                ));
            }
            if before.status != MembershipStatus::Active {
                return Err(not_active());
            }
            if before.membership_start.is_some_and(|start| body.date < start) {
                return Err(AppError::invalid(
                    "date",
                    RuleViolation::new(
                        "date.before_start",
                        "A departure comes after the membership started: choose a day on or after its start.",
                    ),
                ));
            }
            if before.roles.contains(&Role::Admin)
                && store::roles::other_active_admins(conn, &id)? == 0
            {
                return Err(AppError::conflict(
                    "last_admin",
                    "This is the last active administrator: appoint another administrator first.",
                ));
            }
            let now_left = body.date <= today;
            let status = if now_left {
                MembershipStatus::Left
            } else {
                MembershipStatus::Active
            };
            store::persons::set_membership(
                conn,
                &id,
                before.category,
                status,
                Some(body.date),
                today,
                now,
            )?;
            store::periods::set_current_end(
                conn,
                &id,
                Some(body.date),
                Some(PeriodEnd::Left),
                reason.as_deref(),
            )?;
            if now_left {
                ops::groups::membership_ended(conn, &id, &Actor::acting(&caller.acting, now), now)?;
            }
            let after = store::persons::member(conn, &id)?;
            audit::record(
                conn,
                &Actor::acting(&caller.acting, now),
                Change {
                    action: if now_left {
                        audit::Event::PersonLeft
                    } else {
                        audit::Event::PersonLeaving
                    },
                    subject: audit::Subject::Person(&id),
                    before: Some(&serde_json::json!({
                        "status": before.status,
                        "membership_end": before.membership_end,
                    })),
                    after: Some(&serde_json::json!({
                        "status": after.status,
                        "membership_end": after.membership_end,
                        "reason": reason,
                    })),
                },
            )?;
            let mail = templates::leaving(
                after.account_name.as_deref().unwrap_or("-"),
                body.date,
                account_closes(body.date, today, grace),
            );
            outbox::enqueue(conn, &after.email, &mail.subject, &mail.body, now)?;
            Ok(after)
        })
        .await
        .inspect(|_| state.jobs.nudge())
}

/// An unknown person looks like a record the caller may not change, unless they may see all.
fn hide_unknown(e: AppError, caller: &Subject, id: &PersonId) -> AppError {
    match e {
        AppError::NotFound { .. } if *id != caller.acting.person_id && caller.admin().is_err() => {
            AppError::forbidden(
                "Only the representatives of the person's institution and administrators may do this.",
            )
        }
        other => other,
    }
}

/// An expired or departed person becomes a member again at `institution_id` (which need not
/// be the old one), by a representative of that institution or an administrator: a new
/// membership period from today, the same account, open again — with a new password at the
/// next sign-in if the current one is older than the collaboration allows.
pub async fn reactivate(
    state: &Services,
    caller: &Subject,
    id: PersonId,
    body: Reactivation,
) -> AppResult<Member> {
    let now = state.clock.now();
    let today = calendar::today(now);
    let institution = InstitutionId::from(body.institution_id);
    let proof = caller.representative_of(&institution).map_err(|_| {
        AppError::forbidden(
            "Only the representatives of the new home institution and administrators reactivate a membership.",
        )
    })?;
    let max_age = Duration::days(state.config.password_max_age_days);
    let login = links::absolute(&state.config.public_url, links::SIGN_IN);
    let may_make_permanent = proof.as_admin() || caller.ib_chair().is_ok();
    let main_group = state.config.main_group.clone();
    state
        .db
        .write(move |conn| {
            let target = ops::institutions::active_named(conn, &institution)?;
            if let Some(end) = body.membership_end
                && end <= today
            {
                return Err(AppError::invalid(
                    "membership_end",
                    RuleViolation::new(
                        "membership_end.past",
                        "A new membership ends after today: choose a later date, or none.",
                    ),
                ));
            }
            if body.category == b2mms_shared::Category::PhysicistPermanent && !may_make_permanent {
                return Err(AppError::forbidden(
                    "The category physicist_permanent needs the Institutional Board's approval: ask the IB chair.",
                ));
            }
            let before = store::persons::member(conn, &id)?;
            if before.status == MembershipStatus::Active {
                return Err(AppError::conflict(
                    "already_active",
                    "This membership is active; change its end date or category instead.",
                ));
            }
            store::periods::open_period(
                conn,
                &id,
                &institution,
                body.category,
                today,
                body.membership_end,
                None,
                to_db_time(now),
            )?;
            ops::people::join_main_group(conn, &main_group, &id, now)?;
            let password_change = match store::accounts::account_of(conn, &id) {
                Ok(account) => {
                    let stale = crate::store::from_db_time(account.password_set_at) + max_age <= now;
                    store::accounts::reopen(conn, &id, stale, now)?;
                    stale
                }
                Err(AppError::NotFound { .. }) => false,
                Err(other) => return Err(other),
            };
            let after = store::persons::member(conn, &id)?;
            audit::record(
                conn,
                &Actor::acting(proof.acting(), now),
                Change {
                    action: audit::Event::PersonReactivated,
                    subject: audit::Subject::Person(&id),
                    before: Some(&serde_json::json!({
                        "status": before.status,
                        "institution_id": before.institution_id,
                        "category": before.category,
                        "account_status": before.account_status,
                    })),
                    after: Some(&serde_json::json!({
                        "status": after.status,
                        "institution_id": after.institution_id,
                        "category": after.category,
                        "account_status": after.account_status,
                        "membership_end": after.membership_end,
                    })),
                },
            )?;
            if let Some(account) = &after.account_name {
                let mail =
                    templates::reactivated(account, &target.short_name, password_change, &login);
                outbox::enqueue(conn, &after.email, &mail.subject, &mail.body, now)?;
            }
            Ok(after)
        })
        .await
        .inspect(|_| state.jobs.nudge())
}

/// An additional institution the person is also at, added by a representative of that
/// institution or an administrator.
pub fn add_affiliation(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &PersonId,
    body: NewAffiliation,
    now: DateTime<Utc>,
) -> AppResult<Affiliation> {
    let institution = InstitutionId::from(body.institution_id);
    let proof = caller.representative_of(&institution).map_err(|_| {
        AppError::forbidden(
            "Only the representatives of that institution and administrators add a person to it.",
        )
    })?;
    let today = calendar::today(now);
    let start = body.start_date.unwrap_or(today);
    if let Some(end) = body.end_date
        && end <= start
    {
        return Err(AppError::invalid(
            "end_date",
            RuleViolation::new(
                "end_date.before_start",
                "The end comes after the start: choose a later end date.",
            ),
        ));
    }
    let target = ops::institutions::active_named(conn, &institution)?;
    let home =
        store::persons::home_institution(conn, id)?.ok_or(AppError::NotFound { what: "person" })?;
    if home == institution {
        return Err(AppError::invalid(
            "institution_id",
            RuleViolation::new(
                "institution_id.home",
                "This is the person's home institution; an additional affiliation names another one.",
            ),
        ));
    }
    if store::periods::secondary_overlaps(conn, id, &institution, start, body.end_date)? {
        return Err(AppError::conflict(
            "affiliation_overlap",
            "The person is already affiliated with this institution in this period; change that affiliation's end instead.",
        ));
    }
    let row = AffiliationRow {
        id: store::new_id(),
        person_id: id.clone(),
        institution_id: institution,
        start_date: start,
        end_date: body.end_date,
        kind: AffiliationKind::Secondary,
        category: None,
        end_reason: None,
        end_note: None,
    };
    store::periods::insert_secondary(conn, &row)?;
    let added = Affiliation {
        id: row.id.uuid(),
        kind: row.kind,
        institution_id: row.institution_id.uuid(),
        institution_name: target.name,
        institution_short_name: target.short_name,
        category: None,
        start_date: row.start_date,
        end_date: row.end_date,
        end_reason: None,
    };
    audit::record::<(), _>(
        conn,
        &Actor::acting(proof.acting(), now),
        Change {
            action: audit::Event::PersonAffiliationAdded,
            subject: audit::Subject::Person(id),
            before: None,
            after: Some(&added),
        },
    )?;
    Ok(added)
}

/// Ends an additional affiliation on `date` (today when none): a representative of that
/// institution or of the person's home, or an administrator.
pub fn end_affiliation(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &PersonId,
    affiliation: &AffiliationId,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let home = home_of(conn, caller, id)?;
    let row = store::periods::affiliation(conn, id, affiliation);
    let row = match row {
        Ok(row) => row,
        Err(e) => {
            caller.representative_of(&home).map_err(|_| {
                AppError::forbidden(
                    "Only representatives of the institution or of the person's home, and administrators, end an affiliation.",
                )
            })?;
            return Err(e);
        }
    };
    let proof = caller
        .representative_of(&row.institution_id)
        .or_else(|_| caller.representative_of(&home))
        .map_err(|_| {
            AppError::forbidden(
                "Only representatives of the institution or of the person's home, and administrators, end an affiliation.",
            )
        })?;
    if row.kind == AffiliationKind::Primary {
        return Err(AppError::conflict(
            "primary_affiliation",
            "A membership period ends with the membership: set its end date, record a departure or a change of institution.",
        ));
    }
    let date = date.unwrap_or_else(|| calendar::today(now));
    if date <= row.start_date {
        return Err(AppError::invalid(
            "end_date",
            RuleViolation::new(
                "end_date.before_start",
                "The end comes after the start of the affiliation: choose a later date.",
            ),
        ));
    }
    if row.end_date.is_some_and(|e| e <= date) {
        return Err(AppError::conflict(
            "affiliation_ended",
            "This affiliation ends on or before that date already.",
        ));
    }
    store::periods::end_affiliation(conn, &row.id, date)?;
    audit::record(
        conn,
        &Actor::acting(proof.acting(), now),
        Change {
            action: audit::Event::PersonAffiliationEnded,
            subject: audit::Subject::Person(id),
            before: Some(
                &serde_json::json!({ "affiliation_id": row.id, "end_date": row.end_date }),
            ),
            after: Some(&serde_json::json!({ "affiliation_id": row.id, "end_date": date })),
        },
    )
}

/// How often a person may ask to be reactivated.
const ASK_AGAIN_AFTER: Duration = Duration::days(1);

/// A person whose membership has ended asks the representatives of their last institution
/// to reactivate it (at most once a day).
pub async fn ask_reactivation(
    state: &Services,
    member: &crate::domain::policy::Member,
) -> AppResult<()> {
    let now = state.clock.now();
    let (id, acting) = (member.person().clone(), member.acting().clone());
    let public_url = state.config.public_url.clone();
    state
        .db
        .write(move |conn| {
            let record = store::persons::member(conn, &id)?;
            if record.status == MembershipStatus::Active {
                return Err(AppError::conflict(
                    "membership_active",
                    "Your membership is active; there is nothing to reactivate.",
                ));
            }
            if let Some(last) =
                store::audit::last_at(conn, id.as_str(), audit::Event::PersonReactivationAsked)?
                && last + ASK_AGAIN_AFTER > now
            {
                return Err(AppError::Throttled {
                    retry_after: (last + ASK_AGAIN_AFTER - now).num_seconds().max(1),
                });
            }
            let institution = InstitutionId::from(record.institution_id);
            let name = format!("{} {}", record.given_name, record.family_name);
            let link = links::absolute(&public_url, &links::member(&id));
            let mail = templates::reactivation_asked(
                &name,
                record.account_name.as_deref().unwrap_or("-"),
                &record.institution_short_name,
                &link,
            );
            for address in store::roles::representative_emails(conn, &institution)? {
                outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
            }
            audit::record_plain(
                conn,
                &Actor::acting(&acting, now),
                audit::Event::PersonReactivationAsked,
                audit::Subject::Person(&id),
            )
        })
        .await?;
    state.jobs.nudge();
    Ok(())
}
