//! People, their accounts, affiliations and roles.

use b2mms_shared::api::Member;
use b2mms_shared::{
    AccountStatus, InstitutionId, MembershipStatus, PersonId, RegistrationId, Role,
};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::models::{AccountRow, AffiliationRow, PersonRow};
use super::schema::{
    account_names, accounts, affiliations, institution_representatives, institutions,
    person_certificates, person_roles, persons,
};
use super::{DbConnection, from_db_time, to_db_time};
use crate::error::{AppError, AppResult};

/// Maps a unique violation on people or accounts to a conflict naming the field.
fn unique_conflict(err: DieselError) -> AppError {
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

/// Stores a new person with account and first affiliation.
pub fn insert_member(
    conn: &mut DbConnection,
    person: &PersonRow,
    account: &AccountRow,
    affiliation: &AffiliationRow,
) -> AppResult<()> {
    insert_person(conn, person, affiliation)?;
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

/// Stores a new person with their first affiliation, without an account yet.
pub fn insert_person(
    conn: &mut DbConnection,
    person: &PersonRow,
    affiliation: &AffiliationRow,
) -> AppResult<()> {
    diesel::insert_into(persons::table)
        .values(person)
        .execute(conn)
        .map_err(unique_conflict)?;
    diesel::insert_into(affiliations::table)
        .values(affiliation)
        .execute(conn)?;
    Ok(())
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
    Ok(())
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

/// Makes a person an active member at `institution` again. A change of institution closes the
/// open affiliation and opens a new one, so the history keeps both; a membership that was not
/// active starts anew today.
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
    if person.institution_id != *institution {
        diesel::update(
            affiliations::table
                .filter(affiliations::person_id.eq(person_id))
                .filter(affiliations::end_date.is_null()),
        )
        .set(affiliations::end_date.eq(today))
        .execute(conn)?;
        diesel::insert_into(affiliations::table)
            .values(&AffiliationRow::opening(
                person_id.clone(),
                institution.clone(),
                today,
            ))
            .execute(conn)?;
    }
    let restart = person.status != MembershipStatus::Active || person.membership_start.is_none();
    let start = if restart {
        Some(today)
    } else {
        person.membership_start
    };
    diesel::update(persons::table.find(person_id))
        .set((
            persons::institution_id.eq(institution),
            persons::category.eq(category),
            persons::status.eq(MembershipStatus::Active),
            persons::membership_start.eq(start),
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

pub fn exists(conn: &mut DbConnection, id: &PersonId) -> AppResult<bool> {
    Ok(persons::table.find(id).count().get_result::<i64>(conn)? > 0)
}

/// The roles of a person and the institutions they represent.
pub fn roles_of(
    conn: &mut DbConnection,
    person_id: &PersonId,
) -> AppResult<(Vec<Role>, Vec<InstitutionId>)> {
    let granted: Vec<Role> = person_roles::table
        .filter(person_roles::person_id.eq(person_id))
        .select(person_roles::role)
        .load(conn)?;
    let represented: Vec<InstitutionId> = institution_representatives::table
        .filter(institution_representatives::person_id.eq(person_id))
        .order(institution_representatives::institution_id)
        .select(institution_representatives::institution_id)
        .load(conn)?;
    Ok((effective_roles(granted, &represented), represented))
}

/// Every person's roles: `member`, `ir` while they represent an institution, and those granted.
pub fn effective_roles(granted: Vec<Role>, represented: &[InstitutionId]) -> Vec<Role> {
    let mut roles = granted;
    roles.push(Role::Member);
    if !represented.is_empty() {
        roles.push(Role::Ir);
    }
    roles.sort();
    roles.dedup();
    roles
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
    let (person, short_name, account, role, represented, group) =
        rows.next().ok_or(AppError::NotFound { what: "person" })?;
    let mut granted: Vec<Role> = role.into_iter().collect();
    let mut represented: Vec<InstitutionId> = represented.into_iter().collect();
    let mut groups: Vec<String> = group.into_iter().collect();
    for (.., role, institution, group) in rows {
        granted.extend(role);
        represented.extend(institution);
        groups.extend(group);
    }
    represented.sort();
    represented.dedup();
    groups.sort();
    groups.dedup();
    let roles = effective_roles(granted, &represented);
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
    })
}

/// The account with this (lower-case) name and its person, for signing in.
pub fn find_account(
    conn: &mut DbConnection,
    account_name: &str,
) -> AppResult<Option<(AccountRow, PersonRow)>> {
    Ok(accounts::table
        .inner_join(persons::table)
        .filter(accounts::account_name.eq(account_name))
        .select((accounts::all_columns, persons::all_columns))
        .first(conn)
        .optional()?)
}

/// The account of the person with this contact email, for password resets.
pub fn find_account_by_email(
    conn: &mut DbConnection,
    email: &str,
) -> AppResult<Option<(AccountRow, PersonRow)>> {
    Ok(accounts::table
        .inner_join(persons::table)
        .filter(persons::email.eq(email))
        .select((accounts::all_columns, persons::all_columns))
        .first(conn)
        .optional()?)
}

pub fn account_of(conn: &mut DbConnection, person_id: &PersonId) -> AppResult<AccountRow> {
    accounts::table
        .find(person_id)
        .first::<AccountRow>(conn)
        .optional()?
        .ok_or(AppError::NotFound { what: "account" })
}

/// Counts a failed sign-in; from the `threshold`-th consecutive failure on, the account is
/// locked for a delay that doubles with every further failure. Returns the lock, if any.
pub fn record_failed_login(
    conn: &mut DbConnection,
    person_id: &PersonId,
    now: chrono::DateTime<chrono::Utc>,
    threshold: i32,
) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
    diesel::update(accounts::table.find(person_id))
        .set(accounts::failed_logins.eq(accounts::failed_logins + 1))
        .execute(conn)?;
    let failures: i32 = accounts::table
        .find(person_id)
        .select(accounts::failed_logins)
        .first(conn)?;
    if failures < threshold {
        return Ok(None);
    }
    let until = now + lock_delay(failures - threshold);
    diesel::update(accounts::table.find(person_id))
        .set(accounts::locked_until.eq(Some(to_db_time(until))))
        .execute(conn)?;
    Ok(Some(until))
}

/// One minute after the threshold is reached, doubling with each further failure, at most a
/// day.
pub fn lock_delay(beyond_threshold: i32) -> chrono::Duration {
    let minutes = 1i64 << beyond_threshold.clamp(0, 11);
    chrono::Duration::minutes(minutes.min(24 * 60))
}

/// Resets the failure counter and any lock (successful sign-in, admin unlock).
pub fn clear_failures(conn: &mut DbConnection, person_id: &PersonId) -> AppResult<bool> {
    let n = diesel::update(accounts::table.find(person_id))
        .filter(
            accounts::failed_logins
                .ne(0)
                .or(accounts::locked_until.is_not_null()),
        )
        .set((
            accounts::failed_logins.eq(0),
            accounts::locked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Stores a new password hash (keeping the old one in the history) and clears the
/// must-change flag.
pub fn set_password(
    conn: &mut DbConnection,
    person_id: &PersonId,
    hash: &str,
    set_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    super::credentials::remember(conn, person_id, set_at)?;
    diesel::update(accounts::table.find(person_id))
        .set((
            accounts::password_hash.eq(hash),
            accounts::password_set_at.eq(to_db_time(set_at)),
            accounts::password_expires_at.eq(to_db_time(expires_at)),
            accounts::must_change_password.eq(false),
            accounts::updated_at.eq(to_db_time(set_at)),
        ))
        .execute(conn)?;
    Ok(())
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
    Ok(())
}

/// Grants a collaboration-wide role; `false` if the person already had it.
pub fn grant_role(
    conn: &mut DbConnection,
    person_id: &PersonId,
    role: Role,
    by: Option<&PersonId>,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    let has = person_roles::table
        .find((person_id, role))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if has {
        return Ok(false);
    }
    diesel::insert_into(person_roles::table)
        .values((
            person_roles::person_id.eq(person_id),
            person_roles::role.eq(role),
            person_roles::granted_at.eq(to_db_time(at)),
            person_roles::granted_by.eq(by),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Withdraws a role; `false` if the person did not have it.
pub fn withdraw_role(conn: &mut DbConnection, person_id: &PersonId, role: Role) -> AppResult<bool> {
    let n = diesel::delete(person_roles::table.find((person_id, role))).execute(conn)?;
    Ok(n > 0)
}

/// How many people hold a role (to keep at least one admin).
/// Administrators other than `except` whose membership is active and not set to end, with an
/// active account: those who could still run the collaboration.
pub fn other_active_admins(conn: &mut DbConnection, except: &PersonId) -> AppResult<i64> {
    Ok(person_roles::table
        .inner_join(persons::table.on(persons::id.eq(person_roles::person_id)))
        .inner_join(accounts::table.on(accounts::person_id.eq(persons::id)))
        .filter(person_roles::role.eq(Role::Admin))
        .filter(persons::id.ne(except))
        .filter(persons::status.eq(MembershipStatus::Active))
        .filter(persons::membership_end.is_null())
        .filter(accounts::status.eq(b2mms_shared::AccountStatus::Active))
        .count()
        .get_result(conn)?)
}

pub fn count_with_role(conn: &mut DbConnection, role: Role) -> AppResult<i64> {
    Ok(person_roles::table
        .filter(person_roles::role.eq(role))
        .count()
        .get_result(conn)?)
}

/// Contact addresses of an institution's representatives.
pub fn representative_emails(
    conn: &mut DbConnection,
    institution_id: &InstitutionId,
) -> AppResult<Vec<String>> {
    Ok(institution_representatives::table
        .inner_join(persons::table)
        .filter(institution_representatives::institution_id.eq(institution_id))
        .select(persons::email)
        .order(persons::email)
        .load(conn)?)
}

/// Contact addresses of everyone holding a role.
pub fn emails_with_role(conn: &mut DbConnection, role: Role) -> AppResult<Vec<String>> {
    Ok(person_roles::table
        .inner_join(persons::table.on(persons::id.eq(person_roles::person_id)))
        .filter(person_roles::role.eq(role))
        .select(persons::email)
        .order(persons::email)
        .load(conn)?)
}

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
