//! Who may vote: electorates as rules evaluated on a day (members by category and months,
//! institutions weighed equally or by authors, a group), previewed by the officers, and the
//! frozen electorate of an election as CSV.

use std::collections::HashMap;

use b2mms_shared::api::{Elector, ElectoratePreview, ElectorateRule};
use b2mms_shared::rules::RuleViolation;
use b2mms_shared::{ElectionId, ElectionState, GroupId, InstitutionWeight};
use chrono::NaiveDate;

use crate::domain::membership_months::months_of_membership;
use crate::domain::policy::ElectionOfficer;
use crate::error::{AppError, AppResult};
use crate::store::{self, DbConnection};

/// `people` in the collaboration's order of names (family name, then given name).
fn by_name<T>(mut people: Vec<T>, name: impl Fn(&T) -> (&str, &str)) -> Vec<T> {
    crate::domain::author_list::sort_by_name(&mut people, name);
    people
}

/// Who `rule` makes eligible on `day`, by name.
pub fn electorate(
    conn: &mut DbConnection,
    rule: &ElectorateRule,
    day: NaiveDate,
) -> AppResult<Vec<Elector>> {
    Ok(match rule {
        ElectorateRule::Members {
            categories,
            min_months,
        } => {
            let periods = match min_months {
                Some(_) => store::audience::active_members_periods(conn)?,
                None => HashMap::new(),
            };
            by_name(store::audience::active_members(conn)?, |m| (&m.2, &m.1))
                .into_iter()
                .filter(|(_, _, _, category)| {
                    categories.as_ref().is_none_or(|c| c.contains(category))
                })
                .filter(|(id, ..)| match min_months {
                    None => true,
                    Some(n) => {
                        let periods = periods.get(id).into_iter().flatten().copied();
                        months_of_membership(periods, day) >= i64::from(*n)
                    }
                })
                .map(|(id, given, family, _)| Elector {
                    id: id.uuid(),
                    name: format!("{given} {family}"),
                    weight: 1,
                })
                .collect()
        }
        ElectorateRule::Institutions { weight } => {
            let authors: HashMap<_, i64> = match weight {
                InstitutionWeight::Equal => HashMap::new(),
                InstitutionWeight::Authors => {
                    let homes = store::audience::homes(conn)?;
                    let mut by_institution = HashMap::new();
                    for person in crate::ops::authors::authors_on(conn, day)? {
                        if let Some(home) = homes.get(&person) {
                            *by_institution.entry(home.clone()).or_insert(0) += 1;
                        }
                    }
                    by_institution
                }
            };
            store::audience::represented_institutions(conn)?
                .into_iter()
                .map(|(id, short_name)| Elector {
                    weight: match weight {
                        InstitutionWeight::Equal => 1,
                        InstitutionWeight::Authors => authors.get(&id).copied().unwrap_or(0),
                    },
                    id: id.uuid(),
                    name: short_name,
                })
                .filter(|e| e.weight > 0)
                .collect()
        }
        ElectorateRule::Group { group_id } => by_name(
            store::audience::group_members(conn, &GroupId::from(*group_id))?,
            |m| (&m.2, &m.1),
        )
        .into_iter()
        .map(|(id, given, family)| Elector {
            id: id.uuid(),
            name: format!("{given} {family}"),
            weight: 1,
        })
        .collect(),
    })
}

/// Who a rule makes eligible on a day, with counts.
pub fn preview(
    conn: &mut DbConnection,
    _officer: &ElectionOfficer,
    rule: &ElectorateRule,
    day: NaiveDate,
) -> AppResult<ElectoratePreview> {
    check_rule(conn, rule, "rule")?;
    let electors = electorate(conn, rule, day)?;
    Ok(ElectoratePreview {
        date: day,
        count: i64::try_from(electors.len()).unwrap_or(i64::MAX),
        total_weight: electors.iter().map(|e| e.weight).sum(),
        electors,
    })
}

/// A rule naming a group that does not exist, no category, or more than 1,200 months is
/// refused.
pub(super) fn check_rule(
    conn: &mut DbConnection,
    rule: &ElectorateRule,
    field: &str,
) -> AppResult<()> {
    if let ElectorateRule::Members {
        categories,
        min_months,
    } = rule
    {
        if categories.as_ref().is_some_and(Vec::is_empty) {
            return Err(AppError::invalid(
                &format!("{field}.categories"),
                RuleViolation::new(
                    "categories.empty",
                    "An empty list admits nobody: name a category, or leave the part out.",
                ),
            ));
        }
        if min_months.is_some_and(|m| m > 1200) {
            return Err(AppError::invalid(
                &format!("{field}.min_months"),
                RuleViolation::new("min_months.range", "At most 1,200 months."),
            ));
        }
    }
    if let ElectorateRule::Group { group_id } = rule {
        store::groups::find(conn, &GroupId::from(*group_id)).map_err(|_| {
            AppError::invalid(
                &format!("{field}.group_id"),
                RuleViolation::new("group.unknown", "No group has this id."),
            )
        })?;
    }
    Ok(())
}

/// The frozen electorate as CSV, for the record (officers).
pub fn electorate_csv(
    conn: &mut DbConnection,
    _officer: &ElectionOfficer,
    id: &ElectionId,
) -> AppResult<Vec<u8>> {
    let row = store::elections::find(conn, id)?;
    if row.state == ElectionState::Draft {
        return Err(AppError::conflict(
            "election_not_open",
            "The electorate is frozen when the election opens; preview it until then.",
        ));
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(format!("writing CSV: {e}"));
    out.write_record(["elector_id", "name", "weight", "voted"])
        .map_err(failed)?;
    for (elector, name, weight, voted) in store::elections::electors(conn, id)? {
        out.write_record([
            elector,
            crate::ops::members::spreadsheet_safe(&name).into_owned(),
            weight.to_string(),
            voted.to_string(),
        ])
        .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| AppError::Internal(format!("writing CSV: {e}")))
}
