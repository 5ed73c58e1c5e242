//! What a sync changes in Mailman so that a list's subscribers equal its audience: who to
//! subscribe and who to unsubscribe. Addresses compare without regard to case.

use std::collections::HashSet;

/// The changes that make `present` equal `wanted`: the wanted addresses not present (in the
/// order of `wanted`), and the indexes in `present` of those not wanted (or there twice).
pub fn changes(wanted: &[String], present: &[&str]) -> (Vec<String>, Vec<usize>) {
    let wanted_set: HashSet<String> = wanted.iter().map(|a| a.to_lowercase()).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut unsubscribe = Vec::new();
    for (i, address) in present.iter().enumerate() {
        let address = address.to_lowercase();
        if !wanted_set.contains(&address) || !seen.insert(address) {
            unsubscribe.push(i);
        }
    }
    let subscribe = wanted
        .iter()
        .filter(|a| !seen.contains(&a.to_lowercase()))
        .cloned()
        .collect();
    (subscribe, unsubscribe)
}

#[cfg(test)]
mod tests {
    use super::changes;

    /// A case: its name, the wanted and present addresses, the expected subscriptions and
    /// the indexes expected to be unsubscribed.
    type Case<'a> = (&'a str, Vec<String>, Vec<&'a str>, Vec<&'a str>, Vec<usize>);

    #[test]
    fn the_changes_make_the_subscribers_equal_the_audience() {
        let wanted = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
        let table: Vec<Case<'_>> = vec![
            (
                "nothing to do",
                wanted(&["a@x.org"]),
                vec!["a@x.org"],
                vec![],
                vec![],
            ),
            (
                "a new list",
                wanted(&["a@x.org", "b@x.org"]),
                vec![],
                vec!["a@x.org", "b@x.org"],
                vec![],
            ),
            (
                "someone left",
                wanted(&["a@x.org"]),
                vec!["a@x.org", "b@x.org"],
                vec![],
                vec![1],
            ),
            (
                "case does not matter",
                wanted(&["anna@kek.jp"]),
                vec!["Anna@KEK.jp"],
                vec![],
                vec![],
            ),
            (
                "one joins, one leaves",
                wanted(&["a@x.org", "c@x.org"]),
                vec!["b@x.org", "a@x.org"],
                vec!["c@x.org"],
                vec![0],
            ),
            (
                "there twice",
                wanted(&["a@x.org"]),
                vec!["a@x.org", "A@x.org"],
                vec![],
                vec![1],
            ),
            (
                "everyone leaves",
                wanted(&[]),
                vec!["a@x.org"],
                vec![],
                vec![0],
            ),
        ];
        for (name, wanted, present, subscribe, unsubscribe) in table {
            let (s, u) = changes(&wanted, &present);
            assert_eq!(s, subscribe, "{name}");
            assert_eq!(u, unsubscribe, "{name}");
        }
    }
}
