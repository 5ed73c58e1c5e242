//! The statistics' queries: counts grouped in the database, and the few columns of the
//! membership periods and decided requests the series and the median are computed from.

use b2mms_shared::{Category, InstitutionId, MembershipStatus, RegistrationState};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{affiliations, institutions, persons, registrations};
use crate::domain::statistics::Period;
use crate::error::AppResult;

/// Active members by category.
pub fn by_category(conn: &mut DbConnection) -> AppResult<Vec<(Category, i64)>> {
    Ok(persons::table
        .filter(persons::status.eq(MembershipStatus::Active))
        .group_by(persons::category)
        .select((persons::category, count_star()))
        .load(conn)?)
}

/// Active members by home institution: (institution, short name, country, count).
pub fn by_institution(
    conn: &mut DbConnection,
) -> AppResult<Vec<(InstitutionId, String, String, i64)>> {
    Ok(persons::table
        .inner_join(institutions::table)
        .filter(persons::status.eq(MembershipStatus::Active))
        .group_by((
            institutions::id,
            institutions::short_name,
            institutions::country,
        ))
        .select((
            institutions::id,
            institutions::short_name,
            institutions::country,
            count_star(),
        ))
        .load(conn)?)
}

/// The membership periods (primary affiliations) still running on `since` or later.
pub fn periods_since(conn: &mut DbConnection, since: NaiveDate) -> AppResult<Vec<Period>> {
    let rows: Vec<(NaiveDate, Option<NaiveDate>, Option<Category>)> = affiliations::table
        .filter(affiliations::kind.eq(b2mms_shared::AffiliationKind::Primary))
        .filter(
            affiliations::end_date
                .is_null()
                .or(affiliations::end_date.gt(since)),
        )
        .select((
            affiliations::start_date,
            affiliations::end_date,
            affiliations::category,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(start, end, category)| {
            Some(Period {
                start,
                end,
                category: category?,
            })
        })
        .collect())
}

/// Registration requests by state.
pub fn requests_by_state(conn: &mut DbConnection) -> AppResult<Vec<(RegistrationState, i64)>> {
    Ok(registrations::table
        .group_by(registrations::state)
        .select((registrations::state, count_star()))
        .load(conn)?)
}

/// (submitted, decided) of every request with a final decision.
pub fn decision_times(conn: &mut DbConnection) -> AppResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    let rows: Vec<(Option<NaiveDateTime>, Option<NaiveDateTime>)> = registrations::table
        .filter(registrations::state.eq_any([
            RegistrationState::Approved,
            RegistrationState::Provisioned,
            RegistrationState::ProvisioningFailed,
            RegistrationState::Rejected,
        ]))
        .filter(registrations::submitted_at.is_not_null())
        .filter(registrations::decided_at.is_not_null())
        .select((registrations::submitted_at, registrations::decided_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(submitted, decided)| Some((submitted?, decided?)))
        .collect())
}
