//! Changes of institution as stored: asked for, decided once, carried out on their date.

use b2mms_shared::{InstitutionId, PersonId, TransferId, TransferState};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::DbConnection;
use super::models::TransferRow;
use super::schema::{accounts, institutions, persons, transfers};
use crate::error::{AppError, AppResult};

/// A transfer with the person's name, both institutions' short names and the account name of
/// whoever asked.
pub type TransferListing = (TransferRow, String, String, String, Option<String>);

pub fn insert(conn: &mut DbConnection, row: &TransferRow) -> AppResult<()> {
    diesel::insert_into(transfers::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &TransferId) -> AppResult<TransferRow> {
    transfers::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound { what: "transfer" })
}

/// Whether the person has a transfer in `state` (to `to`, if named; taking effect on
/// `not_before` or later, if named).
pub fn exists_in_state(
    conn: &mut DbConnection,
    person: &PersonId,
    state: TransferState,
    to: Option<&InstitutionId>,
    not_before: Option<NaiveDate>,
) -> AppResult<bool> {
    let mut query = transfers::table
        .filter(transfers::person_id.eq(person))
        .filter(transfers::state.eq(state))
        .into_boxed();
    if let Some(to) = to {
        query = query.filter(transfers::to_institution_id.eq(to));
    }
    if let Some(day) = not_before {
        query = query.filter(transfers::effective_date.ge(day));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

/// Who sees which transfers: everyone's, or those to or from some institutions and the
/// caller's own.
#[derive(Debug, Clone)]
pub enum Visible<'a> {
    All,
    Of {
        institutions: &'a [InstitutionId],
        person: &'a PersonId,
    },
}

/// A page of transfers, the newest request first, and how many there are in all.
pub fn list(
    conn: &mut DbConnection,
    visible: Visible<'_>,
    state: Option<TransferState>,
    person: Option<&PersonId>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<TransferListing>, i64)> {
    let (from, to) = diesel::alias!(institutions as from_i, institutions as to_i);
    let filtered = || {
        let mut query = transfers::table.into_boxed();
        if let Visible::Of {
            institutions,
            person,
        } = &visible
        {
            query = query.filter(
                transfers::to_institution_id
                    .eq_any(institutions.iter())
                    .or(transfers::from_institution_id.eq_any(institutions.iter()))
                    .or(transfers::person_id.eq(*person)),
            );
        }
        if let Some(state) = state {
            query = query.filter(transfers::state.eq(state));
        }
        if let Some(person) = person {
            query = query.filter(transfers::person_id.eq(person));
        }
        query
    };
    let total = filtered().count().get_result::<i64>(conn)?;
    let ids: Vec<TransferId> = filtered()
        .order((transfers::requested_at.desc(), transfers::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(transfers::id)
        .load(conn)?;
    let rows: Vec<(TransferRow, String, String, String, String, Option<String>)> = transfers::table
        .inner_join(persons::table.on(persons::id.eq(transfers::person_id)))
        .left_join(accounts::table.on(accounts::person_id.eq(transfers::requested_by)))
        .inner_join(
            from.on(from
                .field(institutions::id)
                .eq(transfers::from_institution_id)),
        )
        .inner_join(to.on(to.field(institutions::id).eq(transfers::to_institution_id)))
        .filter(transfers::id.eq_any(&ids))
        .order((transfers::requested_at.desc(), transfers::id.desc()))
        .select((
            transfers::all_columns,
            persons::given_name,
            persons::family_name,
            from.field(institutions::short_name),
            to.field(institutions::short_name),
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    let rows = rows
        .into_iter()
        .map(|(row, given, family, from, to, requester)| {
            (row, format!("{given} {family}"), from, to, requester)
        })
        .collect();
    Ok((rows, total))
}

/// One transfer with its names.
pub fn listing(conn: &mut DbConnection, id: &TransferId) -> AppResult<TransferListing> {
    let row = find(conn, id)?;
    let (given, family): (String, String) = persons::table
        .find(&row.person_id)
        .select((persons::given_name, persons::family_name))
        .first(conn)?;
    let short = |conn: &mut DbConnection, id: &InstitutionId| -> AppResult<String> {
        Ok(institutions::table
            .find(id)
            .select(institutions::short_name)
            .first(conn)?)
    };
    let from = short(conn, &row.from_institution_id)?;
    let to = short(conn, &row.to_institution_id)?;
    let requester: Option<String> = accounts::table
        .find(&row.requested_by)
        .select(accounts::account_name)
        .first(conn)
        .optional()?;
    Ok((row, format!("{given} {family}"), from, to, requester))
}

/// Decides a pending transfer; `false` if it was not pending any more (someone else
/// decided first), and a conflict when another transfer of the person is approved already.
pub fn decide(
    conn: &mut DbConnection,
    id: &TransferId,
    state: TransferState,
    by: &PersonId,
    at: NaiveDateTime,
    reason: Option<&str>,
) -> AppResult<bool> {
    let changed = conn.transaction(|conn| {
        diesel::update(
            transfers::table
                .find(id)
                .filter(transfers::state.eq(TransferState::Pending)),
        )
        .set((
            transfers::state.eq(state),
            transfers::decided_by.eq(Some(by)),
            transfers::decided_at.eq(Some(at)),
            transfers::reason.eq(reason),
        ))
        .execute(conn)
    });
    match changed {
        Ok(n) => Ok(n > 0),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(another_approved())
        }
        Err(e) => Err(e.into()),
    }
}

/// Of one person's transfers at most one is approved and waiting for its date.
pub fn another_approved() -> AppError {
    AppError::conflict(
        "transfer_approved_already",
        "Another change of institution of this person is approved already; it is carried out first.",
    )
}

/// Approved transfers whose effective date has come.
pub fn due(conn: &mut DbConnection, today: NaiveDate) -> AppResult<Vec<TransferRow>> {
    Ok(transfers::table
        .filter(transfers::state.eq(TransferState::Approved))
        .filter(transfers::effective_date.le(today))
        .order(transfers::effective_date)
        .load(conn)?)
}

/// Marks an approved transfer carried out or cancelled.
pub fn finish(
    conn: &mut DbConnection,
    id: &TransferId,
    state: TransferState,
    at: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(
        transfers::table
            .find(id)
            .filter(transfers::state.eq(TransferState::Approved)),
    )
    .set((
        transfers::state.eq(state),
        transfers::completed_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}
