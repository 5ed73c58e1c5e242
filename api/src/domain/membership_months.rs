//! How long someone has been a member, as an electorate's `min_months` counts it: the full
//! months of all their membership periods up to a day, a change of institution (one period
//! ending the day the next begins) counting as one unbroken membership.

use chrono::{Datelike, Days, NaiveDate};

/// Full months from `start` to `day` (none when `day` is before `start`); a month is full on
/// the same day of the next month, or on its last day when that day does not exist (31
/// January to 28 February is one month).
pub fn full_months(start: NaiveDate, day: NaiveDate) -> i64 {
    if day < start {
        return 0;
    }
    let months = i64::from(day.year() - start.year()) * 12 + i64::from(day.month())
        - i64::from(start.month());
    let last_of_month = day.checked_add_days(Days::new(1)).map(|d| d.month()) != Some(day.month());
    if day.day() < start.day() && !last_of_month {
        months - 1
    } else {
        months
    }
}

/// Full months of membership on `day` from membership periods `(start, end)` (an open end
/// runs on). Periods that touch or overlap are one stretch; a gap starts a new one; each
/// stretch counts its full months; what lies after `day` does not count.
pub fn months_of_membership(
    periods: impl IntoIterator<Item = (NaiveDate, Option<NaiveDate>)>,
    day: NaiveDate,
) -> i64 {
    let mut spans: Vec<(NaiveDate, NaiveDate)> = periods
        .into_iter()
        .filter(|(start, _)| *start <= day)
        .map(|(start, end)| (start, end.map_or(day, |e| e.min(day))))
        .filter(|(start, end)| start <= end)
        .collect();
    spans.sort();
    let mut total = 0;
    let mut current: Option<(NaiveDate, NaiveDate)> = None;
    for (start, end) in spans {
        current = match current {
            Some((from, to)) if start <= to.checked_add_days(Days::new(1)).unwrap_or(to) => {
                Some((from, to.max(end)))
            }
            Some((from, to)) => {
                total += full_months(from, to);
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    total + current.map_or(0, |(from, to)| full_months(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn full_months_count_whole_months_only() {
        let table = [
            ("2025-01-15", "2025-01-15", 0, "the same day"),
            ("2025-01-15", "2025-02-14", 0, "a day short of a month"),
            ("2025-01-15", "2025-02-15", 1, "the same day a month later"),
            ("2025-01-15", "2026-01-15", 12, "a year"),
            (
                "2025-01-31",
                "2025-02-28",
                1,
                "to the end of a shorter month",
            ),
            (
                "2024-01-31",
                "2024-02-29",
                1,
                "to the end of February in a leap year",
            ),
            (
                "2024-01-31",
                "2024-02-28",
                0,
                "the day before February ends",
            ),
            ("2025-03-31", "2025-04-30", 1, "to the end of April"),
            (
                "2025-12-20",
                "2026-01-19",
                0,
                "over the new year, a day short",
            ),
            ("2025-12-20", "2026-01-20", 1, "over the new year"),
            ("2025-05-01", "2025-04-01", 0, "a start after the day"),
        ];
        for (start, day, months, case) in table {
            assert_eq!(full_months(d(start), d(day)), months, "{case}");
        }
    }

    #[test]
    fn periods_join_when_they_touch_and_count_apart_after_a_gap() {
        let day = d("2026-01-01");
        type Period = (&'static str, Option<&'static str>);
        let table: Vec<(&str, Vec<Period>, i64)> = vec![
            ("no period", vec![], 0),
            ("one open period", vec![("2025-01-01", None)], 12),
            (
                "a change of institution keeps the months",
                vec![("2024-01-01", Some("2025-06-10")), ("2025-06-10", None)],
                24,
            ),
            (
                "a period ending the day before the next",
                vec![("2024-01-01", Some("2025-06-09")), ("2025-06-10", None)],
                24,
            ),
            (
                "a gap: each stretch counts its full months",
                vec![("2023-01-01", Some("2023-07-15")), ("2025-01-01", None)],
                6 + 12,
            ),
            (
                "periods in any order",
                vec![("2025-01-01", None), ("2023-01-01", Some("2023-07-15"))],
                18,
            ),
            (
                "a period beginning after the day does not count",
                vec![("2025-01-01", Some("2025-07-01")), ("2026-02-01", None)],
                6,
            ),
            (
                "an end after the day stops at the day",
                vec![("2025-07-01", Some("2027-01-01"))],
                6,
            ),
            (
                "overlapping periods count once",
                vec![("2025-01-01", Some("2025-10-01")), ("2025-03-01", None)],
                12,
            ),
        ];
        for (case, periods, months) in table {
            let periods = periods
                .into_iter()
                .map(|(start, end)| (d(start), end.map(d)));
            assert_eq!(months_of_membership(periods, day), months, "{case}");
        }
    }
}
