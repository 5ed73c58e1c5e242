//! The registration state machine (product §5): authenticate, then authorize.
//!
//! ```text
//! identity_verified ─submit→ awaiting_ir ─IR approves→ approved ─provisioned→ provisioned
//!                                  └─(physicist_permanent) IR approves→ awaiting_ib ─IB approves→ approved
//! identity_verified, awaiting_ir, awaiting_ib → rejected (IR/IB/admin) | withdrawn (applicant)
//! identity_verified → expired (system, not submitted in time)
//! approved ─(creating the account fails for good)→ provisioning_failed
//! provisioning_failed ─admin retries→ approved | ─admin rejects→ rejected
//! ```
//!
//! Pure: the store applies a transition as one conditional update from the expected state.

use b2mms_shared::{Category, RegistrationState as State};

/// What someone wants to do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Approve,
    Reject,
    Withdraw,
    Expire,
    Provision,
    /// Creating the account failed for a reason that retrying cannot fix.
    FailProvisioning,
    /// An admin sends a failed provisioning back to be tried again.
    RetryProvisioning,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Submit,
        Action::Approve,
        Action::Reject,
        Action::Withdraw,
        Action::Expire,
        Action::Provision,
        Action::FailProvisioning,
        Action::RetryProvisioning,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Withdraw => "withdraw",
            Action::Expire => "expire",
            Action::Provision => "provision",
            Action::FailProvisioning => "fail provisioning",
            Action::RetryProvisioning => "retry provisioning",
        }
    }

    /// The action done, for messages ("cannot be approved").
    pub const fn past(self) -> &'static str {
        match self {
            Action::Submit => "submitted",
            Action::Approve => "approved",
            Action::Reject => "rejected",
            Action::Withdraw => "withdrawn",
            Action::Expire => "expired",
            Action::Provision => "provisioned",
            Action::FailProvisioning => "marked as failed",
            Action::RetryProvisioning => "retried",
        }
    }
}

/// In which capacity someone acts on this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// The person who proved their identity for this request.
    Applicant,
    /// A representative of the request's home institution.
    HomeIr,
    /// The chair of the Institutional Board.
    IbChair,
    Admin,
    /// b2mms itself (expiry, provisioning).
    System,
}

impl Capacity {
    pub const ALL: [Capacity; 5] = [
        Capacity::Applicant,
        Capacity::HomeIr,
        Capacity::IbChair,
        Capacity::Admin,
        Capacity::System,
    ];
}

/// Why a transition cannot happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// Nothing this action does from this state (409).
    WrongState { state: State, action: Action },
    /// The action exists from this state, but not for this actor (403).
    NotAllowed { state: State, action: Action },
}

