//! How authors are identified and printed: the INSPIRE author id, and the name as printed in
//! papers made from the names when none is set ("Toru Iijima" → "T. Iijima").

use super::RuleViolation;

/// An INSPIRE author id, `INSPIRE-` and eight digits (the prefix may be typed in any case).
pub fn author_inspire_id(raw: &str) -> Result<String, RuleViolation> {
    let text = raw.trim();
    let digits = text
        .get(..8)
        .filter(|prefix| prefix.eq_ignore_ascii_case("INSPIRE-"))
        .map(|_| &text[8..]);
    match digits {
        Some(d) if d.len() == 8 && d.chars().all(|c| c.is_ascii_digit()) => {
            Ok(format!("INSPIRE-{d}"))
        }
        _ => Err(RuleViolation::new(
            "inspire_id.invalid",
            "An INSPIRE author id is “INSPIRE-” and eight digits, e.g. “INSPIRE-00012345”; it is on the person's INSPIRE profile.",
        )),
    }
}

/// The name as printed when the record sets none: the initials of the given (and middle)
/// names, a hyphenated name keeping its hyphen ("Jean-Luc" → "J.-L."), then the family name.
pub fn paper_name_of(given_name: &str, middle_name: Option<&str>, family_name: &str) -> String {
    let mut printed = String::new();
    for word in given_name
        .split_whitespace()
        .chain(middle_name.into_iter().flat_map(str::split_whitespace))
    {
        let initials: Vec<String> = word
            .split('-')
            .filter_map(|part| part.chars().next())
            .map(|c| format!("{}.", c.to_uppercase()))
            .collect();
        if !initials.is_empty() {
            printed.push_str(&initials.join("-"));
            printed.push(' ');
        }
    }
    printed.push_str(family_name.trim());
    printed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspire_ids() {
        assert_eq!(
            author_inspire_id(" inspire-00012345 ").unwrap(),
            "INSPIRE-00012345"
        );
        for bad in [
            "",
            "INSPIRE-1234",
            "INSPIRE-0001234x",
            "00012345",
            "INSPIRE-000123456",
        ] {
            assert!(author_inspire_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn printed_names() {
        assert_eq!(paper_name_of("Toru", None, "Iijima"), "T. Iijima");
        assert_eq!(
            paper_name_of("Jean-Luc", Some("Marie"), "Picard"),
            "J.-L. M. Picard"
        );
        assert_eq!(paper_name_of("Łukasz", None, "Świderski"), "Ł. Świderski");
    }
}
