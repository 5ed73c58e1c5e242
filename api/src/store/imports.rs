//! A bulk import's queries: who of a batch exists already, and one batch of new people with
//! their accounts, periods, group memberships, audit events and set-password links written
//! in a few statements.

use std::collections::HashMap;

use b2mms_shared::{GroupId, PersonId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::models::{AccountRow, AffiliationRow, AuditRow, OutboxRow, PersonRow};
use super::schema::{
    account_names, accounts, affiliations, audit_events, group_members, mail_outbox,
    password_resets, password_setups, persons,
};
use crate::error::AppResult;

/// Statements stay under both databases' limit of bound values (SQLite 32,766).
const ROWS_PER_STATEMENT: usize = 500;

/// What the database holds already of a batch's account names, addresses and ORCID iDs.
#[derive(Debug, Default)]
pub struct Existing {
    /// Account name → the contact address of its person (none for a name a registration
    /// request holds).
    pub accounts: HashMap<String, Option<String>>,
    /// Contact addresses that belong to a person, with that person's account name.
    pub emails: HashMap<String, Option<String>>,
    pub orcids: HashMap<String, PersonId>,
}

/// Looks up a batch's names, addresses and ORCID iDs at once.
pub fn existing(
    conn: &mut DbConnection,
    names: &[&str],
    emails: &[&str],
    orcids: &[&str],
) -> AppResult<Existing> {
    let mut found = Existing::default();
    for chunk in names.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<(String, Option<String>)> = account_names::table
            .left_join(persons::table.on(account_names::person_id.eq(persons::id.nullable())))
            .filter(account_names::name.eq_any(chunk))
            .select((account_names::name, persons::email.nullable()))
            .load(conn)?;
        found.accounts.extend(rows);
    }
    for chunk in emails.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<(String, Option<String>)> = persons::table
            .left_join(accounts::table)
            .filter(persons::email.eq_any(chunk))
            .select((persons::email, accounts::account_name.nullable()))
            .load(conn)?;
        found.emails.extend(rows);
    }
    for chunk in orcids.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<(Option<String>, PersonId)> = persons::table
            .filter(persons::orcid.eq_any(chunk))
            .select((persons::orcid, persons::id))
            .load(conn)?;
        found
            .orcids
            .extend(rows.into_iter().filter_map(|(o, id)| Some((o?, id))));
    }
    Ok(found)
}

/// One new person of an import, ready to store.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub person: PersonRow,
    pub account: AccountRow,
    pub period: AffiliationRow,
    /// The main group and the groups the file names.
    pub groups: Vec<GroupId>,
    pub since: NaiveDate,
    pub audit: AuditRow,
}

/// A set-password link and its mail, for one new person.
#[derive(Debug, Clone)]
pub struct Link {
    pub person_id: PersonId,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub mail: OutboxRow,
}

/// Stores a batch of new people (in the caller's transaction); a name, address or ORCID iD
/// taken meanwhile fails the whole batch.
pub fn insert(conn: &mut DbConnection, people: &[NewPerson], at: NaiveDateTime) -> AppResult<()> {
    for chunk in people.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<&PersonRow> = chunk.iter().map(|p| &p.person).collect();
        insert_many!(conn, persons::table, rows).map_err(super::persons::unique_conflict)?;
        let names: Vec<_> = chunk
            .iter()
            .map(|p| {
                (
                    account_names::name.eq(&p.account.account_name),
                    account_names::person_id.eq(Some(&p.person.id)),
                    account_names::reserved_at.eq(at),
                )
            })
            .collect();
        insert_many!(conn, account_names::table, names).map_err(super::persons::unique_conflict)?;
        let rows: Vec<&AccountRow> = chunk.iter().map(|p| &p.account).collect();
        insert_many!(conn, accounts::table, rows)?;
        let rows: Vec<&AffiliationRow> = chunk.iter().map(|p| &p.period).collect();
        insert_many!(conn, affiliations::table, rows)?;
        let setups: Vec<_> = chunk
            .iter()
            .map(|p| {
                (
                    password_setups::person_id.eq(&p.person.id),
                    password_setups::created_at.eq(at),
                )
            })
            .collect();
        insert_many!(conn, password_setups::table, setups)?;
        let rows: Vec<&AuditRow> = chunk.iter().map(|p| &p.audit).collect();
        insert_many!(conn, audit_events::table, rows)?;
    }
    let memberships: Vec<_> = people
        .iter()
        .flat_map(|p| {
            p.groups.iter().map(|g| {
                (
                    group_members::group_id.eq(g),
                    group_members::person_id.eq(&p.person.id),
                    group_members::since.eq(p.since),
                )
            })
        })
        .collect();
    for chunk in memberships.chunks(ROWS_PER_STATEMENT) {
        insert_many!(conn, group_members::table, chunk)?;
    }
    Ok(())
}

/// People whose account has no password yet and who were never sent a link: up to `limit`.
pub fn unmailed(conn: &mut DbConnection, limit: i64) -> AppResult<Vec<(PersonId, String, String)>> {
    Ok(password_setups::table
        .inner_join(persons::table.inner_join(accounts::table))
        .filter(password_setups::mailed_at.is_null())
        .order(password_setups::created_at)
        .select((persons::id, accounts::account_name, persons::email))
        .limit(limit)
        .load(conn)?)
}

/// How many people without a password have been sent a link already.
pub fn mailed_count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(password_setups::table
        .filter(password_setups::mailed_at.is_not_null())
        .count()
        .get_result(conn)?)
}

/// Stores set-password links with their mails and marks the people as mailed.
pub fn insert_links(conn: &mut DbConnection, links: &[Link], at: NaiveDateTime) -> AppResult<()> {
    for chunk in links.chunks(ROWS_PER_STATEMENT) {
        let resets: Vec<_> = chunk
            .iter()
            .map(|l| {
                (
                    password_resets::token_hash.eq(&l.token_hash),
                    password_resets::person_id.eq(&l.person_id),
                    password_resets::created_at.eq(at),
                    password_resets::expires_at.eq(l.expires_at),
                )
            })
            .collect();
        insert_many!(conn, password_resets::table, resets)?;
        let mails: Vec<&OutboxRow> = chunk.iter().map(|l| &l.mail).collect();
        insert_many!(conn, mail_outbox::table, mails)?;
        let ids: Vec<&PersonId> = chunk.iter().map(|l| &l.person_id).collect();
        diesel::update(password_setups::table.filter(password_setups::person_id.eq_any(ids)))
            .set(password_setups::mailed_at.eq(at))
            .execute(conn)?;
    }
    Ok(())
}

/// The person has chosen a password: no link is owed any more.
pub fn password_set(conn: &mut DbConnection, person: &PersonId) -> AppResult<()> {
    diesel::delete(password_setups::table.find(person)).execute(conn)?;
    Ok(())
}

/// Every institution by its short name, lower-cased, with whether it takes members.
pub fn institutions(
    conn: &mut DbConnection,
) -> AppResult<HashMap<String, (b2mms_shared::InstitutionId, b2mms_shared::InstitutionStatus)>> {
    use super::schema::institutions;
    let rows: Vec<(
        String,
        b2mms_shared::InstitutionId,
        b2mms_shared::InstitutionStatus,
    )> = institutions::table
        .select((
            institutions::short_name,
            institutions::id,
            institutions::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(short, id, status)| (short.to_lowercase(), (id, status)))
        .collect())
}
