//! The one client of the b2mms API. Every call either yields its typed answer or an
//! [`ApiError`] built from the server's problem document.

use std::collections::BTreeMap;

use b2mms_shared::RuleViolation;
use b2mms_shared::api::{ChangePasswordRequest, LoginRequest, Member, Problem, TokenResponse};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

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
