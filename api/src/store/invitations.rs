//! Invitations: temporary credentials for the registration portal, created by IRs.

use b2mms_shared::api::Invitation;
use b2mms_shared::{InstitutionId, InvitationId, InvitationStatus, RegistrationId};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::models::InvitationRow;
use super::schema::{invitations, registrations};
use super::{DbConnection, from_db_time, to_db_time};
use crate::error::{AppError, AppResult};

/// The status as it is now: a pending invitation past its end has expired.
pub fn effective_status(row: &InvitationRow, now: DateTime<Utc>) -> InvitationStatus {
    match row.status {
        InvitationStatus::Pending if row.expires_at <= to_db_time(now) => InvitationStatus::Expired,
        status => status,
    }
}

pub fn to_wire(
    row: InvitationRow,
    registration_id: Option<RegistrationId>,
    now: DateTime<Utc>,
) -> Invitation {
    Invitation {
        id: row.id.uuid(),
        institution_id: row.institution_id.uuid(),
        status: effective_status(&row, now),
        category: row.category,
        created_by: row.created_by.uuid(),
        created_at: from_db_time(row.created_at),
        expires_at: from_db_time(row.expires_at),
        registration_id: registration_id.as_ref().map(RegistrationId::uuid),
        email: row.email,
        given_name: row.given_name,
        family_name: row.family_name,
        username: row.username,
    }
}

pub fn insert(conn: &mut DbConnection, row: &InvitationRow) -> AppResult<()> {
    diesel::insert_into(invitations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &InvitationId) -> AppResult<InvitationRow> {
    invitations::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound { what: "invitation" })
}

pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> AppResult<Option<InvitationRow>> {
    Ok(invitations::table
        .filter(invitations::username.eq(username))
        .first(conn)
        .optional()?)
}

/// The request opened with an invitation, if any.
pub fn registration_of(
    conn: &mut DbConnection,
    invitation_id: &InvitationId,
) -> AppResult<Option<RegistrationId>> {
    Ok(registrations::table
        .filter(registrations::invitation_id.eq(invitation_id))
        .select(registrations::id)
        .first(conn)
        .optional()?)
}

/// An invitation and the request opened with it.
pub type WithRegistration = (InvitationRow, Option<RegistrationId>);

/// Invitations of some institutions (or all), newest first, filtered by effective status.
pub fn list(
    conn: &mut DbConnection,
    institutions: Option<&[InstitutionId]>,
    status: Option<InvitationStatus>,
    now: DateTime<Utc>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<WithRegistration>, i64)> {
    let now = to_db_time(now);
    let query = || {
        let mut q = invitations::table
            .left_join(
                registrations::table
                    .on(registrations::invitation_id.eq(invitations::id.nullable())),
            )
            .into_boxed();
        if let Some(ids) = institutions {
            q = q.filter(invitations::institution_id.eq_any(ids.to_vec()));
        }
        match status {
            Some(InvitationStatus::Pending) => {
                q = q
                    .filter(invitations::status.eq(InvitationStatus::Pending))
                    .filter(invitations::expires_at.gt(now))
            }
            Some(InvitationStatus::Expired) => {
                q = q.filter(
                    invitations::status
                        .eq(InvitationStatus::Expired)
                        .or(invitations::status
                            .eq(InvitationStatus::Pending)
                            .and(invitations::expires_at.le(now))),
                )
            }
            Some(other) => q = q.filter(invitations::status.eq(other)),
            None => {}
        }
        q
    };
    let total = query().count().get_result::<i64>(conn)?;
    let rows = query()
        .order((invitations::created_at.desc(), invitations::id.desc()))
        .offset(offset)
        .limit(limit)
        .select((invitations::all_columns, registrations::id.nullable()))
        .load(conn)?;
    Ok((rows, total))
}

/// Marks an invitation used at its first sign-in.
pub fn mark_used(conn: &mut DbConnection, id: &InvitationId, now: DateTime<Utc>) -> AppResult<()> {
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::status.eq(InvitationStatus::Pending)),
    )
    .set((
        invitations::status.eq(InvitationStatus::Used),
        invitations::used_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Revokes an invitation that can still sign in; `false` if it could not.
pub fn revoke(conn: &mut DbConnection, id: &InvitationId, now: DateTime<Utc>) -> AppResult<bool> {
    let n =
        diesel::update(invitations::table.find(id).filter(
            invitations::status.eq_any([InvitationStatus::Pending, InvitationStatus::Used]),
        ))
        .set((
            invitations::status.eq(InvitationStatus::Revoked),
            invitations::revoked_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(n > 0)
}
