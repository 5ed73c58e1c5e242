//! What a set of roles opens, as one set of predicates: the server's policy decides with them
//! and the web app shows its navigation with them, so the two cannot disagree.

use crate::Role;

/// Administrators of the collaboration (the secretariat).
pub fn administers(roles: &[Role]) -> bool {
    roles.contains(&Role::Admin)
}

/// The chair of the Institutional Board, who decides on permanent physicists.
pub fn chairs_the_board(roles: &[Role]) -> bool {
    roles.contains(&Role::IbChair)
}

/// Institutional representatives, who act for their own institutions.
pub fn represents_an_institution(roles: &[Role]) -> bool {
    roles.contains(&Role::Ir)
}

/// Who sees registration requests besides their applicants.
pub fn sees_requests(roles: &[Role]) -> bool {
    administers(roles) || chairs_the_board(roles) || represents_an_institution(roles)
}

/// Who invites people to register (for their institutions, or for any as an admin).
pub fn invites(roles: &[Role]) -> bool {
    administers(roles) || represents_an_institution(roles)
}

/// Who manages the members of their institutions.
pub fn manages_members(roles: &[Role]) -> bool {
    represents_an_institution(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_opens_what_it_should() {
        type Predicate = fn(&[Role]) -> bool;
        // predicate, [member, IR, IB chair, admin]
        let table: [(&str, Predicate, [bool; 4]); 6] = [
            ("administers", administers, [false, false, false, true]),
            ("chairs", chairs_the_board, [false, false, true, false]),
            (
                "represents",
                represents_an_institution,
                [false, true, false, false],
            ),
            ("sees_requests", sees_requests, [false, true, true, true]),
            ("invites", invites, [false, true, false, true]),
            (
                "manages_members",
                manages_members,
                [false, true, false, false],
            ),
        ];
        let people: [&[Role]; 4] = [
            &[Role::Member],
            &[Role::Member, Role::Ir],
            &[Role::Member, Role::IbChair],
            &[Role::Member, Role::Admin],
        ];
        for (name, predicate, expected) in table {
            assert_eq!(people.map(predicate), expected, "{name}");
        }
    }
}
