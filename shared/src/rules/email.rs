//! Contact email addresses: syntactically valid, stored lower-case.

use validator::ValidateEmail;

use super::RuleViolation;

/// A syntactically valid email address, lower-case and trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContactEmail(String);

impl ContactEmail {
    pub fn parse(raw: &str) -> Result<Self, RuleViolation> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(RuleViolation::new(
                "email.required",
                "Enter your email address at your home institution.",
            ));
        }
        if email.len() > 254 || !email.validate_email() {
            return Err(RuleViolation::new(
                "email.invalid",
                "This is not a valid email address; it should look like name@institute.org.",
            ));
        }
        Ok(Self(email))
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
    fn parses_and_lowercases() {
        assert_eq!(
            ContactEmail::parse(" Toru.Iijima@KEK.jp ")
                .unwrap()
                .as_str(),
            "toru.iijima@kek.jp"
        );
        assert_eq!(ContactEmail::parse("").unwrap_err().code, "email.required");
        assert_eq!(
            ContactEmail::parse("not an email").unwrap_err().code,
            "email.invalid"
        );
        assert_eq!(
            ContactEmail::parse("a@b@c").unwrap_err().code,
            "email.invalid"
        );
    }
}
