//! Roles: those granted collaboration-wide, `ir` from representing an institution, and who
//! holds them.

use b2mms_shared::{InstitutionId, MembershipStatus, PersonId, Role};
use diesel::prelude::*;

use super::schema::{accounts, institution_representatives, person_roles, persons};
use super::{DbConnection, to_db_time};
use crate::error::AppResult;

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

/// The roles a person acts in now: all of them while the membership is active, only
/// `member` (their own record) once it has ended.
pub fn acting_roles(conn: &mut DbConnection, person_id: &PersonId) -> AppResult<Vec<Role>> {
    let status: MembershipStatus = persons::table
        .find(person_id)
        .select(persons::status)
        .first(conn)?;
    if status == MembershipStatus::Active {
        Ok(roles_of(conn, person_id)?.0)
    } else {
        Ok(vec![Role::Member])
    }
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

/// A person's roles gathered from the rows of a query that left-joins their granted roles and
/// represented institutions (several of each give their product, one of each per row).
#[derive(Debug, Default)]
pub struct RoleRows {
    granted: Vec<Role>,
    represents: Vec<InstitutionId>,
}

impl RoleRows {
    pub fn add(&mut self, granted: Option<Role>, represents: Option<InstitutionId>) {
        self.granted.extend(granted);
        self.represents.extend(represents);
    }

    /// The person's roles and the institutions they represent, each once, in order.
    pub fn finish(mut self) -> (Vec<Role>, Vec<InstitutionId>) {
        self.represents.sort();
        self.represents.dedup();
        (
            effective_roles(self.granted, &self.represents),
            self.represents,
        )
    }
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
