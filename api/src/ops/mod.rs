//! Operations: one function per use case, called by every front end (HTTP handlers, the
//! command line, the demo loader, background jobs, test fixtures) so that a rule is applied
//! the same way whoever asks.

pub mod authors;
pub mod decisions;
pub mod elections;
pub mod email_changes;
pub mod group_applications;
pub mod groups;
pub mod identity;
pub mod import;
pub mod institutions;
pub mod invitations;
pub mod mail;
pub mod mailing_list_sync;
pub mod mailing_lists;
pub mod members;
pub mod membership;
pub mod passwords;
pub mod people;
pub mod provisioning;
pub mod registrations;
pub mod service_tokens;
pub mod sessions;
pub mod statistics;
pub mod transfers;
