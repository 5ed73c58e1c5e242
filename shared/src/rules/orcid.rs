//! ORCID iDs (product §4.6): `0000-0000-0000-000X` with an ISO 7064 mod 11-2 check digit.

use super::RuleViolation;

/// A valid ORCID iD in its canonical hyphenated form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Orcid(String);

impl Orcid {
    /// Accepts the bare iD or its `https://orcid.org/` URL.
    pub fn parse(raw: &str) -> Result<Self, RuleViolation> {
        let text = raw.trim();
        let id = text
            .strip_prefix("https://orcid.org/")
            .or_else(|| text.strip_prefix("http://orcid.org/"))
            .or_else(|| text.strip_prefix("orcid.org/"))
            .unwrap_or(text)
            .to_ascii_uppercase();
        let shape_ok = id.len() == 19
            && id.char_indices().all(|(i, c)| match i {
                4 | 9 | 14 => c == '-',
                18 => c.is_ascii_digit() || c == 'X',
                _ => c.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(RuleViolation::new(
                "orcid.format",
                "An ORCID iD has the form 0000-0002-1825-0097 (four groups of four digits; the last may be X).",
            ));
        }
        let digits: Vec<u32> = id
            .chars()
            .filter(|c| *c != '-')
            .take(15)
            .filter_map(|c| c.to_digit(10))
            .collect();
        let total = digits.iter().fold(0, |acc, d| (acc + d) * 2);
        let check = (12 - total % 11) % 11;
        let expected = if check == 10 {
            'X'
        } else {
            char::from_digit(check, 10).unwrap_or('?')
        };
        if id.ends_with(expected) {
            Ok(Self(id))
        } else {
            Err(RuleViolation::new(
                "orcid.checksum",
                "This ORCID iD has a wrong check digit; copy it again from your ORCID record.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids() {
        // Examples from ORCID's documentation.
        for id in [
            "0000-0002-1825-0097",
            "0000-0001-5109-3700",
            "0000-0002-1694-233X",
        ] {
            assert_eq!(Orcid::parse(id).unwrap().as_str(), id);
        }
        assert_eq!(
            Orcid::parse("https://orcid.org/0000-0002-1694-233x")
                .unwrap()
                .as_str(),
            "0000-0002-1694-233X"
        );
    }

    #[test]
    fn invalid_ids() {
        assert_eq!(
            Orcid::parse("0000-0002-1825-0098").unwrap_err().code,
            "orcid.checksum"
        );
        assert_eq!(
            Orcid::parse("0000000218250097").unwrap_err().code,
            "orcid.format"
        );
        assert_eq!(
            Orcid::parse("0000-0002-1825-009").unwrap_err().code,
            "orcid.format"
        );
        assert_eq!(
            Orcid::parse("X000-0002-1825-0097").unwrap_err().code,
            "orcid.format"
        );
    }
}
