//! Calls about mailing lists: their definitions, subscribers and what the next sync with
//! Mailman would change.

use b2mms_shared::api::{ListMembers, MailingList, MailingListPatch, NewMailingList, SyncPlan};

use super::{ApiError, delete, get, patch, post};

pub async fn mailing_lists(token: &str) -> Result<Vec<MailingList>, ApiError> {
    get("/api/v1/mailing-lists", token).await
}

pub async fn mailing_list(token: &str, id: &str) -> Result<MailingList, ApiError> {
    get(&format!("/api/v1/mailing-lists/{id}"), token).await
}

pub async fn create_mailing_list(
    token: &str,
    body: &NewMailingList,
) -> Result<MailingList, ApiError> {
    post("/api/v1/mailing-lists", Some(token), body).await
}

pub async fn update_mailing_list(
    token: &str,
    id: &str,
    changes: &MailingListPatch,
) -> Result<MailingList, ApiError> {
    patch(&format!("/api/v1/mailing-lists/{id}"), token, changes).await
}

pub async fn delete_mailing_list(token: &str, id: &str) -> Result<(), ApiError> {
    delete(&format!("/api/v1/mailing-lists/{id}"), token).await
}

pub async fn mailing_list_members(token: &str, id: &str) -> Result<ListMembers, ApiError> {
    get(&format!("/api/v1/mailing-lists/{id}/members"), token).await
}

pub async fn mailing_list_sync_plan(token: &str, id: &str) -> Result<SyncPlan, ApiError> {
    get(&format!("/api/v1/mailing-lists/{id}/sync-plan"), token).await
}
