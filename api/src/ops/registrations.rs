//! Registration requests outside any one front end: opening a request once an identity is
//! proven, and whom to tell about a request.

use b2mms_shared::api::Registration;
use b2mms_shared::rules::registry_local_part;
use b2mms_shared::{Category, IdentityKind, RegistrationState, Role};

use crate::auth::caller::Caller;
use crate::domain::registration::Capacity;
use crate::error::AppError;
use crate::services::Services;
use crate::store::from_db_time;
use crate::store::institutions::parse_uuid;

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

/// The capacities in which a caller may act on a request, most specific first.
pub fn capacities(caller: &Caller, row: &RegistrationRow) -> Vec<Capacity> {
    match caller {
        Caller::Applicant { registration_id } if *registration_id == row.id => {
            vec![Capacity::Applicant]
        }
        Caller::Applicant { .. } | Caller::Service(_) => Vec::new(),
        Caller::Staff(p) => {
            let mut out = Vec::new();
            if p.subject.has(Role::IbChair) {
                out.push(Capacity::IbChair);
            }
            if row
                .institution_id
                .as_deref()
                .is_some_and(|i| p.subject.represents(i))
            {
                out.push(Capacity::HomeIr);
            }
            if p.subject.has(Role::Admin) {
                out.push(Capacity::Admin);
            }
            out
        }
    }
}

/// Whether the caller may see a request: its applicant, IRs of its home, admins, and the IB
/// chair for the requests that need the Institutional Board.
pub fn may_see(caller: &Caller, row: &RegistrationRow) -> bool {
    if let Caller::Service(service) = caller {
        return service
            .require(b2mms_shared::Scope::RegistrationsRead)
            .is_ok();
    }
    capacities(caller, row).iter().any(|c| match c {
        Capacity::IbChair => {
            row.category.as_deref() == Some(Category::PhysicistPermanent.as_str())
                && row.state != RegistrationState::IdentityVerified.as_str()
        }
        _ => true,
    })
}

/// The request as the caller sees it: staff also see possible duplicates.
pub fn view(
    conn: &mut DbConnection,
    state: &Services,
    row: RegistrationRow,
    staff: bool,
) -> AppResult<Registration> {
    let short_name = match &row.institution_id {
        Some(id) => Some(store::institutions::find_row(conn, id)?.short_name),
        None => None,
    };
    let possible_duplicates = match (&row.given_name, &row.family_name) {
        (Some(g), Some(f)) if staff => store::registrations::possible_duplicates(conn, g, f)?,
        _ => Vec::new(),
    };
    let registry_email = match (&row.given_name, &row.family_name) {
        (Some(g), Some(f)) => {
            let local = registry_local_part(g, row.middle_name.as_deref(), f);
            Some(format!("{local}@{}", state.config.registry_email_domain))
        }
        _ => None,
    };
    let history = store::registrations::history(conn, &row.id)?;
    let bad = |what: &str, v: &str| AppError::Internal(format!("stored {what} {v}"));
    Ok(Registration {
        id: parse_uuid(&row.id)?,
        state: RegistrationState::parse(&row.state).ok_or_else(|| bad("state", &row.state))?,
        identity: IdentityKind::parse(&row.identity)
            .ok_or_else(|| bad("identity", &row.identity))?,
        certificate_dn: row.certificate_dn,
        institution_id: row.institution_id.as_deref().map(parse_uuid).transpose()?,
        institution_short_name: short_name,
        email: row.email,
        given_name: row.given_name,
        middle_name: row.middle_name,
        family_name: row.family_name,
        registry_email,
        account_name: row.account_name,
        category: row.category.as_deref().and_then(Category::parse),
        orcid: row.orcid,
        existing_account: row.existing_account,
        comment: row.comment,
        link_person_id: row.link_person_id.as_deref().map(parse_uuid).transpose()?,
        person_id: row.person_id.as_deref().map(parse_uuid).transpose()?,
        decision_reason: row.decision_reason,
        provision_error: row.provision_error.filter(|_| staff),
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
        submitted_at: row.submitted_at.map(from_db_time),
        decided_at: row.decided_at.map(from_db_time),
        possible_duplicates,
        history,
    })
}
