//! Checking a registration form against every rule of product §4 at once.

use b2mms_shared::api::SubmitRegistration;
use b2mms_shared::rules::{AccountName, FieldErrors, Orcid, PersonName, RuleViolation};

/// What the rules depend on besides the form.
pub struct Context<'a, R, P> {
    pub reserved_names: R,
    pub personal_domains: P,
    /// For an invitation: the inviting institution, which stays the home.
    pub fixed_institution: Option<&'a b2mms_shared::InstitutionId>,
    /// For an invitation: the address the invitation proved.
    pub fixed_email: Option<&'a str>,
}

/// A form that passed every rule.
#[derive(Debug, Clone)]
pub struct ValidSubmission {
    pub given_name: String,
    pub middle_name: Option<String>,
    pub family_name: String,
    pub email: String,
    pub account_name: String,
    pub orcid: Option<String>,
    pub existing_account: Option<String>,
    pub comment: Option<String>,
}

pub const MAX_COMMENT: usize = 2000;

/// Every violation of the form, or the cleaned values.
pub fn validate<'a, R, P>(
    form: &SubmitRegistration,
    ctx: Context<'a, R, P>,
) -> Result<ValidSubmission, FieldErrors>
where
    R: IntoIterator<Item = &'a str> + Clone,
    P: IntoIterator<Item = &'a str>,
{
    let mut errors = FieldErrors::new();
    let checked = super::identity::check(
        super::identity::Given {
            given_name: &form.given_name,
            middle_name: form.middle_name.as_deref(),
            family_name: &form.family_name,
            email: &form.email,
            account_name: &form.account_name,
            initial_password: Some(&form.initial_password),
        },
        ctx.reserved_names.clone(),
        ctx.personal_domains,
        &mut errors,
    );
    if let (Some(email), Some(fixed)) = (&checked.email, ctx.fixed_email)
        && !email.as_str().eq_ignore_ascii_case(fixed)
    {
        errors.add(
            "email",
            RuleViolation::new(
                "email.fixed_by_invitation",
                format!("Your invitation was sent to {fixed}; register with that address, or ask your representative for a new invitation."),
            ),
        );
    }
    let existing = match form
        .existing_account
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => errors.check(
            "existing_account",
            AccountName::parse_with_reserved(raw, std::iter::empty()).map(AccountName::into_string),
        ),
    };
    if let (Some(existing), Some(account)) = (&existing, &checked.account)
        && existing != account.as_str()
    {
        errors.add(
            "account_name",
            RuleViolation::new(
                "account_name.must_match_existing",
                format!("You named your existing account “{existing}”: that is the account name you keep, so enter it here too."),
            ),
        );
    }
    if let Some(fixed) = ctx.fixed_institution
        && form.institution_id != fixed.uuid()
    {
        errors.add(
            "institution_id",
            RuleViolation::new(
                "institution.fixed_by_invitation",
                "You were invited by your home institution; it cannot be changed here.",
            ),
        );
    }
    let orcid = match form
        .orcid
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => errors
            .check("orcid", Orcid::parse(raw))
            .map(Orcid::into_string),
    };
    let comment = form
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT)
    {
        errors.add(
            "comment",
            RuleViolation::new(
                "comment.too_long",
                format!("Keep the comment under {MAX_COMMENT} characters."),
            ),
        );
    }
    match checked.identity() {
        Some(identity) if errors.is_empty() => Ok(ValidSubmission {
            given_name: identity.given.into_string(),
            middle_name: identity.middle.map(PersonName::into_string),
            family_name: identity.family.into_string(),
            email: identity.email.into_string(),
            account_name: identity.account.into_string(),
            orcid,
            existing_account: existing,
            comment,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use b2mms_shared::Category;

    fn form() -> SubmitRegistration {
        SubmitRegistration {
            given_name: "Nino".into(),
            middle_name: None,
            family_name: "de Angelo".into(),
            email: "nino.deangelo@infn.it".into(),
            account_name: "ndeangel".into(),
            initial_password: "Violet-Harbour-Lamp-73".into(),
            institution_id: uuid::Uuid::nil(),
            category: Category::PhdStudent,
            orcid: Some("0000-0002-1825-0097".into()),
            existing_account: None,
            comment: None,
        }
    }

    fn ctx<'a>() -> Context<
        'a,
        std::iter::Copied<std::slice::Iter<'a, &'a str>>,
        std::iter::Copied<std::slice::Iter<'a, &'a str>>,
    > {
        Context {
            reserved_names: b2mms_shared::rules::DEFAULT_RESERVED_ACCOUNT_NAMES
                .iter()
                .copied(),
            personal_domains: b2mms_shared::rules::DEFAULT_PERSONAL_MAIL_DOMAINS
                .iter()
                .copied(),
            fixed_institution: None,
            fixed_email: None,
        }
    }

    fn codes(errors: &FieldErrors) -> Vec<String> {
        errors
            .0
            .values()
            .flatten()
            .map(|v| v.code.clone())
            .collect()
    }

    #[test]
    fn a_good_form_passes() {
        let valid = validate(&form(), ctx()).unwrap();
        assert_eq!(valid.account_name, "ndeangel");
        assert_eq!(valid.orcid.as_deref(), Some("0000-0002-1825-0097"));
    }

    #[test]
    fn every_violation_is_reported_at_once() {
        let bad = SubmitRegistration {
            given_name: "NINO".into(),
            family_name: "angelo".into(),
            email: "nino@gmail.com".into(),
            account_name: "admin".into(),
            initial_password: "password".into(),
            orcid: Some("0000-0002-1825-0098".into()),
            ..form()
        };
        let errors = validate(&bad, ctx()).unwrap_err();
        let codes = codes(&errors);
        for expected in [
            "name.all_capitals",
            "name.no_capital",
            "email.personal_provider",
            "account_name.reserved",
            "password.too_short",
            "orcid.checksum",
        ] {
            assert!(
                codes.iter().any(|c| c == expected),
                "{expected} in {codes:?}"
            );
        }
        assert_eq!(
            errors.0["given_name"][0].suggestion.as_deref(),
            Some("Nino")
        );
    }

    #[test]
    fn guessable_passwords_are_refused() {
        let weak = SubmitRegistration {
            initial_password: "Password123!".into(),
            ..form()
        };
        let errors = validate(&weak, ctx()).unwrap_err();
        assert_eq!(codes(&errors), ["password.too_guessable"]);
    }

    #[test]
    fn invitations_fix_home_and_address() {
        let mut c = ctx();
        let home = b2mms_shared::InstitutionId::from(uuid::Uuid::new_v4());
        c.fixed_institution = Some(&home);
        c.fixed_email = Some("someone.else@infn.it");
        let errors = validate(&form(), c).unwrap_err();
        let codes = codes(&errors);
        assert!(codes.contains(&"institution.fixed_by_invitation".to_owned()));
        assert!(codes.contains(&"email.fixed_by_invitation".to_owned()));
    }

    #[test]
    fn existing_accounts_keep_their_name() {
        let f = SubmitRegistration {
            existing_account: Some("oldname".into()),
            ..form()
        };
        let errors = validate(&f, ctx()).unwrap_err();
        assert_eq!(codes(&errors), ["account_name.must_match_existing"]);
        let f = SubmitRegistration {
            existing_account: Some("ndeangel".into()),
            ..form()
        };
        assert_eq!(
            validate(&f, ctx()).unwrap().existing_account.as_deref(),
            Some("ndeangel")
        );
    }

    #[test]
    fn non_latin_names_need_a_transliteration() {
        let f = SubmitRegistration {
            given_name: "Иван".into(),
            family_name: "Петров".into(),
            ..form()
        };
        let errors = validate(&f, ctx()).unwrap_err();
        assert_eq!(codes(&errors), ["name.latin_required"]);
    }
}
