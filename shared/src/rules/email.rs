//! Contact email addresses: syntactically valid, stored lower-case.

use super::RuleViolation;

/// Personal mail providers (product §4.5); `name.*` stands for every top-level domain.
pub const DEFAULT_PERSONAL_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.*",
    "ymail.com",
    "hotmail.*",
    "outlook.com",
    "outlook.*",
    "live.com",
    "live.*",
    "msn.com",
    "aol.com",
    "gmx.*",
    "web.de",
    "icloud.com",
    "me.com",
    "mac.com",
    "mail.ru",
    "yandex.*",
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "zoho.com",
    "mail.com",
    "naver.com",
    "daum.net",
    "hanmail.net",
    "rediffmail.com",
    "t-online.de",
    "freenet.de",
    "libero.it",
    "orange.fr",
    "laposte.net",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "interia.pl",
    "tutanota.com",
    "fastmail.com",
];

/// An address of the common form `local@domain`: a dot-atom local part (RFC 5322) of at most
/// 64 characters and a domain of letter-digit-hyphen labels (RFC 5321) with a top-level name
/// of letters, at most 254 characters in all. Quoted local parts and address literals, which
/// no institution hands out, are refused.
fn is_valid_address(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let atom_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atom_char));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    email.len() <= 254 && local_ok && domain_ok
}

/// Whether `domain` (or a parent of it) matches an entry of `list`.
pub fn is_personal_mail_domain<'a>(domain: &str, list: impl IntoIterator<Item = &'a str>) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    list.into_iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        match entry.strip_suffix(".*") {
            Some(name) => {
                let labels: Vec<&str> = domain.split('.').collect();
                labels
                    .iter()
                    .position(|l| *l == name)
                    .is_some_and(|i| i + 1 < labels.len())
            }
            None => domain == entry || domain.ends_with(&format!(".{entry}")),
        }
    })
}

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
        if !is_valid_address(&email) {
            return Err(RuleViolation::new(
                "email.invalid",
                "This is not a valid email address; it should look like name@institute.org.",
            ));
        }
        Ok(Self(email))
    }

    /// Parses and refuses personal mail providers: the collaboration needs the address at the
    /// home institution.
    pub fn parse_institutional<'a>(
        raw: &str,
        personal: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, RuleViolation> {
        let email = Self::parse(raw)?;
        if is_personal_mail_domain(email.domain(), personal) {
            return Err(RuleViolation::new(
                "email.personal_provider",
                format!(
                    "Addresses at {} cause problems: use your email address at your home institution.",
                    email.domain()
                ),
            ));
        }
        Ok(email)
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
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

    #[test]
    fn address_syntax() {
        for ok in [
            "a@kek.jp",
            "toru.iijima@post.kek.jp",
            "o'neill+belle2@physik.uni-bonn.de",
            "x_y-z@a-b.example.org",
        ] {
            assert!(is_valid_address(ok), "{ok}");
        }
        for bad in [
            "a@b",
            "a@@b.org",
            ".a@b.org",
            "a.@b.org",
            "a..b@c.org",
            "a@-b.org",
            "a@b-.org",
            "a@b..org",
            "a b@c.org",
            "a@b.c0m",
            "@b.org",
            "a@",
            "\"a\"@b.org",
            "a@[127.0.0.1]",
            "jürgen@uni.de",
        ] {
            assert!(!is_valid_address(bad), "{bad}");
        }
        assert!(!is_valid_address(&format!("{}@b.org", "a".repeat(65))));
    }

    #[test]
    fn personal_providers_are_refused() {
        let list = DEFAULT_PERSONAL_MAIL_DOMAINS.iter().copied();
        for personal in [
            "a@gmail.com",
            "a@yahoo.co.jp",
            "a@yahoo.de",
            "a@hotmail.fr",
            "a@GMX.net",
            "a@web.de",
            "a@proton.me",
        ] {
            let err = ContactEmail::parse_institutional(personal, list.clone()).unwrap_err();
            assert_eq!(err.code, "email.personal_provider", "{personal}");
        }
        for institutional in [
            "a@kek.jp",
            "a@desy.de",
            "a@physik.uni-bonn.de",
            "a@yahoo-research.org",
            "a@notgmail.com",
        ] {
            assert!(
                ContactEmail::parse_institutional(institutional, list.clone()).is_ok(),
                "{institutional}"
            );
        }
        assert!(is_personal_mail_domain("mail.example.org", ["example.org"]));
    }
}
