//! Who may do what. Every authorization decision of the API is made here, from the caller's
//! current roles and representations, and every handler asks before it acts.

use b2mms_shared::Role;

/// The caller as far as authorization is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub person_id: String,
    pub roles: Vec<Role>,
    /// Institutions the caller represents (is an IR of).
    pub represents: Vec<String>,
}

impl Subject {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn represents(&self, institution_id: &str) -> bool {
        self.represents.iter().any(|i| i == institution_id)
    }
}

/// Something a caller wants to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    /// Create or edit institutions.
    ManageInstitutions,
    /// Appoint or remove institutional representatives.
    ManageRepresentatives,
    /// Create a person with an account directly.
    CreateMember,
    /// Grant or withdraw `admin` / `ib_chair`.
    ManageRoles,
    /// Read the audit trail.
    ReadAudit,
    /// Invite people to register with this institution, and manage those invitations.
    Invite { institution_id: &'a str },
    /// Change the membership (category, status, end date) of a person of this institution.
    ManageMember { institution_id: &'a str },
    /// Read the full record of a person of this institution.
    ReadMember {
        person_id: &'a str,
        institution_id: &'a str,
    },
}

/// The decision: may `subject` do `action`?
pub fn allows(subject: &Subject, action: &Action<'_>) -> bool {
    if subject.has(Role::Admin) {
        return true;
    }
    match action {
        Action::ManageInstitutions
        | Action::ManageRepresentatives
        | Action::CreateMember
        | Action::ManageRoles
        | Action::ReadAudit => false,
        Action::Invite { institution_id } | Action::ManageMember { institution_id } => {
            subject.represents(institution_id)
        }
        Action::ReadMember {
            person_id,
            institution_id,
        } => *person_id == subject.person_id || subject.represents(institution_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(roles: &[Role], represents: &[&str]) -> Subject {
        Subject {
            person_id: "me".into(),
            roles: roles.to_vec(),
            represents: represents.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn decision_table() {
        let member = subject(&[Role::Member], &[]);
        let ir_a = subject(&[Role::Member, Role::Ir], &["A"]);
        let ib = subject(&[Role::Member, Role::IbChair], &[]);
        let admin = subject(&[Role::Member, Role::Admin], &[]);

        let read_own = Action::ReadMember {
            person_id: "me",
            institution_id: "B",
        };
        let read_a = Action::ReadMember {
            person_id: "other",
            institution_id: "A",
        };
        let read_b = Action::ReadMember {
            person_id: "other",
            institution_id: "B",
        };

        // action, member, IR of A, IB chair, admin
        let table: Vec<(Action<'_>, [bool; 4])> = vec![
            (Action::ManageInstitutions, [false, false, false, true]),
            (Action::ManageRepresentatives, [false, false, false, true]),
            (Action::CreateMember, [false, false, false, true]),
            (Action::ManageRoles, [false, false, false, true]),
            (Action::ReadAudit, [false, false, false, true]),
            (read_own, [true, true, true, true]),
            (read_a, [false, true, false, true]),
            (read_b, [false, false, false, true]),
            (
                Action::Invite {
                    institution_id: "A",
                },
                [false, true, false, true],
            ),
            (
                Action::Invite {
                    institution_id: "B",
                },
                [false, false, false, true],
            ),
        ];
        for (action, expected) in table {
            let got = [&member, &ir_a, &ib, &admin].map(|s| allows(s, &action));
            assert_eq!(got, expected, "{action:?}");
        }
    }
}
