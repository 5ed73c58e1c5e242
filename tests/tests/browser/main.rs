//! The web frontend in headless Chromium against the real b2mms: signing in and the forced
//! password change, a lost password, the invitee's registration from the invitation mail to
//! the first sign-in, the decisions of IRs and the IB chair, every link b2mms mails, and the
//! secretariat's pages —
//! every page checked for accessibility, some at a phone's width.
//!
//! Needs the built frontend (`cargo run -p xtask -- web`), Chromium with ChromeDriver, and
//! axe-core (`scripts/test` provides them all). Screenshots go to `test-artifacts/screenshots/`.

mod accounts;
mod admin;
mod authors;
mod groups;
mod journeys;
mod mailed_links;
mod mailing_lists;
mod membership;
mod page_basics;
mod records;
mod registration;
mod statistics;
mod support;
mod voting;
