//! Elections and votes: administrators and the IB chair preview an electorate and prepare an
//! election; the clock opens it (freezing the electorate) and closes it; each elector votes
//! once with a secret ballot and gets a receipt (`ballots`); the results are counted from the
//! tallies, shown to the officers on closing and to everyone once published. A day before
//! closing, those who have not voted are reminded.

mod ballots;
mod electorates;

pub use ballots::{check_receipt, results, vote};
pub use electorates::{electorate, electorate_csv, preview};

use std::collections::HashSet;

use b2mms_shared::api::{Election, ElectorateRule, MyVote, NewElection, VotingFor};
use b2mms_shared::rules::{FieldErrors, RuleViolation, required_text};
use b2mms_shared::{ElectionId, ElectionState, PersonId};
use chrono::{DateTime, Utc};

use crate::domain::election::{self, Step};
use crate::domain::policy::{ElectionOfficer, Subject};
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, Actor, Change};
use crate::store::elections::ElectorRow;
use crate::store::models::ElectionRow;
use crate::store::{self, DbConnection, from_db_time, to_db_time};

fn parsed<T: serde::de::DeserializeOwned>(text: &str) -> AppResult<T> {
    serde_json::from_str(text)
        .map_err(|e| AppError::Internal(format!("a stored election is not readable: {e}")))
}

fn json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(format!("encoding JSON: {e}")))
}

/// Prepares an election (administrators and the IB chair); it opens on time by itself.
pub fn create(
    conn: &mut DbConnection,
    officer: &ElectionOfficer,
    body: NewElection,
    now: DateTime<Utc>,
) -> AppResult<Election> {
    let mut errors = FieldErrors::new();
    let title = errors.check("title", required_text(&body.title, 200, "title"));
    if body.description.chars().count() > 5000 {
        errors.add(
            "description",
            RuleViolation::new("text.too_long", "At most 5,000 characters."),
        );
    }
    let options: Vec<String> = body.options.iter().map(|o| o.trim().to_owned()).collect();
    if !(2..=50).contains(&options.len()) {
        errors.add(
            "options",
            RuleViolation::new("options.count", "Give 2 to 50 options to choose from."),
        );
    }
    for (i, option) in options.iter().enumerate() {
        if option.is_empty() || option.chars().count() > 200 {
            errors.add(
                &format!("options[{i}]"),
                RuleViolation::new("option.text", "An option is 1 to 200 characters."),
            );
        } else if options[..i].contains(option) {
            errors.add(
                &format!("options[{i}]"),
                RuleViolation::new("option.repeated", "This option is there already."),
            );
        }
    }
    if body.max_choices < 1 || body.max_choices as usize > options.len().max(1) {
        errors.add(
            "max_choices",
            RuleViolation::new(
                "max_choices.range",
                "A ballot chooses at least one option and at most as many as there are.",
            ),
        );
    }
    if body.closes_at <= body.opens_at {
        errors.add(
            "closes_at",
            RuleViolation::new("closes_at.order", "The vote closes after it opens."),
        );
    } else if body.closes_at <= now {
        errors.add(
            "closes_at",
            RuleViolation::new("closes_at.past", "The closing time has passed already."),
        );
    }
    if body.quorum.is_some_and(|q| !(q > 0.0 && q <= 1.0)) {
        errors.add(
            "quorum",
            RuleViolation::new(
                "quorum.range",
                "The quorum is a share of the electorate's votes, more than 0 and at most 1 (0.5 for half).",
            ),
        );
    }
    errors.into_result()?;
    electorates::check_rule(conn, &body.electorate, "electorate")?;
    let Some(title) = title else {
        return Err(AppError::Internal("checked fields are present".into()));
    };
    let row = ElectionRow {
        id: store::new_id(),
        title,
        description: body.description.trim().to_owned(),
        options: json(&options)?,
        max_choices: i32::try_from(body.max_choices).unwrap_or(i32::MAX),
        electorate: json(&body.electorate)?,
        opens_at: to_db_time(body.opens_at),
        closes_at: to_db_time(body.closes_at),
        quorum: body.quorum,
        state: ElectionState::Draft,
        created_by: officer.acting().person_id.clone(),
        created_at: to_db_time(now),
        reminded: false,
    };
    store::elections::insert(conn, &row)?;
    audit::record::<(), _>(
        conn,
        &Actor::acting(officer.acting(), now),
        Change {
            action: audit::Event::ElectionCreated,
            subject: audit::Subject::Election(&row.id),
            before: None,
            after: Some(&serde_json::json!({
                "title": row.title,
                "options": options,
                "opens_at": body.opens_at,
                "closes_at": body.closes_at,
            })),
        },
    )?;
    render(conn, row, None)
}

