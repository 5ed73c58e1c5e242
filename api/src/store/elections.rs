//! Elections as stored: their definitions and states; from opening on the frozen electorate
//! (with whether each elector has voted), the tallies per option and the receipts. Nothing
//! here pairs an elector with a choice: a ballot only adds its weight to the tallies of the
//! options it chose, and every tally row is rewritten by every ballot.

use std::collections::HashMap;

use b2mms_shared::{ElectionId, ElectionState};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::models::ElectionRow;
use super::schema::{election_electors, election_receipts, election_tallies, elections};
use crate::error::{AppError, AppResult};

pub fn insert(conn: &mut DbConnection, row: &ElectionRow) -> AppResult<()> {
    diesel::insert_into(elections::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &ElectionId) -> AppResult<ElectionRow> {
    elections::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound { what: "election" })
}

/// Every election, the latest to open first.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<ElectionRow>> {
    Ok(elections::table
        .order((elections::opens_at.desc(), elections::id))
        .load(conn)?)
}

/// Elections the clock may move: drafts and open ones.
pub fn running(conn: &mut DbConnection) -> AppResult<Vec<ElectionRow>> {
    Ok(elections::table
        .filter(elections::state.eq_any([ElectionState::Draft, ElectionState::Open]))
        .order(elections::opens_at)
        .load(conn)?)
}

/// Moves the election from `from` to `to`; whether it was in `from` (one instance wins).
pub fn set_state(
    conn: &mut DbConnection,
    id: &ElectionId,
    from: ElectionState,
    to: ElectionState,
) -> AppResult<bool> {
    Ok(
        diesel::update(elections::table.find(id).filter(elections::state.eq(from)))
            .set(elections::state.eq(to))
            .execute(conn)?
            == 1,
    )
}

/// Freezes the electorate (`(id, name, weight)` each, in the order given) and opens a tally
/// of zero for each of `options` options.
pub fn freeze(
    conn: &mut DbConnection,
    id: &ElectionId,
    electors: &[(String, String, i64)],
    options: usize,
) -> AppResult<()> {
    for chunk in electors.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(elector, name, weight)| {
                (
                    election_electors::election_id.eq(id.clone()),
                    election_electors::elector_id.eq(elector.clone()),
                    election_electors::name.eq(name.clone()),
                    election_electors::weight.eq(*weight),
                    election_electors::voted.eq(false),
                )
            })
            .collect();
        insert_many!(conn, election_electors::table, rows)?;
    }
    let tallies: Vec<_> = (0..options)
        .map(|i| {
            (
                election_tallies::election_id.eq(id.clone()),
                election_tallies::option_index.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                election_tallies::votes.eq(0i64),
            )
        })
        .collect();
    insert_many!(conn, election_tallies::table, tallies)?;
    Ok(())
}

/// An elector of a frozen electorate: the election, the elector's id (a person's or an
/// institution's), name, weight and whether they have voted.
pub type ElectorRow = (ElectionId, String, String, i64, bool);

/// The electors among `keys` in the electorates of `elections`, by name.
pub fn electors_among(
    conn: &mut DbConnection,
    elections: &[ElectionId],
    keys: &[String],
) -> AppResult<Vec<ElectorRow>> {
    if elections.is_empty() || keys.is_empty() {
        return Ok(Vec::new());
    }
    Ok(election_electors::table
        .filter(election_electors::election_id.eq_any(elections))
        .filter(election_electors::elector_id.eq_any(keys))
        .order((election_electors::name, election_electors::elector_id))
        .select((
            election_electors::election_id,
            election_electors::elector_id,
            election_electors::name,
            election_electors::weight,
            election_electors::voted,
        ))
        .load(conn)?)
}

