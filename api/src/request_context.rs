//! The request being served, as far as code below the HTTP layer needs to know it: its id,
//! which the audit trail records and problem documents and logs carry.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if any (none in background jobs and the command line).
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Runs `work` as the handling of request `id`.
pub async fn within<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}
