//! The words people read for every code the API speaks (states, statuses, roles, events),
//! in one place: no page shows a machine name such as `awaiting_ib` or `role.granted`.

use b2mms_shared::{
    AuditAction, InstitutionStatus, InvitationStatus, MembershipStatus, RegistrationState, Role,
};

/// Where a request stands, written for its applicant.
pub fn state_for_applicant(state: RegistrationState) -> &'static str {
    use RegistrationState as S;
    match state {
        S::IdentityVerified => "Identity proven — the form is not sent yet",
        S::AwaitingIr => "Waiting for your institutional representative",
        S::AwaitingIb => "Waiting for the Institutional Board",
        S::Approved => "Approved — you will be told as soon as your account is ready",
        S::ProvisioningFailed => "Approved — the secretariat is completing your account",
        S::Provisioned => "Your account is ready",
        S::Rejected => "Rejected",
        S::Withdrawn => "Withdrawn",
        S::Expired => "Expired (not sent in time)",
    }
}

/// Where a request stands, written for those who decide on it.
pub fn state_for_staff(state: RegistrationState) -> &'static str {
    use RegistrationState as S;
    match state {
        S::IdentityVerified => "Not sent yet by the applicant",
        S::AwaitingIr => "Waiting for the institutional representative",
        S::AwaitingIb => "Waiting for the Institutional Board",
        S::Approved => "Approved — the account is being created",
        S::ProvisioningFailed => {
            "Approved, but the account could not be created — an administrator retries or rejects it"
        }
        S::Provisioned => "Completed — the account exists",
        S::Rejected => "Rejected",
        S::Withdrawn => "Withdrawn by the applicant",
        S::Expired => "Expired (not sent in time)",
    }
}

pub fn role(role: Role) -> &'static str {
    match role {
        Role::Member => "Member",
        Role::Ir => "Institutional representative",
        Role::IbChair => "Chair of the Institutional Board",
        Role::Admin => "Administrator",
    }
}

pub fn membership(status: MembershipStatus) -> &'static str {
    match status {
        MembershipStatus::Active => "Active",
        MembershipStatus::Expired => "Expired",
        MembershipStatus::Left => "Left",
    }
}

pub fn institution(status: InstitutionStatus) -> &'static str {
    match status {
        InstitutionStatus::Active => "Active",
        InstitutionStatus::Inactive => "Inactive",
    }
}

pub fn invitation(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "Not used yet",
        InvitationStatus::Used => "Used to register",
        InvitationStatus::Expired => "Expired",
        InvitationStatus::Revoked => "Revoked",
    }
}

/// An event of the audit trail or of a request's history, as people say it.
pub fn event(action: &str) -> String {
    use AuditAction as A;
    let Some(known) = AuditAction::parse(action) else {
        return action.replace(['.', '_'], " ");
    };
    match known {
        A::AccountDisabled => "Account disabled",
        A::AccountLocked => "Account locked",
        A::AccountUnlocked => "Account unlocked",
        A::InstitutionCreated => "Institution created",
        A::InstitutionRepresentativeAdded => "Representative appointed",
        A::InstitutionRepresentativeRemoved => "Representative removed",
        A::InstitutionUpdated => "Institution changed",
        A::InvitationCreated => "Invitation sent",
        A::InvitationRevoked => "Invitation revoked",
        A::LoginFailed => "Sign-in failed",
        A::LoginSucceeded => "Signed in",
        A::MailRetried => "Mail sent again",
        A::PasswordChanged => "Password changed",
        A::PasswordReset => "Password reset",
        A::PasswordResetRequested => "Password reset asked for",
        A::PersonBecameRepresentative => "Became a representative",
        A::PersonCeasedRepresentative => "No longer a representative",
        A::PersonCreated => "Person created",
        A::PersonMembershipExpired => "Membership expired",
        A::PersonProvisioned => "Account created",
        A::PersonUpdated => "Record changed",
        A::RegistrationDemoDecision => "Decided (demo data)",
        A::RegistrationExpired => "Request expired",
        A::RegistrationIbApproved => "Approved by the Institutional Board",
        A::RegistrationIrApproved => "Approved by the representative",
        A::RegistrationOpened => "Identity proven",
        A::RegistrationProvisioned => "Account created",
        A::RegistrationProvisioningFailed => "Creating the account failed",
        A::RegistrationProvisioningRetried => "Creating the account retried",
        A::RegistrationRejected => "Rejected",
        A::RegistrationSubmitted => "Request sent",
        A::RegistrationWithdrawn => "Withdrawn",
        A::RoleGranted => "Role granted",
        A::RoleWithdrawn => "Role withdrawn",
        A::ServiceTokenCreated => "Service token created",
        A::ServiceTokenRevoked => "Service token revoked",
        A::SessionEnded => "Signed out",
    }
    .to_owned()
}
