//! An election's life (draft → open → closed → published; the clock opens and closes it, a
//! person publishes), what a ballot may choose, and the result arithmetic: turnout against
//! the frozen electorate and whether the quorum was met.

use b2mms_shared::ElectionState;
use chrono::{DateTime, Utc};

/// What happens to an election.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Its opening time has come: the electorate is frozen, ballots are taken.
    Open,
    /// Its closing time has come: no more ballots, the results are counted.
    Close,
    /// The results are shown to everyone eligible.
    Publish,
}

/// The state after `step`, or `None` when the election cannot take it now.
pub fn next(state: ElectionState, step: Step) -> Option<ElectionState> {
    match (state, step) {
        (ElectionState::Draft, Step::Open) => Some(ElectionState::Open),
        (ElectionState::Open, Step::Close) => Some(ElectionState::Closed),
        (ElectionState::Closed, Step::Publish) => Some(ElectionState::Published),
        _ => None,
    }
}

/// The step the clock takes at `now`, if any: a draft opens from `opens_at`, an open election
/// closes from `closes_at` (a draft whose closing time has passed opens and then closes).
pub fn due(
    state: ElectionState,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Step> {
    match state {
        ElectionState::Draft if now >= opens_at => Some(Step::Open),
        ElectionState::Open if now >= closes_at => Some(Step::Close),
        _ => None,
    }
}

/// Why a ballot's choices are refused, if they are: at least one option, at most
/// `max_choices`, each an option of the election, none twice. The indexes of the options
/// chosen otherwise.
pub fn choices(
    options: &[String],
    max_choices: u32,
    chosen: &[String],
) -> Result<Vec<usize>, String> {
    if chosen.is_empty() {
        return Err("Choose at least one option.".to_owned());
    }
    if chosen.len() > max_choices as usize {
        return Err(format!("Choose at most {max_choices} option(s)."));
    }
    let mut out = Vec::with_capacity(chosen.len());
    for label in chosen {
        let Some(at) = options.iter().position(|o| o == label) else {
            return Err(format!("“{label}” is not an option of this election."));
        };
        if out.contains(&at) {
            return Err(format!("“{label}” is chosen twice."));
        }
        out.push(at);
    }
    Ok(out)
}

/// The share of the electorate's votes cast, and whether it meets `quorum` (always met
/// without one; never with an empty electorate and a quorum).
pub fn turnout(cast: i64, total: i64, quorum: Option<f64>) -> (f64, bool) {
    let share = if total > 0 {
        cast as f64 / total as f64
    } else {
        0.0
    };
    let met = match quorum {
        None => true,
        Some(q) => total > 0 && share + 1e-9 >= q,
    };
    (share, met)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_state_and_step() {
        use ElectionState as S;
        let table = [
            (S::Draft, Step::Open, Some(S::Open)),
            (S::Draft, Step::Close, None),
            (S::Draft, Step::Publish, None),
            (S::Open, Step::Open, None),
            (S::Open, Step::Close, Some(S::Closed)),
            (S::Open, Step::Publish, None),
            (S::Closed, Step::Open, None),
            (S::Closed, Step::Close, None),
            (S::Closed, Step::Publish, Some(S::Published)),
            (S::Published, Step::Open, None),
            (S::Published, Step::Close, None),
            (S::Published, Step::Publish, None),
        ];
        for (state, step, expected) in table {
            assert_eq!(next(state, step), expected, "{state:?} {step:?}");
        }
    }

    #[test]
    fn the_clock_opens_and_closes() {
        let at = |h| Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).unwrap();
        let (opens, closes) = (at(9), at(17));
        use ElectionState as S;
        assert_eq!(due(S::Draft, opens, closes, at(8)), None);
        assert_eq!(due(S::Draft, opens, closes, at(9)), Some(Step::Open));
        assert_eq!(due(S::Open, opens, closes, at(16)), None);
        assert_eq!(due(S::Open, opens, closes, at(17)), Some(Step::Close));
        assert_eq!(due(S::Closed, opens, closes, at(18)), None);
        assert_eq!(due(S::Published, opens, closes, at(18)), None);
    }

    #[test]
    fn a_ballot_chooses_within_the_options() {
        let options = ["A".to_owned(), "B".to_owned(), "C".to_owned()];
        let c = |chosen: &[&str], max| {
            choices(
                &options,
                max,
                &chosen.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(c(&["B"], 1), Ok(vec![1]));
        assert_eq!(c(&["C", "A"], 2), Ok(vec![2, 0]));
        assert!(c(&[], 1).is_err());
        assert!(c(&["A", "B"], 1).is_err());
        assert!(c(&["D"], 1).is_err());
        assert!(c(&["A", "A"], 2).is_err());
    }

    #[test]
    fn turnout_and_quorum() {
        assert_eq!(turnout(3, 4, Some(0.5)), (0.75, true));
        assert_eq!(turnout(1, 4, Some(0.5)), (0.25, false));
        assert_eq!(turnout(2, 4, Some(0.5)), (0.5, true));
        assert_eq!(turnout(0, 0, None), (0.0, true));
        assert_eq!(turnout(0, 0, Some(0.1)), (0.0, false));
    }
}
