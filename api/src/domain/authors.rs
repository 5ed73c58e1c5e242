//! Who is an author on a day: the policy applied to a person's dated membership periods, and
//! individual decisions that override it. A run of back-to-back periods in qualifying
//! categories makes a person an author from `qualification_months` after the run starts until
//! `months_after_end` after it ends, provided the run itself lasts the qualification time.

use b2mms_shared::api::AuthorReason;
use b2mms_shared::{AuthorReasonCode, Category, ExceptionKind};
use chrono::{Days, Months, NaiveDate};

/// The rules that make members authors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub categories: Vec<Category>,
    pub qualification_months: u32,
    pub months_after_end: u32,
}

impl Default for Policy {
    /// The official-member categories (product §3), six months to qualify, twelve after.
    fn default() -> Self {
        Self {
            categories: Category::ALL
                .iter()
                .copied()
                .filter(|c| c.is_official_member())
                .collect(),
            qualification_months: 6,
            months_after_end: 12,
        }
    }
}

impl Policy {
    /// The earliest end of a period that can still matter on `day`: periods that ended
    /// before it cannot make anyone an author then.
    pub fn earliest_relevant_end(&self, day: NaiveDate) -> NaiveDate {
        day.checked_sub_months(Months::new(self.months_after_end))
            .unwrap_or(NaiveDate::MIN)
    }
}

pub use super::period::Period;
use super::period::covers;

/// An individual decision, from `from` to `until` (both included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub kind: ExceptionKind,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub reason: String,
}

impl Decision {
    fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.until.is_none_or(|until| day <= until)
    }
}

/// Whether a person is an author on a day, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub author: bool,
    pub code: AuthorReasonCode,
    pub date: Option<NaiveDate>,
    pub note: Option<String>,
}

impl Verdict {
    fn new(author: bool, code: AuthorReasonCode, date: Option<NaiveDate>) -> Self {
        Self {
            author,
            code,
            date,
            note: None,
        }
    }

    /// The verdict for the wire, with its words.
    pub fn reason(&self) -> AuthorReason {
        AuthorReason::new(self.code, self.date, self.note.clone())
    }
}

/// Back-to-back qualifying periods.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

