//! Names of people (product §4.3): letters of any script, spaces, hyphens and apostrophes,
//! at most 64 characters per name, written the conventional way: a capital letter first
//! followed by small letters. `IIJIMA` and `iijima` are refused with `Iijima` as the suggestion;
//! lower-case particles inside a name (`de Angelo`, `van der Berg`) are fine.

use super::RuleViolation;

/// A valid given, middle or family name, trimmed, inner whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, RuleViolation> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(RuleViolation::new("name.required", "Enter this name."));
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(RuleViolation::new(
                "name.too_long",
                "Use at most 64 characters.",
            ));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’')))
        {
            return Err(RuleViolation::new(
                "name.characters",
                format!(
                    "“{bad}” is not allowed: use letters, spaces, hyphens and apostrophes only."
                ),
            ));
        }
        if !name.starts_with(char::is_alphabetic) || !name.ends_with(char::is_alphabetic) {
            return Err(RuleViolation::new(
                "name.characters",
                "A name starts and ends with a letter.",
            ));
        }
        check_capitalisation(&name)?;
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Particles that stay lower case inside a name.
const PARTICLES: &[&str] = &[
    "al", "ap", "bin", "binti", "da", "das", "de", "dei", "del", "della", "der", "di", "do", "dos",
    "du", "el", "la", "le", "ten", "ter", "van", "von", "y", "zu", "zum", "zur",
];

fn has_case(c: char) -> bool {
    c.is_uppercase() || c.is_lowercase()
}

/// A word as convention writes it: first letter capital, the rest small; after an apostrophe
/// following a single letter (`O'Neill`, `D'Amico`) a capital again.
fn conventional_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut capital_next = true;
    let mut letters_since_break = 0;
    for c in word.chars() {
        if capital_next && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            capital_next = false;
            letters_since_break = 1;
        } else if c == '\'' || c == '’' {
            out.push(c);
            capital_next = letters_since_break == 1;
            letters_since_break = 0;
        } else if c == '-' {
            out.push(c);
            capital_next = true;
            letters_since_break = 0;
        } else {
            out.extend(c.to_lowercase());
            letters_since_break += 1;
        }
    }
    out
}

/// The conventional spelling of a whole name: every word capitalised except particles inside it.
pub fn conventional_spelling(name: &str) -> String {
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            if i < last && PARTICLES.contains(&lower.as_str()) {
                lower
            } else {
                conventional_word(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_capitalisation(name: &str) -> Result<(), RuleViolation> {
    let parts = || name.split([' ', '-']).filter(|w| !w.is_empty());
    let shouting = parts().any(|w| {
        let cased: Vec<char> = w.chars().filter(|c| has_case(*c)).collect();
        cased.len() >= 2 && cased.iter().all(|c| c.is_uppercase())
    });
    if shouting {
        let suggestion = conventional_spelling(name);
        return Err(RuleViolation::new(
            "name.all_capitals",
            format!("Write the name with a capital letter first followed by small letters: “{suggestion}”."),
        )
        .with_suggestion(suggestion));
    }
    let any_cased = name.chars().any(has_case);
    // `deAngelo` counts as capitalised: the seed's own example of a family name.
    let capitalised = parts().any(|w| w.chars().any(char::is_uppercase));
    if any_cased && !capitalised {
        let suggestion = conventional_spelling(name);
        return Err(RuleViolation::new(
            "name.no_capital",
            format!("Start the name with a capital letter: “{suggestion}”."),
        )
        .with_suggestion(suggestion));
    }
    Ok(())
}

/// An optional name (the middle name): empty input means none.
pub fn check_optional_name(raw: Option<&str>) -> Result<Option<PersonName>, RuleViolation> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => PersonName::parse(text).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_of_many_scripts() {
        for ok in [
            "Toru",
            "de Angelo",
            "O'Neill",
            "Müller-Lüdenscheidt",
            "Łukasz",
            "Иван",
            "徹",
        ] {
            assert!(PersonName::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            PersonName::parse("  van   der Berg ").unwrap().as_str(),
            "van der Berg"
        );
    }

    #[test]
    fn rejects() {
        assert_eq!(PersonName::parse(" ").unwrap_err().code, "name.required");
        assert_eq!(
            PersonName::parse("R2D2").unwrap_err().code,
            "name.characters"
        );
        assert_eq!(
            PersonName::parse("<b>").unwrap_err().code,
            "name.characters"
        );
        assert_eq!(
            PersonName::parse("-Anna").unwrap_err().code,
            "name.characters"
        );
        assert_eq!(
            PersonName::parse(&"a".repeat(65)).unwrap_err().code,
            "name.too_long"
        );
        assert_eq!(check_optional_name(Some("  ")).unwrap(), None);
    }

    fn suggestion(raw: &str) -> (String, String) {
        let v = PersonName::parse(raw).unwrap_err();
        (v.code, v.suggestion.unwrap())
    }

    #[test]
    fn the_seed_convention() {
        assert_eq!(
            suggestion("IIJIMA"),
            ("name.all_capitals".into(), "Iijima".into())
        );
        assert_eq!(
            suggestion("TORU"),
            ("name.all_capitals".into(), "Toru".into())
        );
        assert_eq!(
            suggestion("iijima"),
            ("name.no_capital".into(), "Iijima".into())
        );
        assert_eq!(
            suggestion("de angelo"),
            ("name.no_capital".into(), "de Angelo".into())
        );
        assert_eq!(
            suggestion("VAN DER BERG"),
            ("name.all_capitals".into(), "van der Berg".into())
        );
        assert_eq!(
            suggestion("O'NEILL"),
            ("name.all_capitals".into(), "O'Neill".into())
        );
        assert_eq!(
            suggestion("MÜLLER-LÜDENSCHEIDT"),
            ("name.all_capitals".into(), "Müller-Lüdenscheidt".into())
        );
        for ok in [
            "Toru",
            "Iijima",
            "de Angelo",
            "van der Berg",
            "deAngelo",
            "McDonald",
            "J",
            "Jean-Luc",
            "O'Neill",
            "徹",
        ] {
            assert!(PersonName::parse(ok).is_ok(), "{ok}");
        }
    }
}
