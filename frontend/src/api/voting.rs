//! Calls about voting: the elections I see, casting a ballot, checking a receipt, results;
//! for the officers preparing and publishing elections and the electorate file.

use b2mms_shared::api::{BallotReceipt, Election, ElectionResults, NewBallot, ReceiptCheck};

use super::{ApiError, get, post};

pub async fn elections(token: &str) -> Result<Vec<Election>, ApiError> {
    get("/api/v1/elections", token).await
}

pub async fn election(token: &str, id: &str) -> Result<Election, ApiError> {
    get(&format!("/api/v1/elections/{id}"), token).await
}

/// Casts a ballot; `institution_id` names the institution it is for when the caller
/// represents several in an Institutional Board vote.
pub async fn cast_ballot(
    token: &str,
    id: &str,
    choices: Vec<String>,
    institution_id: Option<uuid::Uuid>,
) -> Result<BallotReceipt, ApiError> {
    post(
        &format!("/api/v1/elections/{id}/ballots"),
        Some(token),
        &NewBallot {
            choices,
            institution_id,
        },
    )
    .await
}

pub async fn election_results(token: &str, id: &str) -> Result<ElectionResults, ApiError> {
    get(&format!("/api/v1/elections/{id}/results"), token).await
}

pub async fn check_receipt(token: &str, id: &str, receipt: &str) -> Result<ReceiptCheck, ApiError> {
    let receipt: String = receipt
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    get(&format!("/api/v1/elections/{id}/receipts/{receipt}"), token).await
}

#[cfg(feature = "staff")]
pub async fn create_election(
    token: &str,
    body: &b2mms_shared::api::NewElection,
) -> Result<Election, ApiError> {
    post("/api/v1/elections", Some(token), body).await
}

#[cfg(feature = "staff")]
pub async fn publish_election(token: &str, id: &str) -> Result<Election, ApiError> {
    super::read(super::post_empty(&format!("/api/v1/elections/{id}/publish"), Some(token)).await?)
        .await
}

#[cfg(feature = "staff")]
pub async fn electorate_csv(token: &str, id: &str) -> Result<String, ApiError> {
    super::text(&format!("/api/v1/elections/{id}/electorate.csv"), token).await
}
