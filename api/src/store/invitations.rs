//! Invitations: temporary credentials for the registration portal, created by IRs.

use b2mms_shared::InvitationStatus;
use b2mms_shared::api::Invitation;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::institutions::parse_uuid;
use super::models::InvitationRow;
use super::schema::{invitations, registrations};
use super::{DbConnection, from_db_time, to_db_time};
use crate::error::{AppError, AppResult};

/// The status as it is now: a pending invitation past its end has expired.
pub fn effective_status(row: &InvitationRow, now: DateTime<Utc>) -> InvitationStatus {
    match InvitationStatus::parse(&row.status) {
        Some(InvitationStatus::Pending) if row.expires_at <= to_db_time(now) => {
            InvitationStatus::Expired
        }
        Some(status) => status,
        None => InvitationStatus::Expired,
    }
}

pub fn to_wire(
    row: InvitationRow,
    registration_id: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<Invitation> {
    Ok(Invitation {
        id: parse_uuid(&row.id)?,
        institution_id: parse_uuid(&row.institution_id)?,
        status: effective_status(&row, now),
        category: row
            .category
            .as_deref()
            .and_then(b2mms_shared::Category::parse),
        created_by: parse_uuid(&row.created_by)?,
        created_at: from_db_time(row.created_at),
        expires_at: from_db_time(row.expires_at),
        registration_id: registration_id.as_deref().map(parse_uuid).transpose()?,
        email: row.email,
        given_name: row.given_name,
        family_name: row.family_name,
        username: row.username,
    })
}

pub fn insert(conn: &mut DbConnection, row: &InvitationRow) -> AppResult<()> {
    diesel::insert_into(invitations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<InvitationRow> {
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
pub fn registration_of(conn: &mut DbConnection, invitation_id: &str) -> AppResult<Option<String>> {
    Ok(registrations::table
        .filter(registrations::invitation_id.eq(invitation_id))
        .select(registrations::id)
        .first(conn)
        .optional()?)
}

/// An invitation and the request opened with it.
pub type WithRegistration = (InvitationRow, Option<String>);

/// Invitations of some institutions (or all), newest first, filtered by effective status.
pub fn list(
    conn: &mut DbConnection,
    institutions: Option<&[String]>,
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
                    .filter(invitations::status.eq("pending"))
                    .filter(invitations::expires_at.gt(now))
            }
            Some(InvitationStatus::Expired) => {
                q = q.filter(
                    invitations::status.eq("expired").or(invitations::status
                        .eq("pending")
                        .and(invitations::expires_at.le(now))),
                )
            }
            Some(other) => q = q.filter(invitations::status.eq(other.as_str())),
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
pub fn mark_used(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> AppResult<()> {
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::status.eq("pending")),
    )
    .set((
        invitations::status.eq("used"),
        invitations::used_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Revokes an invitation that can still sign in; `false` if it could not.
pub fn revoke(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> AppResult<bool> {
    let n = diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::status.eq_any(["pending", "used"])),
    )
    .set((
        invitations::status.eq("revoked"),
        invitations::revoked_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}
