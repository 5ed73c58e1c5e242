//! Author lists in the database: the policy, individual decisions, the people and periods a
//! list is computed from, the lists themselves and their sign-offs.

use std::collections::HashMap;

use b2mms_shared::api::ListedInstitution;
use b2mms_shared::{
    AffiliationKind, AuthorExceptionId, AuthorListId, AuthorListState, Category, ExceptionKind,
    InstitutionId, PersonId,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    accounts, affiliations, author_exceptions, author_list_sign_offs, author_lists, author_policy,
    institutions, persons,
};
use crate::domain::authors::{Decision, Period, Policy};
use crate::error::{AppError, AppResult};

/// The stored policy and when it was changed; `None` while the defaults apply.
pub fn policy(conn: &mut DbConnection) -> AppResult<Option<(Policy, NaiveDateTime)>> {
    let row: Option<(String, i32, i32, NaiveDateTime)> = author_policy::table
        .find(1)
        .select((
            author_policy::categories,
            author_policy::qualification_months,
            author_policy::months_after_end,
            author_policy::updated_at,
        ))
        .first(conn)
        .optional()?;
    row.map(|(categories, qualification, after, at)| {
        let categories = categories
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| {
                Category::parse(c).ok_or_else(|| {
                    AppError::Internal(format!("unknown category {c:?} in the author policy"))
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok((
            Policy {
                categories,
                qualification_months: qualification.max(0) as u32,
                months_after_end: after.max(0) as u32,
            },
            at,
        ))
    })
    .transpose()
}

/// Stores the policy, replacing the one before.
pub fn put_policy(
    conn: &mut DbConnection,
    policy: &Policy,
    by: &PersonId,
    at: NaiveDateTime,
) -> AppResult<()> {
    let categories = policy
        .categories
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",");
    diesel::delete(author_policy::table).execute(conn)?;
    diesel::insert_into(author_policy::table)
        .values((
            author_policy::id.eq(1),
            author_policy::categories.eq(categories),
            author_policy::qualification_months.eq(policy.qualification_months as i32),
            author_policy::months_after_end.eq(policy.months_after_end as i32),
            author_policy::updated_at.eq(at),
            author_policy::updated_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// A stored decision.
#[derive(Debug, Clone, Queryable)]
pub struct ExceptionRow {
    pub id: AuthorExceptionId,
    pub person_id: PersonId,
    pub kind: ExceptionKind,
    pub reason: String,
    pub from_date: NaiveDate,
    pub until_date: Option<NaiveDate>,
    pub decided_by: PersonId,
    pub created_at: NaiveDateTime,
}

impl ExceptionRow {
    pub fn decision(&self) -> Decision {
        Decision {
            kind: self.kind,
            from: self.from_date,
            until: self.until_date,
            reason: self.reason.clone(),
        }
    }
}

pub fn insert_exception(conn: &mut DbConnection, row: &ExceptionRow) -> AppResult<()> {
    diesel::insert_into(author_exceptions::table)
        .values((
            author_exceptions::id.eq(&row.id),
            author_exceptions::person_id.eq(&row.person_id),
            author_exceptions::kind.eq(row.kind),
            author_exceptions::reason.eq(&row.reason),
            author_exceptions::from_date.eq(row.from_date),
            author_exceptions::until_date.eq(row.until_date),
            author_exceptions::decided_by.eq(&row.decided_by),
            author_exceptions::created_at.eq(row.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every decision, oldest first (a later one wins over an earlier one on the same day).
pub fn exceptions(conn: &mut DbConnection) -> AppResult<Vec<ExceptionRow>> {
    Ok(author_exceptions::table
        .order((author_exceptions::created_at, author_exceptions::id))
        .load(conn)?)
}

/// The decisions about one person, oldest first.
pub fn exceptions_of(conn: &mut DbConnection, person: &PersonId) -> AppResult<Vec<ExceptionRow>> {
    Ok(author_exceptions::table
        .filter(author_exceptions::person_id.eq(person))
        .order((author_exceptions::created_at, author_exceptions::id))
        .load(conn)?)
}

pub fn exception(conn: &mut DbConnection, id: &AuthorExceptionId) -> AppResult<ExceptionRow> {
    author_exceptions::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound {
            what: "author exception",
        })
}

pub fn delete_exception(conn: &mut DbConnection, id: &AuthorExceptionId) -> AppResult<()> {
    diesel::delete(author_exceptions::table.find(id)).execute(conn)?;
    Ok(())
}

/// A person as an author list prints them, with where they were a member when.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: PersonId,
    pub account_name: Option<String>,
    pub given_name: String,
    pub middle_name: Option<String>,
    pub family_name: String,
    pub paper_name: Option<String>,
    pub orcid: Option<String>,
    pub inspire_id: Option<String>,
    /// The home institution on the record now.
    pub institution_id: InstitutionId,
    /// Membership periods, oldest first, with their institution.
    pub periods: Vec<(Period, InstitutionId)>,
    /// "Also at" affiliations: institution, start, end.
    pub secondary: Vec<(InstitutionId, NaiveDate, Option<NaiveDate>)>,
}

type PersonFields = (
    PersonId,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    InstitutionId,
    Option<String>,
);

type AffiliationFields = (
    PersonId,
    InstitutionId,
    NaiveDate,
    Option<NaiveDate>,
    AffiliationKind,
    Option<Category>,
);

/// The people who may be authors some day between `first` and `last` under `policy`: those
/// with a period in a qualifying category that has not ended before the policy's tail reaches
/// `first` and starts by `last`, and those named by a decision in `extra`.
pub fn candidates(
    conn: &mut DbConnection,
    policy: &Policy,
    first: NaiveDate,
    last: NaiveDate,
    extra: &[PersonId],
) -> AppResult<Vec<Candidate>> {
    let earliest_end = policy.earliest_relevant_end(first);
    // The people with a qualifying period in the window (a subquery; written where it is used,
    // since a diesel subquery is consumed by its query).
    macro_rules! qualifying {
        () => {{
            let other = diesel::alias!(affiliations as qualifying);
            other
                .filter(other.field(affiliations::kind).eq(AffiliationKind::Primary))
                .filter(
                    other
                        .field(affiliations::category)
                        .eq_any(policy.categories.clone()),
                )
                .filter(other.field(affiliations::start_date).le(last))
                .filter(
                    other
                        .field(affiliations::end_date)
                        .is_null()
                        .or(other.field(affiliations::end_date).ge(earliest_end)),
                )
                .select(other.field(affiliations::person_id))
        }};
    }
    let people: Vec<PersonFields> = persons::table
        .left_join(accounts::table)
        .filter(
            persons::id
                .eq_any(qualifying!())
                .or(persons::id.eq_any(extra)),
        )
        .select((
            persons::id,
            persons::given_name,
            persons::middle_name,
            persons::family_name,
            persons::paper_name,
            persons::orcid,
            persons::inspire_id,
            persons::institution_id,
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    let periods: Vec<AffiliationFields> = affiliations::table
        .filter(
            affiliations::person_id
                .eq_any(qualifying!())
                .or(affiliations::person_id.eq_any(extra)),
        )
        .order((affiliations::person_id, affiliations::start_date))
        .select((
            affiliations::person_id,
            affiliations::institution_id,
            affiliations::start_date,
            affiliations::end_date,
            affiliations::kind,
            affiliations::category,
        ))
        .load(conn)?;
    let mut by_person: HashMap<PersonId, Candidate> = people
        .into_iter()
        .map(
            |(
                id,
                given_name,
                middle_name,
                family_name,
                paper_name,
                orcid,
                inspire_id,
                institution_id,
                account_name,
            )| {
                let candidate = Candidate {
                    id: id.clone(),
                    account_name,
                    given_name,
                    middle_name,
                    family_name,
                    paper_name,
                    orcid,
                    inspire_id,
                    institution_id,
                    periods: Vec::new(),
                    secondary: Vec::new(),
                };
                (id, candidate)
            },
        )
        .collect();
    for (person, institution, start, end, kind, category) in periods {
        let Some(candidate) = by_person.get_mut(&person) else {
            continue;
        };
        match (kind, category) {
            (AffiliationKind::Primary, Some(category)) => candidate.periods.push((
                Period {
                    start,
                    end,
                    category,
                },
                institution,
            )),
            (AffiliationKind::Secondary, _) => candidate.secondary.push((institution, start, end)),
            (AffiliationKind::Primary, None) => {}
        }
    }
    Ok(by_person.into_values().collect())
}

/// Every institution as an author list prints it, by id (numbers are set by the list).
pub fn listed_institutions(
    conn: &mut DbConnection,
) -> AppResult<HashMap<InstitutionId, ListedInstitution>> {
    let rows: Vec<super::models::InstitutionRow> = institutions::table.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let listed = ListedInstitution {
                number: 0,
                institution_id: row.id.uuid(),
                short_name: row.short_name,
                paper_name: row.paper_name.unwrap_or(row.name),
                address: row.address,
                city: row.city,
                country: row.country,
                ror_id: row.ror_id,
                inspire_id: row.inspire_id,
            };
            (row.id, listed)
        })
        .collect())
}

/// A stored list.
#[derive(Debug, Clone, Queryable)]
pub struct ListRow {
    pub id: AuthorListId,
    pub title: String,
    pub reference: Option<String>,
    pub list_date: NaiveDate,
    pub state: AuthorListState,
    pub snapshot: Option<String>,
    pub created_by: PersonId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub frozen_by: Option<PersonId>,
    pub frozen_at: Option<NaiveDateTime>,
}

pub fn insert_list(conn: &mut DbConnection, row: &ListRow) -> AppResult<()> {
    diesel::insert_into(author_lists::table)
        .values((
            author_lists::id.eq(&row.id),
            author_lists::title.eq(&row.title),
            author_lists::reference.eq(&row.reference),
            author_lists::list_date.eq(row.list_date),
            author_lists::state.eq(row.state),
            author_lists::snapshot.eq(&row.snapshot),
            author_lists::created_by.eq(&row.created_by),
            author_lists::created_at.eq(row.created_at),
            author_lists::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConnection, id: &AuthorListId) -> AppResult<ListRow> {
    author_lists::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound {
            what: "author list",
        })
}

/// Every list, the newest first.
pub fn lists(conn: &mut DbConnection) -> AppResult<Vec<ListRow>> {
    Ok(author_lists::table
        .order((author_lists::created_at.desc(), author_lists::id))
        .load(conn)?)
}

/// Moves a list from `from` to `to`; `false` when it was no longer in `from` (a concurrent
/// change won).
pub fn set_state(
    conn: &mut DbConnection,
    id: &AuthorListId,
    from: AuthorListState,
    to: AuthorListState,
    at: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(
        author_lists::table
            .filter(author_lists::id.eq(id))
            .filter(author_lists::state.eq(from)),
    )
    .set((author_lists::state.eq(to), author_lists::updated_at.eq(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Freezes a list under review with its content; `false` when it was no longer under review.
pub fn freeze(
    conn: &mut DbConnection,
    id: &AuthorListId,
    snapshot: &str,
    by: &PersonId,
    at: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(
        author_lists::table
            .filter(author_lists::id.eq(id))
            .filter(author_lists::state.eq(AuthorListState::Review)),
    )
    .set((
        author_lists::state.eq(AuthorListState::Frozen),
        author_lists::snapshot.eq(snapshot),
        author_lists::frozen_by.eq(by),
        author_lists::frozen_at.eq(at),
        author_lists::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records an institution's sign-off; `false` if it had signed off already.
pub fn sign_off(
    conn: &mut DbConnection,
    list: &AuthorListId,
    institution: &InstitutionId,
    by: &PersonId,
    at: NaiveDateTime,
) -> AppResult<bool> {
    use diesel::result::{DatabaseErrorKind, Error as DieselError};
    // In a savepoint: a concurrent sign-off of the same section fails only this statement.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(author_list_sign_offs::table)
            .values((
                author_list_sign_offs::list_id.eq(list),
                author_list_sign_offs::institution_id.eq(institution),
                author_list_sign_offs::person_id.eq(by),
                author_list_sign_offs::signed_at.eq(at),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The sign-offs of a list: institution, who, when.
pub fn sign_offs(
    conn: &mut DbConnection,
    list: &AuthorListId,
) -> AppResult<Vec<(InstitutionId, PersonId, NaiveDateTime)>> {
    Ok(author_list_sign_offs::table
        .filter(author_list_sign_offs::list_id.eq(list))
        .order(author_list_sign_offs::signed_at)
        .select((
            author_list_sign_offs::institution_id,
            author_list_sign_offs::person_id,
            author_list_sign_offs::signed_at,
        ))
        .load(conn)?)
}

/// Drops a list's sign-offs (it went back to draft).
pub fn clear_sign_offs(conn: &mut DbConnection, list: &AuthorListId) -> AppResult<()> {
    diesel::delete(author_list_sign_offs::table.filter(author_list_sign_offs::list_id.eq(list)))
        .execute(conn)?;
    Ok(())
}

/// Whether each of the given people has their own printed name set (rather than one made
/// from their names).
pub fn paper_names_set(
    conn: &mut DbConnection,
    ids: &[PersonId],
) -> AppResult<HashMap<PersonId, bool>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(5_000) {
        let rows: Vec<(PersonId, Option<String>)> = persons::table
            .filter(persons::id.eq_any(chunk))
            .select((persons::id, persons::paper_name))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(id, name)| (id, name.is_some())));
    }
    Ok(out)
}
