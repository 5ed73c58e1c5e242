//! Institution fields: names, ISO 3166-1 alpha-2 country codes, ROR and INSPIRE identifiers.

use super::RuleViolation;

/// ISO 3166-1 alpha-2 codes officially assigned.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// A trimmed text of bounded length, required.
pub fn required_text(raw: &str, max: usize, what: &str) -> Result<String, RuleViolation> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(RuleViolation::new(
            "text.required",
            format!("Enter the {what}."),
        ));
    }
    if text.chars().count() > max {
        return Err(RuleViolation::new(
            "text.too_long",
            format!("Use at most {max} characters for the {what}."),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(RuleViolation::new(
            "text.characters",
            format!("The {what} must not contain control characters."),
        ));
    }
    Ok(text)
}

/// An ISO 3166-1 alpha-2 country code, returned upper-case.
pub fn country_code(raw: &str) -> Result<String, RuleViolation> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code) {
        Ok(code)
    } else {
        Err(RuleViolation::new(
            "country.invalid",
            "Use the two-letter ISO 3166-1 country code, e.g. “JP”, “DE” or “US”.",
        ))
    }
}

/// A ROR identifier (`0` + 6 characters + 2 check digits), with or without the
/// `https://ror.org/` prefix; returned bare and lower-case.
pub fn ror_id(raw: &str) -> Result<String, RuleViolation> {
    let text = raw.trim().to_ascii_lowercase();
    let id = text.strip_prefix("https://ror.org/").unwrap_or(&text);
    let crockford = |c: char| c.is_ascii_digit() || (c.is_ascii_lowercase() && !"ilou".contains(c));
    let valid = id.len() == 9
        && id.starts_with('0')
        && id[1..7].chars().all(crockford)
        && id[7..].chars().all(|c| c.is_ascii_digit());
    if valid {
        Ok(id.to_owned())
    } else {
        Err(RuleViolation::new(
            "ror_id.invalid",
            "A ROR id looks like “01js2sh04” (or https://ror.org/01js2sh04).",
        ))
    }
}

/// An INSPIRE-HEP institution record id (digits).
pub fn inspire_id(raw: &str) -> Result<String, RuleViolation> {
    let id = raw.trim();
    if !id.is_empty() && id.len() <= 12 && id.chars().all(|c| c.is_ascii_digit()) {
        Ok(id.to_owned())
    } else {
        Err(RuleViolation::new(
            "inspire_id.invalid",
            "An INSPIRE institution id is the number of its record, e.g. “903267”.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries() {
        assert_eq!(country_code(" jp ").unwrap(), "JP");
        assert_eq!(country_code("XX").unwrap_err().code, "country.invalid");
        assert_eq!(country_code("Japan").unwrap_err().code, "country.invalid");
    }

    #[test]
    fn ror_ids() {
        assert_eq!(ror_id("https://ror.org/01JS2SH04").unwrap(), "01js2sh04");
        assert_eq!(ror_id("01js2sh04").unwrap(), "01js2sh04");
        assert!(ror_id("11js2sh04").is_err());
        assert!(ror_id("01js2sh0").is_err());
        assert!(ror_id("01ls2sh04").is_err());
    }

    #[test]
    fn texts() {
        assert_eq!(
            required_text("  KEK   Tsukuba ", 20, "name").unwrap(),
            "KEK Tsukuba"
        );
        assert_eq!(
            required_text("", 10, "name").unwrap_err().code,
            "text.required"
        );
        assert_eq!(
            required_text("abcdefghijk", 10, "name").unwrap_err().code,
            "text.too_long"
        );
        assert!(inspire_id("903267").is_ok());
        assert!(inspire_id("9a").is_err());
    }
}
