//! Bulk import of members from CSV (`b2mms import`, `POST /api/v1/members/import`): every
//! row checked by the rules a registration meets, every problem reported with its line before
//! anything is written, then the new people written in batches of one transaction each.
//! Rows whose account exists with the same contact address are left alone, so importing a
//! file again changes nothing. Accounts get no password: a set-password link is mailed when an
//! administrator decides (at the import, or later with [`mail_set_password_links`]).

use std::collections::HashMap;

use b2mms_shared::api::{ImportProblem, ImportReport};
use b2mms_shared::{
    AuditAction, Category, GroupId, InstitutionId, InstitutionStatus, MembershipStatus, PersonId,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::config::Config;
use crate::domain::calendar;
use crate::domain::identity::Identity;
use crate::domain::policy::Admin;
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, Actor, Change};
use crate::store::imports::NewPerson;
use crate::store::models::{AccountRow, AffiliationRow, PersonRow};
use crate::store::{self, DbConnection, to_db_time};

mod file;
mod set_password;

use file::read;
pub use set_password::mail_set_password_links;
use set_password::{people_to_mail, queue_links};

/// People written per transaction.
pub const BATCH: usize = 1_000;

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
pub(super) struct Candidate {
    pub(super) line: u64,
    pub(super) identity: Identity,
    pub(super) orcid: Option<String>,
    pub(super) category: Category,
    pub(super) institution: InstitutionId,
    pub(super) start: NaiveDate,
    pub(super) end: Option<NaiveDate>,
    pub(super) groups: Vec<GroupId>,
}

/// The rows of a file, read and checked on their own (without the database's people).
pub(super) struct Read {
    pub(super) rows: u32,
    pub(super) candidates: Vec<Candidate>,
    pub(super) problems: Vec<ImportProblem>,
}

pub(super) fn problem(
    line: u64,
    column: &str,
    code: &str,
    message: impl Into<String>,
) -> ImportProblem {
    ImportProblem {
        line,
        column: column.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

/// What the database knows that the rows are checked against.
pub(super) struct Known {
    pub(super) institutions: HashMap<String, (InstitutionId, InstitutionStatus)>,
    pub(super) groups: HashMap<String, GroupId>,
    pub(super) main_group: String,
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
        inspire_id: None,
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