/// How many electors each of `elections` has and how many of them have voted.
pub fn counts(
    conn: &mut DbConnection,
    elections: &[ElectionId],
) -> AppResult<HashMap<ElectionId, (i64, i64)>> {
    if elections.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(ElectionId, bool, i64)> = election_electors::table
        .filter(election_electors::election_id.eq_any(elections))
        .group_by((election_electors::election_id, election_electors::voted))
        .select((
            election_electors::election_id,
            election_electors::voted,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut out: HashMap<ElectionId, (i64, i64)> = HashMap::new();
    for (election, voted, n) in rows {
        let entry = out.entry(election).or_default();
        entry.0 += n;
        if voted {
            entry.1 += n;
        }
    }
    Ok(out)
}

/// The weight of each elector and whether they have voted.
pub fn weights(conn: &mut DbConnection, id: &ElectionId) -> AppResult<Vec<(i64, bool)>> {
    Ok(election_electors::table
        .filter(election_electors::election_id.eq(id))
        .select((election_electors::weight, election_electors::voted))
        .load(conn)?)
}

/// The frozen electorate: `(id, name, weight, voted)` by name.
pub fn electors(
    conn: &mut DbConnection,
    id: &ElectionId,
) -> AppResult<Vec<(String, String, i64, bool)>> {
    Ok(election_electors::table
        .filter(election_electors::election_id.eq(id))
        .order((election_electors::name, election_electors::elector_id))
        .select((
            election_electors::elector_id,
            election_electors::name,
            election_electors::weight,
            election_electors::voted,
        ))
        .load(conn)?)
}

/// Marks the elector as having voted; whether they had not yet (one ballot wins).
pub fn mark_voted(conn: &mut DbConnection, id: &ElectionId, elector: &str) -> AppResult<bool> {
    Ok(diesel::update(
        election_electors::table
            .filter(election_electors::election_id.eq(id))
            .filter(election_electors::elector_id.eq(elector))
            .filter(election_electors::voted.eq(false)),
    )
    .set(election_electors::voted.eq(true))
    .execute(conn)?
        == 1)
}

/// Adds `weight` to the tallies of the `chosen` options; every tally row of the election is
/// rewritten (the others with nothing added), so which rows a ballot changed is not stored.
pub fn count(
    conn: &mut DbConnection,
    id: &ElectionId,
    options: usize,
    chosen: &[usize],
    weight: i64,
) -> AppResult<()> {
    for option in 0..options {
        let add = if chosen.contains(&option) { weight } else { 0 };
        diesel::update(
            election_tallies::table
                .filter(election_tallies::election_id.eq(id))
                .filter(
                    election_tallies::option_index.eq(i32::try_from(option).unwrap_or(i32::MAX)),
                ),
        )
        .set(election_tallies::votes.eq(election_tallies::votes + add))
        .execute(conn)?;
    }
    Ok(())
}

pub fn add_receipt(conn: &mut DbConnection, id: &ElectionId, hash: &str) -> AppResult<()> {
    diesel::insert_into(election_receipts::table)
        .values((
            election_receipts::election_id.eq(id.clone()),
            election_receipts::receipt_hash.eq(hash),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn has_receipt(conn: &mut DbConnection, id: &ElectionId, hash: &str) -> AppResult<bool> {
    let found: i64 = election_receipts::table
        .filter(election_receipts::election_id.eq(id))
        .filter(election_receipts::receipt_hash.eq(hash))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The tallies, by option.
pub fn tallies(conn: &mut DbConnection, id: &ElectionId) -> AppResult<Vec<i64>> {
    Ok(election_tallies::table
        .filter(election_tallies::election_id.eq(id))
        .order(election_tallies::option_index)
        .select(election_tallies::votes)
        .load(conn)?)
}

/// Marks the reminder before closing as sent; whether it was not yet (one instance sends).
pub fn mark_reminded(conn: &mut DbConnection, id: &ElectionId) -> AppResult<bool> {
    Ok(diesel::update(
        elections::table
            .find(id)
            .filter(elections::reminded.eq(false)),
    )
    .set(elections::reminded.eq(true))
    .execute(conn)?
        == 1)
}

/// Elections open now whose closing is at most `until` and whose reminder is not sent.
pub fn to_remind(conn: &mut DbConnection, until: NaiveDateTime) -> AppResult<Vec<ElectionRow>> {
    Ok(elections::table
        .filter(elections::state.eq(ElectionState::Open))
        .filter(elections::reminded.eq(false))
        .filter(elections::closes_at.le(until))
        .load(conn)?)
}
