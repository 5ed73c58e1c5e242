//! The one client of the b2mms API. Every call either yields its typed answer or an
//! [`ApiError`] built from the server's problem document.

use std::collections::BTreeMap;

use b2mms_shared::RuleViolation;

#[cfg(feature = "staff")]
mod authors;
mod groups;
#[cfg(feature = "staff")]
mod mailing_lists;
mod membership;
mod voting;
#[cfg(feature = "staff")]
pub use authors::*;
use b2mms_shared::api::{ChangePasswordRequest, LoginRequest, Member, Problem, TokenResponse};
use gloo_net::http::{Request, RequestBuilder, Response};
pub use groups::*;
#[cfg(feature = "staff")]
pub use mailing_lists::*;
pub use membership::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
pub use voting::*;

/// A failed call, as the user should hear of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub detail: String,
    pub errors: BTreeMap<String, Vec<RuleViolation>>,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> Self {
        Self {
            status: 0,
            code: "network".into(),
            detail: format!(
                "The server cannot be reached ({e}). Check your connection and try again."
            ),
            errors: BTreeMap::new(),
        }
    }

    /// A problem found before calling the server, told like one of its answers.
    pub fn refused(detail: &str) -> Self {
        Self {
            status: 0,
            code: "invalid".into(),
            detail: detail.to_owned(),
            errors: BTreeMap::new(),
        }
    }

    /// The messages for one field, if the server rejected it.
    pub fn field(&self, name: &str) -> Vec<String> {
        self.errors
            .get(name)
            .map(|v| v.iter().map(|r| r.message.clone()).collect())
            .unwrap_or_default()
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        return response.json::<T>().await.map_err(ApiError::network);
    }
    let status = response.status();
    match response.json::<Problem>().await {
        Ok(p) => Err(ApiError {
            status,
            code: p.code,
            detail: p.detail,
            errors: p.errors.unwrap_or_default(),
        }),
        Err(_) => Err(ApiError {
            status,
            code: "unexpected".into(),
            detail: format!("The server answered {status}."),
            errors: BTreeMap::new(),
        }),
    }
}

fn authorised(builder: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(t) => builder.header("Authorization", &format!("Bearer {t}")),
        None => builder,
    }
}

async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
    body: &B,
) -> Result<T, ApiError> {
    let request = authorised(Request::post(path), token)
        .json(body)
        .map_err(ApiError::network)?;
    read(request.send().await.map_err(ApiError::network)?).await
}

async fn patch<B: Serialize, T: DeserializeOwned>(
    path: &str,
    token: &str,
    body: &B,
) -> Result<T, ApiError> {
    let request = authorised(Request::patch(path), Some(token))
        .json(body)
        .map_err(ApiError::network)?;
    read(request.send().await.map_err(ApiError::network)?).await
}

async fn get<T: DeserializeOwned>(path: &str, token: &str) -> Result<T, ApiError> {
    let response = authorised(Request::get(path), Some(token))
        .send()
        .await
        .map_err(ApiError::network)?;
    read(response).await
}

pub async fn login(account: String, password: String) -> Result<TokenResponse, ApiError> {
    post(
        "/api/v1/auth/login",
        None,
        &LoginRequest { account, password },
    )
    .await
}

/// Resumes a session from the HttpOnly refresh cookie, if there is one.
pub async fn refresh() -> Result<TokenResponse, ApiError> {
    let response = Request::post("/api/v1/auth/refresh")
        .send()
        .await
        .map_err(ApiError::network)?;
    read(response).await
}

pub async fn logout(token: &str) {
    // Signing out locally happens regardless of the answer.
    let _ = authorised(Request::post("/api/v1/auth/logout"), Some(token))
        .send()
        .await;
}

pub async fn me(token: &str) -> Result<Member, ApiError> {
    get("/api/v1/me", token).await
}

/// Whether the signed-in member is an author today, and from or until when.
/// The mailing lists I am on, with the address each reaches me at.
pub async fn my_mailing_lists(
    token: &str,
) -> Result<Vec<b2mms_shared::api::MyMailingList>, ApiError> {
    get("/api/v1/me/mailing-lists", token).await
}

pub async fn my_authorship(token: &str) -> Result<b2mms_shared::api::Authorship, ApiError> {
    get("/api/v1/me/authorship", token).await
}

