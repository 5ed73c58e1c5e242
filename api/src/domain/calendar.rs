//! The collaboration's calendar: membership dates are calendar days in Europe/Berlin.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;

/// The calendar day `now` falls on in the collaboration's time zone.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Berlin).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_begins_at_midnight_in_berlin() {
        let late = "2026-11-30T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(today(late).to_string(), "2026-12-01");
        let summer = "2026-07-01T21:59:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(today(summer).to_string(), "2026-07-01");
        let after = "2026-07-01T22:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(today(after).to_string(), "2026-07-02");
    }
}
