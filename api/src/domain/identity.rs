//! Who a new person is, checked by the same rules wherever a person is created (the
//! registration form, an administrator, an import): names (capitalised, Latin letters for the
//! collaboration address), an institutional contact email, a free-form account name that is
//! neither reserved nor an address, and an initial password that meets the policy (none for
//! an import, whose people choose theirs through a mailed link).

use b2mms_shared::rules::{
    AccountName, ContactEmail, FieldErrors, PersonName, RuleViolation, check_optional_name,
    registry_local_part,
};

/// The fields that say who someone is, as typed.
#[derive(Debug, Clone, Copy)]
pub struct Given<'a> {
    pub given_name: &'a str,
    pub middle_name: Option<&'a str>,
    pub family_name: &'a str,
    pub email: &'a str,
    pub account_name: &'a str,
    /// `None`: the account gets no password now (an import).
    pub initial_password: Option<&'a str>,
}

/// What passed every rule.
#[derive(Debug, Clone)]
pub struct Identity {
    pub given: PersonName,
    pub middle: Option<PersonName>,
    pub family: PersonName,
    pub email: ContactEmail,
    pub account: AccountName,
}

/// The fields that passed their rules, so that callers can check more against them and still
/// report every violation at once.
#[derive(Debug, Clone)]
pub struct Checked {
    pub given: Option<PersonName>,
    pub middle: Option<PersonName>,
    pub family: Option<PersonName>,
    pub email: Option<ContactEmail>,
    pub account: Option<AccountName>,
    password_ok: bool,
}

impl Checked {
    /// The identity, when every field passed.
    pub fn identity(self) -> Option<Identity> {
        match (self.given, self.family, self.email, self.account) {
            (Some(given), Some(family), Some(email), Some(account)) if self.password_ok => {
                Some(Identity {
                    given,
                    middle: self.middle,
                    family,
                    email,
                    account,
                })
            }
            _ => None,
        }
    }
}

/// Checks `given`, adding every violation to `errors`.
pub fn check<'a>(
    given: Given<'_>,
    reserved_names: impl IntoIterator<Item = &'a str>,
    personal_domains: impl IntoIterator<Item = &'a str>,
    errors: &mut FieldErrors,
) -> Checked {
    let first = errors.check("given_name", PersonName::parse(given.given_name));
    let middle = errors
        .check("middle_name", check_optional_name(given.middle_name))
        .flatten();
    let family = errors.check("family_name", PersonName::parse(given.family_name));
    if let (Some(g), Some(f)) = (&first, &family) {
        let local = registry_local_part(g.as_str(), None, f.as_str());
        if !local.contains('.') || local.starts_with('.') {
            errors.add(
                "family_name",
                RuleViolation::new(
                    "name.latin_required",
                    "Give the names in Latin letters (transliterated); they make the collaboration address.",
                ),
            );
        }
    }
    let email = errors.check(
        "email",
        ContactEmail::parse_institutional(given.email, personal_domains),
    );
    let account = errors.check(
        "account_name",
        AccountName::parse_with_reserved(given.account_name, reserved_names),
    );
    let names: Vec<&str> = [first.as_ref(), middle.as_ref(), family.as_ref()]
        .into_iter()
        .flatten()
        .map(PersonName::as_str)
        .collect();
    let password_errors = given.initial_password.map_or_else(Vec::new, |password| {
        super::passwords::violations(
            password,
            account.as_ref().map(AccountName::as_str),
            &names,
            email.as_ref().map(ContactEmail::as_str),
        )
    });
    let password_ok = password_errors.is_empty();
    errors.extend("initial_password", password_errors);
    Checked {
        given: first,
        middle,
        family,
        email,
        account,
        password_ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given<'a>(family: &'a str, email: &'a str) -> Given<'a> {
        Given {
            given_name: "Nino",
            middle_name: None,
            family_name: family,
            email,
            account_name: "ndeangel",
            initial_password: Some("Violet-Harbour-Lamp-73"),
        }
    }

    #[test]
    fn a_good_identity_passes() {
        let mut errors = FieldErrors::new();
        let found = check(
            given("de Angelo", "nino@infn.it"),
            ["root"],
            ["gmail.com"],
            &mut errors,
        );
        assert!(
            found.identity().is_some() && errors.is_empty(),
            "{errors:?}"
        );
    }

    #[test]
    fn personal_mail_and_names_without_latin_letters_are_refused() {
        let mut errors = FieldErrors::new();
        let found = check(
            given("Иванов", "nino@gmail.com"),
            ["root"],
            ["gmail.com"],
            &mut errors,
        );
        assert!(found.identity().is_none());
        assert!(errors.0.contains_key("email"), "{errors:?}");
        assert!(errors.0.contains_key("family_name"), "{errors:?}");
    }
}