pub async fn statistics(token: &str) -> Result<b2mms_shared::api::Statistics, ApiError> {
    get("/api/v1/statistics", token).await
}

pub async fn change_password(
    token: &str,
    current_password: String,
    new_password: String,
) -> Result<TokenResponse, ApiError> {
    post(
        "/api/v1/auth/password",
        Some(token),
        &ChangePasswordRequest {
            current_password,
            new_password,
        },
    )
    .await
}

// Registration: identity, the form, its state.

use b2mms_shared::api::{
    AccountNameCheck, CreatedInvitation, Institution, Invitation, InvitationLogin, NewInvitation,
    Page, PasswordResetConfirm, PasswordResetRequest, QueuedMail, Registration, RegistrationToken,
    RejectRegistration, SubmitRegistration, SubmittedRegistration,
};

async fn post_empty(path: &str, token: Option<&str>) -> Result<Response, ApiError> {
    authorised(Request::post(path), token)
        .send()
        .await
        .map_err(ApiError::network)
}

/// For answers without a body (202, 204).
async fn expect_success(response: Response) -> Result<(), ApiError> {
    if response.ok() {
        Ok(())
    } else {
        read::<serde_json::Value>(response).await.map(|_| ())
    }
}

pub async fn invitation_login(
    username: String,
    password: String,
) -> Result<RegistrationToken, ApiError> {
    post(
        "/api/v1/auth/invitation",
        None,
        &InvitationLogin { username, password },
    )
    .await
}

pub async fn certificate_login() -> Result<RegistrationToken, ApiError> {
    read(post_empty("/api/v1/auth/certificate", None).await?).await
}

pub async fn registration(token: &str, id: &str) -> Result<Registration, ApiError> {
    get(&format!("/api/v1/registrations/{id}"), token).await
}

pub async fn submit(
    token: &str,
    id: &str,
    form: &SubmitRegistration,
) -> Result<SubmittedRegistration, ApiError> {
    post(
        &format!("/api/v1/registrations/{id}/submit"),
        Some(token),
        form,
    )
    .await
}

pub async fn withdraw(token: &str, id: &str) -> Result<Registration, ApiError> {
    read(post_empty(&format!("/api/v1/registrations/{id}/withdraw"), Some(token)).await?).await
}

pub async fn check_account_name(name: &str) -> Result<AccountNameCheck, ApiError> {
    let path = format!("/api/v1/account-names/{}", path_segment(name));
    read(
        Request::get(&path)
            .send()
            .await
            .map_err(ApiError::network)?,
    )
    .await
}

