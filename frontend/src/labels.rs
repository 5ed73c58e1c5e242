//! The words people read for every code the API speaks (states, statuses, roles, events),
//! in one place: no page shows a machine name such as `awaiting_ib` or `role.granted`.

use b2mms_shared::{
    AffiliationKind, AuditAction, InstitutionStatus, InvitationStatus, MembershipStatus, PeriodEnd,
    RegistrationState, Role, Scope, TransferState,
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
        Role::Publications => "Publications (author lists)",
    }
}

/// What a service token's scope lets a tool read.
pub fn scope(scope: Scope) -> &'static str {
    match scope {
        Scope::MembersRead => "The member directory and records",
        Scope::RegistrationsRead => "Registration requests",
        Scope::AuditRead => "The audit trail",
        Scope::GroupsRead => "Groups and their members",
        Scope::AuthorsRead => "Author lists and their exports",
        Scope::MailingListsRead => "Mailing lists and their subscribers",
    }
}

/// What a role allows, said before it is granted.
pub fn role_power(role: Role) -> &'static str {
    match role {
        Role::Member => "Every person with an account has it.",
        Role::Ir => "They decide on the requests of their institution and invite its newcomers.",
        Role::IbChair => {
            "They decide on the requests of permanent physicists for the Institutional Board."
        }
        Role::Admin => "They can change every record, grant roles and issue service tokens.",
        Role::Publications => {
            "They create author lists for papers, send them to review and freeze them."
        }
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

/// Where a change of institution stands.
pub fn transfer(state: TransferState) -> &'static str {
    match state {
        TransferState::Pending => "Waiting for the new institution",
        TransferState::Approved => "Approved, on its date",
        TransferState::Rejected => "Rejected",
        TransferState::Completed => "Carried out",
        TransferState::Cancelled => "Cancelled (the membership ended)",
    }
}

/// An affiliation's kind, as a record shows it.
pub fn affiliation(kind: AffiliationKind) -> &'static str {
    match kind {
        AffiliationKind::Primary => "Member",
        AffiliationKind::Secondary => "Also at",
    }
}

/// Why a membership period ended, if not by its term.
pub fn period_end(reason: Option<PeriodEnd>) -> &'static str {
    match reason {
        None => "",
        Some(PeriodEnd::Left) => "left",
        Some(PeriodEnd::Transfer) => "moved",
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
        A::AuthorExceptionAdded => "Authorship decision recorded",
        A::AuthorExceptionRemoved => "Authorship decision withdrawn",
        A::AuthorListCreated => "Author list created",
        A::AuthorListFrozen => "Author list frozen",
        A::AuthorListReopened => "Author list back to draft",
        A::AuthorListReviewStarted => "Author list sent to review",
        A::AuthorListSignedOff => "Section of an author list signed off",
        A::AuthorListUpdated => "Author list changed",
        A::ElectionCreated => "Election prepared",
        A::ElectionOpened => "Election opened",
        A::ElectionClosed => "Election closed",
        A::ElectionPublished => "Election results published",
        A::ElectionVoted => "Voted",
        A::MailingListCreated => "Mailing list defined",
        A::MailingListUpdated => "Mailing list changed",
        A::MailingListDeleted => "Mailing list removed",
        A::AuthorPolicyChanged => "Author policy changed",
        A::GroupApplicationApproved => "Application to a group approved",
        A::GroupApplicationRejected => "Application to a group rejected",
        A::GroupApplicationWithdrawn => "Application to a group withdrawn",
        A::GroupApplied => "Applied to a group",
        A::GroupCreated => "Group created",
        A::GroupJoined => "Joined a group",
        A::GroupLeft => "Left a group",
        A::GroupManagerAdded => "Group manager appointed",
        A::GroupManagerRemoved => "Group manager withdrawn",
        A::GroupUpdated => "Group changed",
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
        A::PersonEmailChangeRequested => "New contact address asked for",
        A::PersonAffiliationAdded => "Additional institution added",
        A::PersonAffiliationEnded => "Additional institution ended",
        A::PersonLeaving => "Leaving announced",
        A::PersonLeft => "Left the collaboration",
        A::PersonMembershipExpired => "Membership expired",
        A::PersonReactivated => "Membership reactivated",
        A::PersonReactivationAsked => "Reactivation asked for",
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
        A::TransferApproved => "Change of institution approved",
        A::TransferCancelled => "Change of institution cancelled",
        A::TransferCompleted => "Moved to the new institution",
        A::TransferRejected => "Change of institution rejected",
        A::TransferRequested => "Change of institution asked for",
    }
    .to_owned()
}

/// The kind of record an audit event is about.
pub fn record(subject_type: &str) -> String {
    match subject_type {
        "person" => "Person".to_owned(),
        "institution" => "Institution".to_owned(),
        "registration" => "Registration request".to_owned(),
        "invitation" => "Invitation".to_owned(),
        "service_token" => "Service token".to_owned(),
        "mail" => "Mail".to_owned(),
        "account" => "Account".to_owned(),
        "session" => "Session".to_owned(),
        "transfer" => "Change of institution".to_owned(),
        "group" => "Group".to_owned(),
        "mailing_list" => "Mailing list".to_owned(),
        "election" => "Election".to_owned(),
        other => sentence(other),
    }
}

/// A recorded field's name as people read it.
pub fn field(key: &str) -> String {
    match key {
        "given_name" => "Given name".to_owned(),
        "middle_name" => "Middle name".to_owned(),
        "family_name" => "Family name".to_owned(),
        "paper_name" => "Name in papers".to_owned(),
        "email" | "contact_email" => "Contact email".to_owned(),
        "registry_email" => "Collaboration address".to_owned(),
        "orcid" => "ORCID iD".to_owned(),
        "institution_id" => "Home institution".to_owned(),
        "short_name" => "Short name".to_owned(),
        "ror_id" => "ROR id".to_owned(),
        "inspire_id" => "INSPIRE id".to_owned(),
        "membership_end" => "Membership end".to_owned(),
        "account_name" => "Account name".to_owned(),
        "expires_at" => "Valid until".to_owned(),
        other => sentence(other),
    }
}

/// `snake_case` as a sentence: `membership_start` → "Membership start".
fn sentence(key: &str) -> String {
    let words = key.replace(['_', '.'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Who acted on a request, as people say it.
pub fn actor(actor: &str) -> String {
    match actor {
        "applicant" => "the applicant".into(),
        "system" => "b2mms".into(),
        other => other.to_owned(),
    }
}

/// An author list's state.
pub fn audience_role(role: b2mms_shared::AudienceRole) -> &'static str {
    match role {
        b2mms_shared::AudienceRole::Ir => "Institutional representatives",
        b2mms_shared::AudienceRole::IbChair => "Chair of the Institutional Board",
        b2mms_shared::AudienceRole::Admin => "Administrators",
    }
}

pub fn subscribe_with(with: b2mms_shared::SubscribeWith) -> &'static str {
    match with {
        b2mms_shared::SubscribeWith::ContactEmail => "Contact address",
        b2mms_shared::SubscribeWith::RegistryEmail => "Collaboration address",
    }
}

pub fn author_list(state: b2mms_shared::AuthorListState) -> &'static str {
    use b2mms_shared::AuthorListState as S;
    match state {
        S::Draft => "Draft — follows the records",
        S::Review => "Under review by the institutions",
        S::Frozen => "Frozen",
    }
}
