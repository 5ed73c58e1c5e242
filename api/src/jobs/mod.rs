//! Background work: delivering mail from the outbox, provisioning approved requests,
//! reminding IRs and admins, expiring forgotten requests. Every job claims its rows with a
//! lease (a conditional update), so several instances, or a nudge racing the timer, never do
//! the same work twice; a crash mid-job only delays it until the lease ends.

pub mod accounts;
pub mod elections;
pub mod lease;
pub mod mail;
pub mod mailing_lists;
pub mod memberships;
pub mod provisioning;
pub mod reminders;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::error::AppResult;
use crate::services::Services;

/// Wakes the job loops early (after a change that queued mail or approved a request), and
/// stops them at shutdown.
#[derive(Clone, Debug)]
pub struct JobsHandle {
    mail: Arc<Notify>,
    work: Arc<Notify>,
    lists: Arc<Notify>,
    stop: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for JobsHandle {
    fn default() -> Self {
        Self {
            mail: Arc::default(),
            work: Arc::default(),
            lists: Arc::default(),
            stop: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }
}

impl JobsHandle {
    pub fn nudge(&self) {
        self.mail.notify_one();
        self.work.notify_one();
        self.lists.notify_one();
    }

    /// Asks the loops to end after the round they are in.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// What one round of jobs did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub mail_sent: usize,
    pub mail_failed: usize,
    pub provisioned: usize,
    pub provisioning_failed: usize,
    pub reminders: usize,
    pub expired: usize,
    pub password_reminders: usize,
    pub memberships_changed: usize,
    /// Mails about memberships' ends.
    pub membership_reminders: usize,
    /// Elections opened or closed on time.
    pub elections_moved: usize,
    /// Reminders to vote queued.
    pub vote_reminders: usize,
    /// Mailing lists made equal in Mailman.
    pub lists_synced: usize,
    /// Mailing lists whose sync failed (retried later).
    pub lists_failed: usize,
    /// Jobs of this round that could not run (database unreachable, a bug).
    pub errors: usize,
}

impl Report {
    fn add(self, other: Report) -> Report {
        Report {
            mail_sent: self.mail_sent + other.mail_sent,
            mail_failed: self.mail_failed + other.mail_failed,
            provisioned: self.provisioned + other.provisioned,
            provisioning_failed: self.provisioning_failed + other.provisioning_failed,
            reminders: self.reminders + other.reminders,
            expired: self.expired + other.expired,
            password_reminders: self.password_reminders + other.password_reminders,
            memberships_changed: self.memberships_changed + other.memberships_changed,
            membership_reminders: self.membership_reminders + other.membership_reminders,
            elections_moved: self.elections_moved + other.elections_moved,
            vote_reminders: self.vote_reminders + other.vote_reminders,
            lists_synced: self.lists_synced + other.lists_synced,
            lists_failed: self.lists_failed + other.lists_failed,
            errors: self.errors + other.errors,
        }
    }
}

/// Exponential backoff: 30 s doubling per attempt, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 20));
    chrono::Duration::seconds(secs.min(3600))
}

/// Counts a job's run; logs and counts its failure.
fn note<T>(state: &Services, report: &mut Report, job: &str, result: AppResult<T>) -> Option<T> {
    state.metrics.observe_job(job, result.is_err());
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            tracing::warn!(job, error = %e, "background job failed; it runs again later");
            report.errors += 1;
            None
        }
    }
}

/// One round of everything but mail: expiry, reminders, memberships, provisioning.
pub async fn run_work(state: &Services) -> Report {
    let mut report = Report::default();
    if let Some(n) = note(
        state,
        &mut report,
        "expire requests",
        reminders::expire_unsubmitted(state).await,
    ) {
        report.expired = n;
    }
    if let Some(n) = note(
        state,
        &mut report,
        "reminders",
        reminders::remind(state).await,
    ) {
        report.reminders = n;
    }
    if let Some(n) = note(
        state,
        &mut report,
        "membership reminders",
        memberships::remind_ends(state).await,
    ) {
        report.membership_reminders = n;
    }
    if let Some(n) = note(
        state,
        &mut report,
        "end memberships",
        memberships::end_due(state).await,
    ) {
        report.memberships_changed += n;
    }
    if let Some(n) = note(
        state,
        &mut report,
        "transfers",
        memberships::carry_out_transfers(state).await,
    ) {
        report.memberships_changed += n;
    }
    if let Some(n) = note(
        state,
        &mut report,
        "password reminders",
        accounts::remind_expiring_passwords(state).await,
    ) {
        report.password_reminders = n;
    }
    if let Some((moved, reminded)) =
        note(state, &mut report, "elections", elections::run(state).await)
    {
        report.elections_moved = moved;
        report.vote_reminders = reminded;
    }
    if let Some((ok, failed)) = note(
        state,
        &mut report,
        "provisioning",
        provisioning::run(state).await,
    ) {
        report.provisioned = ok;
        report.provisioning_failed = failed;
    }
    report
}

