//! Who may do what. The policy hands out proofs scoped to a resource — `Admin`, `IbChair`,
//! `RepresentativeOf(institution)`, `GroupManager(group)`, `Member(person)`,
//! `Applicant(request)`, `Service(scopes)` —
//! and every operation takes the proof it needs. A proof can only be made here, from the
//! caller's current roles and representations, so an operation cannot run unchecked.

use b2mms_shared::{GroupId, InstitutionId, PersonId, RegistrationId, Role, Scope, access};

use crate::domain::registration::Capacity;
use crate::error::{AppError, AppResult};

/// What a person whose membership has ended (expired or left) still reaches while the
/// account is open: their own record and its history, their changes of institution, asking
/// to be reactivated, whether (and until when) they are still an author, their password and
/// signing out — nothing else, and with no role.
pub const OPEN_AFTER_MEMBERSHIP: &[&str] = &[
    "GET /api/v1/me",
    "POST /api/v1/me/reactivation",
    "GET /api/v1/members/{id}",
    "GET /api/v1/members/{id}/affiliations",
    "GET /api/v1/me/authorship",
    "GET /api/v1/transfers",
    "POST /api/v1/auth/password",
    "POST /api/v1/auth/logout",
];

/// Whether `METHOD pattern` is open to a person whose membership has ended.
pub fn open_after_membership(method: &str, pattern: &str) -> bool {
    OPEN_AFTER_MEMBERSHIP.iter().any(|route| {
        route
            .split_once(' ')
            .is_some_and(|(m, p)| m == method && p == pattern)
    })
}

/// A signed-in person acting, as recorded with what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    pub person_id: PersonId,
    pub account_name: String,
    pub request_id: Option<String>,
}

/// The caller as far as authorization is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub acting: Acting,
    pub roles: Vec<Role>,
    /// Institutions the caller represents (is an IR of).
    pub represents: Vec<InstitutionId>,
}

/// Why the policy said no: shown to the caller as a 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub &'static str);

/// Proof that the caller is an administrator of the collaboration.
#[derive(Debug, Clone)]
pub struct Admin {
    acting: Acting,
}

/// Proof that the caller chairs the Institutional Board.
#[derive(Debug, Clone)]
pub struct IbChair {
    acting: Acting,
}

/// Proof that the caller may act for an institution: one of its representatives, or an
/// administrator.
#[derive(Debug, Clone)]
pub struct RepresentativeOf {
    acting: Acting,
    institution: InstitutionId,
    admin: bool,
}

/// Proof that the caller manages a group: one of its managers, or an administrator.
#[derive(Debug, Clone)]
pub struct GroupManager {
    acting: Acting,
    group: GroupId,
}

impl GroupManager {
    pub fn acting(&self) -> &Acting {
        &self.acting
    }
    pub fn group(&self) -> &GroupId {
        &self.group
    }
}

/// Proof that the caller prepares author lists: the publications role, or an administrator.
#[derive(Debug, Clone)]
pub struct Publications {
    acting: Acting,
}

impl Publications {
    pub fn acting(&self) -> &Acting {
        &self.acting
    }
}

/// Proof that the caller decides about individual authorship: the IB chair, or an
/// administrator.
#[derive(Debug, Clone)]
pub struct AuthorshipDecider {
    acting: Acting,
}

impl AuthorshipDecider {
    pub fn acting(&self) -> &Acting {
        &self.acting
    }
}

/// Who reads author lists: a person whose roles open them, or a tool with `authors:read`.
#[derive(Debug, Clone)]
pub enum AuthorListReader {
    Person(Acting),
    Tool(Service),
}

/// Proof that the caller runs elections: an administrator or the chair of the Institutional
/// Board.
#[derive(Debug, Clone)]
pub struct ElectionOfficer {
    acting: Acting,
}

impl ElectionOfficer {
    pub fn acting(&self) -> &Acting {
        &self.acting
    }
}

/// Who reads mailing lists and their subscribers: administrators, or a tool with
/// `mailing-lists:read`.
#[derive(Debug, Clone)]
pub enum MailingListReader {
    Admin(Admin),
    Tool(Service),
}

