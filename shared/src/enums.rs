//! The closed vocabularies of the collaboration: categories, statuses and roles.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "db", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "db", diesel(sql_type = diesel::sql_types::Text))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable machine name used on the wire and in the database.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the machine name; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Documented with exactly the strings sent and accepted on the wire.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let description = [$($doc),*].map(str::trim).join(" ");
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .description((!description.is_empty()).then_some(description))
                    .into()
            }
        }

        /// Stored as its machine name; a name the program does not know is an error, not a default.
        #[cfg(feature = "db")]
        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                $name::parse(&text).ok_or_else(|| {
                    format!("unknown {} {text:?} in the database", stringify!($name)).into()
                })
            }
        }

        #[cfg(feature = "db")]
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

string_enum! {
    /// Membership category (product §3).
    Category {
        PhysicistPermanent = "physicist_permanent",
        PhysicistTemporary = "physicist_temporary",
        PhdStudent = "phd_student",
        Student = "student",
        TechnicalStaff = "technical_staff",
        Visitor = "visitor",
    }
}

impl Category {
    /// The label shown to people.
    pub const fn label(self) -> &'static str {
        match self {
            Category::PhysicistPermanent => "Physicist – permanent/staff",
            Category::PhysicistTemporary => "Physicist – postdoc/temporary",
            Category::PhdStudent => "PhD student",
            Category::Student => "Student (bachelor, master, summer)",
            Category::TechnicalStaff => "Technical staff / engineer",
            Category::Visitor => "Visitor from a non-member institution",
        }
    }

    /// Official members of the collaboration (authors, voters).
    pub const fn is_official_member(self) -> bool {
        matches!(
            self,
            Category::PhysicistPermanent | Category::PhysicistTemporary | Category::PhdStudent
        )
    }

    /// Registration in this category needs the Institutional Board's approval after the IR's.
    pub const fn needs_ib_approval(self) -> bool {
        matches!(self, Category::PhysicistPermanent)
    }
}

string_enum! {
    /// Membership status of a person (product §2).
    MembershipStatus {
        Active = "active",
        Expired = "expired",
        Left = "left",
    }
}

string_enum! {
    /// A primary affiliation is a membership period at the home institution; a secondary one
    /// an additional institution ("also at") that author lists print.
    AffiliationKind {
        Primary = "primary",
        Secondary = "secondary",
    }
}

string_enum! {
    /// Why a membership period ended (or will end) before or instead of its term.
    PeriodEnd {
        /// The person left the collaboration.
        Left = "left",
        /// The person moved to another institution.
        Transfer = "transfer",
    }
}

