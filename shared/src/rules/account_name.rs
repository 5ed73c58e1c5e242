//! Account names (product §4.1): 4–8 ASCII letters and digits, starting with a letter,
//! case-insensitive (kept lower-case), never an email address, never a reserved name.

use super::RuleViolation;

/// Names that no person may take. Servers may configure a longer list.
pub const DEFAULT_RESERVED_ACCOUNT_NAMES: &[&str] = &[
    "root",
    "admin",
    "daemon",
    "nobody",
    "guest",
    "test",
    "system",
    "bin",
    "sys",
    "sync",
    "games",
    "man",
    "mail",
    "news",
    "uucp",
    "proxy",
    "backup",
    "list",
    "irc",
    "operator",
    "postgres",
    "www",
    "wwwdata",
    "support",
    "help",
    "info",
    "security",
    "abuse",
    "noreply",
    "postmaster",
    "hostmaster",
    "webmaster",
    "service",
    "services",
    "belle",
    "belle2",
    "b2mms",
    "registry",
];

/// A valid account name, lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountName(String);

impl AccountName {
    pub const MIN_LEN: usize = 4;
    pub const MAX_LEN: usize = 8;

    /// Parses an account name against the default reserved list.
    pub fn parse(raw: &str) -> Result<Self, RuleViolation> {
        Self::parse_with_reserved(raw, DEFAULT_RESERVED_ACCOUNT_NAMES.iter().copied())
    }

    /// Parses an account name against a given reserved list (compared case-insensitively).
    pub fn parse_with_reserved<'a>(
        raw: &str,
        reserved: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, RuleViolation> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(RuleViolation::new(
                "account_name.required",
                "Choose an account name of 4 to 8 letters and digits.",
            ));
        }
        if name.contains('@') {
            return Err(RuleViolation::new(
                "account_name.email",
                "An account name is not an email address: choose 4 to 8 letters and digits, e.g. “jdoe”.",
            ));
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(RuleViolation::new(
                "account_name.characters",
                "Use only the letters a–z and digits 0–9 (no spaces, dots, hyphens or accents).",
            ));
        }
        let len = name.len();
        if len < Self::MIN_LEN {
            return Err(RuleViolation::new(
                "account_name.too_short",
                format!("Use at least 4 characters (this has {len})."),
            ));
        }
        if len > Self::MAX_LEN {
            return Err(RuleViolation::new(
                "account_name.too_long",
                format!("Use at most 8 characters (this has {len})."),
            ));
        }
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(RuleViolation::new(
                "account_name.first_letter",
                "Start the account name with a letter.",
            ));
        }
        let lower = name.to_ascii_lowercase();
        if reserved.into_iter().any(|r| r.eq_ignore_ascii_case(&lower)) {
            return Err(RuleViolation::new(
                "account_name.reserved",
                format!("“{lower}” is reserved for the system; choose another account name."),
            ));
        }
        Ok(Self(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for AccountName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> String {
        AccountName::parse(raw).unwrap_err().code
    }

    #[test]
    fn accepts_and_lowercases() {
        assert_eq!(AccountName::parse("JDoe42").unwrap().as_str(), "jdoe42");
        assert_eq!(AccountName::parse("abcd").unwrap().as_str(), "abcd");
        assert_eq!(AccountName::parse("abcdefgh").unwrap().as_str(), "abcdefgh");
    }

    #[test]
    fn rejects_with_stable_codes() {
        assert_eq!(code(""), "account_name.required");
        assert_eq!(code("abc"), "account_name.too_short");
        assert_eq!(code("abcdefghi"), "account_name.too_long");
        assert_eq!(code("1abc"), "account_name.first_letter");
        assert_eq!(code("jo.doe"), "account_name.characters");
        assert_eq!(code("jöhn"), "account_name.characters");
        assert_eq!(code("jo@x.org"), "account_name.email");
        assert_eq!(code("ROOT"), "account_name.reserved");
        assert_eq!(code("Admin"), "account_name.reserved");
    }

    #[test]
    fn custom_reserved_list() {
        assert!(AccountName::parse_with_reserved("kekcc", ["kekcc"]).is_err());
        assert!(AccountName::parse_with_reserved("root", ["kekcc"]).is_ok());
    }
}
