//! Registration requests outside any one front end: opening a request once an identity is
//! proven, and whom to tell about a request.

use b2mms_shared::{IdentityKind, RegistrationState, Role};

use crate::error::AppResult;
use crate::store::audit::{self, Change};
use crate::store::models::RegistrationRow;
use crate::store::{self, DbConnection, new_id, to_db_time};

/// A new request in `identity_verified`.
pub fn open_request(
    conn: &mut DbConnection,
    identity: IdentityKind,
    fill: impl FnOnce(&mut RegistrationRow),
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<RegistrationRow> {
    let at = to_db_time(now);
    let mut row = RegistrationRow {
        id: new_id(),
        state: RegistrationState::IdentityVerified.as_str().into(),
        identity: identity.as_str().into(),
        invitation_id: None,
        certificate_dn: None,
        institution_id: None,
        email: None,
        given_name: None,
        middle_name: None,
        family_name: None,
        account_name: None,
        password_hash: None,
        category: None,
        orcid: None,
        existing_account: None,
        comment: None,
        link_person_id: None,
        person_id: None,
        decision_reason: None,
        created_at: at,
        updated_at: at,
        submitted_at: None,
        decided_at: None,
        ir_reminded_at: None,
        admins_reminded_at: None,
        provision_attempts: 0,
        provision_next_at: None,
        provision_error: None,
        claimed_by: None,
    };
    fill(&mut row);
    store::registrations::insert(conn, &row)?;
    let actor = audit::Actor::applicant(now);
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action: audit::Event::RegistrationOpened,
            subject_type: "registration",
            subject_id: &row.id,
            before: None,
            after: Some(&serde_json::json!({
                "state": RegistrationState::IdentityVerified,
                "identity": identity,
            })),
        },
    )?;
    Ok(row)
}

/// Addresses to tell about a request of an institution: its IRs, or the admins when it has
/// none.
pub fn notify_institution(conn: &mut DbConnection, institution_id: &str) -> AppResult<Vec<String>> {
    let irs = store::persons::representative_emails(conn, institution_id)?;
    if irs.is_empty() {
        store::persons::emails_with_role(conn, Role::Admin)
    } else {
        Ok(irs)
    }
}
