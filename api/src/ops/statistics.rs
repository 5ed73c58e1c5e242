//! The collaboration's statistics for its members, representatives and administrators (and
//! tools with `members:read`): aggregates only, never a person.

use std::collections::BTreeMap;

use b2mms_shared::api::{
    CategoryCount, CountryCount, GroupCount, InstitutionCount, MonthCount, RegistrationFigures,
    StateCount, Statistics,
};
use b2mms_shared::{Category, RegistrationState, Scope};
use chrono::NaiveDate;

use super::members::Reader;
use crate::domain::statistics::{median_days, members_on, month_days};
use crate::error::AppResult;
use crate::store::{self, DbConnection};

/// How many months the series covers by default, and at most.
pub const DEFAULT_MONTHS: u32 = 24;
pub const MAX_MONTHS: u32 = 120;

/// The figures as of `today`, with a series of `months` months.
pub fn read(
    conn: &mut DbConnection,
    reader: Reader<'_>,
    today: NaiveDate,
    months: u32,
) -> AppResult<Statistics> {
    match reader {
        Reader::Service(token) => {
            token.require(Scope::MembersRead)?;
        }
        // Every signed-in member sees them; the route is closed to ended memberships.
        Reader::Person(_) => {}
    }
    let by_category = store::statistics::by_category(conn)?;
    let count_of = |category: Category| {
        by_category
            .iter()
            .find(|(c, _)| *c == category)
            .map_or(0, |(_, n)| *n)
    };
    let mut by_institution: Vec<InstitutionCount> = store::statistics::by_institution(conn)?
        .into_iter()
        .map(|(id, short_name, country, count)| InstitutionCount {
            institution_id: id.uuid(),
            short_name,
            country,
            count,
        })
        .collect();
    by_institution.sort_by(|a, b| b.count.cmp(&a.count).then(a.short_name.cmp(&b.short_name)));
    let mut countries: BTreeMap<&str, i64> = BTreeMap::new();
    for institution in &by_institution {
        *countries.entry(&institution.country).or_default() += institution.count;
    }
    let mut by_country: Vec<CountryCount> = countries
        .into_iter()
        .map(|(country, count)| CountryCount {
            country: country.to_owned(),
            count,
        })
        .collect();
    by_country.sort_by(|a, b| b.count.cmp(&a.count).then(a.country.cmp(&b.country)));

    let days = month_days(today, months.clamp(1, MAX_MONTHS));
    let periods = store::statistics::periods_since(conn, days[0])?;
    let over_time = days
        .iter()
        .zip(members_on(&days, &periods))
        .map(|(day, counts)| MonthCount {
            month: day.format("%Y-%m").to_string(),
            day: *day,
            total: counts.iter().sum(),
            by_category: Category::ALL
                .iter()
                .zip(counts)
                .map(|(category, count)| CategoryCount {
                    category: *category,
                    count,
                })
                .collect(),
        })
        .collect();

    let states = store::statistics::requests_by_state(conn)?;
    let times = store::statistics::decision_times(conn)?;
    let registrations = RegistrationFigures {
        by_state: RegistrationState::ALL
            .iter()
            .map(|state| StateCount {
                state: *state,
                count: states
                    .iter()
                    .find(|(s, _)| s == state)
                    .map_or(0, |(_, n)| *n),
            })
            .collect(),
        decided: times.len() as i64,
        median_days_to_decision: median_days(times.iter().map(|(s, d)| *d - *s).collect()),
    };

    let sizes = store::groups::sizes(conn)?;
    let mut groups: Vec<GroupCount> = store::groups::all(conn)?
        .into_iter()
        .map(|group| GroupCount {
            members: sizes
                .iter()
                .find(|(id, _)| *id == group.id)
                .map_or(0, |(_, n)| *n),
            group_id: group.id.uuid(),
            name: group.name,
        })
        .collect();
    groups.sort_by(|a, b| b.members.cmp(&a.members).then(a.name.cmp(&b.name)));

    Ok(Statistics {
        as_of: today,
        members: by_category.iter().map(|(_, n)| n).sum(),
        by_category: Category::ALL
            .iter()
            .map(|category| CategoryCount {
                category: *category,
                count: count_of(*category),
            })
            .collect(),
        by_country,
        by_institution,
        over_time,
        registrations,
        groups,
    })
}
