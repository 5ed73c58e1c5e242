//! The member directory: people narrowed by text, institution and status, in the order asked
//! for, a page at a time (or all at once, for an export).

use b2mms_shared::{DirectorySort, InstitutionId, MembershipStatus, PersonId};
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
    window: &Window,
    totals: &super::totals_cache::TotalsCache,
) -> AppResult<b2mms_shared::api::DirectoryPage> {
    let found = rows(conn, filter, window, Some(totals))?;
    let items = found
        .rows
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
    Ok(b2mms_shared::api::DirectoryPage {
        items,
        total: found.total,
        page: window
            .after
            .is_none()
            .then(|| 1 + window.offset / window.limit.max(1)),
        per_page: window.limit,
        next_after: found.next_after.map(|id| id.uuid()),
    })
}

/// SQLite's full-text expression for a search: the folds of the term in the search text
/// (and the term in the contact address), each a quoted phrase, which the trigram tokenizer
/// matches as a substring. None when a phrase is shorter than a trigram.
fn full_text_match(spelt: &str, plain: &str, contact: Option<&String>) -> Option<String> {
    let phrase =
        |p: &str| (p.chars().count() >= 3).then(|| format!("\"{}\"", p.replace('"', "\"\"")));
    let in_key = format!("search_key : ({} OR {})", phrase(spelt)?, phrase(plain)?);
    Some(match contact {
        Some(contact) => format!("({in_key}) OR (email : {})", phrase(contact)?),
        None => in_key,
    })
}