/// The state `action` by `actor` leads to from `state`, for a request in `category`.
pub fn apply(
    state: State,
    action: Action,
    actor: Capacity,
    category: Option<Category>,
) -> Result<State, TransitionError> {
    use Action as A;
    use Capacity as Who;
    let (next, allowed): (State, &[Who]) = match (state, action) {
        (State::IdentityVerified, A::Submit) => (State::AwaitingIr, &[Who::Applicant]),
        (State::AwaitingIr, A::Approve) => {
            let next = if category.is_some_and(Category::needs_ib_approval) {
                State::AwaitingIb
            } else {
                State::Approved
            };
            (next, &[Who::HomeIr, Who::Admin])
        }
        (State::AwaitingIb, A::Approve) => (State::Approved, &[Who::IbChair, Who::Admin]),
        (State::IdentityVerified | State::AwaitingIr, A::Reject) => {
            (State::Rejected, &[Who::HomeIr, Who::Admin])
        }
        (State::AwaitingIb, A::Reject) => (State::Rejected, &[Who::IbChair, Who::Admin]),
        (State::IdentityVerified | State::AwaitingIr | State::AwaitingIb, A::Withdraw) => {
            (State::Withdrawn, &[Who::Applicant])
        }
        (State::IdentityVerified, A::Expire) => (State::Expired, &[Who::System]),
        (State::Approved, A::Provision) => (State::Provisioned, &[Who::System]),
        (State::Approved, A::FailProvisioning) => (State::ProvisioningFailed, &[Who::System]),
        (State::ProvisioningFailed, A::RetryProvisioning) => (State::Approved, &[Who::Admin]),
        (State::ProvisioningFailed, A::Reject) => (State::Rejected, &[Who::Admin]),
        _ => return Err(TransitionError::WrongState { state, action }),
    };
    if allowed.contains(&actor) {
        Ok(next)
    } else {
        Err(TransitionError::NotAllowed { state, action })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Capacity as Who;

    /// Every allowed (state, action, actor) and where it leads; everything else is refused.
    fn allowed(category: Category) -> Vec<(State, Action, Capacity, State)> {
        let after_ir = if category.needs_ib_approval() {
            State::AwaitingIb
        } else {
            State::Approved
        };
        vec![
            (
                State::IdentityVerified,
                A::Submit,
                Who::Applicant,
                State::AwaitingIr,
            ),
            (State::AwaitingIr, A::Approve, Who::HomeIr, after_ir),
            (State::AwaitingIr, A::Approve, Who::Admin, after_ir),
            (State::AwaitingIb, A::Approve, Who::IbChair, State::Approved),
            (State::AwaitingIb, A::Approve, Who::Admin, State::Approved),
            (
                State::IdentityVerified,
                A::Reject,
                Who::HomeIr,
                State::Rejected,
            ),
            (
                State::IdentityVerified,
                A::Reject,
                Who::Admin,
                State::Rejected,
            ),
            (State::AwaitingIr, A::Reject, Who::HomeIr, State::Rejected),
            (State::AwaitingIr, A::Reject, Who::Admin, State::Rejected),
            (State::AwaitingIb, A::Reject, Who::IbChair, State::Rejected),
            (State::AwaitingIb, A::Reject, Who::Admin, State::Rejected),
            (
                State::IdentityVerified,
                A::Withdraw,
                Who::Applicant,
                State::Withdrawn,
            ),
            (
                State::AwaitingIr,
                A::Withdraw,
                Who::Applicant,
                State::Withdrawn,
            ),
            (
                State::AwaitingIb,
                A::Withdraw,
                Who::Applicant,
                State::Withdrawn,
            ),
            (
                State::IdentityVerified,
                A::Expire,
                Who::System,
                State::Expired,
            ),
            (
                State::Approved,
                A::Provision,
                Who::System,
                State::Provisioned,
            ),
            (
                State::Approved,
                A::FailProvisioning,
                Who::System,
                State::ProvisioningFailed,
            ),
            (
                State::ProvisioningFailed,
                A::RetryProvisioning,
                Who::Admin,
                State::Approved,
            ),
            (
                State::ProvisioningFailed,
                A::Reject,
                Who::Admin,
                State::Rejected,
            ),
        ]
    }

    #[test]
    fn every_state_action_and_actor() {
        for category in Category::ALL.iter().copied() {
            let table = allowed(category);
            for state in State::ALL.iter().copied() {
                for action in A::ALL {
                    let action_exists =
                        table.iter().any(|(s, a, _, _)| *s == state && *a == action);
                    for actor in Who::ALL {
                        let got = apply(state, action, actor, Some(category));
                        let expected = table
                            .iter()
                            .find(|(s, a, w, _)| *s == state && *a == action && *w == actor)
                            .map(|(_, _, _, next)| *next);
                        match (expected, got) {
                            (Some(next), Ok(to)) => assert_eq!(next, to),
                            (None, Err(TransitionError::NotAllowed { .. })) => {
                                assert!(action_exists, "{state:?} {action:?} {actor:?}")
                            }
                            (None, Err(TransitionError::WrongState { .. })) => {
                                assert!(!action_exists, "{state:?} {action:?} {actor:?}")
                            }
                            (e, g) => panic!(
                                "{state:?} {action:?} {actor:?} {category:?}: expected {e:?}, got {g:?}"
                            ),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn final_states_are_final() {
        for state in [
            State::Provisioned,
            State::Rejected,
            State::Withdrawn,
            State::Expired,
        ] {
            assert!(!state.is_open());
            for action in A::ALL {
                for actor in Who::ALL {
                    assert!(matches!(
                        apply(state, action, actor, Some(Category::Student)),
                        Err(TransitionError::WrongState { .. })
                    ));
                }
            }
        }
    }

    #[test]
    fn only_permanent_physicists_go_to_the_ib() {
        assert_eq!(
            apply(
                State::AwaitingIr,
                A::Approve,
                Who::HomeIr,
                Some(Category::PhysicistPermanent)
            ),
            Ok(State::AwaitingIb)
        );
        assert_eq!(
            apply(
                State::AwaitingIr,
                A::Approve,
                Who::HomeIr,
                Some(Category::PhdStudent)
            ),
            Ok(State::Approved)
        );
        assert!(
            apply(
                State::AwaitingIr,
                A::Approve,
                Who::IbChair,
                Some(Category::PhysicistPermanent)
            )
            .is_err()
        );
    }
}
