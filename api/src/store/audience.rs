//! What audience rules ask of the records: people with their status, category, home
//! institution's country and addresses, their current groups and the roles they hold.

use std::collections::{HashMap, HashSet};

use b2mms_shared::{
    AffiliationKind, AudienceRole, Category, GroupId, InstitutionId, MembershipStatus, PersonId,
};
use chrono::NaiveDate;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    accounts, affiliations, group_members, institution_representatives, institutions, person_roles,
    persons,
};
use crate::error::AppResult;

/// One person as an audience rule sees them.
#[derive(Debug, Clone, Queryable)]
pub struct Candidate {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub account_name: Option<String>,
    pub status: MembershipStatus,
    pub category: Category,
    pub institution_id: InstitutionId,
    pub country: String,
    pub email: String,
    pub registry_email: Option<String>,
}

/// The people with one of `statuses` (only `person`, when given), by id.
pub fn candidates(
    conn: &mut DbConnection,
    statuses: &[MembershipStatus],
    person: Option<&PersonId>,
) -> AppResult<Vec<Candidate>> {
    let mut q = persons::table
        .inner_join(institutions::table)
        .left_join(accounts::table)
        .filter(persons::status.eq_any(statuses.to_vec()))
        .select((
            persons::id,
            persons::given_name,
            persons::family_name,
            accounts::account_name.nullable(),
            persons::status,
            persons::category,
            persons::institution_id,
            institutions::country,
            persons::email,
            persons::registry_email,
        ))
        .order(persons::id)
        .into_boxed();
    if let Some(person) = person {
        q = q.filter(persons::id.eq(person.clone()));
    }
    Ok(q.load(conn)?)
}

/// The current groups of each person who is in one of `groups` (only `person`, when given).
pub fn groups_of(
    conn: &mut DbConnection,
    groups: &[GroupId],
    person: Option<&PersonId>,
) -> AppResult<HashMap<PersonId, HashSet<GroupId>>> {
    let mut q = group_members::table
        .filter(group_members::until.is_null())
        .filter(group_members::group_id.eq_any(groups.to_vec()))
        .select((group_members::person_id, group_members::group_id))
        .into_boxed();
    if let Some(person) = person {
        q = q.filter(group_members::person_id.eq(person.clone()));
    }
    let mut out: HashMap<PersonId, HashSet<GroupId>> = HashMap::new();
    for (person, group) in q.load::<(PersonId, GroupId)>(conn)? {
        out.entry(person).or_default().insert(group);
    }
    Ok(out)
}

/// The audience roles each person holds: `admin` and `ib_chair` as granted, `ir` from
/// representing an institution.
pub fn roles(conn: &mut DbConnection) -> AppResult<HashMap<PersonId, Vec<AudienceRole>>> {
    let mut out: HashMap<PersonId, Vec<AudienceRole>> = HashMap::new();
    let granted: Vec<(PersonId, b2mms_shared::Role)> = person_roles::table
        .select((person_roles::person_id, person_roles::role))
        .load(conn)?;
    for (person, role) in granted {
        let role = match role {
            b2mms_shared::Role::Admin => AudienceRole::Admin,
            b2mms_shared::Role::IbChair => AudienceRole::IbChair,
            _ => continue,
        };
        out.entry(person).or_default().push(role);
    }
    let representatives: Vec<PersonId> = institution_representatives::table
        .select(institution_representatives::person_id)
        .distinct()
        .load(conn)?;
    for person in representatives {
        out.entry(person).or_default().push(AudienceRole::Ir);
    }
    Ok(out)
}

/// An active member as an electorate sees them: id, given and family name, category.
pub type ActiveMember = (PersonId, String, String, Category);

/// Active members with their category, by name.
pub fn active_members(conn: &mut DbConnection) -> AppResult<Vec<ActiveMember>> {
    Ok(persons::table
        .filter(persons::status.eq(MembershipStatus::Active))
        .order((persons::family_name, persons::given_name, persons::id))
        .select((
            persons::id,
            persons::given_name,
            persons::family_name,
            persons::category,
        ))
        .load(conn)?)
}

/// Membership periods as `(start, end)`, an open period without an end.
pub type Periods = Vec<(NaiveDate, Option<NaiveDate>)>;

/// The membership periods of every active member.
pub fn active_members_periods(conn: &mut DbConnection) -> AppResult<HashMap<PersonId, Periods>> {
    let rows: Vec<(PersonId, NaiveDate, Option<NaiveDate>)> = affiliations::table
        .inner_join(persons::table)
        .filter(persons::status.eq(MembershipStatus::Active))
        .filter(affiliations::kind.eq(AffiliationKind::Primary))
        .select((
            affiliations::person_id,
            affiliations::start_date,
            affiliations::end_date,
        ))
        .load(conn)?;
    let mut out: HashMap<PersonId, Periods> = HashMap::new();
    for (person, start, end) in rows {
        out.entry(person).or_default().push((start, end));
    }
    Ok(out)
}

/// Active institutions that have at least one representative: `(id, short name)` by name.
pub fn represented_institutions(
    conn: &mut DbConnection,
) -> AppResult<Vec<(InstitutionId, String)>> {
    Ok(institutions::table
        .filter(institutions::status.eq(b2mms_shared::InstitutionStatus::Active))
        .filter(diesel::dsl::exists(
            institution_representatives::table
                .filter(institution_representatives::institution_id.eq(institutions::id)),
        ))
        .order((institutions::short_name, institutions::id))
        .select((institutions::id, institutions::short_name))
        .load(conn)?)
}

/// Every person's home institution.
pub fn homes(conn: &mut DbConnection) -> AppResult<HashMap<PersonId, InstitutionId>> {
    Ok(persons::table
        .select((persons::id, persons::institution_id))
        .load::<(PersonId, InstitutionId)>(conn)?
        .into_iter()
        .collect())
}

/// The current members of a group who are active members: `(id, given, family)` by name.
pub fn group_members(
    conn: &mut DbConnection,
    group: &GroupId,
) -> AppResult<Vec<(PersonId, String, String)>> {
    Ok(persons::table
        .inner_join(group_members::table.on(group_members::person_id.eq(persons::id)))
        .filter(group_members::group_id.eq(group.clone()))
        .filter(group_members::until.is_null())
        .filter(persons::status.eq(MembershipStatus::Active))
        .order((persons::family_name, persons::given_name, persons::id))
        .select((persons::id, persons::given_name, persons::family_name))
        .load(conn)?)
}
