//! The policy every new password meets on the server (product §4.2): the shared rules on its
//! make-up, then the strength estimate over the person's own words. The reuse rule needs the
//! stored hashes and lives with them (`http::passwords`).

use b2mms_shared::rules::{PasswordContext, RuleViolation, check_password, check_strength};

/// Every rule `password` breaks for the person with this account name, names and email.
pub fn violations(
    password: &str,
    account: Option<&str>,
    names: &[&str],
    email: Option<&str>,
) -> Vec<RuleViolation> {
    let mut found = check_password(
        password,
        PasswordContext {
            account_name: account,
            names,
        },
    );
    if found.is_empty() {
        let mut inputs: Vec<&str> = names.to_vec();
        inputs.extend(account);
        inputs.extend(email);
        found.extend(check_strength(password, &inputs));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_first_then_strength() {
        let codes = |pw: &str| -> Vec<String> {
            violations(pw, Some("jdoe"), &["Jane", "Doe"], Some("jane.doe@kek.jp"))
                .into_iter()
                .map(|v| v.code)
                .collect()
        };
        assert_eq!(
            codes("short"),
            ["password.too_short", "password.character_classes"]
        );
        assert_eq!(codes("Password123!"), ["password.too_guessable"]);
        assert!(codes("Violet-Harbour-Lamp-73").is_empty());
    }
}
