//! People: their records with account and affiliations as they are created, reactivated and
//! read whole.

use b2mms_shared::api::Member;
use b2mms_shared::{
    AccountStatus, InstitutionId, MembershipStatus, PersonId, RegistrationId, Role,
};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::models::{AccountRow, PersonRow};
use super::roles::RoleRows;
use super::schema::{
    account_names, accounts, institution_representatives, institutions, person_certificates,
    person_roles, persons,
};
use super::{DbConnection, from_db_time, to_db_time};
use crate::error::{AppError, AppResult};

/// Maps a unique violation on people or accounts to a conflict naming the field.
pub(super) fn unique_conflict(err: DieselError) -> AppError {
    if let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &err {
        let text = format!(
            "{} {}",
            info.message(),
            info.constraint_name().unwrap_or("")
        );
        if text.contains("account_name") || text.contains("account_names") {
            return AppError::conflict(
                "account_name_taken",
                "This account name is already taken; choose another one.",
            );
        }
        if text.contains("email") {
            return AppError::conflict(
                "email_taken",
                "A person with this email address is already registered; never register twice — ask the IR of their institution to update that record.",
            );
        }
        if text.contains("orcid") {
            return AppError::conflict(
                "orcid_taken",
                "A person with this ORCID iD is already registered.",
            );
        }
    }
    err.into()
}

/// Stores a new person with account and first membership period.
pub fn insert_member(
    conn: &mut DbConnection,
    person: &PersonRow,
    account: &AccountRow,
) -> AppResult<()> {
    let mut person = person.clone();
    person.search_key = person.search_key_with(Some(&account.account_name));
    insert_person(conn, &person)?;
    diesel::insert_into(account_names::table)
        .values((
            account_names::name.eq(&account.account_name),
            account_names::person_id.eq(&person.id),
            account_names::reserved_at.eq(account.created_at),
        ))
        .execute(conn)
        .map_err(unique_conflict)?;
    diesel::insert_into(accounts::table)
        .values(account)
        .execute(conn)
        .map_err(unique_conflict)?;
    Ok(())
}

/// Stores a new person with their first membership period, without an account yet.
pub fn insert_person(conn: &mut DbConnection, person: &PersonRow) -> AppResult<()> {
    let mut person = person.clone();
    if person.search_key.is_empty() {
        person.search_key = person.search_key_with(None);
    }
    let person = &person;
    diesel::insert_into(persons::table)
        .values(person)
        .execute(conn)
        .map_err(unique_conflict)?;
    super::periods::insert_first(conn, person)
}

/// Gives a person the account a registration request asked for; the name the request
/// reserved now belongs to the person.
pub fn insert_account_of_request(
    conn: &mut DbConnection,
    account: &AccountRow,
    registration_id: &RegistrationId,
) -> AppResult<()> {
    diesel::update(account_names::table.filter(account_names::registration_id.eq(registration_id)))
        .set(account_names::person_id.eq(&account.person_id))
        .execute(conn)?;
    diesel::insert_into(accounts::table)
        .values(account)
        .execute(conn)
        .map_err(unique_conflict)?;
    refresh_search_key(conn, &account.person_id)
}

