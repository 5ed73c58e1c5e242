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

/// Who prepares author lists for papers: administrators and the publications role.
pub fn prepares_author_lists(roles: &[Role]) -> bool {
    administers(roles) || roles.contains(&Role::Publications)
}

/// Who makes individual decisions about authorship: the IB chair and administrators.
pub fn decides_authorship(roles: &[Role]) -> bool {
    administers(roles) || chairs_the_board(roles)
}

/// Who reads author lists, their forecast and the decisions: those who prepare them, the IB
/// chair, and representatives (who review their institutions' sections).
pub fn reads_author_lists(roles: &[Role]) -> bool {
    prepares_author_lists(roles) || chairs_the_board(roles) || represents_an_institution(roles)
}

/// Who runs elections and votes: administrators and the chair of the Institutional Board.
pub fn runs_elections(roles: &[Role]) -> bool {
    administers(roles) || chairs_the_board(roles)
}

/// Who holds an office beyond membership (every role but `member`): the web app serves them
/// the build with the staff pages.
pub fn holds_an_office(roles: &[Role]) -> bool {
    roles.iter().any(|r| *r != Role::Member)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_opens_what_it_should() {
        type Predicate = fn(&[Role]) -> bool;
        // predicate, [member, IR, IB chair, admin, publications]
        let table: [(&str, Predicate, [bool; 5]); 10] = [
            (
                "administers",
                administers,
                [false, false, false, true, false],
            ),
            (
                "chairs",
                chairs_the_board,
                [false, false, true, false, false],
            ),
            (
                "represents",
                represents_an_institution,
                [false, true, false, false, false],
            ),
            (
                "sees_requests",
                sees_requests,
                [false, true, true, true, false],
            ),
            ("invites", invites, [false, true, false, true, false]),
            (
                "manages_members",
                manages_members,
                [false, true, false, false, false],
            ),
            (
                "prepares_author_lists",
                prepares_author_lists,
                [false, false, false, true, true],
            ),
            (
                "decides_authorship",
                decides_authorship,
                [false, false, true, true, false],
            ),
            (
                "holds_an_office",
                holds_an_office,
                [false, true, true, true, true],
            ),
            (
                "reads_author_lists",
                reads_author_lists,
                [false, true, true, true, true],
            ),
        ];
        let people: [&[Role]; 5] = [
            &[Role::Member],
            &[Role::Member, Role::Ir],
            &[Role::Member, Role::IbChair],
            &[Role::Member, Role::Admin],
            &[Role::Member, Role::Publications],
        ];
        for (name, predicate, expected) in table {
            assert_eq!(people.map(predicate), expected, "{name}");
        }
    }
}

/// The parts of a person's record that are changed separately, each by its own editors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordPart {
    /// Category, status and end of the membership.
    Membership,
    /// The name as printed in papers.
    PaperName,
    /// The middle name and the ORCID iD.
    PersonalDetails,
    /// Given and family name, and the contact address set directly.
    NamesAndAddress,
}

/// How the editor stands to the record: the person themself, a representative of the
/// person's institution, an administrator (any may hold at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Editor {
    pub own: bool,
    pub representative: bool,
    pub admin: bool,
}

/// Who may change which part of a record: the membership the person's representatives and
/// administrators, never one's own unless an administrator; the name in papers also the
/// person; the middle name and ORCID iD the person and administrators; names and the contact
/// address administrators (a person's own new address is confirmed from a mailed link).
pub fn may_change(editor: Editor, part: RecordPart) -> bool {
    let Editor {
        own,
        representative,
        admin,
    } = editor;
    match part {
        RecordPart::Membership => admin || (representative && !own),
        RecordPart::PaperName => admin || representative || own,
        RecordPart::PersonalDetails => admin || own,
        RecordPart::NamesAndAddress => admin,
    }
}

#[cfg(test)]
mod record_parts {
    use super::*;

    #[test]
    fn who_changes_which_part_of_a_record() {
        use RecordPart::*;
        let person = Editor {
            own: true,
            ..Editor::default()
        };
        let ir = Editor {
            representative: true,
            ..Editor::default()
        };
        let ir_of_self = Editor {
            own: true,
            representative: true,
            admin: false,
        };
        let admin = Editor {
            admin: true,
            representative: true,
            own: false,
        };
        let nobody = Editor::default();
        let table = [
            (person, [false, true, true, false]),
            (ir, [true, true, false, false]),
            (ir_of_self, [false, true, true, false]),
            (admin, [true, true, true, true]),
            (nobody, [false, false, false, false]),
        ];
        for (editor, expected) in table {
            for (part, may) in [Membership, PaperName, PersonalDetails, NamesAndAddress]
                .into_iter()
                .zip(expected)
            {
                assert_eq!(may_change(editor, part), may, "{editor:?} {part:?}");
            }
        }
    }
}
