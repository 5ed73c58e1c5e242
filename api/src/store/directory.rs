//! The member directory: people narrowed by text, institution and status, a page at a time.

use b2mms_shared::{InstitutionId, MembershipStatus};
use diesel::prelude::*;

use super::DbConnection;
use super::models::PersonRow;
use super::schema::{accounts, institutions, persons};
use crate::error::AppResult;

/// What the directory is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct DirectoryFilter {
    /// Lower-case part of a name or account name.
    pub text: Option<String>,
    pub institution_id: Option<InstitutionId>,
    pub status: Option<MembershipStatus>,
}

type DirectoryRow = (PersonRow, String, Option<String>);

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

/// A page of the member directory, by family and given name.
pub fn directory(
    conn: &mut DbConnection,
    filter: &DirectoryFilter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<b2mms_shared::api::DirectoryEntry>, i64)> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};
    let query = || {
        let mut q = persons::table
            .inner_join(institutions::table)
            .left_join(accounts::table)
            .into_boxed();
        if let Some(text) = &filter.text {
            let pattern = format!("%{}%", like_escaped(text));
            q = q.filter(
                sql::<Bool>("(lower(persons.given_name) LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR lower(persons.family_name) LIKE ")
                    .bind::<Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\' OR accounts.account_name LIKE ")
                    .bind::<Text, _>(pattern)
                    .sql(" ESCAPE '\\')"),
            );
        }
        if let Some(inst) = &filter.institution_id {
            q = q.filter(persons::institution_id.eq(inst.clone()));
        }
        if let Some(status) = filter.status {
            q = q.filter(persons::status.eq(status));
        }
        q
    };
    let total = query().count().get_result::<i64>(conn)?;
    let rows: Vec<DirectoryRow> = query()
        .order((persons::family_name, persons::given_name, persons::id))
        .offset(offset)
        .limit(limit)
        .select((
            persons::all_columns,
            institutions::short_name,
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|(p, short, account)| b2mms_shared::api::DirectoryEntry {
            id: p.id.uuid(),
            account_name: account,
            category: p.category,
            status: p.status,
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