/// The elector the caller is in an election: themselves, or an institution they represent.
pub(super) fn elector_of(rule: &ElectorateRule, who: &Subject) -> Vec<String> {
    match rule {
        ElectorateRule::Institutions { .. } => who
            .represents
            .iter()
            .map(|i| i.as_str().to_owned())
            .collect(),
        _ => vec![who.acting.person_id.as_str().to_owned()],
    }
}

/// The caller's part in an election, from the electors they are in its frozen electorate
/// (themselves, or the institutions they represent).
fn my_vote(rule: &ElectorateRule, mine: &[&ElectorRow]) -> MyVote {
    let institutions: Vec<VotingFor> = match rule {
        ElectorateRule::Institutions { .. } => mine
            .iter()
            .filter_map(|(_, key, name, weight, voted)| {
                Some(VotingFor {
                    institution_id: uuid::Uuid::parse_str(key).ok()?,
                    name: name.clone(),
                    weight: *weight,
                    voted: *voted,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    MyVote {
        eligible: !mine.is_empty(),
        voted: !mine.is_empty() && mine.iter().all(|e| e.4),
        weight: mine.iter().map(|e| e.3).sum(),
        on_behalf_of: (!institutions.is_empty()).then(|| {
            institutions
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }),
        institutions,
    }
}

/// Elections as the API shows them, with the counts of their frozen electorates and the
/// caller's part (when `who` is given): a few queries for all of them together.
fn render_all(
    conn: &mut DbConnection,
    rows: Vec<ElectionRow>,
    who: Option<&Subject>,
) -> AppResult<Vec<Election>> {
    let frozen: Vec<ElectionId> = rows
        .iter()
        .filter(|r| r.state != ElectionState::Draft)
        .map(|r| r.id.clone())
        .collect();
    let counts = store::elections::counts(conn, &frozen)?;
    let keys: Vec<String> = who
        .map(|who| {
            let mut keys = vec![who.acting.person_id.as_str().to_owned()];
            keys.extend(who.represents.iter().map(|i| i.as_str().to_owned()));
            keys
        })
        .unwrap_or_default();
    let among = store::elections::electors_among(conn, &frozen, &keys)?;
    let creators: Vec<PersonId> = rows.iter().map(|r| r.created_by.clone()).collect();
    let refs = store::persons::refs(conn, &creators)?;
    rows.into_iter()
        .map(|row| {
            let rule: ElectorateRule = parsed(&row.electorate)?;
            let (electors, voted, mine) = if row.state == ElectionState::Draft {
                (None, None, None)
            } else {
                let (electors, voted) = counts.get(&row.id).copied().unwrap_or_default();
                let mine = who.map(|who| {
                    let keys = elector_of(&rule, who);
                    let rows: Vec<&ElectorRow> = among
                        .iter()
                        .filter(|e| e.0 == row.id && keys.contains(&e.1))
                        .collect();
                    my_vote(&rule, &rows)
                });
                (Some(electors), Some(voted), mine)
            };
            Ok(Election {
                id: row.id.uuid(),
                title: row.title,
                description: row.description,
                options: parsed(&row.options)?,
                max_choices: u32::try_from(row.max_choices).unwrap_or(1),
                electorate: rule,
                opens_at: from_db_time(row.opens_at),
                closes_at: from_db_time(row.closes_at),
                quorum: row.quorum,
                state: row.state,
                created_by: refs.of(&row.created_by),
                electors,
                voted,
                mine,
            })
        })
        .collect()
}

fn render(conn: &mut DbConnection, row: ElectionRow, who: Option<&Subject>) -> AppResult<Election> {
    render_all(conn, vec![row], who)?
        .pop()
        .ok_or_else(|| AppError::Internal("an election rendered".into()))
}

/// The elections the caller sees: officers every one; others those they are an elector of
/// (from opening on).
pub fn list(conn: &mut DbConnection, who: &Subject) -> AppResult<Vec<Election>> {
    let officer = who.election_officer().is_ok();
    let rows = store::elections::all(conn)?;
    Ok(render_all(conn, rows, Some(who))?
        .into_iter()
        .filter(|e| officer || e.mine.as_ref().is_some_and(|m| m.eligible))
        .collect())
}

/// One election, for an officer or one of its electors.
pub fn get(conn: &mut DbConnection, who: &Subject, id: &ElectionId) -> AppResult<Election> {
    let row = store::elections::find(conn, id)?;
    let election = render(conn, row, Some(who))?;
    if who.election_officer().is_ok() || election.mine.as_ref().is_some_and(|m| m.eligible) {
        Ok(election)
    } else {
        Err(AppError::NotFound { what: "election" })
    }
}

/// Publishes the results of a closed election (officers).
pub fn publish(
    conn: &mut DbConnection,
    officer: &ElectionOfficer,
    id: &ElectionId,
    now: DateTime<Utc>,
) -> AppResult<Election> {
    let row = store::elections::find(conn, id)?;
    let Some(to) = election::next(row.state, Step::Publish) else {
        return Err(AppError::conflict(
            "election_not_closed",
            "Only the results of a closed election are published.",
        ));
    };
    if !store::elections::set_state(conn, id, row.state, to)? {
        return Err(AppError::conflict(
            "election_changed",
            "The election changed meanwhile; look again.",
        ));
    }
    audit::record_plain(
        conn,
        &Actor::acting(officer.acting(), now),
        audit::Event::ElectionPublished,
        audit::Subject::Election(id),
    )?;
    let row = store::elections::find(conn, id)?;
    render(conn, row, None)
}

/// Takes the step the clock calls for, if any: opening freezes the electorate of the day in
/// a shuffled order; closing ends the ballots. Whether a step was taken.
pub fn advance(conn: &mut DbConnection, id: &ElectionId, now: DateTime<Utc>) -> AppResult<bool> {
    let row = store::elections::find(conn, id)?;
    let Some(step) = election::due(
        row.state,
        from_db_time(row.opens_at),
        from_db_time(row.closes_at),
        now,
    ) else {
        return Ok(false);
    };
    let Some(to) = election::next(row.state, step) else {
        return Ok(false);
    };
    if !store::elections::set_state(conn, id, row.state, to)? {
        return Ok(false);
    }
    let action = match step {
        Step::Open => {
            let rule: ElectorateRule = parsed(&row.electorate)?;
            let options: Vec<String> = parsed(&row.options)?;
            let mut electors: Vec<(String, String, i64)> =
                electorate(conn, &rule, crate::domain::calendar::today(now))?
                    .into_iter()
                    .map(|e| (e.id.to_string(), e.name, e.weight))
                    .collect();
            use rand::seq::SliceRandom;
            electors.shuffle(&mut rand::rng());
            store::elections::freeze(conn, id, &electors, options.len())?;
            audit::Event::ElectionOpened
        }
        Step::Close => audit::Event::ElectionClosed,
        Step::Publish => return Ok(false),
    };
    audit::record_plain(
        conn,
        &Actor::system(now),
        action,
        audit::Subject::Election(id),
    )?;
    Ok(true)
}

/// The people to remind of an election closing soon: those electors who have not voted
/// (for an institution, its representatives): `(email, title)`; marks the reminder as sent.
pub fn reminders(conn: &mut DbConnection, id: &ElectionId) -> AppResult<Vec<String>> {
    if !store::elections::mark_reminded(conn, id)? {
        return Ok(Vec::new());
    }
    let row = store::elections::find(conn, id)?;
    let rule: ElectorateRule = parsed(&row.electorate)?;
    let waiting: HashSet<String> = store::elections::electors(conn, id)?
        .into_iter()
        .filter(|e| !e.3)
        .map(|e| e.0)
        .collect();
    let mut out = Vec::new();
    match rule {
        ElectorateRule::Institutions { .. } => {
            for institution in &waiting {
                let institution = b2mms_shared::InstitutionId::from(
                    uuid::Uuid::parse_str(institution)
                        .map_err(|e| AppError::Internal(format!("an elector id: {e}")))?,
                );
                out.extend(store::roles::representative_emails(conn, &institution)?);
            }
        }
        _ => {
            let ids: Vec<PersonId> = waiting
                .iter()
                .filter_map(|p| uuid::Uuid::parse_str(p).ok())
                .map(PersonId::from)
                .collect();
            out.extend(store::persons::emails(conn, &ids)?);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