/// Proof that the caller is this person, signed in.
#[derive(Debug, Clone)]
pub struct Member {
    acting: Acting,
}

/// Proof that the caller is the applicant of this request (registration token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    registration: RegistrationId,
}

/// Proof that a collaboration tool's token carries a scope.
#[derive(Debug, Clone)]
pub struct Service {
    name: String,
    scope: Scope,
}

/// Who may read a person's whole record: the person, the representatives of their
/// institution, administrators.
#[derive(Debug, Clone)]
pub enum RecordReader {
    Own(Member),
    Representative(RepresentativeOf),
    Tool(Service),
}

impl Admin {
    pub fn acting(&self) -> &Acting {
        &self.acting
    }
}

impl IbChair {
    pub fn acting(&self) -> &Acting {
        &self.acting
    }
}

impl RepresentativeOf {
    pub fn acting(&self) -> &Acting {
        &self.acting
    }
    pub fn institution(&self) -> &InstitutionId {
        &self.institution
    }
    /// Whether the proof comes from the administrator role rather than a representation.
    pub fn as_admin(&self) -> bool {
        self.admin
    }
}

impl Member {
    pub fn acting(&self) -> &Acting {
        &self.acting
    }
    pub fn person(&self) -> &PersonId {
        &self.acting.person_id
    }
}

impl Applicant {
    /// Proof from a verified registration token, which names its one request.
    pub fn of_token(registration: RegistrationId) -> Self {
        Self { registration }
    }
    pub fn registration(&self) -> &RegistrationId {
        &self.registration
    }
}

impl Service {
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn scope(&self) -> Scope {
        self.scope
    }
}

/// A collaboration tool's verified token and its scopes.
#[derive(Debug, Clone)]
pub struct ServiceToken {
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        AppError::forbidden(denied.0)
    }
}

impl ServiceToken {
    /// Proof that this token carries `scope`, or 403 `scope_missing`.
    pub fn require(&self, scope: Scope) -> AppResult<Service> {
        self.scoped(scope).ok_or_else(|| AppError::Forbidden {
            code: "scope_missing",
            detail: format!(
                "This service token lacks the scope `{scope}`; an administrator can issue one that has it."
            ),
        })
    }

    /// Proof that this token may read what `scope` covers.
    pub fn scoped(&self, scope: Scope) -> Option<Service> {
        self.scopes.contains(&scope).then(|| Service {
            name: self.name.clone(),
            scope,
        })
    }
}

impl Subject {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn represents(&self, institution_id: &InstitutionId) -> bool {
        self.represents.contains(institution_id)
    }

    pub fn member(&self) -> Member {
        Member {
            acting: self.acting.clone(),
        }
    }

    pub fn admin(&self) -> Result<Admin, Denied> {
        if access::administers(&self.roles) {
            Ok(Admin {
                acting: self.acting.clone(),
            })
        } else {
            Err(Denied(
                "Only administrators of the collaboration may do this.",
            ))
        }
    }

    pub fn ib_chair(&self) -> Result<IbChair, Denied> {
        if access::chairs_the_board(&self.roles) {
            Ok(IbChair {
                acting: self.acting.clone(),
            })
        } else {
            Err(Denied(
                "Only the chair of the Institutional Board may do this.",
            ))
        }
    }

    pub fn publications(&self) -> Result<Publications, Denied> {
        if access::prepares_author_lists(&self.roles) {
            Ok(Publications {
                acting: self.acting.clone(),
            })
        } else {
            Err(Denied(
                "Only administrators and people with the publications role prepare author lists.",
            ))
        }
    }

    pub fn authorship_decider(&self) -> Result<AuthorshipDecider, Denied> {
        if access::decides_authorship(&self.roles) {
            Ok(AuthorshipDecider {
                acting: self.acting.clone(),
            })
        } else {
            Err(Denied(
                "Only the chair of the Institutional Board and administrators decide about individual authorship.",
            ))
        }
    }