string_enum! {
    /// Where a change of institution stands.
    TransferState {
        /// Waiting for the new institution's representative.
        Pending = "pending",
        /// Approved, carried out on its effective date.
        Approved = "approved",
        Rejected = "rejected",
        /// Carried out: the person is at the new institution.
        Completed = "completed",
        /// Not carried out because the membership ended first.
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// How a group is joined.
    JoinPolicy {
        /// Any active member joins at once.
        Open = "open",
        /// Members apply; a manager approves or rejects.
        Approval = "approval",
        /// Only a manager adds people.
        Closed = "closed",
    }
}

string_enum! {
    /// Where an application to join a group stands.
    ApplicationState {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        /// Withdrawn by the applicant, or ended with their membership.
        Withdrawn = "withdrawn",
    }
}

string_enum! {
    /// Where an author list stands: `draft` follows the records, `review` too while the
    /// institutions sign their sections off, `frozen` is a snapshot nothing changes.
    AuthorListState {
        Draft = "draft",
        Review = "review",
        Frozen = "frozen",
    }
}

string_enum! {
    /// An individual decision about a person's authorship, overriding the rules.
    ExceptionKind {
        /// An author although the rules would not make them one.
        Include = "include",
        /// Not an author although the rules would make them one.
        Exclude = "exclude",
    }
}

string_enum! {
    /// Why a person is or is not an author on a day.
    AuthorReasonCode {
        /// Qualified by membership; `date` is the day they became an author.
        Qualified = "qualified",
        /// Qualified, with a membership that ends: `date` is their last day as an author.
        StaysUntil = "stays_until",
        /// Not yet: `date` is the day they qualify.
        QualifiesOn = "qualifies_on",
        /// No longer: `date` was their last day as an author.
        StayedUntil = "stayed_until",
        /// Their membership category does not make authors.
        CategoryExcluded = "category_excluded",
        /// Their membership ends (`date`) before they would qualify.
        TooShort = "too_short",
        /// No membership on the day.
        NoMembership = "no_membership",
        /// Included by a decision (`note` says why).
        Included = "included",
        /// Excluded by a decision (`note` says why).
        Excluded = "excluded",
    }
}

string_enum! {
    /// Status of an account in the registry.
    AccountStatus {
        Active = "active",
        Locked = "locked",
        Disabled = "disabled",
    }
}

string_enum! {
    /// Status of an institution.
    InstitutionStatus {
        Active = "active",
        Inactive = "inactive",
    }
}

string_enum! {
    /// What a signed-in person may act as. `admin` and `ib_chair` are granted collaboration-wide
    /// by an admin; `ir` follows from being a representative of at least one institution;
    /// `member` is every person with an account.
    Role {
        Member = "member",
        Ir = "ir",
        IbChair = "ib_chair",
        Admin = "admin",
        /// Prepares author lists for papers.
        Publications = "publications",
    }
}

impl Role {
    /// Roles an admin grants and withdraws directly; the others follow from other records.
    pub const fn is_grantable(self) -> bool {
        matches!(self, Role::Admin | Role::IbChair | Role::Publications)
    }
}

string_enum! {
    /// The state of a registration request (product §5).
    RegistrationState {
        IdentityVerified = "identity_verified",
        AwaitingIr = "awaiting_ir",
        AwaitingIb = "awaiting_ib",
        Approved = "approved",
        Provisioned = "provisioned",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Expired = "expired",
        /// Approved, but creating the account failed for a reason retrying cannot fix; an
        /// admin retries it (possibly linking an existing person) or rejects it.
        ProvisioningFailed = "provisioning_failed",
    }
}

impl RegistrationState {
    /// The state in words, for messages to people.
    pub const fn label(self) -> &'static str {
        match self {
            Self::IdentityVerified => "not yet submitted",
            Self::AwaitingIr => "waiting for the institutional representative",
            Self::AwaitingIb => "waiting for the Institutional Board",
            Self::Approved => "approved",
            Self::Provisioned => "completed (the account exists)",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
            Self::ProvisioningFailed => "approved, but the account could not be created",
        }
    }

    /// Still going somewhere: the account name stays reserved, duplicates are checked.
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            Self::IdentityVerified
                | Self::AwaitingIr
                | Self::AwaitingIb
                | Self::Approved
                | Self::ProvisioningFailed
        )
    }

    /// Waiting for a person's decision.
    pub const fn is_pending_decision(self) -> bool {
        matches!(self, Self::AwaitingIr | Self::AwaitingIb)
    }
}

string_enum! {
    /// What the caller may do with a registration request now.
    RegistrationAction {
        Approve = "approve",
        Reject = "reject",
        Withdraw = "withdraw",
        /// Send a request whose account could not be created back to provisioning.
        RetryProvisioning = "retry_provisioning",
    }
}

string_enum! {
    /// How an applicant proved their identity.
    IdentityKind {
        Invitation = "invitation",
        Certificate = "certificate",
    }
}

string_enum! {
    /// The status of an invitation.
    InvitationStatus {
        Pending = "pending",
        Used = "used",
        Expired = "expired",
        Revoked = "revoked",
    }
}

string_enum! {
    /// Where a message of the mail outbox stands.
    MailStatus {
        /// Waiting for (another) delivery attempt.
        Pending = "pending",
        Sent = "sent",
        /// Given up. Only earlier versions gave up; delivery now retries without end.
        Failed = "failed",
    }
}

string_enum! {
    /// The order of the member directory; ties are broken by family and given name.
    DirectorySort {
        Name = "name",
        Account = "account",
        Institution = "institution",
        Category = "category",
        Status = "status",
        /// The end of the membership; open-ended ones last.
        MembershipEnd = "membership_end",
    }
}

string_enum! {
    /// Ascending or descending.
    SortOrder {
        Asc = "asc",
        Desc = "desc",
    }
}

string_enum! {
    /// What a service token (for collaboration tools) may read.
    Scope {
        MembersRead = "members:read",
        RegistrationsRead = "registrations:read",
        AuditRead = "audit:read",
        GroupsRead = "groups:read",
        AuthorsRead = "authors:read",
        MailingListsRead = "mailing-lists:read",
    }
}

string_enum! {
    /// The life of an election: drafted, open for ballots between its times, closed (the
    /// results are counted), published (everyone eligible sees them).
    ElectionState {
        Draft = "draft",
        Open = "open",
        Closed = "closed",
        Published = "published",
    }
}

string_enum! {
    /// How much an institution's vote weighs in an Institutional Board vote.
    InstitutionWeight {
        /// One vote each.
        Equal = "equal",
        /// As many as the institution has authors on the day the election opens.
        Authors = "authors",
    }
}

string_enum! {
    /// Which of a person's addresses a mailing list subscribes.
    SubscribeWith {
        /// The contact address (at the home institution).
        ContactEmail = "contact_email",
        /// The collaboration address, or the contact address for someone without one.
        RegistryEmail = "registry_email",
    }
}

