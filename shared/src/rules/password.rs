//! Password policy (product §4.2): 10–128 characters, at least three character classes, and
//! not built from the account name or the person's names.

use super::RuleViolation;

/// What a password must not contain.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordContext<'a> {
    pub account_name: Option<&'a str>,
    pub names: &'a [&'a str],
}

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Checks a new password and reports every rule it breaks.
pub fn check_password(password: &str, ctx: PasswordContext<'_>) -> Vec<RuleViolation> {
    let mut out = Vec::new();
    let len = password.chars().count();
    if len < MIN_LEN {
        out.push(RuleViolation::new(
            "password.too_short",
            format!("Use at least {MIN_LEN} characters (this has {len})."),
        ));
    }
    if len > MAX_LEN {
        out.push(RuleViolation::new(
            "password.too_long",
            format!("Use at most {MAX_LEN} characters."),
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| !c.is_alphanumeric() || (c.is_numeric() && !c.is_ascii_digit())),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    if classes < 3 {
        out.push(RuleViolation::new(
            "password.character_classes",
            "Mix at least three of: lower-case letters, upper-case letters, digits, other characters.",
        ));
    }
    let lower = password.to_lowercase();
    if let Some(account) = ctx.account_name.filter(|a| !a.is_empty())
        && lower.contains(&account.to_lowercase())
    {
        out.push(RuleViolation::new(
            "password.contains_account_name",
            "Do not use your account name in your password.",
        ));
    }
    let contains_name = ctx
        .names
        .iter()
        .flat_map(|n| n.split([' ', '-', '\'']))
        .filter(|part| part.chars().count() >= 3)
        .any(|part| lower.contains(&part.to_lowercase()));
    if contains_name {
        out.push(RuleViolation::new(
            "password.contains_name",
            "Do not use your given, middle or family name in your password.",
        ));
    }
    out
}

/// The strength estimate (zxcvbn): refuses common and guessable passwords (score below 3).
/// Server-side only; `user_inputs` are the person's own words (names, account, email).
#[cfg(feature = "strength")]
pub fn check_strength(password: &str, user_inputs: &[&str]) -> Option<RuleViolation> {
    if password.is_empty() || password.chars().count() > MAX_LEN {
        return None;
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) >= 3 {
        return None;
    }
    let advice = estimate
        .feedback()
        .and_then(|f| f.warning().map(|w| w.to_string()))
        .filter(|w| !w.is_empty())
        .map(|w| format!(" ({w})"))
        .unwrap_or_default();
    Some(RuleViolation::new(
        "password.too_guessable",
        format!(
            "This password is too easy to guess{advice}; use a longer phrase of unrelated words."
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(pw: &str, ctx: PasswordContext<'_>) -> Vec<String> {
        check_password(pw, ctx)
            .into_iter()
            .map(|v| v.code)
            .collect()
    }

    #[test]
    fn good_password_passes() {
        assert!(codes("Correct-Horse-42", PasswordContext::default()).is_empty());
    }

    #[test]
    fn length_and_classes() {
        assert_eq!(
            codes("Ab1!", PasswordContext::default()),
            ["password.too_short"]
        );
        assert_eq!(
            codes("alllowercaseletters", PasswordContext::default()),
            ["password.character_classes"]
        );
        assert!(
            codes(&"Ab1!".repeat(40), PasswordContext::default())
                .contains(&"password.too_long".to_owned())
        );
    }

    #[cfg(feature = "strength")]
    #[test]
    fn guessable_passwords_are_refused() {
        assert_eq!(
            check_strength("Password123!", &[]).unwrap().code,
            "password.too_guessable"
        );
        assert!(check_strength("Qwertyuiop1!", &[]).is_some());
        assert!(check_strength("Correct-Horse-42-Battery", &[]).is_none());
    }

    #[test]
    fn personal_parts() {
        let ctx = PasswordContext {
            account_name: Some("tiijima"),
            names: &["Toru", "Iijima"],
        };
        assert_eq!(
            codes("X-TIIJIMA-2024", ctx),
            ["password.contains_account_name", "password.contains_name"]
        );
        assert_eq!(codes("Toru-Rocks-2024", ctx), ["password.contains_name"]);
        // Name parts shorter than three letters do not count.
        let short = PasswordContext {
            account_name: None,
            names: &["Li"],
        };
        assert!(codes("Liberty-Bell-99", short).is_empty());
    }
}
