//! A membership period as the rules read it: from `start` until the day before `end` (none:
//! open), in one category.

use b2mms_shared::Category;
use chrono::NaiveDate;

/// One membership period: it covers the days from `start` to the day before `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub category: Category,
}

impl Period {
    /// Whether the person is a member in this period on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        covers(self.start, self.end, day)
    }
}

/// Whether a span from `start` until the day before `end` (none: open) covers `day`.
pub fn covers(start: NaiveDate, end: Option<NaiveDate>, day: NaiveDate) -> bool {
    start <= day && end.is_none_or(|end| day < end)
}