/// Opens an existing account again with a new initial password that must be changed at the
/// next sign-in; `false` if the person has no account.
pub fn reopen_account(
    conn: &mut DbConnection,
    person_id: &PersonId,
    password_hash: &str,
    at: chrono::NaiveDateTime,
    expires: chrono::NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(accounts::table.find(person_id))
        .set((
            accounts::password_hash.eq(password_hash),
            accounts::password_set_at.eq(at),
            accounts::password_expires_at.eq(expires),
            accounts::must_change_password.eq(true),
            accounts::status.eq(AccountStatus::Active),
            accounts::failed_logins.eq(0),
            accounts::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Makes a person an active member at `institution` again. A membership that was not active
/// starts a new period today; a change of institution too, ending the current period, so the
/// history keeps both; otherwise the current period goes on without an end.
pub fn reactivate(
    conn: &mut DbConnection,
    person_id: &PersonId,
    institution: &InstitutionId,
    category: b2mms_shared::Category,
    today: chrono::NaiveDate,
    at: chrono::NaiveDateTime,
) -> AppResult<()> {
    let person: PersonRow = persons::table
        .find(person_id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound { what: "person" })?;
    let restart = person.status != MembershipStatus::Active || person.membership_start.is_none();
    if restart || person.institution_id != *institution {
        let ended_by = (!restart).then_some(b2mms_shared::PeriodEnd::Transfer);
        super::periods::open_period(
            conn,
            person_id,
            institution,
            category,
            today,
            None,
            ended_by,
            at,
        )?;
        return Ok(());
    }
    super::periods::set_current_end(conn, person_id, None, None, None)?;
    super::periods::set_current_category(conn, person_id, category, today)?;
    diesel::update(persons::table.find(person_id))
        .set((
            persons::category.eq(category),
            persons::membership_end.eq(None::<chrono::NaiveDate>),
            persons::grace_from.eq(None::<chrono::NaiveDate>),
            persons::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Links a certificate subject to a person unless it is linked already.
pub fn link_certificate(
    conn: &mut DbConnection,
    subject_dn: &str,
    person_id: &PersonId,
    at: chrono::NaiveDateTime,
) -> AppResult<()> {
    let linked = person_certificates::table
        .find(subject_dn)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !linked {
        diesel::insert_into(person_certificates::table)
            .values((
                person_certificates::subject_dn.eq(subject_dn),
                person_certificates::person_id.eq(person_id),
                person_certificates::linked_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether a person already has this registry address.
pub fn registry_email_taken(conn: &mut DbConnection, address: &str) -> AppResult<bool> {
    Ok(persons::table
        .filter(persons::registry_email.eq(address))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Whether a person already has this contact address.
pub fn email_taken(conn: &mut DbConnection, address: &str) -> AppResult<bool> {
    Ok(persons::table
        .filter(persons::email.eq(address))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// A change of a person's names and contact details; `None` keeps a field, `Some(None)`
/// clears an optional one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = persons)]
pub struct DetailsChange {
    pub given_name: Option<String>,
    pub middle_name: Option<Option<String>>,
    pub family_name: Option<String>,
    pub paper_name: Option<Option<String>>,
    pub orcid: Option<Option<String>>,
    pub inspire_id: Option<Option<String>>,
    pub email: Option<String>,
}

impl DetailsChange {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.given_name.is_none()
            && self.middle_name.is_none()
            && self.family_name.is_none()
            && self.paper_name.is_none()
            && self.orcid.is_none()
            && self.inspire_id.is_none()
            && self.email.is_none()
    }
}

pub fn set_details(
    conn: &mut DbConnection,
    id: &PersonId,
    change: DetailsChange,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    diesel::update(persons::table.find(id))
        .set((&change, persons::updated_at.eq(to_db_time(now))))
        .execute(conn)?;
    refresh_search_key(conn, id)
}

/// Computes again what the directory's search looks in for a person (after their names or
/// account changed).
pub fn refresh_search_key(conn: &mut DbConnection, id: &PersonId) -> AppResult<()> {
    let (person, account): (PersonRow, Option<String>) = persons::table
        .left_join(accounts::table)
        .filter(persons::id.eq(id))
        .select((persons::all_columns, accounts::account_name.nullable()))
        .first(conn)?;
    diesel::update(persons::table.find(id))
        .set(persons::search_key.eq(person.search_key_with(account.as_deref())))
        .execute(conn)?;
    Ok(())
}

/// Fills the search text of people stored before it existed, a batch at a time; how many.
pub fn fill_search_keys(conn: &mut DbConnection) -> AppResult<usize> {
    let mut filled = 0;
    loop {
        let batch: Vec<(PersonRow, Option<String>)> = persons::table
            .left_join(accounts::table)
            .filter(persons::search_key.eq(""))
            .select((persons::all_columns, accounts::account_name.nullable()))
            .limit(1000)
            .load(conn)?;
        if batch.is_empty() {
            return Ok(filled);
        }
        super::write_tx(conn, |conn| {
            for (person, account) in &batch {
                diesel::update(persons::table.find(&person.id))
                    .set(persons::search_key.eq(person.search_key_with(account.as_deref())))
                    .execute(conn)?;
            }
            Ok(())
        })?;
        filled += batch.len();
    }
}

pub fn exists(conn: &mut DbConnection, id: &PersonId) -> AppResult<bool> {
    Ok(persons::table.find(id).count().get_result::<i64>(conn)? > 0)
}

/// One row of the member query: the person, institution and account, with at most one granted
/// role, represented institution and current group each (several give their product).
type MemberRow = (
    PersonRow,
    String,
    Option<AccountRow>,
    Option<Role>,
    Option<InstitutionId>,
    Option<String>,
);

/// The full record of one person, in one round trip.
pub fn member(conn: &mut DbConnection, id: &PersonId) -> AppResult<Member> {
    use super::schema::{collab_groups, group_members};
    let rows: Vec<MemberRow> = persons::table
        .inner_join(institutions::table)
        .left_join(accounts::table)
        .left_join(person_roles::table.on(person_roles::person_id.eq(persons::id)))
        .left_join(
            institution_representatives::table
                .on(institution_representatives::person_id.eq(persons::id)),
        )
        .left_join(
            group_members::table.on(group_members::person_id
                .eq(persons::id)
                .and(group_members::until.is_null())),
        )
        .left_join(collab_groups::table.on(collab_groups::id.eq(group_members::group_id)))
        .filter(persons::id.eq(id))
        .select((
            persons::all_columns,
            institutions::short_name,
            accounts::all_columns.nullable(),
            person_roles::role.nullable(),
            institution_representatives::institution_id.nullable(),
            collab_groups::name.nullable(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let (person, short_name, account, role, institution, group) =
        rows.next().ok_or(AppError::NotFound { what: "person" })?;
    let mut role_rows = RoleRows::default();
    role_rows.add(role, institution);
    let mut groups: Vec<String> = group.into_iter().collect();
    for (.., role, institution, group) in rows {
        role_rows.add(role, institution);
        groups.extend(group);
    }
    groups.sort();
    groups.dedup();
    let (roles, represented) = role_rows.finish();
    Ok(Member {
        id: person.id.uuid(),
        account_name: account.as_ref().map(|a| a.account_name.clone()),
        category: person.category,
        institution_id: person.institution_id.uuid(),
        institution_short_name: short_name,
        status: person.status,
        membership_start: person.membership_start,
        membership_end: person.membership_end,
        account_status: account.as_ref().map(|a| a.status),
        password_expires_at: account
            .as_ref()
            .map(|a| from_db_time(a.password_expires_at)),
        roles: if account.is_some() {
            roles
        } else {
            roles.into_iter().filter(|r| *r != Role::Member).collect()
        },
        representative_of: represented.iter().map(InstitutionId::uuid).collect(),
        groups,
        created_at: from_db_time(person.created_at),
        given_name: person.given_name,
        middle_name: person.middle_name,
        family_name: person.family_name,
        email: person.email,
        registry_email: person.registry_email,
        orcid: person.orcid,
        paper_name: person.paper_name,
        inspire_id: person.inspire_id,
    })
}

/// Sets a membership's category, status and end. A backdated end leaves the full grace period
/// before the account is disabled, counted from `today`.
pub fn set_membership(
    conn: &mut DbConnection,
    id: &PersonId,
    category: b2mms_shared::Category,
    status: MembershipStatus,
    end: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    diesel::update(persons::table.find(id))
        .set((
            persons::category.eq(category),
            persons::status.eq(status),
            persons::membership_end.eq(end),
            persons::grace_from.eq(end.map(|e| e.max(today))),
            persons::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    let reason = (status == MembershipStatus::Left).then_some(b2mms_shared::PeriodEnd::Left);
    super::periods::set_current_end(conn, id, end, reason, None)?;
    super::periods::set_current_category(conn, id, category, today)
}

/// The home institution of a person; `None` if there is no such person.
pub fn home_institution(
    conn: &mut DbConnection,
    id: &PersonId,
) -> AppResult<Option<InstitutionId>> {
    Ok(persons::table
        .find(id)
        .select(persons::institution_id)
        .first(conn)
        .optional()?)
}

/// A short reference to a person from their id, given and family name and account name.
pub fn person_ref(
    (id, given_name, family_name, account_name): (PersonId, String, String, Option<String>),
) -> b2mms_shared::api::PersonRef {
    b2mms_shared::api::PersonRef {
        id: id.uuid(),
        given_name,
        family_name,
        account_name,
    }
}

/// Short references to people, by id.
#[derive(Debug, Default)]
pub struct PersonRefs(std::collections::HashMap<PersonId, b2mms_shared::api::PersonRef>);

impl PersonRefs {
    /// The person's reference; one of an id that was not read shows the bare id.
    pub fn of(&self, id: &PersonId) -> b2mms_shared::api::PersonRef {
        self.0
            .get(id)
            .cloned()
            .unwrap_or_else(|| b2mms_shared::api::PersonRef {
                id: id.uuid(),
                given_name: String::new(),
                family_name: String::new(),
                account_name: None,
            })
    }
}

/// Short references to the given people.
pub fn refs(conn: &mut DbConnection, ids: &[PersonId]) -> AppResult<PersonRefs> {
    let rows: Vec<(PersonId, String, String, Option<String>)> = persons::table
        .left_join(accounts::table)
        .filter(persons::id.eq_any(ids))
        .select((
            persons::id,
            persons::given_name,
            persons::family_name,
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    Ok(PersonRefs(
        rows.into_iter()
            .map(|row| (row.0.clone(), person_ref(row)))
            .collect(),
    ))
}

/// The contact addresses of these people.
pub fn emails(conn: &mut DbConnection, ids: &[PersonId]) -> AppResult<Vec<String>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(
            persons::table
                .filter(persons::id.eq_any(chunk))
                .select(persons::email)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}