/// Narrows a boxed query over `persons` (alone or joined) by `filter`, all but the country
/// (which the callers ask of the institution as their query can). A macro, so that the count,
/// which reads `persons` alone, and the page's joined query share one definition of every
/// filter.
macro_rules! narrowed {
    ($query:expr, $filter:expr, $full_text:expr) => {{
        use diesel::dsl::sql;
        use diesel::sql_types::{Bool, Text};
        let filter: &DirectoryFilter = $filter;
        let mut q = $query;
        if let Some(text) = &filter.text {
            // Both folds of the term against the folded names, account name and collaboration
            // address; the contact address only for callers who may read it. Each is a
            // substring match found through trigrams: PostgreSQL's indexes, or SQLite's
            // full-text table for terms of three letters or more.
            let (spelt, plain) = b2mms_shared::rules::search_term(text);
            let contact = text.to_lowercase();
            match full_text_match(&spelt, &plain, filter.text_in_contact_email.then_some(&contact)) {
                Some(expression) if $full_text => {
                    q = q.filter(
                        sql::<Bool>(
                            "persons.id IN (SELECT person_id FROM persons_search WHERE persons_search MATCH ",
                        )
                        .bind::<Text, _>(expression)
                        .sql(")"),
                    );
                }
                _ => {
                    let (spelt, plain) = (
                        format!("%{}%", like_escaped(&spelt)),
                        format!("%{}%", like_escaped(&plain)),
                    );
                    let by_key = sql::<Bool>("(persons.search_key LIKE ")
                        .bind::<Text, _>(spelt)
                        .sql(" ESCAPE '\\' OR persons.search_key LIKE ")
                        .bind::<Text, _>(plain)
                        .sql(" ESCAPE '\\'");
                    q = if filter.text_in_contact_email {
                        q.filter(
                            by_key
                                .sql(" OR persons.email LIKE ")
                                .bind::<Text, _>(format!("%{}%", like_escaped(&contact)))
                                .sql(" ESCAPE '\\')"),
                        )
                    } else {
                        q.filter(by_key.sql(")"))
                    };
                }
            }
        }
        if let Some(inst) = &filter.institution_id {
            q = q.filter(persons::institution_id.eq(inst.clone()));
        }
        if let Some(ids) = &filter.institutions {
            q = q.filter(persons::institution_id.eq_any(ids.clone()));
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
    }};
}

/// Which part of the directory to read: the order, and where the page begins — after a
/// person (a keyset page, as fast at any depth) or after skipping `offset` people.
#[derive(Debug, Clone)]
pub struct Window {
    pub sort: DirectorySort,
    pub descending: bool,
    /// The last person of the page before; the page begins after them in this order.
    pub after: Option<PersonId>,
    pub offset: i64,
    pub limit: i64,
}

impl Window {
    /// Everyone from the start, up to `limit` people (an export).
    pub fn first(sort: DirectorySort, descending: bool, limit: i64) -> Self {
        Self {
            sort,
            descending,
            after: None,
            offset: 0,
            limit,
        }
    }
}

/// A page of the directory: the people on it, how many match in all, and the last person when
/// more follow (to read the next page after).
pub struct DirectoryPage {
    pub rows: Vec<DirectoryRow>,
    pub total: i64,
    pub next_after: Option<PersonId>,
}

/// The sort keys of the person a keyset page begins after.
#[derive(Debug, Clone, Queryable)]
struct Cursor {
    id: PersonId,
    family: String,
    given: String,
    category: b2mms_shared::Category,
    status: MembershipStatus,
    end: Option<chrono::NaiveDate>,
    institution: String,
    account: Option<String>,
}

impl Cursor {
    fn of(conn: &mut DbConnection, id: &PersonId) -> AppResult<Self> {
        persons::table
            .inner_join(institutions::table)
            .left_join(accounts::table)
            .filter(persons::id.eq(id.clone()))
            .select((
                persons::id,
                persons::family_name,
                persons::given_name,
                persons::category,
                persons::status,
                persons::membership_end,
                institutions::short_name,
                accounts::account_name.nullable(),
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                crate::error::AppError::bad_request(
                    "invalid_query",
                    "`after` names no person: pass the id of the last person on the page before (its `next_after`).",
                )
            })
    }
}

/// People after `$c` by name: `(family_name, given_name, id) $op (…)` with `$op` `>`
/// ascending or `<` descending, one row-value comparison that both databases answer from the
/// name index as a range (an `OR` of its parts would be read from the start of the index).
macro_rules! after_name {
    ($c:expr, $op:literal) => {
        diesel::dsl::sql::<diesel::sql_types::Bool>(concat!(
            "(persons.family_name, persons.given_name, persons.id) ",
            $op,
            " ("
        ))
        .bind::<diesel::sql_types::Text, _>($c.family.clone())
        .sql(", ")
        .bind::<diesel::sql_types::Text, _>($c.given.clone())
        .sql(", ")
        .bind::<diesel::sql_types::Text, _>($c.id.as_str().to_owned())
        .sql(")")
    };
}

/// People after `$c` by a leading column `$lead`, then by name ascending: `$from` (`ge` or
/// `le`) bounds the range where the lead is `$value`, `$beyond` (`gt` or `lt`) passes it.
macro_rules! after_lead {
    ($lead:expr, $from:ident, $beyond:ident, $value:expr, $c:expr) => {
        $lead
            .$from($value.clone())
            .and($lead.$beyond($value.clone()).or(after_name!($c, ">")))
    };
}

/// People after `$c` by a column `$lead` whose empty values come last, then by name.
macro_rules! after_nullable_lead {
    ($q:expr, $lead:expr, $op:ident, $value:expr, $c:expr) => {
        match $value.clone() {
            Some(value) => $q.filter(
                $lead
                    .$op(value.clone())
                    .or($lead.is_null())
                    .or($lead.eq(value).and(after_name!($c, ">"))),
            ),
            None => $q.filter($lead.is_null().and(after_name!($c, ">"))),
        }
    };
}

/// The people the directory finds, in the order asked for, and how many there are in all.
/// The count reads `persons` alone; a page is one query that reads people along the index of
/// its order and joins each to their institution and account (on SQLite, in an order of
/// `persons`' own columns, the keys first, then their rows).
pub fn rows(
    conn: &mut DbConnection,
    filter: &DirectoryFilter,
    window: &Window,
    totals: Option<&super::totals_cache::TotalsCache>,
) -> AppResult<DirectoryPage> {
    let full_text = matches!(conn, DbConnection::Sqlite(_));
    let cursor = match &window.after {
        Some(id) => Some(Cursor::of(conn, id)?),
        None => None,
    };
    let alone = || {
        let q = narrowed!(persons::table.into_boxed(), filter, full_text);
        match &filter.country {
            Some(country) => q.filter(
                persons::institution_id.eq_any(
                    institutions::table
                        .filter(institutions::country.eq(country.clone()))
                        .select(institutions::id),
                ),
            ),
            None => q,
        }
    };
    let joined_sort = matches!(
        window.sort,
        DirectorySort::Account | DirectorySort::Institution
    );
    let (rows, next_after) = if full_text && !joined_sort {
        keys_first_page(conn, window, cursor.as_ref(), &alone)?
    } else {
        page(conn, filter, window, cursor.as_ref())?
    };
    // The first page that holds everyone counts them; otherwise the count, remembered for a
    // moment.
    let total = if window.after.is_none() && window.offset == 0 && next_after.is_none() {
        i64::try_from(rows.len()).unwrap_or(i64::MAX)
    } else {
        let mut count = || Ok(alone().count().get_result::<i64>(conn)?);
        match totals {
            Some(cache) => cache.total(format!("{filter:?}"), count)?,
            None => count()?,
        }
    };
    Ok(DirectoryPage {
        rows,
        total,
        next_after,
    })
}

/// Orders a query over `persons` (alone or joined) by one of `persons`' own columns, then by
/// name (`$by_name`; also for the sorts of the joined tables, which `in_order!` handles);
/// open-ended memberships come last either way.
macro_rules! in_person_order {
    ($q:expr, $sort:expr, $descending:expr, $by_name:expr) => {
        match ($sort, $descending) {
            (DirectorySort::Name, true) => $q.order((
                persons::family_name.desc(),
                persons::given_name.desc(),
                persons::id.desc(),
            )),
            (DirectorySort::Category, false) => {
                $q.order(persons::category.asc()).then_order_by($by_name)
            }
            (DirectorySort::Category, true) => {
                $q.order(persons::category.desc()).then_order_by($by_name)
            }
            (DirectorySort::Status, false) => {
                $q.order(persons::status.asc()).then_order_by($by_name)
            }
            (DirectorySort::Status, true) => {
                $q.order(persons::status.desc()).then_order_by($by_name)
            }
            (DirectorySort::MembershipEnd, false) => $q
                .order((
                    persons::membership_end.is_null().asc(),
                    persons::membership_end.asc(),
                ))
                .then_order_by($by_name),
            (DirectorySort::MembershipEnd, true) => $q
                .order((
                    persons::membership_end.is_null().asc(),
                    persons::membership_end.desc(),
                ))
                .then_order_by($by_name),
            _ => $q.order($by_name),
        }
    };
}

/// Orders the joined query by the column asked for, then by name; people without an account
/// come last either way.
macro_rules! in_order {
    ($q:expr, $sort:expr, $descending:expr, $by_name:expr) => {
        match ($sort, $descending) {
            (DirectorySort::Account, false) => $q
                .order(accounts::account_name.nullable().is_null().asc())
                .then_order_by(accounts::account_name.asc())
                .then_order_by($by_name),
            (DirectorySort::Account, true) => $q
                .order(accounts::account_name.nullable().is_null().asc())
                .then_order_by(accounts::account_name.desc())
                .then_order_by($by_name),
            (DirectorySort::Institution, false) => $q
                .order(institutions::short_name.asc())
                .then_order_by($by_name),
            (DirectorySort::Institution, true) => $q
                .order(institutions::short_name.desc())
                .then_order_by($by_name),
            (sort, descending) => in_person_order!($q, sort, descending, $by_name),
        }
    };
}

/// Narrows a query over `persons` (alone or joined) to the people after the cursor `$c` in an
/// order of `persons`' own columns (the sorts of the joined tables are `after!`'s).
macro_rules! after_in_person_order {
    ($q:expr, $sort:expr, $descending:expr, $c:expr) => {{
        let (q, c) = ($q, $c);
        match ($sort, $descending) {
            (DirectorySort::Name, false) => q.filter(after_name!(c, ">")),
            (DirectorySort::Name, true) => q.filter(after_name!(c, "<")),
            (DirectorySort::Category, false) => {
                q.filter(after_lead!(persons::category, ge, gt, c.category, c))
            }
            (DirectorySort::Category, true) => {
                q.filter(after_lead!(persons::category, le, lt, c.category, c))
            }
            (DirectorySort::Status, false) => {
                q.filter(after_lead!(persons::status, ge, gt, c.status, c))
            }
            (DirectorySort::Status, true) => {
                q.filter(after_lead!(persons::status, le, lt, c.status, c))
            }
            (DirectorySort::MembershipEnd, false) => {
                after_nullable_lead!(q, persons::membership_end, gt, c.end, c)
            }
            (DirectorySort::MembershipEnd, true) => {
                after_nullable_lead!(q, persons::membership_end, lt, c.end, c)
            }
            (DirectorySort::Account | DirectorySort::Institution, _) => q,
        }
    }};
}

/// A page in one query: the people read along the index of the order (after the cursor, a
/// range of it), each joined to their institution and account as it is read, until the page
/// is full.
fn page(
    conn: &mut DbConnection,
    filter: &DirectoryFilter,
    window: &Window,
    cursor: Option<&Cursor>,
) -> AppResult<(Vec<DirectoryRow>, Option<PersonId>)> {
    let full_text = matches!(conn, DbConnection::Sqlite(_));
    let by_name = (persons::family_name, persons::given_name, persons::id);
    let after = || {
        let q = narrowed!(
            persons::table
                .inner_join(institutions::table)
                .left_join(accounts::table)
                .into_boxed::<super::MultiBackend>(),
            filter,
            full_text
        );
        let q = match &filter.country {
            Some(country) => q.filter(institutions::country.eq(country.clone())),
            None => q,
        };
        let Some(c) = cursor else { return q };
        match (window.sort, window.descending) {
            (DirectorySort::Account, false) => {
                after_nullable_lead!(q, accounts::account_name.nullable(), gt, c.account, c)
            }
            (DirectorySort::Account, true) => {
                after_nullable_lead!(q, accounts::account_name.nullable(), lt, c.account, c)
            }
            (DirectorySort::Institution, false) => q.filter(after_lead!(
                institutions::short_name,
                ge,
                gt,
                c.institution,
                c
            )),
            (DirectorySort::Institution, true) => q.filter(after_lead!(
                institutions::short_name,
                le,
                lt,
                c.institution,
                c
            )),
            (sort, descending) => after_in_person_order!(q, sort, descending, c),
        }
    };
    let rows: Vec<DirectoryRow> = in_order!(after(), window.sort, window.descending, by_name)
        .offset(if cursor.is_some() { 0 } else { window.offset })
        .limit(window.limit + 1)
        .select((
            persons::all_columns,
            institutions::short_name,
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    Ok(split_off_more(rows, window.limit, |(p, _, _)| p.id.clone()))
}

/// A page in an order of `persons`' own columns in two steps, for SQLite, whose planner does
/// better so (measured: a page of 50 at 100,000 people 2,500/s against 1,700/s joined): the
/// keys read from `persons` alone (a covering range of the order's index, or the full-text
/// table), then only their rows joined to their institution and account.
fn keys_first_page<'a>(
    conn: &mut DbConnection,
    window: &Window,
    cursor: Option<&Cursor>,
    alone: &dyn Fn() -> persons::BoxedQuery<'a, super::MultiBackend>,
) -> AppResult<(Vec<DirectoryRow>, Option<PersonId>)> {
    let by_name = (persons::family_name, persons::given_name, persons::id);
    let after = match cursor {
        Some(c) => after_in_person_order!(alone(), window.sort, window.descending, c),
        None => alone(),
    };
    let keys: Vec<PersonId> = in_person_order!(after, window.sort, window.descending, by_name)
        .select(persons::id)
        .offset(if cursor.is_some() { 0 } else { window.offset })
        .limit(window.limit + 1)
        .load(conn)?;
    let (keys, next_after) = split_off_more(keys, window.limit, |id| id.clone());
    let mut rows: Vec<DirectoryRow> = persons::table
        .inner_join(institutions::table)
        .left_join(accounts::table)
        .filter(persons::id.eq_any(&keys))
        .select((
            persons::all_columns,
            institutions::short_name,
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    let place: std::collections::HashMap<&PersonId, usize> =
        keys.iter().enumerate().map(|(i, id)| (id, i)).collect();
    rows.sort_by_key(|(p, _, _)| place.get(&p.id).copied().unwrap_or(usize::MAX));
    Ok((rows, next_after))
}

/// `found` (read one beyond `limit`) cut to `limit`, and the id of the last one kept when more
/// followed.
fn split_off_more<T>(
    mut found: Vec<T>,
    limit: i64,
    id: impl Fn(&T) -> PersonId,
) -> (Vec<T>, Option<PersonId>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if found.len() <= limit {
        return (found, None);
    }
    found.truncate(limit);
    let last = found.last().map(id);
    (found, last)
}

#[cfg(test)]
mod tests {
    use super::full_text_match;

    #[test]
    fn a_full_text_search_quotes_each_fold_and_needs_three_letters() {
        assert_eq!(
            full_text_match("müller", "muller", None).as_deref(),
            Some(r#"search_key : ("müller" OR "muller")"#)
        );
        let contact = "a\"b@x".to_owned();
        assert_eq!(
            full_text_match("abc", "abc", Some(&contact)).as_deref(),
            Some(r#"(search_key : ("abc" OR "abc")) OR (email : "a""b@x")"#)
        );
        assert_eq!(
            full_text_match("li", "li", None),
            None,
            "two letters make no trigram"
        );
    }
}
