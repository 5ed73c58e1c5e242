//! Bodies of a bulk import of members from CSV and of the set-password mails that follow it.

use serde::{Deserialize, Serialize};

/// The columns of an import file, in the order an export template lists them.
pub const IMPORT_COLUMNS: [&str; 11] = [
    "account_name",
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "orcid",
    "category",
    "institution",
    "membership_start",
    "membership_end",
    "groups",
];

/// What an import did, or would do in a dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Whether anything was written: only when asked to apply and no row has a problem.
    pub applied: bool,
    /// People rows read (the header not counted).
    pub rows: u32,
    /// People created (or, in a dry run, who would be).
    pub new_people: u32,
    /// Rows whose account exists already with the same contact address: left as they are,
    /// so importing a file again changes nothing.
    pub existing_people: u32,
    /// Set-password mails queued for the people created.
    pub mails_queued: u32,
    /// Every problem of every row; nothing is written while there is one.
    pub problems: Vec<ImportProblem>,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The column at fault; empty when the row as a whole is.
    pub column: String,
    /// Stable machine-readable code, e.g. `field.required`.
    pub code: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// `POST /api/v1/members/set-password-mails`: how many people were sent a link to choose
/// their first password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetPasswordMails {
    pub queued: u32,
    /// People still without a password who had a link already (not sent again).
    pub mailed_before: u32,
}
