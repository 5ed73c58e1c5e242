//! Names of people (product §4.3): letters of any script, spaces, hyphens and apostrophes,
//! at most 64 characters per name.

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
                    "`{bad}` is not allowed: use letters, spaces, hyphens and apostrophes only."
                ),
            ));
        }
        if !name.starts_with(char::is_alphabetic) || !name.ends_with(char::is_alphabetic) {
            return Err(RuleViolation::new(
                "name.characters",
                "A name starts and ends with a letter.",
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
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
}
