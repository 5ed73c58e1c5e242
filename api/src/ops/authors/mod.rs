//! Authorship: the policy (administrators), individual decisions (the IB chair and
//! administrators), who is an author on any day and why (the forecast), and each member's own
//! authorship. Author lists themselves are in `lists`, their file formats in `exports`.

pub mod exports;
pub mod lists;

use std::collections::HashMap;

use b2mms_shared::api::{
    AuthorException, AuthorForecast, AuthorListContent, AuthorPolicy, AuthorPolicyUpdate,
    Authorship, ForecastEntry, ListedAuthor, NewAuthorException,
};
use b2mms_shared::rules::{paper_name_of, required_text};
use b2mms_shared::{
    AffiliationKind, AuthorExceptionId, Category, InstitutionId, PersonId, RuleViolation,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::author_list::{self, Entry};
use crate::domain::authors::{Decision, Policy, Verdict, verdict};
use crate::domain::period::{Period, covers};
use crate::domain::policy::{Admin, AuthorListReader, AuthorshipDecider, Member};
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, Actor, Change};
use crate::store::authors::{Candidate, ExceptionRow};
use crate::store::persons::PersonRefs;
use crate::store::{self, DbConnection, from_db_time, to_db_time};

/// The longest qualification time or tail a policy may set, in months.
pub const MAX_POLICY_MONTHS: u32 = 120;

/// The policy in force: the stored one, or the defaults.
pub fn policy_in_force(conn: &mut DbConnection) -> AppResult<(Policy, Option<DateTime<Utc>>)> {
    Ok(match store::authors::policy(conn)? {
        Some((policy, at)) => (policy, Some(from_db_time(at))),
        None => (Policy::default(), None),
    })
}

fn to_wire((policy, updated_at): (Policy, Option<DateTime<Utc>>)) -> AuthorPolicy {
    AuthorPolicy {
        categories: policy.categories,
        qualification_months: policy.qualification_months,
        months_after_end: policy.months_after_end,
        updated_at,
    }
}

/// The policy, for those who read author lists.
pub fn read_policy(conn: &mut DbConnection, _reader: &AuthorListReader) -> AppResult<AuthorPolicy> {
    Ok(to_wire(policy_in_force(conn)?))
}