fn path_segment(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

pub async fn institutions() -> Result<Page<Institution>, ApiError> {
    read(
        Request::get("/api/v1/institutions?per_page=500")
            .send()
            .await
            .map_err(ApiError::network)?,
    )
    .await
}

// Decisions and invitations (IRs, IB chair, admins).

/// How many requests wait for the caller's decision.
pub async fn waiting_for_me(token: &str) -> Result<i64, ApiError> {
    let page: Page<Registration> = get(
        "/api/v1/registrations?waiting_for_me=true&per_page=1",
        token,
    )
    .await?;
    Ok(page.total)
}

/// A page of requests for a list's query string.
pub async fn registration_page(token: &str, query: &str) -> Result<Page<Registration>, ApiError> {
    get(&format!("/api/v1/registrations?{query}"), token).await
}

/// Sends a request whose account could not be created back to provisioning (admin),
/// possibly as the existing person `link_person_id`.
pub async fn retry_provisioning(
    token: &str,
    id: &str,
    link_person_id: Option<String>,
) -> Result<Registration, ApiError> {
    post(
        &format!("/api/v1/registrations/{id}/retry"),
        Some(token),
        &serde_json::json!({ "link_person_id": link_person_id }),
    )
    .await
}

pub async fn approve(
    token: &str,
    id: &str,
    link_person_id: Option<String>,
) -> Result<Registration, ApiError> {
    post(
        &format!("/api/v1/registrations/{id}/approve"),
        Some(token),
        &serde_json::json!({ "link_person_id": link_person_id }),
    )
    .await
}

pub async fn reject(token: &str, id: &str, reason: String) -> Result<Registration, ApiError> {
    post(
        &format!("/api/v1/registrations/{id}/reject"),
        Some(token),
        &RejectRegistration { reason },
    )
    .await
}

pub async fn invite(
    token: &str,
    invitation: &NewInvitation,
) -> Result<CreatedInvitation, ApiError> {
    post("/api/v1/invitations", Some(token), invitation).await
}

/// A page of invitations for a list's query string.
pub async fn invitations(token: &str, query: &str) -> Result<Page<Invitation>, ApiError> {
    get(&format!("/api/v1/invitations?{query}"), token).await
}

pub async fn revoke_invitation(token: &str, id: &str) -> Result<Invitation, ApiError> {
    read(post_empty(&format!("/api/v1/invitations/{id}/revoke"), Some(token)).await?).await
}

// Lost passwords.

pub async fn request_reset(account_or_email: String) -> Result<(), ApiError> {
    let request = Request::post("/api/v1/auth/password-reset")
        .json(&PasswordResetRequest { account_or_email })
        .map_err(ApiError::network)?;
    expect_success(request.send().await.map_err(ApiError::network)?).await
}

pub async fn confirm_reset(token: String, new_password: String) -> Result<(), ApiError> {
    let request = Request::post("/api/v1/auth/password-reset/confirm")
        .json(&PasswordResetConfirm {
            token,
            new_password,
        })
        .map_err(ApiError::network)?;
    expect_success(request.send().await.map_err(ApiError::network)?).await
}

// Administration.

#[cfg(feature = "staff")]
use b2mms_shared::api::AuditEvent;
use b2mms_shared::api::{
    CreatedServiceToken, DirectoryPage, NewInstitution, NewMember, NewServiceToken, ServiceToken,
};

pub async fn create_institution(
    token: &str,
    body: &NewInstitution,
) -> Result<Institution, ApiError> {
    post("/api/v1/institutions", Some(token), body).await
}

pub async fn appoint(
    token: &str,
    institution: &str,
    person_id: &str,
) -> Result<Institution, ApiError> {
    post(
        &format!("/api/v1/institutions/{institution}/representatives"),
        Some(token),
        &serde_json::json!({ "person_id": person_id }),
    )
    .await
}

pub async fn directory(token: &str, query: &str) -> Result<DirectoryPage, ApiError> {
    let q = serde_urlencoded::to_string([("q", query.trim())]).unwrap_or_default();
    get(&format!("/api/v1/members?per_page=50&{q}"), token).await
}

/// A page of the directory for a list's query string.
pub async fn people(token: &str, query: &str) -> Result<DirectoryPage, ApiError> {
    get(&format!("/api/v1/members?{query}"), token).await
}

/// The directory as CSV for a list's query string (representatives and admins).
pub async fn people_csv(token: &str, query: &str) -> Result<String, ApiError> {
    text(&format!("/api/v1/members.csv?{query}"), token).await
}

/// A file the API answers as text (an export).
async fn text(path: &str, token: &str) -> Result<String, ApiError> {
    let response = authorised(Request::get(path), Some(token))
        .send()
        .await
        .map_err(ApiError::network)?;
    if !response.ok() {
        return Err(expect_success(response)
            .await
            .err()
            .unwrap_or_else(|| ApiError::network("the export failed")));
    }
    response.text().await.map_err(ApiError::network)
}

pub async fn create_member(token: &str, body: &NewMember) -> Result<Member, ApiError> {
    post("/api/v1/members", Some(token), body).await
}

pub async fn member(token: &str, id: &str) -> Result<Member, ApiError> {
    get(&format!("/api/v1/members/{id}"), token).await
}

pub async fn grant_role(token: &str, id: &str, role: &str) -> Result<Member, ApiError> {
    post(
        &format!("/api/v1/members/{id}/roles"),
        Some(token),
        &serde_json::json!({ "role": role }),
    )
    .await
}

/// A `DELETE` whose answer needs no reading.
async fn delete(path: &str, token: &str) -> Result<(), ApiError> {
    let response = authorised(Request::delete(path), Some(token))
        .send()
        .await
        .map_err(ApiError::network)?;
    expect_success(response).await
}

pub async fn withdraw_role(token: &str, id: &str, role: &str) -> Result<(), ApiError> {
    delete(&format!("/api/v1/members/{id}/roles/{role}"), token).await
}

pub async fn remove_representative(
    token: &str,
    institution: &str,
    person: &str,
) -> Result<(), ApiError> {
    delete(
        &format!("/api/v1/institutions/{institution}/representatives/{person}"),
        token,
    )
    .await
}

/// A page of audit events, optionally of one record, filtered as the audit page says.
#[cfg(feature = "staff")]
pub async fn audit_events(
    token: &str,
    subject: Option<&str>,
    filters: &crate::pages::admin::AuditFilters,
    per_page: i64,
) -> Result<Page<AuditEvent>, ApiError> {
    let (from, to) = (
        crate::forms::day(&filters.from),
        crate::forms::day(&filters.to),
    );
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(ApiError {
            status: 400,
            code: "invalid_query".into(),
            detail: "The first day lies after the last day: swap them.".into(),
            errors: BTreeMap::new(),
        });
    }
    let midnight = |d: chrono::NaiveDate| format!("{d}T00:00:00Z");
    let query: Vec<(&str, String)> = [
        ("per_page", Some(per_page.to_string())),
        ("page", Some(filters.page.max(1).to_string())),
        ("subject_id", subject.map(str::to_owned)),
        (
            "actor",
            Some(filters.actor.trim().to_owned()).filter(|a| !a.is_empty()),
        ),
        (
            "action",
            Some(filters.action.clone()).filter(|a| !a.is_empty()),
        ),
        ("since", from.map(midnight)),
        ("until", to.and_then(|d| d.succ_opt()).map(midnight)),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    get(&format!("/api/v1/audit?{query}"), token).await
}

/// Messages the mail server has not taken yet (admin).
/// A page of the mail queue for a list's query string.
pub async fn mail_queue(token: &str, query: &str) -> Result<Page<QueuedMail>, ApiError> {
    get(&format!("/api/v1/mail-outbox?{query}"), token).await
}

/// Makes an undelivered message due at once (admin).
pub async fn retry_mail(token: &str, id: &str) -> Result<(), ApiError> {
    let response = authorised(
        Request::post(&format!("/api/v1/mail-outbox/{id}/retry")),
        Some(token),
    )
    .send()
    .await
    .map_err(ApiError::network)?;
    expect_success(response).await
}

pub async fn service_tokens(token: &str) -> Result<Vec<ServiceToken>, ApiError> {
    get("/api/v1/service-tokens", token).await
}

pub async fn create_service_token(
    token: &str,
    body: &NewServiceToken,
) -> Result<CreatedServiceToken, ApiError> {
    post("/api/v1/service-tokens", Some(token), body).await
}

pub async fn revoke_service_token(token: &str, id: &str) -> Result<(), ApiError> {
    let response = authorised(
        Request::delete(&format!("/api/v1/service-tokens/{id}")),
        Some(token),
    )
    .send()
    .await
    .map_err(ApiError::network)?;
    expect_success(response).await
}

pub async fn update_member(
    token: &str,
    id: &str,
    changes: &b2mms_shared::api::MemberPatch,
) -> Result<Member, ApiError> {
    patch(&format!("/api/v1/members/{id}"), token, changes).await
}

/// Asks for a new contact address; a link to confirm it goes there.
pub async fn request_email_change(token: &str, email: &str) -> Result<(), ApiError> {
    let request = authorised(Request::post("/api/v1/me/email"), Some(token))
        .json(&b2mms_shared::api::EmailChangeRequest {
            email: email.to_owned(),
        })
        .map_err(ApiError::network)?;
    expect_success(request.send().await.map_err(ApiError::network)?).await
}

/// Confirms a new contact address with the token of the mailed link.
pub async fn confirm_email_change(token: String) -> Result<(), ApiError> {
    let request = Request::post("/api/v1/auth/email/confirm")
        .json(&b2mms_shared::api::EmailChangeConfirm { token })
        .map_err(ApiError::network)?;
    expect_success(request.send().await.map_err(ApiError::network)?).await
}

pub async fn update_institution(
    token: &str,
    id: &str,
    changes: &b2mms_shared::api::InstitutionPatch,
) -> Result<Institution, ApiError> {
    patch(&format!("/api/v1/institutions/{id}"), token, changes).await
}
