//! Reading an import file and checking each row by itself and against the other rows: the
//! header, every cell by the rules a registration meets, keys that appear twice.

use std::collections::{HashMap, HashSet};

use b2mms_shared::api::{IMPORT_COLUMNS, ImportProblem};
use b2mms_shared::rules::{FieldErrors, Orcid, RuleViolation};
use b2mms_shared::{Category, GroupId, InstitutionId, InstitutionStatus};
use chrono::NaiveDate;

use crate::config::Config;
use crate::domain::identity::{self, Given};

use super::{Candidate, Known, Read, problem};

/// Columns a file must have; the others may be left out.
const REQUIRED_COLUMNS: [&str; 6] = [
    "account_name",
    "given_name",
    "family_name",
    "email",
    "category",
    "institution",
];

/// Reads and checks every row by itself and against the other rows of the file.
pub(super) fn read(config: &Config, known: &Known, file: &[u8], today: NaiveDate) -> Read {
    let mut out = Read {
        rows: 0,
        candidates: Vec::new(),
        problems: Vec::new(),
    };
    let file = file.strip_prefix("\u{feff}".as_bytes()).unwrap_or(file);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(file);
    let columns = match header(&mut reader) {
        Ok(columns) => columns,
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    let mut seen = Seen::default();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.problems.push(problem(
                    line,
                    "",
                    "csv.unreadable",
                    format!("This line cannot be read as CSV ({e}); check its quotes."),
                ));
                break;
            }
        }
        let line = record.position().map_or(line, csv::Position::line);
        if record.iter().all(<[u8]>::is_empty) {
            continue;
        }
        out.rows += 1;
        if record.len() != columns.len() {
            out.problems.push(problem(
                line,
                "",
                "csv.cell_count",
                format!(
                    "This line has {} cells, the header {}: every line needs one cell per column (empty ones too).",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let Ok(text) = csv::StringRecord::from_byte_record(record.clone()) else {
            out.problems.push(problem(
                line,
                "",
                "csv.not_utf8",
                "This line is not UTF-8 text: save the file as UTF-8 CSV.",
            ));
            continue;
        };
        let cells = Cells {
            columns: &columns,
            record: &text,
        };
        match row(config, known, &cells, line, today) {
            Ok(candidate) => {
                let duplicates = seen.note(&candidate);
                if duplicates.is_empty() {
                    out.candidates.push(candidate);
                } else {
                    out.problems.extend(duplicates);
                }
            }
            Err(problems) => out.problems.extend(problems),
        }
    }
    if out.rows == 0 && out.problems.is_empty() {
        out.problems.push(problem(
            1,
            "",
            "import.empty",
            "The file has a header but no people: add one line per person.",
        ));
    }
    out
}

/// One row's cells, found by column name (empty for a column the file leaves out).
struct Cells<'a> {
    columns: &'a [String],
    record: &'a csv::StringRecord,
}

impl<'a> Cells<'a> {
    fn get(&self, name: &str) -> &'a str {
        self.columns
            .iter()
            .position(|c| c == name)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
    }
}

