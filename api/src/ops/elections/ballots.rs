//! Secret ballots: one per elector while an election is open, answered with a receipt that
//! only shows the ballot was counted; receipts checked; the results counted from the tallies.

use b2mms_shared::ElectionId;
use b2mms_shared::ElectionState;
use b2mms_shared::api::{
    BallotReceipt, ElectionResults, ElectorateRule, NewBallot, OptionResult, ReceiptCheck,
};
use b2mms_shared::rules::RuleViolation;
use chrono::{DateTime, Utc};

use super::{elector_of, parsed};
use crate::domain::election;
use crate::domain::policy::Subject;
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, Actor};
use crate::store::{self, DbConnection, to_db_time};

/// Casts the caller's ballot: once per elector while the election is open; two ballots at
/// once for one elector leave exactly one counted. Answers a receipt code that shows the
/// ballot was counted and nothing else. The audit trail records that the caller voted, never
/// the choice.
pub fn vote(
    conn: &mut DbConnection,
    who: &Subject,
    id: &ElectionId,
    ballot: NewBallot,
    now: DateTime<Utc>,
) -> AppResult<BallotReceipt> {
    let row = store::elections::find(conn, id)?;
    let rule: ElectorateRule = parsed(&row.electorate)?;
    let mut keys = elector_of(&rule, who);
    if let Some(institution) = ballot.institution_id {
        if !matches!(rule, ElectorateRule::Institutions { .. }) {
            return Err(AppError::invalid(
                "institution_id",
                RuleViolation::new(
                    "institution_id.not_an_institution_vote",
                    "In this election people vote for themselves: leave institution_id out.",
                ),
            ));
        }
        let institution = institution.to_string();
        if !keys.contains(&institution) {
            return Err(AppError::forbidden(
                "You do not represent this institution: a ballot is cast for an institution by one of its representatives.",
            ));
        }
        keys = vec![institution];
    }
    let mine = if row.state == ElectionState::Draft {
        Vec::new()
    } else {
        store::elections::electors_among(conn, std::slice::from_ref(id), &keys)?
    };
    let (key, weight, voted) = match mine.as_slice() {
        [] => {
            return Err(AppError::forbidden(
                "You are not in the electorate of this election.",
            ));
        }
        [(_, key, _, weight, voted)] => (key.clone(), *weight, *voted),
        several => {
            let names: Vec<&str> = several.iter().map(|e| e.2.as_str()).collect();
            return Err(AppError::invalid(
                "institution_id",
                RuleViolation::new(
                    "institution_id.required",
                    format!(
                        "You represent several institutions in this vote ({}): name the one this ballot is for in institution_id.",
                        names.join(", ")
                    ),
                ),
            ));
        }
    };
    let open = row.state == ElectionState::Open && to_db_time(now) < row.closes_at;
    if !open {
        return Err(AppError::conflict(
            "election_not_open",
            "This election takes no ballots now: it has closed.",
        ));
    }
    if voted {
        return Err(already_voted());
    }
    let options: Vec<String> = parsed(&row.options)?;
    let chosen = election::choices(
        &options,
        u32::try_from(row.max_choices).unwrap_or(1),
        &ballot.choices,
    )
    .map_err(|message| {
        AppError::invalid("choices", RuleViolation::new("choices.invalid", message))
    })?;
    if !store::elections::mark_voted(conn, id, &key)? {
        return Err(already_voted());
    }
    store::elections::count(conn, id, options.len(), &chosen, weight)?;
    let receipt = receipt_code();
    store::elections::add_receipt(conn, id, &receipt_hash(&receipt))?;
    audit::record_plain(
        conn,
        &Actor::acting(&who.acting, now),
        audit::Event::ElectionVoted,
        audit::Subject::Election(id),
    )?;
    Ok(BallotReceipt {
        election_id: id.uuid(),
        receipt,
    })
}

fn already_voted() -> AppError {
    AppError::conflict(
        "already_voted",
        "A ballot has been cast already for you (or your institution) in this election; it cannot be changed.",
    )
}

/// A receipt code: 20 random characters in groups of five.
fn receipt_code() -> String {
    use rand::Rng;
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let letters: Vec<char> = (0..20)
        .map(|_| char::from(LETTERS[rng.random_range(0..LETTERS.len())]))
        .collect();
    letters
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

fn receipt_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    crate::auth::secret_hash(&normal)
}

/// Whether a ballot with this receipt was counted (any signed-in person may ask; the answer
/// tells nothing about the choice).
pub fn check_receipt(
    conn: &mut DbConnection,
    id: &ElectionId,
    code: &str,
) -> AppResult<ReceiptCheck> {
    store::elections::find(conn, id)?;
    Ok(ReceiptCheck {
        counted: store::elections::has_receipt(conn, id, &receipt_hash(code))?,
    })
}

/// The results: to officers once closed, to everyone once published.
pub fn results(
    conn: &mut DbConnection,
    who: &Subject,
    id: &ElectionId,
) -> AppResult<ElectionResults> {
    let row = store::elections::find(conn, id)?;
    let visible = match row.state {
        ElectionState::Published => true,
        ElectionState::Closed => who.election_officer().is_ok(),
        _ => false,
    };
    if !visible {
        return Err(AppError::conflict(
            "results_not_available",
            "The results are counted when the election closes and shown to everyone when they are published.",
        ));
    }
    let options: Vec<String> = parsed(&row.options)?;
    let tallies = store::elections::tallies(conn, id)?;
    let electors = store::elections::weights(conn, id)?;
    let total: i64 = electors.iter().map(|e| e.0).sum();
    let cast: i64 = electors.iter().filter(|e| e.1).map(|e| e.0).sum();
    let (turnout, quorum_met) = election::turnout(cast, total, row.quorum);
    Ok(ElectionResults {
        election_id: id.uuid(),
        state: row.state,
        options: options
            .into_iter()
            .zip(tallies.into_iter().chain(std::iter::repeat(0)))
            .map(|(label, votes)| OptionResult { label, votes })
            .collect(),
        electors: i64::try_from(electors.len()).unwrap_or(i64::MAX),
        voted: i64::try_from(electors.iter().filter(|e| e.1).count()).unwrap_or(i64::MAX),
        total_weight: total,
        cast_weight: cast,
        turnout,
        quorum: row.quorum,
        quorum_met,
    })
}
