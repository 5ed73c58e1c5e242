//! Bulk import of members from CSV (`b2mms import`, `POST /api/v1/members/import`): every
//! row checked by the rules a registration meets, every problem reported with its line before
//! anything is written, then the new people written in batches of one transaction each.
//! Rows whose account exists with the same contact address are left alone, so importing a
//! file again changes nothing. Accounts get no password: a set-password link is mailed when an
//! administrator decides (at the import, or later with [`mail_set_password_links`]).

use std::collections::{HashMap, HashSet};

use b2mms_shared::api::{IMPORT_COLUMNS, ImportProblem, ImportReport, SetPasswordMails};
use b2mms_shared::rules::{FieldErrors, Orcid, RuleViolation};
use b2mms_shared::{
    AuditAction, Category, GroupId, InstitutionId, InstitutionStatus, MembershipStatus, PersonId,
    links,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::auth::{random_secret, secret_hash};
use crate::config::Config;
use crate::domain::calendar;
use crate::domain::identity::{self, Given, Identity};
use crate::domain::policy::Admin;
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::store::audit::{self, Actor, Change};
use crate::store::imports::{Link, NewPerson};
use crate::store::models::{AccountRow, AffiliationRow, PersonRow};
use crate::store::{self, DbConnection, outbox, to_db_time};

/// People written per transaction.
pub const BATCH: usize = 1_000;

/// Columns a file must have; the others may be left out.
const REQUIRED_COLUMNS: [&str; 6] = [
    "account_name",
    "given_name",
    "family_name",
    "email",
    "category",
    "institution",
];

/// Who imports: an administrator through the API, or the operator on the command line.
#[derive(Debug, Clone, Copy)]
pub enum Importer<'a> {
    Admin(&'a Admin),
    Operator,
}

impl Importer<'_> {
    fn actor(self, now: DateTime<Utc>) -> Actor {
        match self {
            Self::Admin(admin) => Actor::acting(admin.acting(), now),
            Self::Operator => Actor::system(now),
        }
    }
}

/// What to do besides checking.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Write the new people (only if no row has a problem).
    pub apply: bool,
    /// Queue each new person's set-password mail with the import.
    pub mail: bool,
}

/// How far an import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Checking,
    Writing,
}

/// One checked row that makes a new person.
#[derive(Debug)]
struct Candidate {
    line: u64,
    identity: Identity,
    orcid: Option<String>,
    category: Category,
    institution: InstitutionId,
    start: NaiveDate,
    end: Option<NaiveDate>,
    groups: Vec<GroupId>,
}

/// The rows of a file, read and checked on their own (without the database's people).
struct Read {
    rows: u32,
    candidates: Vec<Candidate>,
    problems: Vec<ImportProblem>,
}

