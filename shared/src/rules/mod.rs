//! The collaboration's rules on what people type (product §4). Each rule parses raw input into
//! a value that is valid by construction, or explains with a stable code and a human message
//! how to fix it. The same functions run in the browser while typing and on the server.

mod account_name;
mod author_ids;
mod email;
mod institution;
pub mod mailing_list;
mod names;
mod orcid;
mod password;
#[cfg(test)]
mod properties;
mod registry_email;
mod search;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use account_name::{AccountName, DEFAULT_RESERVED_ACCOUNT_NAMES};
pub use author_ids::{author_inspire_id, paper_name_of};
pub use email::{ContactEmail, DEFAULT_PERSONAL_MAIL_DOMAINS, is_personal_mail_domain};
pub use institution::{country_code, inspire_id, required_text, ror_id};
pub use names::{PersonName, check_optional_name, conventional_spelling};
pub use orcid::Orcid;
#[cfg(feature = "strength")]
pub use password::check_strength;
pub use password::{PasswordContext, check_password};
pub use registry_email::{registry_local_part, with_collision_number};
pub use search::{search_folds, search_key, search_term};

/// One broken rule: a stable machine code and a message that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleViolation {
    /// Stable machine code, e.g. `account_name.too_short`.
    pub code: String,
    /// Human explanation, including how to fix it.
    pub message: String,
    /// A corrected value to offer, where one can be derived (e.g. `Iijima` for `IIJIMA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl RuleViolation {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            suggestion: None,
        }
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }
}

impl std::fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// Violations per field, as returned in a 422 problem document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, Vec<RuleViolation>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, violation: RuleViolation) {
        self.0.entry(field.to_owned()).or_default().push(violation);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records the error of a parse, if any, and hands back the value.
    pub fn check<T>(&mut self, field: &str, result: Result<T, RuleViolation>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(violation) => {
                self.add(field, violation);
                None
            }
        }
    }

    /// Records every violation of a check that can report several.
    pub fn extend(&mut self, field: &str, violations: Vec<RuleViolation>) {
        for v in violations {
            self.add(field, v);
        }
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}