    pub fn author_list_reader(&self) -> Result<AuthorListReader, Denied> {
        if access::reads_author_lists(&self.roles) {
            Ok(AuthorListReader::Person(self.acting.clone()))
        } else {
            Err(Denied(
                "Author lists are read by those who prepare them, the IB chair and institutional representatives; a member sees their own authorship on their record.",
            ))
        }
    }

    pub fn election_officer(&self) -> Result<ElectionOfficer, Denied> {
        if access::runs_elections(&self.roles) {
            Ok(ElectionOfficer {
                acting: self.acting.clone(),
            })
        } else {
            Err(Denied(
                "Elections are prepared and published by administrators and the chair of the Institutional Board.",
            ))
        }
    }

    pub fn mailing_list_reader(&self) -> Result<MailingListReader, Denied> {
        self.admin().map(MailingListReader::Admin).map_err(|_| {
            Denied("Mailing lists and their subscribers are read by administrators; a member sees the lists they are on.")
        })
    }

    /// Acting for an institution: its representatives, and administrators.
    pub fn representative_of(
        &self,
        institution: &InstitutionId,
    ) -> Result<RepresentativeOf, Denied> {
        let admin = access::administers(&self.roles);
        if admin || self.represents(institution) {
            Ok(RepresentativeOf {
                acting: self.acting.clone(),
                institution: institution.clone(),
                admin,
            })
        } else {
            Err(Denied(
                "Only the representatives of this institution and administrators may do this.",
            ))
        }
    }

    /// Managing `group`, whose managers are `managers`: one of them, or an administrator.
    pub fn manager_of(
        &self,
        group: &GroupId,
        managers: &[PersonId],
    ) -> Result<GroupManager, Denied> {
        if access::administers(&self.roles) || managers.contains(&self.acting.person_id) {
            Ok(GroupManager {
                acting: self.acting.clone(),
                group: group.clone(),
            })
        } else {
            Err(Denied(
                "Only the managers of this group and administrators may do this.",
            ))
        }
    }

    /// Reading the whole record of a person of `institution`.
    pub fn reader_of(
        &self,
        person: &PersonId,
        institution: &InstitutionId,
    ) -> Result<RecordReader, Denied> {
        if *person == self.acting.person_id {
            return Ok(RecordReader::Own(self.member()));
        }
        self.representative_of(institution)
            .map(RecordReader::Representative)
            .map_err(|_| {
                Denied(
                    "Only the person, the representatives of their institution and administrators see this record.",
                )
            })
    }

    /// The institutions whose invitations (and requests) the caller sees: `None` for all.
    pub fn institutions_in_view(&self) -> Result<Option<&[InstitutionId]>, Denied> {
        if access::administers(&self.roles) {
            Ok(None)
        } else if access::represents_an_institution(&self.roles) {
            Ok(Some(&self.represents))
        } else {
            Err(Denied(
                "Only institutional representatives and administrators see this: it concerns the people of institutions.",
            ))
        }
    }