/// The header's column names, or what is wrong with it.
fn header(reader: &mut csv::Reader<&[u8]>) -> Result<Vec<String>, Vec<ImportProblem>> {
    let header = reader.headers().map_err(|e| {
        vec![problem(
            1,
            "",
            "csv.unreadable",
            format!("The header line cannot be read as CSV ({e}): save the file as UTF-8 CSV."),
        )]
    })?;
    let columns: Vec<String> = header.iter().map(str::to_lowercase).collect();
    let mut problems = Vec::new();
    for name in &columns {
        if !IMPORT_COLUMNS.contains(&name.as_str()) {
            problems.push(problem(
                1,
                name,
                "column.unknown",
                format!(
                    "`{name}` is not a column b2mms reads; the columns are {}.",
                    IMPORT_COLUMNS.join(", ")
                ),
            ));
        }
    }
    for name in REQUIRED_COLUMNS {
        if !columns.iter().any(|c| c == name) {
            problems.push(problem(
                1,
                name,
                "column.missing",
                format!("The header needs a column `{name}`."),
            ));
        }
    }
    let mut names = HashSet::new();
    for name in &columns {
        if !names.insert(name) {
            problems.push(problem(
                1,
                name,
                "column.repeated",
                format!("The column `{name}` appears twice; keep one."),
            ));
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

/// Checks one row by itself; every problem at once.
fn row(
    config: &Config,
    known: &Known,
    cells: &Cells<'_>,
    line: u64,
    today: NaiveDate,
) -> Result<Candidate, Vec<ImportProblem>> {
    let mut errors = FieldErrors::new();
    let middle = Some(cells.get("middle_name")).filter(|m| !m.is_empty());
    let checked = identity::check(
        Given {
            given_name: cells.get("given_name"),
            middle_name: middle,
            family_name: cells.get("family_name"),
            email: cells.get("email"),
            account_name: cells.get("account_name"),
            initial_password: None,
        },
        config.reserved_names(),
        config.personal_domains(),
        &mut errors,
    );
    let orcid = match cells.get("orcid") {
        "" => None,
        raw => errors.check("orcid", Orcid::parse(raw).map(Orcid::into_string)),
    };
    let category = match cells.get("category") {
        "" => required(&mut errors, "category", "the person's category"),
        raw => Category::parse(raw).or_else(|| {
            let allowed: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            errors.add(
                "category",
                RuleViolation::new(
                    "field.not_allowed",
                    format!(
                        "`{raw}` is not a category; use one of {}.",
                        allowed.join(", ")
                    ),
                ),
            );
            None
        }),
    };
    let institution = institution(known, cells.get("institution"), &mut errors);
    let (start, end) = period(cells, today, &mut errors);
    let groups = groups(known, cells.get("groups"), &mut errors);
    let identity = checked.identity();
    match (identity, category, institution, start, groups) {
        (Some(identity), Some(category), Some(institution), Some(start), Some(groups))
            if errors.is_empty() =>
        {
            Ok(Candidate {
                line,
                identity,
                orcid,
                category,
                institution,
                start,
                end,
                groups,
            })
        }
        _ => Err(errors
            .0
            .into_iter()
            .flat_map(|(column, violations)| {
                violations
                    .into_iter()
                    .map(move |v| problem(line, &column, &v.code, v.message))
            })
            .collect()),
    }
}

fn required<T>(errors: &mut FieldErrors, column: &str, what: &str) -> Option<T> {
    errors.add(
        column,
        RuleViolation::new("field.required", format!("Give {what}; it is required.")),
    );
    None
}

fn institution(known: &Known, short: &str, errors: &mut FieldErrors) -> Option<InstitutionId> {
    if short.is_empty() {
        return required(
            errors,
            "institution",
            "the short name of the home institution",
        );
    }
    match known.institutions.get(&short.to_lowercase()) {
        Some((id, InstitutionStatus::Active)) => Some(id.clone()),
        Some(_) => {
            errors.add(
                "institution",
                RuleViolation::new(
                    "institution_inactive",
                    format!("The institution `{short}` is inactive and takes no members; reactivate it first or name another."),
                ),
            );
            None
        }
        None => {
            errors.add(
                "institution",
                RuleViolation::new(
                    "institution.unknown",
                    format!("No institution has the short name `{short}`; create it first or correct the name."),
                ),
            );
            None
        }
    }
}

/// The membership's start (today when empty) and end: a current membership, begun by today
/// and ending after it.
fn period(
    cells: &Cells<'_>,
    today: NaiveDate,
    errors: &mut FieldErrors,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let mut date =
        |column: &str| -> Result<Option<NaiveDate>, ()> {
            match cells.get(column) {
                "" => Ok(None),
                raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        errors.add(
                    column,
                    RuleViolation::new(
                        "field.wrong_type",
                        format!("`{raw}` is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31."),
                    ),
                );
                    }),
            }
        };
    let (start, end) = (date("membership_start"), date("membership_end"));
    let start = match start {
        Ok(Some(start)) if start > today => {
            errors.add(
                "membership_start",
                RuleViolation::new(
                    "membership_start.future",
                    format!("The membership cannot start after today ({today}); import the person when it has begun."),
                ),
            );
            None
        }
        Ok(start) => Some(start.unwrap_or(today)),
        Err(()) => None,
    };
    let end = match end {
        Ok(Some(end)) if end <= today => {
            errors.add(
                "membership_end",
                RuleViolation::new(
                    "membership_end.past",
                    format!("A membership ends on its end date, so an import needs an end after today ({today}); leave former members out or leave the end empty."),
                ),
            );
            None
        }
        Ok(end) => end,
        Err(()) => None,
    };
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        errors.add(
            "membership_end",
            RuleViolation::new(
                "membership_end.before_start",
                "The membership must end after it starts.",
            ),
        );
    }
    (start, end)
}

fn groups(known: &Known, cell: &str, errors: &mut FieldErrors) -> Option<Vec<GroupId>> {
    let mut ids = Vec::new();
    let mut ok = true;
    for name in cell.split(';').map(str::trim).filter(|n| !n.is_empty()) {
        let key = name.to_lowercase();
        if key == known.main_group {
            // Every member is in the main group anyway.
            continue;
        }
        match known.groups.get(&key) {
            Some(id) if !ids.contains(id) => ids.push(id.clone()),
            Some(_) => {}
            None => {
                ok = false;
                errors.add(
                    "groups",
                    RuleViolation::new(
                        "group.unknown",
                        format!("No group is called `{name}`; create it first or correct the name (names are separated by `;`)."),
                    ),
                );
            }
        }
    }
    ok.then_some(ids)
}

/// The account names, addresses and ORCID iDs met so far in the file, with their lines.
#[derive(Default)]
struct Seen {
    accounts: HashMap<String, u64>,
    emails: HashMap<String, u64>,
    orcids: HashMap<String, u64>,
}

impl Seen {
    /// Notes the row's keys; the problems of those another line has already.
    fn note(&mut self, c: &Candidate) -> Vec<ImportProblem> {
        let mut problems = Vec::new();
        let mut check = |map: &mut HashMap<String, u64>, key: &str, column: &str| {
            if let Some(first) = map.get(key) {
                problems.push(problem(
                    c.line,
                    column,
                    "import.repeated",
                    format!(
                        "Line {first} has this {} already; each person appears once.",
                        column.replace('_', " ")
                    ),
                ));
            } else {
                map.insert(key.to_owned(), c.line);
            }
        };
        check(
            &mut self.accounts,
            c.identity.account.as_str(),
            "account_name",
        );
        check(&mut self.emails, c.identity.email.as_str(), "email");
        if let Some(orcid) = &c.orcid {
            check(&mut self.orcids, orcid, "orcid");
        }
        problems
    }
}
