//! Membership periods and affiliations: the dated history of where a person has been a
//! member (primary periods, never overlapping) and of the institutions they are also at
//! (secondary). The person's row carries the current period; both are written together here.

use b2mms_shared::{
    AffiliationId, AffiliationKind, Category, InstitutionId, MembershipStatus, PeriodEnd, PersonId,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::models::{AffiliationRow, PersonRow};
use super::schema::{affiliations, institutions, persons};
use crate::error::{AppError, AppResult};

/// An affiliation with its institution's name and short name.
pub type AffiliationListing = (AffiliationRow, String, String);

/// Every affiliation of a person, the oldest first.
pub fn of_person(conn: &mut DbConnection, person: &PersonId) -> AppResult<Vec<AffiliationListing>> {
    Ok(affiliations::table
        .inner_join(institutions::table)
        .filter(affiliations::person_id.eq(person))
        .order((
            affiliations::start_date,
            affiliations::kind,
            affiliations::id,
        ))
        .select((
            affiliations::all_columns,
            institutions::name,
            institutions::short_name,
        ))
        .load(conn)?)
}

/// The person's latest membership period.
pub fn current_period(
    conn: &mut DbConnection,
    person: &PersonId,
) -> AppResult<Option<AffiliationRow>> {
    Ok(affiliations::table
        .filter(affiliations::person_id.eq(person))
        .filter(affiliations::kind.eq(AffiliationKind::Primary))
        .order((affiliations::start_date.desc(), affiliations::id.desc()))
        .first(conn)
        .optional()?)
}

/// Stores the first membership period of a new person, as their record describes it.
pub fn insert_first(conn: &mut DbConnection, person: &PersonRow) -> AppResult<()> {
    let start = person
        .membership_start
        .unwrap_or_else(|| person.created_at.date());
    diesel::insert_into(affiliations::table)
        .values(&AffiliationRow::period_of(person, start))
        .execute(conn)?;
    Ok(())
}

/// Sets the end of the current membership period and why it ends (none for its term).
pub fn set_current_end(
    conn: &mut DbConnection,
    person: &PersonId,
    end: Option<NaiveDate>,
    reason: Option<PeriodEnd>,
    note: Option<&str>,
) -> AppResult<()> {
    let Some(current) = current_period(conn, person)? else {
        return Ok(());
    };
    diesel::update(affiliations::table.find(&current.id))
        .set((
            affiliations::end_date.eq(end),
            affiliations::end_reason.eq(reason),
            affiliations::end_note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the category of the membership from `today`: a period that started earlier ends
/// today and a new one with the new category continues it (same institution, same planned
/// end), so the history keeps which category a person had when; a period starting today or
/// later just takes the new category.
pub fn set_current_category(
    conn: &mut DbConnection,
    person: &PersonId,
    category: Category,
    today: NaiveDate,
) -> AppResult<()> {
    let Some(current) = current_period(conn, person)? else {
        return Ok(());
    };
    if current.category == Some(category) {
        return Ok(());
    }
    let ended = current.end_date.is_some_and(|end| end <= today);
    if current.start_date >= today || ended {
        diesel::update(affiliations::table.find(&current.id))
            .set(affiliations::category.eq(Some(category)))
            .execute(conn)?;
        return Ok(());
    }
    diesel::update(affiliations::table.find(&current.id))
        .set((
            affiliations::end_date.eq(Some(today)),
            affiliations::end_reason.eq(None::<PeriodEnd>),
            affiliations::end_note.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::insert_into(affiliations::table)
        .values(&AffiliationRow {
            id: super::new_id(),
            start_date: today,
            category: Some(category),
            ..current
        })
        .execute(conn)?;
    Ok(())
}

/// A new membership period from `start`: the current one ends on `start` at the latest (for
/// `ended_by`), so periods never overlap; the person's record follows the new period.
#[allow(clippy::too_many_arguments)]
pub fn open_period(
    conn: &mut DbConnection,
    person: &PersonId,
    institution: &InstitutionId,
    category: Category,
    start: NaiveDate,
    end: Option<NaiveDate>,
    ended_by: Option<PeriodEnd>,
    at: NaiveDateTime,
) -> AppResult<AffiliationId> {
    if let Some(current) = current_period(conn, person)? {
        if current.start_date > start {
            return Err(AppError::conflict(
                "period_overlap",
                "A membership period starting later already exists; a new one must start on or after it.",
            ));
        }
        if current.end_date.is_none_or(|e| e > start) {
            diesel::update(affiliations::table.find(&current.id))
                .set((
                    affiliations::end_date.eq(Some(start)),
                    affiliations::end_reason.eq(ended_by),
                ))
                .execute(conn)?;
        }
    }
    let id: AffiliationId = super::new_id();
    diesel::insert_into(affiliations::table)
        .values(&AffiliationRow {
            id: id.clone(),
            person_id: person.clone(),
            institution_id: institution.clone(),
            start_date: start,
            end_date: end,
            kind: AffiliationKind::Primary,
            category: Some(category),
            end_reason: None,
            end_note: None,
        })
        .execute(conn)?;
    diesel::update(persons::table.find(person))
        .set((
            persons::institution_id.eq(institution),
            persons::category.eq(category),
            persons::status.eq(MembershipStatus::Active),
            persons::membership_end.eq(end),
            persons::grace_from.eq(end),
            persons::updated_at.eq(at),
        ))
        .execute(conn)?;
    // A change of institution continues the membership; anything else starts it anew.
    if ended_by != Some(PeriodEnd::Transfer) {
        diesel::update(persons::table.find(person))
            .set(persons::membership_start.eq(Some(start)))
            .execute(conn)?;
    }
    Ok(id)
}

/// One affiliation of a person, or 404.
pub fn affiliation(
    conn: &mut DbConnection,
    person: &PersonId,
    id: &AffiliationId,
) -> AppResult<AffiliationRow> {
    affiliations::table
        .find(id)
        .filter(affiliations::person_id.eq(person))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound {
            what: "affiliation",
        })
}

/// Whether the person has a secondary affiliation at `institution` that overlaps
/// `[start, end)`.
pub fn secondary_overlaps(
    conn: &mut DbConnection,
    person: &PersonId,
    institution: &InstitutionId,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> AppResult<bool> {
    let existing: Vec<AffiliationRow> = affiliations::table
        .filter(affiliations::person_id.eq(person))
        .filter(affiliations::institution_id.eq(institution))
        .filter(affiliations::kind.eq(AffiliationKind::Secondary))
        .load(conn)?;
    Ok(existing
        .iter()
        .any(|a| a.end_date.is_none_or(|e| e > start) && end.is_none_or(|e| e > a.start_date)))
}

/// Stores a secondary affiliation.
pub fn insert_secondary(conn: &mut DbConnection, row: &AffiliationRow) -> AppResult<()> {
    diesel::insert_into(affiliations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Ends an affiliation on `date`.
pub fn end_affiliation(
    conn: &mut DbConnection,
    id: &AffiliationId,
    date: NaiveDate,
) -> AppResult<()> {
    diesel::update(affiliations::table.find(id))
        .set(affiliations::end_date.eq(Some(date)))
        .execute(conn)?;
    Ok(())
}

/// The people left-joined with their current membership period.
type PersonsWithCurrentPeriod = diesel::helper_types::LeftJoinOn<
    persons::table,
    affiliations::table,
    diesel::dsl::And<
        diesel::dsl::And<
            diesel::dsl::Eq<affiliations::person_id, persons::id>,
            diesel::dsl::Eq<affiliations::kind, AffiliationKind>,
        >,
        diesel::dsl::Eq<affiliations::end_date, persons::membership_end>,
    >,
>;

/// The current period's reason to end, found in the same query as its person: the period
/// whose end is the membership's end (periods never overlap, so it is the current one).
fn current_end_reason() -> PersonsWithCurrentPeriod {
    persons::table.left_join(
        affiliations::table.on(affiliations::person_id
            .eq(persons::id)
            .and(affiliations::kind.eq(AffiliationKind::Primary))
            .and(affiliations::end_date.eq(persons::membership_end))),
    )
}

/// People whose active membership ends between `from` and `until` (both included) at the
/// end of its term (not by leaving or a change of institution), with their home institution.
pub fn ending_between(
    conn: &mut DbConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<(PersonRow, String)>> {
    Ok(current_end_reason()
        .inner_join(institutions::table.on(institutions::id.eq(persons::institution_id)))
        .filter(persons::status.eq(MembershipStatus::Active))
        .filter(persons::membership_end.ge(from))
        .filter(persons::membership_end.le(until))
        .filter(affiliations::end_reason.is_null())
        .select((persons::all_columns, institutions::short_name))
        .load(conn)?)
}

/// Records that the reminder `days_before` the end `end_date` went out; `false` if it had
/// (also when another instance records it at the same moment: exactly one of them wins).
pub fn note_reminder(
    conn: &mut DbConnection,
    person: &PersonId,
    end_date: NaiveDate,
    days_before: i32,
    at: NaiveDateTime,
) -> AppResult<bool> {
    use super::schema::membership_reminders as r;
    use diesel::result::{DatabaseErrorKind, Error as DieselError};
    let sent = r::table
        .find((person, end_date, days_before))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if sent {
        return Ok(false);
    }
    // In a savepoint: a concurrent insert of the same reminder fails only this statement.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(r::table)
            .values((
                r::person_id.eq(person),
                r::end_date.eq(end_date),
                r::days_before.eq(days_before),
                r::sent_at.eq(at),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// People whose active membership has reached its end date, with why it ends.
pub fn ended_by(
    conn: &mut DbConnection,
    today: NaiveDate,
) -> AppResult<Vec<(PersonId, Option<PeriodEnd>)>> {
    Ok(current_end_reason()
        .filter(persons::status.eq(MembershipStatus::Active))
        .filter(persons::membership_end.le(today))
        .select((persons::id, affiliations::end_reason.nullable()))
        .load(conn)?)
}
