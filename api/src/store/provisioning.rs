//! The provisioning of approved requests as stored: which are due, claims with their leases,
//! failed attempts, the error state and its retry, and the final mark.

use b2mms_shared::{PersonId, RegistrationId, RegistrationState};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::models::RegistrationRow;
use super::schema::registrations;
use super::{DbConnection, to_db_time};
use crate::error::AppResult;

/// Requests waiting for the provisioning job.
pub fn due_for_provisioning(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> AppResult<Vec<RegistrationRow>> {
    Ok(registrations::table
        .filter(registrations::state.eq(RegistrationState::Approved))
        .filter(registrations::provision_next_at.le(to_db_time(now)))
        .order(registrations::provision_next_at)
        .limit(limit)
        .load(conn)?)
}

/// Takes an approved request's provisioning for `instance` until `until`, unless someone took
/// it since it was read; whether it is ours now.
pub fn claim_provisioning(
    conn: &mut DbConnection,
    id: &RegistrationId,
    seen_due_at: Option<NaiveDateTime>,
    instance: &str,
    until: NaiveDateTime,
) -> AppResult<bool> {
    Ok(diesel::update(
        registrations::table
            .find(id)
            .filter(registrations::state.eq(RegistrationState::Approved))
            .filter(registrations::provision_next_at.eq(seen_due_at)),
    )
    .set((
        registrations::provision_next_at.eq(until),
        registrations::claimed_by.eq(instance),
    ))
    .execute(conn)?
        == 1)
}

/// Extends this instance's claim while provisioning runs.
pub fn renew_provisioning_claim(
    conn: &mut DbConnection,
    id: &RegistrationId,
    instance: &str,
    until: NaiveDateTime,
) -> AppResult<usize> {
    Ok(diesel::update(
        registrations::table
            .find(id)
            .filter(registrations::state.eq(RegistrationState::Approved))
            .filter(registrations::claimed_by.eq(instance)),
    )
    .set(registrations::provision_next_at.eq(until))
    .execute(conn)?)
}

/// Records a failed provisioning attempt and when to try again.
pub fn provisioning_failed(
    conn: &mut DbConnection,
    id: &RegistrationId,
    error: &str,
    next: DateTime<Utc>,
) -> AppResult<()> {
    diesel::update(registrations::table.find(id))
        .set((
            registrations::provision_attempts.eq(registrations::provision_attempts + 1),
            registrations::provision_next_at.eq(to_db_time(next)),
            registrations::provision_error.eq(error),
            registrations::claimed_by.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// `approved → provisioning_failed`, keeping why; `false` if the request was no longer approved.
pub fn mark_provisioning_failed(
    conn: &mut DbConnection,
    id: &RegistrationId,
    error: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let n = diesel::update(
        registrations::table
            .find(id)
            .filter(registrations::state.eq(RegistrationState::Approved)),
    )
    .set((
        registrations::state.eq(RegistrationState::ProvisioningFailed),
        registrations::updated_at.eq(to_db_time(now)),
        registrations::provision_attempts.eq(registrations::provision_attempts + 1),
        registrations::provision_next_at.eq(None::<NaiveDateTime>),
        registrations::provision_error.eq(error),
        registrations::claimed_by.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// `provisioning_failed → approved`, due at once, optionally now linked to an existing person;
/// `false` if the request was no longer in `provisioning_failed`.
pub fn retry_provisioning(
    conn: &mut DbConnection,
    id: &RegistrationId,
    link_person_id: Option<&PersonId>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let at = to_db_time(now);
    let target = registrations::table
        .find(id)
        .filter(registrations::state.eq(RegistrationState::ProvisioningFailed));
    let n = diesel::update(target)
        .set((
            registrations::state.eq(RegistrationState::Approved),
            registrations::updated_at.eq(at),
            registrations::provision_attempts.eq(0),
            registrations::provision_next_at.eq(at),
        ))
        .execute(conn)?;
    if n == 1
        && let Some(person) = link_person_id
    {
        diesel::update(registrations::table.find(id))
            .set(registrations::link_person_id.eq(person))
            .execute(conn)?;
    }
    Ok(n == 1)
}

/// Marks the result of provisioning: the person, and the request `provisioned`.
pub fn mark_provisioned(
    conn: &mut DbConnection,
    id: &RegistrationId,
    person_id: &PersonId,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let at = to_db_time(now);
    let n = diesel::update(
        registrations::table
            .find(id)
            .filter(registrations::state.eq(RegistrationState::Approved)),
    )
    .set((
        registrations::state.eq(RegistrationState::Provisioned),
        registrations::person_id.eq(person_id),
        registrations::updated_at.eq(at),
        registrations::provision_next_at.eq(None::<chrono::NaiveDateTime>),
        registrations::provision_error.eq(None::<String>),
        registrations::claimed_by.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