string_enum! {
    /// The roles a mailing list's audience may ask for.
    AudienceRole {
        /// Representatives of an institution.
        Ir = "ir",
        IbChair = "ib_chair",
        Admin = "admin",
    }
}

string_enum! {
    /// Every kind of audit event, each with a stable name `subject.what_happened`: the names
    /// are stored and read by people and tools, so a name never changes and each event has
    /// exactly one.
    AuditAction {
        AccountDisabled = "account.disabled",
        AccountLocked = "account.locked",
        AccountUnlocked = "account.unlocked",
        AuthorExceptionAdded = "author_exception.added",
        AuthorExceptionRemoved = "author_exception.removed",
        AuthorListCreated = "author_list.created",
        AuthorListFrozen = "author_list.frozen",
        AuthorListReopened = "author_list.reopened",
        AuthorListReviewStarted = "author_list.review_started",
        AuthorListSignedOff = "author_list.signed_off",
        AuthorListUpdated = "author_list.updated",
        AuthorPolicyChanged = "author_policy.changed",
        ElectionClosed = "election.closed",
        ElectionCreated = "election.created",
        ElectionOpened = "election.opened",
        ElectionPublished = "election.published",
        /// That a person voted; never what.
        ElectionVoted = "election.voted",
        MailingListCreated = "mailing_list.created",
        MailingListDeleted = "mailing_list.deleted",
        MailingListUpdated = "mailing_list.updated",
        GroupApplicationApproved = "group.application_approved",
        GroupApplicationRejected = "group.application_rejected",
        GroupApplicationWithdrawn = "group.application_withdrawn",
        GroupApplied = "group.applied",
        GroupCreated = "group.created",
        GroupJoined = "group.joined",
        GroupLeft = "group.left",
        GroupManagerAdded = "group.manager_added",
        GroupManagerRemoved = "group.manager_removed",
        GroupUpdated = "group.updated",
        InstitutionCreated = "institution.created",
        InstitutionRepresentativeAdded = "institution.representative_added",
        InstitutionRepresentativeRemoved = "institution.representative_removed",
        InstitutionUpdated = "institution.updated",
        InvitationCreated = "invitation.created",
        InvitationRevoked = "invitation.revoked",
        LoginFailed = "login.failed",
        LoginSucceeded = "login.succeeded",
        MailRetried = "mail.retried",
        PasswordChanged = "password.changed",
        PasswordReset = "password.reset",
        PasswordResetRequested = "password.reset_requested",
        PersonBecameRepresentative = "person.became_representative",
        PersonCeasedRepresentative = "person.ceased_representative",
        PersonCreated = "person.created",
        PersonEmailChangeRequested = "person.email_change_requested",
        PersonAffiliationAdded = "person.affiliation_added",
        PersonAffiliationEnded = "person.affiliation_ended",
        PersonLeaving = "person.leaving",
        PersonLeft = "person.left",
        PersonMembershipExpired = "person.membership_expired",
        PersonReactivated = "person.reactivated",
        PersonReactivationAsked = "person.reactivation_asked",
        PersonProvisioned = "person.provisioned",
        PersonUpdated = "person.updated",
        RegistrationDemoDecision = "registration.demo_decision",
        RegistrationExpired = "registration.expired",
        RegistrationIbApproved = "registration.ib_approved",
        RegistrationIrApproved = "registration.ir_approved",
        RegistrationOpened = "registration.opened",
        RegistrationProvisioned = "registration.provisioned",
        RegistrationProvisioningFailed = "registration.provisioning_failed",
        RegistrationProvisioningRetried = "registration.provisioning_retried",
        RegistrationRejected = "registration.rejected",
        RegistrationSubmitted = "registration.submitted",
        RegistrationWithdrawn = "registration.withdrawn",
        RoleGranted = "role.granted",
        RoleWithdrawn = "role.withdrawn",
        ServiceTokenCreated = "service_token.created",
        ServiceTokenRevoked = "service_token.revoked",
        SessionEnded = "session.ended",
        TransferApproved = "transfer.approved",
        TransferCancelled = "transfer.cancelled",
        TransferCompleted = "transfer.completed",
        TransferRejected = "transfer.rejected",
        TransferRequested = "transfer.requested",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
            assert_eq!(
                serde_json::to_string(c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Category::parse("physicist"), None);
    }

    #[test]
    fn only_permanent_physicists_need_the_ib() {
        let needing: Vec<_> = Category::ALL
            .iter()
            .filter(|c| c.needs_ib_approval())
            .collect();
        assert_eq!(needing, vec![&Category::PhysicistPermanent]);
    }

    #[test]
    fn grantable_roles() {
        assert!(Role::Admin.is_grantable());
        assert!(Role::IbChair.is_grantable());
        assert!(!Role::Ir.is_grantable());
        assert!(!Role::Member.is_grantable());
    }
}
