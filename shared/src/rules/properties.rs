//! Properties every rule keeps on any input at all: none panics (whatever bytes a form or a
//! script sends), and the collaboration address derived from names that pass the name rule
//! is always a valid address.

use proptest::prelude::*;

use super::*;

/// Any text: every Unicode scalar, control characters and NUL included.
fn any_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..80).prop_map(|c| c.into_iter().collect())
}

/// Text shaped like names in any script: capitalised words, particles, hyphens, apostrophes.
fn name_like() -> impl Strategy<Value = String> {
    "(\\p{Ll}{1,3} )?\\p{Lu}\\p{Ll}{0,10}([ '-]\\p{Lu}\\p{Ll}{0,10})?"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_rule_panics_on_any_input(text in any_text(), other in any_text(), n in any::<u32>()) {
        let _ = AccountName::parse(&text);
        let _ = AccountName::parse_with_reserved(&text, [other.as_str()]);
        let _ = PersonName::parse(&text);
        let _ = conventional_spelling(&text);
        let _ = check_optional_name(Some(&text));
        let _ = ContactEmail::parse(&text);
        let _ = ContactEmail::parse_institutional(&text, [other.as_str()]);
        let _ = is_personal_mail_domain(&text, [other.as_str()]);
        let _ = Orcid::parse(&text);
        let _ = required_text(&text, 64, "name");
        let _ = country_code(&text);
        let _ = ror_id(&text);
        let _ = inspire_id(&text);
        let _ = check_password(&text, PasswordContext { account_name: Some(&other), names: &[other.as_str()] });
        let local = registry_local_part(&text, Some(&other), &text);
        let _ = with_collision_number(&local, n);
    }

    #[test]
    fn valid_names_give_a_valid_collaboration_address(
        given in name_like(),
        middle in proptest::option::of(name_like()),
        family in name_like(),
        n in 1u32..10_000,
    ) {
        let given = PersonName::parse(&given);
        let family = PersonName::parse(&family);
        let middle = middle.map(|m| PersonName::parse(&m));
        prop_assume!(given.is_ok() && family.is_ok() && !matches!(middle, Some(Err(_))));
        let middle = middle.map(|m| m.unwrap().into_string());
        let local = registry_local_part(given.unwrap().as_str(), middle.as_deref(), family.unwrap().as_str());
        let address = format!("{}@belle2.org", with_collision_number(&local, n));
        prop_assert!(ContactEmail::parse(&address).is_ok(), "{address}");
    }

    #[test]
    fn valid_latin_names_give_a_valid_collaboration_address(
        given in "[A-Z][a-zäöüéèçñß' -]{0,20}",
        family in "([a-z]{1,4} )?[A-Z][a-zäöüåøłé'-]{0,20}",
    ) {
        prop_assume!(PersonName::parse(&given).is_ok() && PersonName::parse(&family).is_ok());
        let local = registry_local_part(&given, None, &family);
        let address = format!("{local}@belle2.org");
        prop_assert!(ContactEmail::parse(&address).is_ok(), "{address}");
    }
}
