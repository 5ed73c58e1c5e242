//! The registry email address (product §4.4): `given[.middle].family@<domain>`, derived from the
//! names: lower case, spaces to dots, apostrophes removed, `ä ö ü ß` → `ae oe ue ss`, other
//! accented Latin letters → their base letter, anything else outside `[a-z0-9.-]` dropped,
//! repeated dots collapsed, and cut to 58 characters so that a collision number still fits in
//! the 64 characters an address's local part may have.

/// The base letters of an accented letter: its canonical decomposition without the combining
/// marks (`é` → `e`).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn base_letters(c: char) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    std::iter::once(c)
        .nfd()
        .filter(|d| !is_combining_mark(*d))
        .collect()
}

/// In the browser the same step uses the browser's own Unicode tables (`normalize("NFD")` and
/// the mark category `\p{M}`), so that the web app does not carry a second copy of them.
#[cfg(target_arch = "wasm32")]
pub(crate) fn base_letters(c: char) -> String {
    let decomposed = js_sys::JsString::from(c.to_string()).normalize("NFD");
    let marks = js_sys::RegExp::new("\\p{M}", "gu");
    String::from(decomposed.replace_by_pattern(&marks, ""))
}

fn transliterate(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ø' | 'Ø' => out.push('o'),
            'œ' | 'Œ' => out.push_str("oe"),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            ' ' => out.push('.'),
            '\'' | '’' => {}
            other => {
                // Accented Latin letters decompose into their base letter and marks.
                for d in base_letters(other).chars() {
                    out.extend(d.to_lowercase());
                }
            }
        }
    }
    out.to_lowercase()
}

/// The longest local part before a collision number: room is left for one of up to six digits
/// within the 64 characters of a local part.
pub const MAX_LOCAL_PART: usize = 58;

/// The local part for a person, before any collision number; empty if no name has Latin letters.
pub fn registry_local_part(given: &str, middle: Option<&str>, family: &str) -> String {
    let joined = [Some(given), middle, Some(family)]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(transliterate)
        .collect::<Vec<_>>()
        .join(".");
    let kept: String = joined
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    let mut out = String::with_capacity(kept.len());
    for c in kept.chars() {
        if c == '.' && (out.is_empty() || out.ends_with('.')) {
            continue;
        }
        if out.len() == MAX_LOCAL_PART {
            break;
        }
        out.push(c);
    }
    out.trim_end_matches('.').to_owned()
}

/// The local part with the number that makes it unique: `n` of 2 or more is appended.
pub fn with_collision_number(local: &str, n: u32) -> String {
    if n < 2 {
        local.to_owned()
    } else {
        format!("{local}{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long names (found by the property test) still give an address whose local part fits.
    #[test]
    fn long_names_are_cut_to_fit_a_local_part() {
        let local = registry_local_part("Aäaöäüçü aßßaüüaüßä-a", None, "aaaa Aaøüö-öł-łłłüaöłéü-a");
        assert_eq!(local.len(), MAX_LOCAL_PART, "{local}");
        assert!(!local.ends_with('.'));
        assert!(with_collision_number(&local, 999_999).len() <= 64);
    }

    #[test]
    fn the_seed_examples() {
        assert_eq!(
            registry_local_part("Nino", None, "de Angelo"),
            "nino.de.angelo"
        );
        assert_eq!(
            registry_local_part("Nino", None, "deAngelo"),
            "nino.deangelo"
        );
        assert_eq!(registry_local_part("Toru", None, "Iijima"), "toru.iijima");
    }

    #[test]
    fn transliteration() {
        assert_eq!(
            registry_local_part("Jürgen", Some("Ösel"), "Groß"),
            "juergen.oesel.gross"
        );
        assert_eq!(
            registry_local_part("François", None, "Le Diberder"),
            "francois.le.diberder"
        );
        assert_eq!(registry_local_part("Seán", None, "O'Neill"), "sean.oneill");
        assert_eq!(
            registry_local_part("Łukasz", None, "Wójcik-Nowak"),
            "lukasz.wojcik-nowak"
        );
        assert_eq!(registry_local_part("Ana", None, "Núñez"), "ana.nunez");
        assert_eq!(registry_local_part("Иван", None, "Петров"), "");
        assert_eq!(
            registry_local_part(" Anna ", Some(" "), "Smith"),
            "anna.smith"
        );
    }

    #[test]
    fn collisions() {
        assert_eq!(with_collision_number("nino.de.angelo", 1), "nino.de.angelo");
        assert_eq!(
            with_collision_number("nino.de.angelo", 2),
            "nino.de.angelo2"
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever the names, the derived local part is a valid ASCII local part: only
        /// `[a-z0-9.-]`, no leading, trailing or doubled dots.
        #[test]
        fn derived_addresses_are_valid(given in "\\PC{0,20}", middle in proptest::option::of("\\PC{0,10}"), family in "\\PC{0,20}") {
            let local = registry_local_part(&given, middle.as_deref(), &family);
            prop_assert!(local.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'));
            prop_assert!(!local.starts_with('.') && !local.ends_with('.'));
            prop_assert!(!local.contains(".."));
        }

        #[test]
        fn latin_names_keep_their_letters(given in "[A-Z][a-z]{1,10}", family in "[A-Z][a-z]{1,10}") {
            let local = registry_local_part(&given, None, &family);
            prop_assert_eq!(local, format!("{}.{}", given.to_lowercase(), family.to_lowercase()));
        }
    }
}
