//! A mailing list's definition: its name, addresses and the shape of its audience rule. Which
//! institutions and groups exist is the server's to check.

use super::{ContactEmail, FieldErrors, RuleViolation, country_code};
use crate::api::Audience;

/// A list's short name: 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn list_name(raw: &str) -> Result<String, RuleViolation> {
    let name = raw.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(RuleViolation::new(
            "name.format",
            "A list's name has 1 to 64 letters, digits, `-`, `_` or `.`, e.g. `b2-authors`.",
        ))
    }
}

/// A list's own posting address, lower-case.
pub fn list_address(raw: &str) -> Result<String, RuleViolation> {
    ContactEmail::parse(raw)
        .map(ContactEmail::into_string)
        .map_err(|_| {
            RuleViolation::new(
                "address.invalid",
                "The list's address looks like b2-authors@lists.example.org.",
            )
        })
}

/// Extra or excluded addresses: each valid, lower-cased, without repeats, at most 1,000.
/// Errors are recorded under `field[i]`.
pub fn address_list(field: &str, raw: &[String], errors: &mut FieldErrors) -> Vec<String> {
    if raw.len() > 1000 {
        errors.add(
            field,
            RuleViolation::new("addresses.too_many", "At most 1,000 addresses."),
        );
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, address) in raw.iter().enumerate() {
        match ContactEmail::parse(address) {
            Ok(email) if out.contains(&email.as_str().to_owned()) => errors.add(
                &format!("{field}[{i}]"),
                RuleViolation::new("address.repeated", "This address is already in the list."),
            ),
            Ok(email) => out.push(email.into_string()),
            Err(_) => errors.add(
                &format!("{field}[{i}]"),
                RuleViolation::new(
                    "address.invalid",
                    "This is not a valid email address; it should look like name@institute.org.",
                ),
            ),
        }
    }
    out
}

/// The audience's shape: a part that is given names at least one value, countries are
/// country codes (returned upper-case). Errors are recorded under `audience.<part>`.
pub fn audience(raw: &Audience, errors: &mut FieldErrors) -> Audience {
    fn given<T>(errors: &mut FieldErrors, part: &str, values: &Option<Vec<T>>) {
        if values.as_ref().is_some_and(Vec::is_empty) {
            errors.add(
                &format!("audience.{part}"),
                RuleViolation::new(
                    "audience.empty_part",
                    "An empty list admits nobody: name at least one value, or leave the part out so that it does not narrow.",
                ),
            );
        }
    }
    given(errors, "statuses", &raw.statuses);
    given(errors, "categories", &raw.categories);
    given(errors, "institution_ids", &raw.institution_ids);
    given(errors, "countries", &raw.countries);
    given(errors, "group_ids", &raw.group_ids);
    given(errors, "roles", &raw.roles);
    let countries = raw.countries.as_ref().map(|codes| {
        codes
            .iter()
            .enumerate()
            .filter_map(|(i, code)| {
                errors.check(&format!("audience.countries[{i}]"), country_code(code))
            })
            .collect()
    });
    Audience {
        countries,
        ..raw.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_follow_their_rules() {
        assert_eq!(list_name(" b2-authors ").unwrap(), "b2-authors");
        assert!(list_name("").is_err());
        assert!(list_name("two words").is_err());
        assert_eq!(
            list_address("B2-All@Lists.Example.org").unwrap(),
            "b2-all@lists.example.org"
        );
        assert_eq!(list_address("nowhere").unwrap_err().code, "address.invalid");
        let mut errors = FieldErrors::new();
        let kept = address_list(
            "extra_addresses",
            &["Sec@kek.jp".into(), "sec@kek.jp".into(), "bad".into()],
            &mut errors,
        );
        assert_eq!(kept, ["sec@kek.jp"]);
        assert_eq!(
            errors.0.keys().collect::<Vec<_>>(),
            ["extra_addresses[1]", "extra_addresses[2]"]
        );
    }

    #[test]
    fn an_audience_names_values_in_each_part_it_gives() {
        let mut errors = FieldErrors::new();
        let checked = audience(
            &Audience {
                countries: Some(vec!["jp".into(), "Nowhere".into()]),
                roles: Some(vec![]),
                ..Audience::default()
            },
            &mut errors,
        );
        assert_eq!(checked.countries, Some(vec!["JP".to_owned()]));
        assert_eq!(
            errors.0.keys().collect::<Vec<_>>(),
            ["audience.countries[1]", "audience.roles"]
        );
        let mut none = FieldErrors::new();
        audience(&Audience::default(), &mut none);
        assert!(none.is_empty());
    }
}
