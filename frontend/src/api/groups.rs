//! Calls about groups: the groups, joining and leaving, applications and their decisions.

use b2mms_shared::api::Page;

use super::{ApiError, delete, get, post, post_empty, read};

pub async fn groups(token: &str) -> Result<Vec<b2mms_shared::api::Group>, ApiError> {
    get("/api/v1/groups", token).await
}

pub async fn create_group(
    token: &str,
    body: &b2mms_shared::api::NewGroup,
) -> Result<b2mms_shared::api::Group, ApiError> {
    post("/api/v1/groups", Some(token), body).await
}

pub async fn appoint_manager(
    token: &str,
    group: &str,
    person: uuid::Uuid,
) -> Result<b2mms_shared::api::Group, ApiError> {
    post(
        &format!("/api/v1/groups/{group}/managers"),
        Some(token),
        &b2mms_shared::api::GroupPerson { person_id: person },
    )
    .await
}

pub async fn apply_to_group(
    token: &str,
    group: &str,
    reason: String,
) -> Result<b2mms_shared::api::GroupApplication, ApiError> {
    post(
        &format!("/api/v1/groups/{group}/applications"),
        Some(token),
        &b2mms_shared::api::NewApplication { reason },
    )
    .await
}

pub async fn leave_group(token: &str, group: &str, person: &str) -> Result<(), ApiError> {
    delete(&format!("/api/v1/groups/{group}/members/{person}"), token).await
}

pub async fn my_group_applications(
    token: &str,
) -> Result<Vec<b2mms_shared::api::GroupApplication>, ApiError> {
    get("/api/v1/me/group-applications", token).await
}

pub async fn group_applications(
    token: &str,
    group: &str,
) -> Result<Page<b2mms_shared::api::GroupApplication>, ApiError> {
    get(
        &format!("/api/v1/groups/{group}/applications?state=pending"),
        token,
    )
    .await
}

/// Approves (`reason` none), rejects (with a reason) or withdraws an application.
pub async fn decide_group_application(
    token: &str,
    id: &str,
    step: &str,
    reason: Option<String>,
) -> Result<b2mms_shared::api::GroupApplication, ApiError> {
    let path = format!("/api/v1/group-applications/{id}/{step}");
    match reason {
        Some(reason) => {
            post(
                &path,
                Some(token),
                &b2mms_shared::api::RejectApplication { reason },
            )
            .await
        }
        None => read(post_empty(&path, Some(token)).await?).await,
    }
}
