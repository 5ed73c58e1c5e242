//! The member directory: people narrowed by text, institution and status, in the order asked
//! for, a page at a time (or all at once, for an export).

use b2mms_shared::{DirectorySort, InstitutionId, MembershipStatus};
use diesel::prelude::*;

use super::DbConnection;
use super::models::PersonRow;
use super::schema::{accounts, institutions, persons};
use crate::error::AppResult;

/// What the directory is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct DirectoryFilter {
    /// Lower-case part of a name, the account name or the collaboration address.
    pub text: Option<String>,
    /// Also match the contact address (for callers who may read it).
    pub text_in_contact_email: bool,
    pub institution_id: Option<InstitutionId>,
    /// Only people of these institutions (a representative's export).
    pub institutions: Option<Vec<InstitutionId>>,
    pub status: Option<MembershipStatus>,
    /// Active memberships ending between these days (both included).
    pub ending_between: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Only people at institutions in this country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    pub category: Option<b2mms_shared::Category>,
    /// Only the current members of this group.
    pub group: Option<b2mms_shared::GroupId>,
}

/// One person as the directory finds them: the record, the institution's short name and the
/// account name.
pub type DirectoryRow = (PersonRow, String, Option<String>);

/// `text` for a LIKE pattern with `ESCAPE '\'`: its `%`, `_` and `\` match themselves.
pub fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A page of the member directory, in the order asked for.
pub fn directory(
    conn: &mut DbConnection,
    filter: &DirectoryFilter,
    (sort, descending): (DirectorySort, bool),
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<b2mms_shared::api::DirectoryEntry>, i64)> {
    let (rows, total) = rows(conn, filter, sort, descending, offset, limit)?;
    let items = rows
        .into_iter()
        .map(|(p, short, account)| b2mms_shared::api::DirectoryEntry {
            id: p.id.uuid(),
            account_name: account,
            category: p.category,
            status: p.status,
            membership_end: p.membership_end,
            institution_id: p.institution_id.uuid(),
            institution_short_name: short,
            given_name: p.given_name,
            middle_name: p.middle_name,
            family_name: p.family_name,
            registry_email: p.registry_email,
            orcid: p.orcid,
        })
        .collect();
    Ok((items, total))
}

/// The people the directory finds, in the order asked for, and how many there are in all.
pub fn rows(
    conn: &mut DbConnection,
    filter: &DirectoryFilter,
    sort: DirectorySort,
    descending: bool,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<DirectoryRow>, i64)> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};
    let query = || {
        let mut q = persons::table
            .inner_join(institutions::table)
            .left_join(accounts::table)
            .into_boxed();
        if let Some(text) = &filter.text {
            // Both folds of the term against the folded names, account name and collaboration
            // address; the contact address only for callers who may read it.
            let (spelt, plain) = b2mms_shared::rules::search_term(text);
            let (spelt, plain) = (
                format!("%{}%", like_escaped(&spelt)),
                format!("%{}%", like_escaped(&plain)),
            );
            let by_key = sql::<Bool>("(persons.search_key LIKE ")
                .bind::<Text, _>(spelt)
                .sql(" ESCAPE '\\' OR persons.search_key LIKE ")
                .bind::<Text, _>(plain)
                .sql(" ESCAPE '\\'");
            // Kept out of the query unless asked, so that PostgreSQL can use the trigram
            // index on the search text alone.
            q = if filter.text_in_contact_email {
                q.filter(
                    by_key
                        .sql(" OR persons.email LIKE ")
                        .bind::<Text, _>(format!("%{}%", like_escaped(text)))
                        .sql(" ESCAPE '\\')"),
                )
            } else {
                q.filter(by_key.sql(")"))
            };
        }
        if let Some(inst) = &filter.institution_id {
            q = q.filter(persons::institution_id.eq(inst.clone()));
        }
        if let Some(ids) = &filter.institutions {
            q = q.filter(persons::institution_id.eq_any(ids.clone()));
        }
        if let Some(country) = &filter.country {
            q = q.filter(institutions::country.eq(country.clone()));
        }
        if let Some(category) = filter.category {
            q = q.filter(persons::category.eq(category));
        }
        if let Some(group) = &filter.group {
            use super::schema::group_members;
            q = q.filter(diesel::dsl::exists(
                group_members::table
                    .filter(group_members::group_id.eq(group.clone()))
                    .filter(group_members::person_id.eq(persons::id))
                    .filter(group_members::until.is_null()),
            ));
        }
        if let Some((from, until)) = filter.ending_between {
            q = q
                .filter(persons::status.eq(MembershipStatus::Active))
                .filter(persons::membership_end.between(from, until));
        }
        if let Some(status) = filter.status {
            q = q.filter(persons::status.eq(status));
        }
        q
    };
    let total = query().count().get_result::<i64>(conn)?;
    let ordered = match (sort, descending) {
        (DirectorySort::Name, false) => query().order(persons::family_name.asc()),
        (DirectorySort::Name, true) => query().order(persons::family_name.desc()),
        (DirectorySort::Account, false) => query().order(accounts::account_name.asc()),
        (DirectorySort::Account, true) => query().order(accounts::account_name.desc()),
        (DirectorySort::Institution, false) => query().order(institutions::short_name.asc()),
        (DirectorySort::Institution, true) => query().order(institutions::short_name.desc()),
        (DirectorySort::Category, false) => query().order(persons::category.asc()),
        (DirectorySort::Category, true) => query().order(persons::category.desc()),
        (DirectorySort::Status, false) => query().order(persons::status.asc()),
        (DirectorySort::Status, true) => query().order(persons::status.desc()),
        // Open-ended memberships (no end) come last either way.
        (DirectorySort::MembershipEnd, false) => query().order((
            persons::membership_end.is_null().asc(),
            persons::membership_end.asc(),
        )),
        (DirectorySort::MembershipEnd, true) => query().order((
            persons::membership_end.is_null().asc(),
            persons::membership_end.desc(),
        )),
    };
    let rows: Vec<DirectoryRow> = ordered
        .then_order_by(persons::family_name)
        .then_order_by(persons::given_name)
        .then_order_by(persons::id)
        .offset(offset)
        .limit(limit)
        .select((
            persons::all_columns,
            institutions::short_name,
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    Ok((rows, total))
}