impl Run {
    fn qualifies_on(&self, policy: &Policy) -> NaiveDate {
        self.start
            .checked_add_months(Months::new(policy.qualification_months))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The last day as an author after the run ends; `None` while it has no end.
    fn last_day(&self, policy: &Policy) -> Option<NaiveDate> {
        self.end.map(|end| {
            end.checked_add_months(Months::new(policy.months_after_end))
                .unwrap_or(NaiveDate::MAX)
        })
    }

    /// Whether the run lasts long enough to qualify.
    fn long_enough(&self, policy: &Policy) -> bool {
        self.end.is_none_or(|end| self.qualifies_on(policy) <= end)
    }
}

/// The runs of qualifying periods, oldest first; a gap of more than a day starts a new run.
fn runs(policy: &Policy, periods: &[Period]) -> Vec<Run> {
    let mut sorted: Vec<&Period> = periods
        .iter()
        .filter(|p| policy.categories.contains(&p.category))
        .collect();
    sorted.sort_by_key(|p| p.start);
    let mut runs: Vec<Run> = Vec::new();
    for period in sorted {
        match runs.last_mut() {
            Some(run)
                if run.end.is_none_or(|end| {
                    period.start <= end.checked_add_days(Days::new(1)).unwrap_or(end)
                }) =>
            {
                run.end = match (run.end, period.end) {
                    (None, _) | (_, None) => None,
                    (Some(a), Some(b)) => Some(a.max(b)),
                };
            }
            _ => runs.push(Run {
                start: period.start,
                end: period.end,
            }),
        }
    }
    runs
}

/// Whether a person with these membership periods and decisions is an author on `day`, and
/// why. The latest decision covering the day wins over the rules.
pub fn verdict(
    policy: &Policy,
    periods: &[Period],
    decisions: &[Decision],
    day: NaiveDate,
) -> Verdict {
    if let Some(decision) = decisions.iter().rev().find(|d| d.covers(day)) {
        let (author, code) = match decision.kind {
            ExceptionKind::Include => (true, AuthorReasonCode::Included),
            ExceptionKind::Exclude => (false, AuthorReasonCode::Excluded),
        };
        return Verdict {
            note: Some(decision.reason.clone()),
            ..Verdict::new(author, code, decision.until)
        };
    }
    let runs = runs(policy, periods);
    for run in &runs {
        let from = run.qualifies_on(policy);
        if !run.long_enough(policy) || day < from {
            continue;
        }
        match run.last_day(policy) {
            None => return Verdict::new(true, AuthorReasonCode::Qualified, Some(from)),
            Some(last) if day <= last => {
                return Verdict::new(true, AuthorReasonCode::StaysUntil, Some(last));
            }
            Some(_) => {}
        }
    }
    // Not an author: the reason that tells the most about the day.
    if let Some(run) = runs
        .iter()
        .find(|r| covers(r.start, r.end, day))
        .or_else(|| runs.iter().find(|r| r.start > day))
    {
        return if run.long_enough(policy) {
            Verdict::new(
                false,
                AuthorReasonCode::QualifiesOn,
                Some(run.qualifies_on(policy)),
            )
        } else {
            Verdict::new(false, AuthorReasonCode::TooShort, run.end)
        };
    }
    if let Some(last) = runs
        .iter()
        .rev()
        .filter(|r| r.long_enough(policy))
        .find_map(|r| r.last_day(policy).filter(|last| *last < day))
    {
        return Verdict::new(false, AuthorReasonCode::StayedUntil, Some(last));
    }
    if let Some(run) = runs.last() {
        return Verdict::new(false, AuthorReasonCode::TooShort, run.end);
    }
    if periods.iter().any(|p| p.covers(day)) {
        Verdict::new(false, AuthorReasonCode::CategoryExcluded, None)
    } else {
        Verdict::new(false, AuthorReasonCode::NoMembership, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AuthorReasonCode as R;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn period(start: &str, end: Option<&str>, category: Category) -> Period {
        Period {
            start: d(start),
            end: end.map(d),
            category,
        }
    }

    fn check(
        periods: &[Period],
        decisions: &[Decision],
        day: &str,
    ) -> (bool, R, Option<NaiveDate>) {
        let v = verdict(&Policy::default(), periods, decisions, d(day));
        (v.author, v.code, v.date)
    }

    #[test]
    fn qualification_after_six_months() {
        let p = [period("2026-01-15", None, Category::PhdStudent)];
        assert_eq!(
            check(&p, &[], "2026-07-14"),
            (false, R::QualifiesOn, Some(d("2026-07-15")))
        );
        assert_eq!(
            check(&p, &[], "2026-07-15"),
            (true, R::Qualified, Some(d("2026-07-15")))
        );
        assert_eq!(
            check(&p, &[], "2025-12-01"),
            (false, R::QualifiesOn, Some(d("2026-07-15")))
        );
    }

    #[test]
    fn the_tail_after_the_membership_ends() {
        let p = [period(
            "2020-01-01",
            Some("2026-03-31"),
            Category::PhysicistPermanent,
        )];
        assert_eq!(
            check(&p, &[], "2026-03-01"),
            (true, R::StaysUntil, Some(d("2027-03-31")))
        );
        assert_eq!(
            check(&p, &[], "2027-03-31"),
            (true, R::StaysUntil, Some(d("2027-03-31")))
        );
        assert_eq!(
            check(&p, &[], "2027-04-01"),
            (false, R::StayedUntil, Some(d("2027-03-31")))
        );
    }

    #[test]
    fn a_membership_too_short_never_qualifies() {
        let p = [period(
            "2026-01-01",
            Some("2026-04-01"),
            Category::PhysicistTemporary,
        )];
        assert_eq!(
            check(&p, &[], "2026-03-01"),
            (false, R::TooShort, Some(d("2026-04-01")))
        );
        assert_eq!(
            check(&p, &[], "2026-12-01"),
            (false, R::TooShort, Some(d("2026-04-01")))
        );
    }

    #[test]
    fn transfers_continue_the_run() {
        let p = [
            period("2026-01-01", Some("2026-04-01"), Category::PhdStudent),
            period("2026-04-01", None, Category::PhdStudent),
        ];
        assert_eq!(
            check(&p, &[], "2026-07-01"),
            (true, R::Qualified, Some(d("2026-07-01")))
        );
    }

    #[test]
    fn category_changes() {
        // A student becomes a PhD student: the six months count from the change.
        let p = [
            period("2025-01-01", Some("2026-02-01"), Category::Student),
            period("2026-02-01", None, Category::PhdStudent),
        ];
        assert_eq!(
            check(&p, &[], "2026-03-01"),
            (false, R::QualifiesOn, Some(d("2026-08-01")))
        );
        assert_eq!(
            check(&p, &[], "2026-08-01"),
            (true, R::Qualified, Some(d("2026-08-01")))
        );
        assert_eq!(
            check(&p, &[], "2025-06-01"),
            (false, R::QualifiesOn, Some(d("2026-08-01")))
        );
        // A physicist becomes an engineer: an author for the tail, then no longer.
        let p = [
            period(
                "2020-01-01",
                Some("2026-02-01"),
                Category::PhysicistTemporary,
            ),
            period("2026-02-01", None, Category::TechnicalStaff),
        ];
        assert_eq!(
            check(&p, &[], "2026-06-01"),
            (true, R::StaysUntil, Some(d("2027-02-01")))
        );
        assert_eq!(
            check(&p, &[], "2027-02-02"),
            (false, R::StayedUntil, Some(d("2027-02-01")))
        );
        // Never in a qualifying category.
        let p = [period("2020-01-01", None, Category::TechnicalStaff)];
        assert_eq!(
            check(&p, &[], "2026-06-01"),
            (false, R::CategoryExcluded, None)
        );
        assert_eq!(
            check(&[], &[], "2026-06-01"),
            (false, R::NoMembership, None)
        );
    }

    #[test]
    fn decisions_override_the_rules_while_they_last() {
        let engineer = [period("2020-01-01", None, Category::TechnicalStaff)];
        let include = Decision {
            kind: ExceptionKind::Include,
            from: d("2026-01-01"),
            until: Some(d("2026-12-31")),
            reason: "built the detector".into(),
        };
        assert_eq!(
            check(&engineer, std::slice::from_ref(&include), "2026-06-01"),
            (true, R::Included, Some(d("2026-12-31")))
        );
        assert_eq!(
            check(&engineer, std::slice::from_ref(&include), "2027-01-01"),
            (false, R::CategoryExcluded, None)
        );
        let physicist = [period("2020-01-01", None, Category::PhysicistPermanent)];
        let exclude = Decision {
            kind: ExceptionKind::Exclude,
            from: d("2026-01-01"),
            until: None,
            reason: "asked not to sign".into(),
        };
        let v = verdict(
            &Policy::default(),
            &physicist,
            std::slice::from_ref(&exclude),
            d("2030-01-01"),
        );
        assert!(!v.author);
        assert_eq!(v.reason().text, "excluded by decision: asked not to sign");
        // The later decision wins.
        assert!(
            check(
                &physicist,
                &[
                    exclude,
                    Decision {
                        kind: ExceptionKind::Include,
                        ..include
                    }
                ],
                "2026-06-01"
            )
            .0
        );
    }

    #[test]
    fn the_policy_decides_categories_and_months() {
        let policy = Policy {
            categories: vec![Category::PhysicistPermanent, Category::TechnicalStaff],
            qualification_months: 0,
            months_after_end: 0,
        };
        let p = [period(
            "2026-01-01",
            Some("2026-03-01"),
            Category::TechnicalStaff,
        )];
        assert!(verdict(&policy, &p, &[], d("2026-01-01")).author);
        assert!(verdict(&policy, &p, &[], d("2026-03-01")).author);
        assert!(!verdict(&policy, &p, &[], d("2026-03-02")).author);
        let student = [period("2026-01-01", None, Category::PhdStudent)];
        assert_eq!(
            verdict(&policy, &student, &[], d("2026-06-01")).code,
            R::CategoryExcluded
        );
    }
}
