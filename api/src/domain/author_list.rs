//! An author list: its small state machine (draft → review → frozen, review back to draft),
//! and how its content is put in order — authors by family name then given name under the
//! Unicode Collation Algorithm ("Åström" with the A's, "Łukasiewicz" among the L's, not
//! after "Z" as byte order would have them),
//! institutions numbered in order of first appearance, primary affiliations before "also at".

use std::collections::HashMap;

use b2mms_shared::api::{AuthorListContent, ListedAffiliation, ListedAuthor, ListedInstitution};
use b2mms_shared::{AffiliationKind, AuthorListState, InstitutionId};
use icu_collator::options::{CollatorOptions, Strength};
use icu_collator::{Collator, CollatorBorrowed};

/// What happens to a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The institutions are asked to sign their sections off.
    StartReview,
    /// Back to draft, e.g. to change the title or the date; sign-offs are dropped.
    Reopen,
    /// The list becomes a snapshot nothing changes.
    Freeze,
}

/// The state after `step`, or `None` when the list cannot take it.
pub fn next(state: AuthorListState, step: Step) -> Option<AuthorListState> {
    use AuthorListState as S;
    match (state, step) {
        (S::Draft, Step::StartReview) => Some(S::Review),
        (S::Review, Step::Reopen) => Some(S::Draft),
        (S::Review, Step::Freeze) => Some(S::Frozen),
        _ => None,
    }
}

/// Whether institutions sign off in this state.
pub fn takes_sign_offs(state: AuthorListState) -> bool {
    state == AuthorListState::Review
}

/// An author before ordering: their printed details and institutions, primary first.
#[derive(Debug, Clone)]
pub struct Entry {
    pub author: ListedAuthor,
    pub institutions: Vec<(InstitutionId, AffiliationKind)>,
}

/// The collation used for names: root order, differences of accents and case kept as
/// tie-breakers only.
fn collator() -> CollatorBorrowed<'static> {
    let mut options = CollatorOptions::default();
    options.strength = Some(Strength::Tertiary);
    // Compiled data for the root locale is part of the crate: this cannot fail.
    Collator::try_new(Default::default(), options).expect("the root collation is compiled in")
}

/// Sorts by family name, then given name, as readers of an author list expect; equal names
/// keep their order.
pub fn sort_by_name<T>(items: &mut [T], name: impl Fn(&T) -> (&str, &str)) {
    let collator = collator();
    items.sort_by(|a, b| {
        let ((family_a, given_a), (family_b, given_b)) = (name(a), name(b));
        collator
            .compare(family_a, family_b)
            .then_with(|| collator.compare(given_a, given_b))
    });
}

