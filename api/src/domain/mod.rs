//! Pure rules of the collaboration: no I/O, exhaustively tested.

pub mod audience;
pub mod author_list;
pub mod authors;
pub mod calendar;
pub mod election;
pub mod group_application;
pub mod identity;
pub mod list_sync;
pub mod membership_months;
pub mod passwords;
pub mod period;
pub mod policy;
pub mod registration;
pub mod statistics;
pub mod submission;
pub mod working_days;
