//! Background work: delivering mail from the outbox, provisioning approved requests,
//! reminding IRs and admins, expiring forgotten requests. Every job claims its rows with a
//! lease (a conditional update), so several instances, or a nudge racing the timer, never do
//! the same work twice; a crash mid-job only delays it until the lease ends.

pub mod accounts;
pub mod mail;
pub mod provisioning;
pub mod reminders;

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use tokio::sync::Notify;

use crate::app::AppState;

/// Wakes the job loop early (after a change that queued mail or approved a request).
#[derive(Clone, Debug, Default)]
pub struct JobsHandle {
    notify: Arc<Notify>,
}

impl JobsHandle {
    pub fn nudge(&self) {
        self.notify.notify_one();
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
}

/// Exponential backoff: 30 s doubling per attempt, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 20));
    chrono::Duration::seconds(secs.min(3600))
}

/// One round of every job.
pub async fn run_once(state: &AppState) -> Report {
    let mut report = Report::default();
    state.throttle.forget_idle();
    match reminders::expire_unsubmitted(state).await {
        Ok(n) => report.expired = n,
        Err(e) => tracing::warn!(error = %e, "expiring requests failed"),
    }
    match reminders::remind(state).await {
        Ok(n) => report.reminders = n,
        Err(e) => tracing::warn!(error = %e, "reminders failed"),
    }
    match accounts::end_memberships(state).await {
        Ok(n) => report.memberships_changed = n,
        Err(e) => tracing::warn!(error = %e, "ending memberships failed"),
    }
    match accounts::remind_expiring_passwords(state).await {
        Ok(n) => report.password_reminders = n,
        Err(e) => tracing::warn!(error = %e, "password reminders failed"),
    }
    match provisioning::run(state).await {
        Ok((ok, failed)) => {
            report.provisioned = ok;
            report.provisioning_failed = failed;
        }
        Err(e) => tracing::warn!(error = %e, "provisioning failed"),
    }
    match mail::send_due(state).await {
        Ok((sent, failed)) => {
            report.mail_sent = sent;
            report.mail_failed = failed;
        }
        Err(e) => tracing::warn!(error = %e, "mail delivery failed"),
    }
    report
}

/// Runs the jobs every `interval`, and whenever nudged, until the server stops.
pub async fn run_forever(state: web::Data<AppState>, interval: Duration) {
    loop {
        run_once(&state).await;
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = state.jobs.notify.notified() => {}
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
}