/// One round of mail delivery.
pub async fn run_mail(state: &Services) -> Report {
    let mut report = Report::default();
    if let Some((sent, failed)) = note(
        state,
        &mut report,
        "mail delivery",
        mail::send_due(state).await,
    ) {
        report.mail_sent = sent;
        report.mail_failed = failed;
    }
    report
}

/// One round of mailing-list syncs with Mailman.
pub async fn run_lists(state: &Services) -> Report {
    let mut report = Report::default();
    if let Some((synced, failed)) = note(
        state,
        &mut report,
        "mailing list sync",
        mailing_lists::sync_due(state).await,
    ) {
        report.lists_synced = synced;
        report.lists_failed = failed;
    }
    report
}

/// One round of every job, one after the other (tests and one-shot runs).
pub async fn run_once(state: &Services) -> Report {
    let work = run_work(state).await;
    let lists = run_lists(state).await;
    work.add(lists).add(run_mail(state).await)
}

/// How long a loop waits after a round: the interval, or longer while rounds keep failing
/// (doubling up to a minute), so that an unreachable database is not hammered.
fn pause(interval: Duration, failed_rounds: u32) -> Duration {
    let factor = 1u32 << failed_rounds.min(6);
    (interval * factor).min(Duration::from_secs(60).max(interval))
}

/// Runs the jobs until `JobsHandle::stop`: mail delivery in one task, the mailing-list sync
/// in another, everything else in a third, so that a mail server or a Mailman that hangs never
/// holds up provisioning, reminders or expiry. Each loop runs every `interval`, when nudged, and backs off while it fails; when
/// stopped it finishes the round it is in.
pub async fn run_forever(state: Arc<Services>, interval: Duration) {
    match lease::release_own_claims(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            rows = n,
            "work claimed by an earlier run of this instance is due again"
        ),
        Err(e) => tracing::warn!(error = %e, "could not release the claims of an earlier run"),
    }
    let mail_state = state.clone();
    let mail = actix_web::rt::spawn(job_loop(
        interval,
        mail_state.jobs.mail.clone(),
        mail_state.jobs.stop.subscribe(),
        move || {
            let state = mail_state.clone();
            async move { run_mail(&state).await }
        },
    ));
    let lists_state = state.clone();
    let lists = actix_web::rt::spawn(job_loop(
        interval,
        lists_state.jobs.lists.clone(),
        lists_state.jobs.stop.subscribe(),
        move || {
            let state = lists_state.clone();
            async move { run_lists(&state).await }
        },
    ));
    let work_state = state.clone();
    let work = job_loop(
        interval,
        work_state.jobs.work.clone(),
        work_state.jobs.stop.subscribe(),
        move || {
            let state = work_state.clone();
            async move { run_work(&state).await }
        },
    );
    work.await;
    if let Err(e) = mail.await {
        tracing::warn!(error = %e, "the mail loop ended abnormally");
    }
    if let Err(e) = lists.await {
        tracing::warn!(error = %e, "the mailing-list loop ended abnormally");
    }
}

async fn job_loop<F, Fut>(
    interval: Duration,
    wake: Arc<Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    round: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Report>,
{
    let mut failed_rounds = 0u32;
    while !*stop.borrow_and_update() {
        let report = round().await;
        failed_rounds = if report.errors > 0 {
            failed_rounds + 1
        } else {
            0
        };
        tokio::select! {
            _ = tokio::time::sleep(pause(interval, failed_rounds)) => {}
            _ = wake.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0).num_seconds(), 30);
        assert_eq!(backoff(1).num_seconds(), 60);
        assert_eq!(backoff(3).num_seconds(), 240);
        assert_eq!(backoff(50).num_seconds(), 3600);
    }

    #[test]
    fn failing_rounds_wait_longer_up_to_a_minute() {
        let second = Duration::from_secs(1);
        assert_eq!(pause(second, 0), second);
        assert_eq!(pause(second, 1), 2 * second);
        assert_eq!(pause(second, 3), 8 * second);
        assert_eq!(pause(second, 30), 60 * second);
        // An interval longer than the cap is kept as it is.
        assert_eq!(pause(120 * second, 5), 120 * second);
    }
}