fn problem(line: u64, column: &str, code: &str, message: impl Into<String>) -> ImportProblem {
    ImportProblem {
        line,
        column: column.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

/// What the database knows that the rows are checked against.
struct Known {
    institutions: HashMap<String, (InstitutionId, InstitutionStatus)>,
    groups: HashMap<String, GroupId>,
    main_group: String,
}

/// Checks a whole file and, when asked and nothing is wrong, writes it. The report lists
/// every problem of every row; a failed batch (someone took an account name meanwhile) keeps
/// the batches before it, and running the same file again continues where it stopped.
pub fn run(
    conn: &mut DbConnection,
    config: &Config,
    importer: Importer<'_>,
    file: &[u8],
    options: Options,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Stage, u64, u64),
) -> AppResult<ImportReport> {
    let today = calendar::today(now);
    let main = store::groups::ensure(
        conn,
        &config.main_group,
        "Every member of the collaboration",
        now,
    )?;
    let known = Known {
        institutions: store::imports::institutions(conn)?,
        groups: store::groups::all(conn)?
            .into_iter()
            .map(|g| (g.name.to_lowercase(), g.id))
            .collect(),
        main_group: config.main_group.to_lowercase(),
    };
    let mut read = read(config, &known, file, today);
    progress(Stage::Checking, 0, u64::from(read.rows));
    let (fresh, existing) = against_records(conn, &mut read, progress)?;
    let mut report = ImportReport {
        applied: false,
        rows: read.rows,
        new_people: u32::try_from(fresh.len()).unwrap_or(u32::MAX),
        existing_people: existing,
        mails_queued: 0,
        problems: read.problems,
    };
    report.problems.sort_by_key(|p| p.line);
    if !options.apply || !report.problems.is_empty() {
        return Ok(report);
    }
    let actor = importer.actor(now);
    let total = fresh.len() as u64;
    let mut written = 0u64;
    progress(Stage::Writing, 0, total);
    for batch in fresh.chunks(BATCH) {
        let people: Vec<NewPerson> = batch
            .iter()
            .map(|c| new_person(config, c, &main, &actor, now))
            .collect::<AppResult<_>>()?;
        let first_line = batch.first().map_or(0, |c| c.line);
        store::write_tx(conn, |conn| {
            store::imports::insert(conn, &people, to_db_time(now))?;
            if options.mail {
                queue_links(conn, config, &people_to_mail(&people), now)?;
            }
            Ok(())
        })
        .map_err(|e| batch_failed(e, first_line, written))?;
        written += batch.len() as u64;
        if options.mail {
            report.mails_queued += u32::try_from(batch.len()).unwrap_or(u32::MAX);
        }
        progress(Stage::Writing, written, total);
    }
    report.applied = true;
    Ok(report)
}

/// A batch that could not be written: what is stored, and how to go on.
fn batch_failed(error: AppError, first_line: u64, written: u64) -> AppError {
    let problem = error.problem();
    AppError::conflict(
        "import_interrupted",
        format!(
            "The batch starting at line {first_line} was not written: {} {written} people before it are stored. \
             Correct the file and import it again; the people stored already are left as they are.",
            problem.detail
        ),
    )
}

/// Reads and checks every row by itself and against the other rows of the file.
fn read(config: &Config, known: &Known, file: &[u8], today: NaiveDate) -> Read {
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

/// Splits the checked rows into new people and people b2mms has already, reporting rows
/// whose account name, address or ORCID iD belongs to someone else.
fn against_records(
    conn: &mut DbConnection,
    read: &mut Read,
    progress: &mut dyn FnMut(Stage, u64, u64),
) -> AppResult<(Vec<Candidate>, u32)> {
    let total = u64::from(read.rows);
    let mut fresh = Vec::with_capacity(read.candidates.len());
    let mut existing = 0u32;
    let mut checked = 0u64;
    let candidates = std::mem::take(&mut read.candidates);
    let mut rest = candidates.into_iter().peekable();
    while rest.peek().is_some() {
        let batch: Vec<Candidate> = rest.by_ref().take(BATCH).collect();
        let names: Vec<&str> = batch.iter().map(|c| c.identity.account.as_str()).collect();
        let emails: Vec<&str> = batch.iter().map(|c| c.identity.email.as_str()).collect();
        let orcids: Vec<&str> = batch.iter().filter_map(|c| c.orcid.as_deref()).collect();
        let found = store::imports::existing(conn, &names, &emails, &orcids)?;
        checked += batch.len() as u64;
        for c in batch {
            let (account, email) = (c.identity.account.as_str(), c.identity.email.as_str());
            match found.accounts.get(account) {
                Some(Some(holder)) if holder == email => existing += 1,
                Some(_) => read.problems.push(problem(
                    c.line,
                    "account_name",
                    "account_name_taken",
                    "This account name belongs to another person or a registration request; choose another one.",
                )),
                None => {
                    let mut clash = false;
                    if let Some(holder) = found.emails.get(email) {
                        clash = true;
                        let whose = holder
                            .as_deref()
                            .map_or_else(String::new, |a| format!(" (account {a})"));
                        read.problems.push(problem(
                            c.line,
                            "email",
                            "email_taken",
                            format!("A person with this email address exists already{whose}: never register twice — correct the account name to theirs, or leave the line out."),
                        ));
                    }
                    if c.orcid.as_ref().is_some_and(|o| found.orcids.contains_key(o)) {
                        clash = true;
                        read.problems.push(problem(
                            c.line,
                            "orcid",
                            "orcid_taken",
                            "A person with this ORCID iD exists already.",
                        ));
                    }
                    if !clash {
                        fresh.push(c);
                    }
                }
            }
        }
        progress(Stage::Checking, checked, total);
    }
    Ok((fresh, existing))
}

/// The rows of one new person.
fn new_person(
    config: &Config,
    c: &Candidate,
    main_group: &GroupId,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<NewPerson> {
    let id: PersonId = store::new_id();
    let at = to_db_time(now);
    let mut person = PersonRow {
        id: id.clone(),
        given_name: c.identity.given.as_str().to_owned(),
        middle_name: c.identity.middle.as_ref().map(|m| m.as_str().to_owned()),
        family_name: c.identity.family.as_str().to_owned(),
        email: c.identity.email.as_str().to_owned(),
        registry_email: None,
        orcid: c.orcid.clone(),
        category: c.category,
        institution_id: c.institution.clone(),
        status: MembershipStatus::Active,
        membership_start: Some(c.start),
        membership_end: c.end,
        grace_from: None,
        paper_name: None,
        search_key: String::new(),
        created_at: at,
        updated_at: at,
    };
    let account_name = c.identity.account.as_str();
    person.search_key = person.search_key_with(Some(account_name));
    let mut account = AccountRow::initial(
        id.clone(),
        account_name.to_owned(),
        crate::auth::passwords::no_password_yet()?,
        at,
        to_db_time(now + Duration::days(config.password_max_age_days)),
    );
    // The password chosen through the link is the person's own.
    account.must_change_password = false;
    let period = AffiliationRow::period_of(&person, c.start);
    let mut groups = vec![main_group.clone()];
    groups.extend(c.groups.iter().cloned());
    let audit = audit::row::<(), _>(
        actor,
        Change {
            action: AuditAction::PersonCreated,
            subject: audit::Subject::Person(&id),
            before: None,
            after: Some(&serde_json::json!({
                "account_name": account_name,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "email": person.email,
                "category": person.category,
                "institution_id": person.institution_id,
                "membership_start": person.membership_start,
                "membership_end": person.membership_end,
                "source": "import",
            })),
        },
    );
    Ok(NewPerson {
        person,
        account,
        period,
        groups,
        since: c.start,
        audit,
    })
}

/// (person, account name, contact address) of each new person.
fn people_to_mail(people: &[NewPerson]) -> Vec<(PersonId, String, String)> {
    people
        .iter()
        .map(|p| {
            (
                p.person.id.clone(),
                p.account.account_name.clone(),
                p.person.email.clone(),
            )
        })
        .collect()
}

/// How long a set-password link works: as long as an invitation.
fn link_valid(config: &Config) -> Duration {
    Duration::days(config.invitation_days)
}

/// Queues a set-password link for each person, in the caller's transaction.
fn queue_links(
    conn: &mut DbConnection,
    config: &Config,
    people: &[(PersonId, String, String)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let days = config.invitation_days;
    let expires_at = to_db_time(now + link_valid(config));
    let links: Vec<Link> = people
        .iter()
        .map(|(person_id, account, email)| {
            let token = random_secret();
            let link = links::absolute(&config.public_url, &links::reset_password(&token));
            let mail = templates::set_password(account, &link, days);
            Link {
                person_id: person_id.clone(),
                token_hash: secret_hash(&token),
                expires_at,
                mail: outbox::row(email, &mail.subject, &mail.body, now),
            }
        })
        .collect();
    store::imports::insert_links(conn, &links, to_db_time(now))
}

/// Mails a set-password link to everyone whose account has no password yet and who has not
/// had one (an import applied without mail); people mailed before are not mailed again — a
/// lost link is replaced through "lost password".
pub fn mail_set_password_links(
    conn: &mut DbConnection,
    config: &Config,
    _admin: Importer<'_>,
    now: DateTime<Utc>,
) -> AppResult<SetPasswordMails> {
    let mut queued = 0u32;
    loop {
        let sent = store::write_tx(conn, |conn| {
            let people = store::imports::unmailed(conn, BATCH as i64)?;
            queue_links(conn, config, &people, now)?;
            Ok(people.len())
        })?;
        queued += u32::try_from(sent).unwrap_or(u32::MAX);
        if sent < BATCH {
            break;
        }
    }
    let mailed_before = store::imports::mailed_count(conn)?;
    Ok(SetPasswordMails {
        queued,
        mailed_before: u32::try_from(mailed_before)
            .unwrap_or(u32::MAX)
            .saturating_sub(queued),
    })
}