/// Replaces the policy (administrators); the change is audited with what it was before.
pub fn set_policy(
    conn: &mut DbConnection,
    admin: &Admin,
    body: AuthorPolicyUpdate,
    now: DateTime<Utc>,
) -> AppResult<AuthorPolicy> {
    let mut errors = b2mms_shared::FieldErrors::new();
    let mut categories: Vec<Category> = Vec::new();
    for category in body.categories {
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    if categories.is_empty() {
        errors.add(
            "categories",
            RuleViolation::new(
                "categories.empty",
                "Choose at least one category whose members become authors.",
            ),
        );
    }
    for (field, months) in [
        ("qualification_months", body.qualification_months),
        ("months_after_end", body.months_after_end),
    ] {
        if months > MAX_POLICY_MONTHS {
            errors.add(
                field,
                RuleViolation::new(
                    "months.too_many",
                    format!("Use at most {MAX_POLICY_MONTHS} months."),
                ),
            );
        }
    }
    errors.into_result()?;
    categories.sort();
    let before = to_wire(policy_in_force(conn)?);
    let policy = Policy {
        categories,
        qualification_months: body.qualification_months,
        months_after_end: body.months_after_end,
    };
    store::authors::put_policy(conn, &policy, &admin.acting().person_id, to_db_time(now))?;
    let after = to_wire((policy, Some(now)));
    audit::record(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::AuthorPolicyChanged,
            subject: audit::Subject::AuthorPolicy,
            before: Some(&before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

fn exception_to_wire(row: ExceptionRow, refs: &PersonRefs) -> AuthorException {
    AuthorException {
        id: row.id.uuid(),
        person: refs.of(&row.person_id),
        decided_by: refs.of(&row.decided_by),
        kind: row.kind,
        reason: row.reason,
        from: row.from_date,
        until: row.until_date,
        created_at: from_db_time(row.created_at),
    }
}

/// Every individual decision, oldest first.
pub fn exceptions(
    conn: &mut DbConnection,
    _reader: &AuthorListReader,
) -> AppResult<Vec<AuthorException>> {
    let rows = store::authors::exceptions(conn)?;
    let ids: Vec<PersonId> = rows
        .iter()
        .flat_map(|r| [r.person_id.clone(), r.decided_by.clone()])
        .collect();
    let refs = store::persons::refs(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| exception_to_wire(row, &refs))
        .collect())
}

/// Records an individual decision (the IB chair, administrators).
pub fn add_exception(
    conn: &mut DbConnection,
    decider: &AuthorshipDecider,
    body: NewAuthorException,
    now: DateTime<Utc>,
) -> AppResult<AuthorException> {
    let mut errors = b2mms_shared::FieldErrors::new();
    let reason = errors.check("reason", required_text(&body.reason, 500, "reason"));
    if body.until.is_some_and(|until| until < body.from) {
        errors.add(
            "until",
            RuleViolation::new(
                "until.before_from",
                "The decision ends on or after the day it starts: choose a later end, or none.",
            ),
        );
    }
    errors.into_result()?;
    let reason = reason.ok_or_else(|| AppError::Internal("checked reason is present".into()))?;
    let person = PersonId::from(body.person_id);
    if !store::persons::exists(conn, &person)? {
        return Err(AppError::NotFound { what: "person" });
    }
    let row = ExceptionRow {
        id: store::new_id(),
        person_id: person,
        kind: body.kind,
        reason,
        from_date: body.from,
        until_date: body.until,
        decided_by: decider.acting().person_id.clone(),
        created_at: to_db_time(now),
    };
    store::authors::insert_exception(conn, &row)?;
    let refs = store::persons::refs(conn, &[row.person_id.clone(), row.decided_by.clone()])?;
    let created = exception_to_wire(row, &refs);
    audit::record::<(), _>(
        conn,
        &Actor::acting(decider.acting(), now),
        Change {
            action: audit::Event::AuthorExceptionAdded,
            subject: audit::Subject::AuthorException(&AuthorExceptionId::from(created.id)),
            before: None,
            after: Some(&created),
        },
    )?;
    Ok(created)
}

/// Withdraws a decision recorded by mistake (the IB chair, administrators).
pub fn remove_exception(
    conn: &mut DbConnection,
    decider: &AuthorshipDecider,
    id: &AuthorExceptionId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = store::authors::exception(conn, id)?;
    let refs = store::persons::refs(conn, &[row.person_id.clone(), row.decided_by.clone()])?;
    let before = exception_to_wire(row, &refs);
    store::authors::delete_exception(conn, id)?;
    audit::record::<_, ()>(
        conn,
        &Actor::acting(decider.acting(), now),
        Change {
            action: audit::Event::AuthorExceptionRemoved,
            subject: audit::Subject::AuthorException(id),
            before: Some(&before),
            after: None,
        },
    )
}

/// The decisions by person, oldest first.
fn decisions_by_person(rows: Vec<ExceptionRow>) -> HashMap<PersonId, Vec<Decision>> {
    let mut by_person: HashMap<PersonId, Vec<Decision>> = HashMap::new();
    for row in rows {
        by_person
            .entry(row.person_id.clone())
            .or_default()
            .push(row.decision());
    }
    by_person
}

/// Everyone who may be an author on one of `days`, with their verdict on each day.
fn verdicts(
    conn: &mut DbConnection,
    days: &[NaiveDate],
) -> AppResult<Vec<(Candidate, Vec<Verdict>)>> {
    let (policy, _) = policy_in_force(conn)?;
    let decisions = decisions_by_person(store::authors::exceptions(conn)?);
    let named: Vec<PersonId> = decisions.keys().cloned().collect();
    let first = days.iter().min().copied().unwrap_or_default();
    let last = days.iter().max().copied().unwrap_or_default();
    let candidates = store::authors::candidates(conn, &policy, first, last, &named)?;
    Ok(candidates
        .into_iter()
        .map(|candidate| {
            let periods: Vec<_> = candidate.periods.iter().map(|(p, _)| *p).collect();
            let own = decisions
                .get(&candidate.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let on_days = days
                .iter()
                .map(|day| verdict(&policy, &periods, own, *day))
                .collect();
            (candidate, on_days)
        })
        .collect())
}

/// The institutions a person is printed with on `day`: the home institution of the period
/// covering the day (or of the last one before it, for those who stay after leaving), then
/// the "also at" ones valid on the day.
fn institutions_on(candidate: &Candidate, day: NaiveDate) -> Vec<(InstitutionId, AffiliationKind)> {
    let home = candidate
        .periods
        .iter()
        .rev()
        .find(|(p, _)| p.covers(day))
        .or_else(|| candidate.periods.iter().rev().find(|(p, _)| p.start <= day))
        .map_or(&candidate.institution_id, |(_, institution)| institution);
    let mut out = vec![(home.clone(), AffiliationKind::Primary)];
    for (institution, start, end) in &candidate.secondary {
        if covers(*start, *end, day) && institution != home {
            out.push((institution.clone(), AffiliationKind::Secondary));
        }
    }
    out
}

fn listed(candidate: &Candidate) -> ListedAuthor {
    ListedAuthor {
        person_id: candidate.id.uuid(),
        given_name: candidate.given_name.clone(),
        family_name: candidate.family_name.clone(),
        paper_name: candidate.paper_name.clone().unwrap_or_else(|| {
            paper_name_of(
                &candidate.given_name,
                candidate.middle_name.as_deref(),
                &candidate.family_name,
            )
        }),
        orcid: candidate.orcid.clone(),
        inspire_id: candidate.inspire_id.clone(),
        affiliations: Vec::new(),
    }
}

/// The people who are authors on `day`, from the records as they are now.
pub fn authors_on(
    conn: &mut DbConnection,
    day: NaiveDate,
) -> AppResult<std::collections::HashSet<PersonId>> {
    Ok(verdicts(conn, &[day])?
        .into_iter()
        .filter(|(_, v)| v[0].author)
        .map(|(candidate, _)| candidate.id)
        .collect())
}

/// The authors of `day` from the records as they are now, in the order of a list.
pub fn content_on(conn: &mut DbConnection, day: NaiveDate) -> AppResult<AuthorListContent> {
    let entries: Vec<Entry> = verdicts(conn, &[day])?
        .into_iter()
        .filter(|(_, v)| v[0].author)
        .map(|(candidate, _)| Entry {
            author: listed(&candidate),
            institutions: institutions_on(&candidate, day),
        })
        .collect();
    let institutions = store::authors::listed_institutions(conn)?;
    Ok(author_list::assemble(entries, &institutions))
}

/// Who is an author on `date` and why, who is close to it, and who joins or drops off
/// compared with `today`.
pub fn forecast(
    conn: &mut DbConnection,
    _reader: &AuthorListReader,
    date: NaiveDate,
    today: NaiveDate,
) -> AppResult<AuthorForecast> {
    let mut evaluated = verdicts(conn, &[date, today])?;
    author_list::sort_by_name(&mut evaluated, |(c, _)| (&c.family_name, &c.given_name));
    let institutions = store::authors::listed_institutions(conn)?;
    let entry = |c: &Candidate, v: &Verdict| ForecastEntry {
        person: store::persons::person_ref((
            c.id.clone(),
            c.given_name.clone(),
            c.family_name.clone(),
            c.account_name.clone(),
        )),
        institution_short_name: institutions
            .get(&c.institution_id)
            .map(|i| i.short_name.clone())
            .unwrap_or_default(),
        author: v.author,
        reason: v.reason(),
    };
    let mut out = AuthorForecast {
        date,
        today,
        authors: Vec::new(),
        not_authors: Vec::new(),
        joining: Vec::new(),
        dropping: Vec::new(),
    };
    for (candidate, verdicts) in &evaluated {
        let (on_date, on_today) = (&verdicts[0], &verdicts[1]);
        let listed = entry(candidate, on_date);
        if on_date.author && !on_today.author {
            out.joining.push(listed.clone());
        }
        if !on_date.author && on_today.author {
            out.dropping.push(listed.clone());
        }
        if on_date.author {
            out.authors.push(listed);
        } else if candidate.periods.iter().any(|(p, _)| p.covers(date)) || on_date.note.is_some() {
            out.not_authors.push(listed);
        }
    }
    Ok(out)
}

/// Whether the caller is an author today, and from or until when.
pub fn authorship(
    conn: &mut DbConnection,
    member: &Member,
    today: NaiveDate,
) -> AppResult<Authorship> {
    let (policy, _) = policy_in_force(conn)?;
    let periods: Vec<_> = store::periods::of_person(conn, member.person())?
        .into_iter()
        .filter(|(row, ..)| row.kind == AffiliationKind::Primary)
        .filter_map(|(row, ..)| {
            row.category.map(|category| Period {
                start: row.start_date,
                end: row.end_date,
                category,
            })
        })
        .collect();
    let decisions: Vec<Decision> = store::authors::exceptions_of(conn, member.person())?
        .iter()
        .map(ExceptionRow::decision)
        .collect();
    let verdict = verdict(&policy, &periods, &decisions, today);
    Ok(Authorship {
        today,
        author: verdict.author,
        reason: verdict.reason(),
    })
}
