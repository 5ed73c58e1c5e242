//! Calls of a membership's life: its rules, history, departure, reactivation and changes of
//! institution.

use b2mms_shared::api::{Member, Page};
use gloo_net::http::Request;

use super::{ApiError, delete, expect_success, get, post, post_empty, read};

/// The collaboration's settings stated before membership actions.
pub async fn membership_rules() -> Result<b2mms_shared::api::MembershipRules, ApiError> {
    let response = Request::get("/api/v1/membership-rules")
        .send()
        .await
        .map_err(ApiError::network)?;
    read(response).await
}

/// A person's membership periods and additional affiliations, the oldest first.
pub async fn affiliations(
    token: &str,
    person: &str,
) -> Result<Vec<b2mms_shared::api::Affiliation>, ApiError> {
    get(&format!("/api/v1/members/{person}/affiliations"), token).await
}

pub async fn add_affiliation(
    token: &str,
    person: &str,
    body: &b2mms_shared::api::NewAffiliation,
) -> Result<b2mms_shared::api::Affiliation, ApiError> {
    post(
        &format!("/api/v1/members/{person}/affiliations"),
        Some(token),
        body,
    )
    .await
}

pub async fn end_affiliation(
    token: &str,
    person: &str,
    affiliation: &str,
    day: &str,
) -> Result<(), ApiError> {
    delete(
        &format!("/api/v1/members/{person}/affiliations/{affiliation}?end_date={day}"),
        token,
    )
    .await
}

pub async fn leave(
    token: &str,
    person: &str,
    body: &b2mms_shared::api::Leaving,
) -> Result<Member, ApiError> {
    post(
        &format!("/api/v1/members/{person}/leave"),
        Some(token),
        body,
    )
    .await
}

pub async fn reactivate(
    token: &str,
    person: &str,
    body: &b2mms_shared::api::Reactivation,
) -> Result<Member, ApiError> {
    post(
        &format!("/api/v1/members/{person}/reactivate"),
        Some(token),
        body,
    )
    .await
}

/// Asks the representatives of one's last institution for a reactivation.
pub async fn ask_reactivation(token: &str) -> Result<(), ApiError> {
    expect_success(post_empty("/api/v1/me/reactivation", Some(token)).await?).await
}

pub async fn request_transfer(
    token: &str,
    person: &str,
    body: &b2mms_shared::api::NewTransfer,
) -> Result<b2mms_shared::api::Transfer, ApiError> {
    post(
        &format!("/api/v1/members/{person}/transfers"),
        Some(token),
        body,
    )
    .await
}

/// A page of changes of institution (`query` without the leading `?`).
pub async fn transfers(
    token: &str,
    query: &str,
) -> Result<Page<b2mms_shared::api::Transfer>, ApiError> {
    get(&format!("/api/v1/transfers?{query}"), token).await
}

pub async fn approve_transfer(
    token: &str,
    id: &str,
) -> Result<b2mms_shared::api::Transfer, ApiError> {
    read(post_empty(&format!("/api/v1/transfers/{id}/approve"), Some(token)).await?).await
}

pub async fn reject_transfer(
    token: &str,
    id: &str,
    reason: String,
) -> Result<b2mms_shared::api::Transfer, ApiError> {
    post(
        &format!("/api/v1/transfers/{id}/reject"),
        Some(token),
        &b2mms_shared::api::RejectTransfer { reason },
    )
    .await
}
