//! Working days of the collaboration's registry: Monday to Friday in Europe/Berlin.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use chrono_tz::Europe::Berlin;

fn is_working_day(weekday: Weekday) -> bool {
    !matches!(weekday, Weekday::Sat | Weekday::Sun)
}

/// Complete working days between two instants: the working days after `from`'s date up to
/// `to`'s date in Berlin, less the last one if its time of day has not yet reached `from`'s.
pub fn elapsed(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    if to <= from {
        return 0;
    }
    let (start, end) = (from.with_timezone(&Berlin), to.with_timezone(&Berlin));
    let (mut day, last) = (start.date_naive(), end.date_naive());
    let mut count = 0;
    while day < last {
        day += Duration::days(1);
        if is_working_day(day.weekday()) {
            count += 1;
        }
    }
    if count > 0 && is_working_day(last.weekday()) && end.time() < start.time() {
        count -= 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn berlin(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Berlin
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn weekdays_count_weekends_do_not() {
        // 2026-11-23 is a Monday.
        let monday = berlin(2026, 11, 23, 10);
        assert_eq!(elapsed(monday, berlin(2026, 11, 23, 18)), 0);
        assert_eq!(
            elapsed(monday, berlin(2026, 11, 24, 9)),
            0,
            "not a full day yet"
        );
        assert_eq!(elapsed(monday, berlin(2026, 11, 24, 10)), 1);
        assert_eq!(elapsed(monday, berlin(2026, 11, 25, 11)), 2);
        assert_eq!(
            elapsed(monday, berlin(2026, 11, 30, 11)),
            5,
            "the weekend does not count"
        );
        let friday = berlin(2026, 11, 27, 16);
        assert_eq!(
            elapsed(friday, berlin(2026, 11, 29, 23)),
            0,
            "Saturday and Sunday"
        );
        assert_eq!(elapsed(friday, berlin(2026, 12, 1, 17)), 2);
        assert_eq!(elapsed(friday, monday), 0, "backwards");
    }

    #[test]
    fn counts_in_berlin_time_across_daylight_saving() {
        // 2027-03-28: clocks go forward in Berlin.
        let friday = berlin(2027, 3, 26, 12);
        assert_eq!(elapsed(friday, berlin(2027, 3, 29, 12)), 1);
        // 23:30 UTC on a Sunday is already Monday in Berlin.
        let sunday_utc = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap();
        assert_eq!(elapsed(berlin(2026, 11, 27, 0), sunday_utc), 1);
    }
}
