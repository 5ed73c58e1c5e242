//! Calls about author lists: the forecast, the lists and their steps, the institutions'
//! sign-offs, the differences between lists, readiness and the exported files.

use b2mms_shared::api::{
    AuthorForecast, AuthorList, AuthorListDiff, AuthorListSummary, NewAuthorList, Readiness,
};

use super::{ApiError, get, post, post_empty, read, text};

/// Who would be an author on a day, with each person's reason.
pub async fn author_forecast(
    token: &str,
    date: chrono::NaiveDate,
) -> Result<AuthorForecast, ApiError> {
    get(&format!("/api/v1/author-lists/preview?date={date}"), token).await
}

pub async fn author_lists(token: &str) -> Result<Vec<AuthorListSummary>, ApiError> {
    get("/api/v1/author-lists", token).await
}

pub async fn create_author_list(token: &str, body: &NewAuthorList) -> Result<AuthorList, ApiError> {
    post("/api/v1/author-lists", Some(token), body).await
}

pub async fn author_list(token: &str, id: &str) -> Result<AuthorList, ApiError> {
    get(&format!("/api/v1/author-lists/{id}"), token).await
}

/// A step of a list's life: `review`, `reopen` or `freeze` (`freeze?confirm=true` freezes
/// although sign-offs are missing).
pub async fn author_list_step(token: &str, id: &str, step: &str) -> Result<AuthorList, ApiError> {
    read(post_empty(&format!("/api/v1/author-lists/{id}/{step}"), Some(token)).await?).await
}

/// A representative signs their institution's section off.
pub async fn sign_off_section(
    token: &str,
    id: &str,
    institution: uuid::Uuid,
) -> Result<AuthorList, ApiError> {
    let path = format!("/api/v1/author-lists/{id}/institutions/{institution}/sign-off");
    read(post_empty(&path, Some(token)).await?).await
}

/// What changed from `against` to list `id`.
pub async fn author_list_diff(
    token: &str,
    id: &str,
    against: uuid::Uuid,
) -> Result<AuthorListDiff, ApiError> {
    get(
        &format!("/api/v1/author-lists/{id}/diff?against={against}"),
        token,
    )
    .await
}

pub async fn author_list_readiness(token: &str, id: &str) -> Result<Readiness, ApiError> {
    get(&format!("/api/v1/author-lists/{id}/readiness"), token).await
}

/// One of the exported files (`authors.xml`, `authors.tex`, `authors.txt`, `authors.csv`).
pub async fn author_list_file(token: &str, id: &str, file: &str) -> Result<String, ApiError> {
    text(&format!("/api/v1/author-lists/{id}/{file}"), token).await
}
