//! Institutions and their representatives.

use std::collections::HashMap;

use b2mms_shared::api::{Institution, PersonRef};
use b2mms_shared::{InstitutionId, PersonId};
use diesel::prelude::*;

use super::models::InstitutionRow;
use super::schema::{accounts, institution_representatives, institutions, persons};
use super::{DbConnection, from_db_time, to_db_time};
use crate::error::{AppError, AppResult};

fn to_wire(row: InstitutionRow, representatives: Vec<PersonRef>) -> Institution {
    Institution {
        id: row.id.uuid(),
        status: row.status,
        name: row.name,
        short_name: row.short_name,
        city: row.city,
        country: row.country,
        ror_id: row.ror_id,
        inspire_id: row.inspire_id,
        paper_name: row.paper_name,
        address: row.address,
        representatives,
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
    }
}

/// Representatives of the given institutions, by institution id.
fn representatives(
    conn: &mut DbConnection,
    institution_ids: &[InstitutionId],
) -> AppResult<HashMap<InstitutionId, Vec<PersonRef>>> {
    let rows: Vec<(InstitutionId, PersonId, String, String, Option<String>)> =
        institution_representatives::table
            .inner_join(persons::table)
            .left_join(accounts::table.on(accounts::person_id.eq(persons::id)))
            .filter(institution_representatives::institution_id.eq_any(institution_ids))
            .order((persons::family_name, persons::given_name))
            .select((
                institution_representatives::institution_id,
                persons::id,
                persons::given_name,
                persons::family_name,
                accounts::account_name.nullable(),
            ))
            .load(conn)?;
    let mut map: HashMap<InstitutionId, Vec<PersonRef>> = HashMap::new();
    for (inst, id, given_name, family_name, account_name) in rows {
        map.entry(inst).or_default().push(PersonRef {
            id: id.uuid(),
            given_name,
            family_name,
            account_name,
        });
    }
    Ok(map)
}

/// A page of institutions ordered by short name, with their representatives.
pub fn list(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<Institution>, i64)> {
    let total = institutions::table.count().get_result::<i64>(conn)?;
    let rows = institutions::table
        .order(institutions::short_name)
        .offset(offset)
        .limit(limit)
        .load::<InstitutionRow>(conn)?;
    let ids: Vec<InstitutionId> = rows.iter().map(|r| r.id.clone()).collect();
    let mut reps = representatives(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|row| {
            let r = reps.remove(&row.id).unwrap_or_default();
            to_wire(row, r)
        })
        .collect();
    Ok((items, total))
}

pub fn find_row(conn: &mut DbConnection, id: &InstitutionId) -> AppResult<InstitutionRow> {
    institutions::table
        .find(id)
        .first::<InstitutionRow>(conn)
        .optional()?
        .ok_or(AppError::NotFound {
            what: "institution",
        })
}

/// One institution with its representatives.
pub fn get(conn: &mut DbConnection, id: &InstitutionId) -> AppResult<Institution> {
    let row = find_row(conn, id)?;
    let reps = representatives(conn, std::slice::from_ref(&row.id))?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(to_wire(row, reps))
}

fn name_conflict(err: diesel::result::Error) -> AppError {
    match err {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => AppError::conflict(
            "institution_exists",
            "An institution with this name or short name already exists; choose another or edit that one.",
        ),
        other => other.into(),
    }
}

pub fn insert(conn: &mut DbConnection, row: &InstitutionRow) -> AppResult<()> {
    diesel::insert_into(institutions::table)
        .values(row)
        .execute(conn)
        .map_err(name_conflict)?;
    Ok(())
}

pub fn update(conn: &mut DbConnection, row: &InstitutionRow) -> AppResult<()> {
    diesel::update(institutions::table.find(&row.id))
        .set((
            institutions::name.eq(&row.name),
            institutions::short_name.eq(&row.short_name),
            institutions::city.eq(&row.city),
            institutions::country.eq(&row.country),
            institutions::ror_id.eq(&row.ror_id),
            institutions::inspire_id.eq(&row.inspire_id),
            institutions::paper_name.eq(&row.paper_name),
            institutions::address.eq(&row.address),
            institutions::status.eq(&row.status),
            institutions::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .map_err(name_conflict)?;
    Ok(())
}

/// Makes a person a representative; `false` if they already were.
pub fn add_representative(
    conn: &mut DbConnection,
    institution_id: &InstitutionId,
    person_id: &PersonId,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    let exists = institution_representatives::table
        .find((institution_id, person_id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        return Ok(false);
    }
    diesel::insert_into(institution_representatives::table)
        .values((
            institution_representatives::institution_id.eq(institution_id),
            institution_representatives::person_id.eq(person_id),
            institution_representatives::since.eq(to_db_time(at)),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Ends a representation; `false` if there was none.
pub fn remove_representative(
    conn: &mut DbConnection,
    institution_id: &InstitutionId,
    person_id: &PersonId,
) -> AppResult<bool> {
    let n = diesel::delete(institution_representatives::table.find((institution_id, person_id)))
        .execute(conn)?;
    Ok(n > 0)
}
