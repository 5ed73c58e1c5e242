//! Joining a group: what a join policy lets a member do, and the small state machine of an
//! application (pending → approved, rejected or withdrawn; nothing leaves a decided one).

use b2mms_shared::{ApplicationState, JoinPolicy};

/// What asking to join a group leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The member is in at once.
    JoinNow,
    /// An application waits for a manager.
    Apply,
    /// Only a manager adds people.
    Refused,
}

/// What a member asking to join gets under a group's policy.
pub fn admission(policy: JoinPolicy) -> Admission {
    match policy {
        JoinPolicy::Open => Admission::JoinNow,
        JoinPolicy::Approval => Admission::Apply,
        JoinPolicy::Closed => Admission::Refused,
    }
}

/// What happens to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Approve,
    Reject,
    /// By the applicant, or because their membership ended.
    Withdraw,
}

/// The state after `step`, or `None` when the application cannot take it any more.
pub fn next(state: ApplicationState, step: Step) -> Option<ApplicationState> {
    match (state, step) {
        (ApplicationState::Pending, Step::Approve) => Some(ApplicationState::Approved),
        (ApplicationState::Pending, Step::Reject) => Some(ApplicationState::Rejected),
        (ApplicationState::Pending, Step::Withdraw) => Some(ApplicationState::Withdrawn),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_step() {
        use ApplicationState as S;
        let table = [
            (S::Pending, Step::Approve, Some(S::Approved)),
            (S::Pending, Step::Reject, Some(S::Rejected)),
            (S::Pending, Step::Withdraw, Some(S::Withdrawn)),
            (S::Approved, Step::Approve, None),
            (S::Approved, Step::Reject, None),
            (S::Approved, Step::Withdraw, None),
            (S::Rejected, Step::Approve, None),
            (S::Rejected, Step::Reject, None),
            (S::Rejected, Step::Withdraw, None),
            (S::Withdrawn, Step::Approve, None),
            (S::Withdrawn, Step::Reject, None),
            (S::Withdrawn, Step::Withdraw, None),
        ];
        assert_eq!(table.len(), S::ALL.len() * 3, "every pair is listed");
        for (state, step, expected) in table {
            assert_eq!(next(state, step), expected, "{state:?} {step:?}");
        }
    }

    #[test]
    fn policies_admit_as_they_say() {
        assert_eq!(admission(JoinPolicy::Open), Admission::JoinNow);
        assert_eq!(admission(JoinPolicy::Approval), Admission::Apply);
        assert_eq!(admission(JoinPolicy::Closed), Admission::Refused);
    }
}