/// Orders the authors, numbers the institutions by first appearance and fills in each
/// author's affiliation numbers. `institutions` describes every institution entries name.
pub fn assemble(
    mut entries: Vec<Entry>,
    institutions: &HashMap<InstitutionId, ListedInstitution>,
) -> AuthorListContent {
    // Equal names in a stable order.
    entries.sort_by_key(|e| e.author.person_id);
    sort_by_name(&mut entries, |e| {
        (&e.author.family_name, &e.author.given_name)
    });
    let mut numbered: Vec<ListedInstitution> = Vec::new();
    let mut numbers: HashMap<InstitutionId, u32> = HashMap::new();
    let mut authors = Vec::with_capacity(entries.len());
    for mut entry in entries {
        entry
            .institutions
            .sort_by_key(|(_, kind)| *kind != AffiliationKind::Primary);
        let mut affiliations: Vec<ListedAffiliation> = Vec::new();
        for (id, kind) in entry.institutions {
            let Some(institution) = institutions.get(&id) else {
                continue;
            };
            let number = *numbers.entry(id).or_insert_with(|| {
                numbered.push(ListedInstitution {
                    number: numbered.len() as u32 + 1,
                    ..institution.clone()
                });
                numbered.len() as u32
            });
            if affiliations.iter().all(|a| a.number != number) {
                affiliations.push(ListedAffiliation { number, kind });
            }
        }
        entry.author.affiliations = affiliations;
        authors.push(entry.author);
    }
    AuthorListContent {
        authors,
        institutions: numbered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn every_state_and_step() {
        use AuthorListState as S;
        let steps = [Step::StartReview, Step::Reopen, Step::Freeze];
        let table = [
            (S::Draft, Step::StartReview, Some(S::Review)),
            (S::Draft, Step::Reopen, None),
            (S::Draft, Step::Freeze, None),
            (S::Review, Step::StartReview, None),
            (S::Review, Step::Reopen, Some(S::Draft)),
            (S::Review, Step::Freeze, Some(S::Frozen)),
            (S::Frozen, Step::StartReview, None),
            (S::Frozen, Step::Reopen, None),
            (S::Frozen, Step::Freeze, None),
        ];
        assert_eq!(
            table.len(),
            S::ALL.len() * steps.len(),
            "every pair is listed"
        );
        for (state, step, expected) in table {
            assert_eq!(next(state, step), expected, "{state:?} {step:?}");
        }
        assert!(takes_sign_offs(S::Review));
        assert!(!takes_sign_offs(S::Draft) && !takes_sign_offs(S::Frozen));
    }

    fn author(family: &str, given: &str) -> ListedAuthor {
        ListedAuthor {
            person_id: Uuid::new_v4(),
            given_name: given.into(),
            family_name: family.into(),
            paper_name: format!("{given} {family}"),
            orcid: None,
            inspire_id: None,
            affiliations: vec![],
        }
    }

    #[test]
    fn names_sort_by_the_collation_not_by_bytes() {
        let mut names = vec![
            author("Zimmer", "A"),
            author("Łukasiewicz", "J"),
            author("Åström", "K"),
            author("Ohm", "G"),
            author("Öztürk", "E"),
            author("Lutz", "M"),
            author("Abe", "T"),
            author("abe", "S"),
            author("Müller", "J"),
            author("Mueller", "A"),
        ];
        sort_by_name(&mut names, |a| (&a.family_name, &a.given_name));
        let order: Vec<&str> = names.iter().map(|a| a.family_name.as_str()).collect();
        assert_eq!(
            order,
            [
                "abe",
                "Abe",
                "Åström",
                "Łukasiewicz",
                "Lutz",
                "Mueller",
                "Müller",
                "Ohm",
                "Öztürk",
                "Zimmer"
            ]
        );
    }

    #[test]
    fn institutions_are_numbered_in_order_of_first_appearance() {
        let [a, b, c] = [(); 3].map(|_| InstitutionId::from(Uuid::new_v4()));
        let institution = |id: &InstitutionId, name: &str| ListedInstitution {
            number: 0,
            institution_id: id.uuid(),
            short_name: name.into(),
            paper_name: name.into(),
            address: None,
            city: "City".into(),
            country: "JP".into(),
            ror_id: None,
            inspire_id: None,
        };
        let known: HashMap<InstitutionId, ListedInstitution> = [
            (a.clone(), institution(&a, "A")),
            (b.clone(), institution(&b, "B")),
            (c.clone(), institution(&c, "C")),
        ]
        .into_iter()
        .collect();
        let entries = vec![
            Entry {
                author: author("Young", "Y"),
                institutions: vec![(a.clone(), AffiliationKind::Primary)],
            },
            Entry {
                author: author("Black", "B"),
                institutions: vec![
                    (c.clone(), AffiliationKind::Secondary),
                    (b.clone(), AffiliationKind::Primary),
                ],
            },
        ];
        let content = assemble(entries, &known);
        assert_eq!(content.authors[0].family_name, "Black");
        let numbers: Vec<(u32, AffiliationKind)> = content.authors[0]
            .affiliations
            .iter()
            .map(|a| (a.number, a.kind))
            .collect();
        assert_eq!(
            numbers,
            [
                (1, AffiliationKind::Primary),
                (2, AffiliationKind::Secondary)
            ]
        );
        let names: Vec<&str> = content
            .institutions
            .iter()
            .map(|i| i.short_name.as_str())
            .collect();
        assert_eq!(names, ["B", "C", "A"]);
        assert_eq!(content.institutions[2].number, 3);
    }
}