    /// The capacities in which this person may act on a registration request of `home`, most
    /// specific first.
    pub fn capacities_on(&self, home: Option<&InstitutionId>) -> Vec<Capacity> {
        let mut out = Vec::new();
        if access::chairs_the_board(&self.roles) {
            out.push(Capacity::IbChair);
        }
        if home.is_some_and(|i| self.represents(i)) {
            out.push(Capacity::HomeIr);
        }
        if access::administers(&self.roles) {
            out.push(Capacity::Admin);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<T: From<uuid::Uuid>>(n: u128) -> T {
        T::from(uuid::Uuid::from_u128(n))
    }

    fn subject(roles: &[Role], represents: &[u128]) -> Subject {
        Subject {
            acting: Acting {
                person_id: id(1),
                account_name: "me".into(),
                request_id: None,
            },
            roles: roles.to_vec(),
            represents: represents.iter().map(|n| id(*n)).collect(),
        }
    }

    /// Who may do what: every proof against every kind of caller.
    #[test]
    fn decision_table() {
        const A: u128 = 0xA;
        const B: u128 = 0xB;
        let member = subject(&[Role::Member], &[]);
        let ir_a = subject(&[Role::Member, Role::Ir], &[A]);
        let ib = subject(&[Role::Member, Role::IbChair], &[]);
        let admin = subject(&[Role::Member, Role::Admin], &[]);
        let publications = subject(&[Role::Member, Role::Publications], &[]);
        let me: PersonId = id(1);
        let other: PersonId = id(2);

        type Check = Box<dyn Fn(&Subject) -> bool>;
        // member, IR of A, IB chair, admin, publications
        let table: Vec<(&str, Check, [bool; 5])> = vec![
            (
                "admin",
                Box::new(|s| s.admin().is_ok()),
                [false, false, false, true, false],
            ),
            (
                "ib chair",
                Box::new(|s| s.ib_chair().is_ok()),
                [false, false, true, false, false],
            ),
            (
                "representative of A",
                Box::new(|s| s.representative_of(&id(A)).is_ok()),
                [false, true, false, true, false],
            ),
            (
                "representative of B",
                Box::new(|s| s.representative_of(&id(B)).is_ok()),
                [false, false, false, true, false],
            ),
            (
                "reads own record",
                Box::new(move |s| s.reader_of(&me, &id(B)).is_ok()),
                [true, true, true, true, true],
            ),
            (
                "reads a record of A",
                Box::new({
                    let other = other.clone();
                    move |s| s.reader_of(&other, &id(A)).is_ok()
                }),
                [false, true, false, true, false],
            ),
            (
                "reads a record of B",
                Box::new(move |s| s.reader_of(&other, &id(B)).is_ok()),
                [false, false, false, true, false],
            ),
            (
                "sees invitations",
                Box::new(|s| s.institutions_in_view().is_ok()),
                [false, true, false, true, false],
            ),
            (
                "acts on a request of A",
                Box::new(|s| !s.capacities_on(Some(&id(A))).is_empty()),
                [false, true, true, true, false],
            ),
            (
                "manages a group the caller manages",
                Box::new(|s| s.manager_of(&id(0xC), &[id(1)]).is_ok()),
                [true, true, true, true, true],
            ),
            (
                "manages a group of others",
                Box::new(|s| s.manager_of(&id(0xC), &[id(2)]).is_ok()),
                [false, false, false, true, false],
            ),
            (
                "acts on a request of B",
                Box::new(|s| !s.capacities_on(Some(&id(B))).is_empty()),
                [false, false, true, true, false],
            ),
            (
                "prepares author lists",
                Box::new(|s| s.publications().is_ok()),
                [false, false, false, true, true],
            ),
            (
                "decides about authorship",
                Box::new(|s| s.authorship_decider().is_ok()),
                [false, false, true, true, false],
            ),
            (
                "reads author lists",
                Box::new(|s| s.author_list_reader().is_ok()),
                [false, true, true, true, true],
            ),
            (
                "runs elections",
                Box::new(|s| s.election_officer().is_ok()),
                [false, false, true, true, false],
            ),
            (
                "reads mailing lists",
                Box::new(|s| s.mailing_list_reader().is_ok()),
                [false, false, false, true, false],
            ),
        ];
        for (name, check, expected) in table {
            let got = [&member, &ir_a, &ib, &admin, &publications].map(&check);
            assert_eq!(got, expected, "{name}");
        }
        assert_eq!(
            ir_a.institutions_in_view().unwrap(),
            Some(&[id::<InstitutionId>(A)][..])
        );
        assert_eq!(admin.institutions_in_view().unwrap(), None);
        assert!(admin.representative_of(&id(A)).unwrap().as_admin());
        assert!(!ir_a.representative_of(&id(A)).unwrap().as_admin());
    }

    #[test]
    fn a_service_proof_needs_the_scope() {
        let token = ServiceToken {
            id: "t".into(),
            name: "tool".into(),
            scopes: vec![Scope::MembersRead],
        };
        assert!(token.scoped(Scope::MembersRead).is_some());
        assert!(token.scoped(Scope::AuditRead).is_none());
        assert!(token.scoped(Scope::RegistrationsRead).is_none());
    }
}
