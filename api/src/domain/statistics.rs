//! The arithmetic of the statistics: the days a month-by-month series counts, how many
//! membership periods cover each, and the median of the times to a decision.

use b2mms_shared::Category;
use chrono::{Datelike, Duration, NaiveDate};

pub use super::period::Period;

/// The last day of each of the `months` months up to `today`'s, oldest first; `today` itself
/// for the current month.
pub fn month_days(today: NaiveDate, months: u32) -> Vec<NaiveDate> {
    let first_of_this_month = today.with_day(1).unwrap_or(today);
    let mut days: Vec<NaiveDate> = (1..months)
        .filter_map(|back| first_of_this_month.checked_sub_months(chrono::Months::new(back - 1)))
        .map(|first| first - Duration::days(1))
        .collect();
    days.reverse();
    days.push(today);
    days
}

/// For each day, how many periods cover it, by category in the order of `Category::ALL`.
pub fn members_on(days: &[NaiveDate], periods: &[Period]) -> Vec<Vec<i64>> {
    let mut counts = vec![vec![0i64; Category::ALL.len()]; days.len()];
    for period in periods {
        let Some(column) = Category::ALL.iter().position(|c| *c == period.category) else {
            continue;
        };
        // Days are sorted: find the first covered one, then walk while covered.
        let from = days.partition_point(|d| *d < period.start);
        for (i, day) in days.iter().enumerate().skip(from) {
            if !period.covers(*day) {
                break;
            }
            counts[i][column] += 1;
        }
    }
    counts
}

/// The median of durations in days, to one decimal; none for none.
pub fn median_days(mut durations: Vec<Duration>) -> Option<f64> {
    if durations.is_empty() {
        return None;
    }
    durations.sort_unstable();
    let mid = durations.len() / 2;
    let median = if durations.len().is_multiple_of(2) {
        (durations[mid - 1] + durations[mid]) / 2
    } else {
        durations[mid]
    };
    let days = median.num_seconds() as f64 / 86_400.0;
    Some((days * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_end_on_their_last_day_and_the_series_on_today() {
        assert_eq!(
            month_days(day("2026-03-15"), 4),
            [
                day("2025-12-31"),
                day("2026-01-31"),
                day("2026-02-28"),
                day("2026-03-15")
            ]
        );
        assert_eq!(month_days(day("2026-03-15"), 1), [day("2026-03-15")]);
    }

    #[test]
    fn a_period_counts_from_its_start_until_the_day_before_its_end() {
        let days = month_days(day("2026-03-15"), 4);
        let periods = [
            Period {
                start: day("2026-01-31"),
                end: Some(day("2026-02-28")),
                category: Category::Student,
            },
            Period {
                start: day("2020-01-01"),
                end: None,
                category: Category::PhysicistPermanent,
            },
            Period {
                start: day("2026-03-16"),
                end: None,
                category: Category::Student,
            },
        ];
        let counts = members_on(&days, &periods);
        let student = Category::ALL
            .iter()
            .position(|c| *c == Category::Student)
            .unwrap();
        let permanent = Category::ALL
            .iter()
            .position(|c| *c == Category::PhysicistPermanent)
            .unwrap();
        let students: Vec<i64> = counts.iter().map(|c| c[student]).collect();
        assert_eq!(
            students,
            [0, 1, 0, 0],
            "on its start, not on its end, not before it began"
        );
        assert!(counts.iter().all(|c| c[permanent] == 1));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median_days(vec![]), None);
        assert_eq!(
            median_days(vec![
                Duration::days(4),
                Duration::days(1),
                Duration::hours(36)
            ]),
            Some(1.5)
        );
        assert_eq!(
            median_days(vec![Duration::days(1), Duration::days(2)]),
            Some(1.5)
        );
    }
}
