//! Registration requests: reading them, and the applicant's form (step one of product §5 ends
//! with an identity; this is where permission is asked for).

use actix_web::{HttpResponse, get, post, web};
use b2mms_shared::api::{Page, Registration, SubmitRegistration, SubmittedRegistration};
use b2mms_shared::rules::RuleViolation;
use b2mms_shared::{RegistrationId, RegistrationState};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::PageQuery;
use crate::http::body::Body;
use crate::http::extract::Caller;
use crate::ops::registrations::{self, may_see, view};
use crate::store;

fn forbidden() -> AppError {
    AppError::forbidden("This registration request is not yours to see or act on.")
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegistrationQuery {
    pub state: Option<RegistrationState>,
    /// Only the requests that wait for the caller's decision: at a representative's
    /// institutions those awaiting the IR, for the IB chair those awaiting the Board, for
    /// administrators those whose account could not be created.
    pub waiting_for_me: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The requests the caller may see: an applicant their own, IRs those of their institutions,
/// the IB chair those awaiting the IB, admins all.
#[utoipa::path(
    tag = "registrations",
    params(RegistrationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of requests", body = Page<Registration>),
        (status = 403, description = "No role that sees requests", body = b2mms_shared::api::Problem),
    )
)]
#[get("/registrations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RegistrationQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let (page, per_page, offset) = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .resolve()?;
    let scope = registrations::visibility(&caller)?;
    let waiting = query
        .waiting_for_me
        .unwrap_or(false)
        .then(|| registrations::waiting_for(&caller));
    let shared = state.clone();
    let (items, total) = state
        .db
        .run(move |conn| {
            let (rows, total) = store::registrations::list(
                conn,
                &scope,
                query.state,
                waiting.as_ref(),
                offset,
                per_page,
            )?;
            let items = rows
                .into_iter()
                .map(|row| view(conn, &shared, row, &caller))
                .collect::<AppResult<Vec<_>>>()?;
            Ok((items, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page,
        per_page,
    }))
}

/// One request with its history (and, for IRs and admins, the people it resembles).
#[utoipa::path(
    tag = "registrations",
    params(("id" = Uuid, Path, description = "Registration request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request", body = Registration),
        (status = 403, description = "Not yours to see", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such request", body = b2mms_shared::api::Problem),
    )
)]
#[get("/registrations/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = RegistrationId::from(id.into_inner());
    let shared = state.clone();
    let registration = state
        .db
        .run(move |conn| {
            let row = store::registrations::get(conn, &id)?;
            if !may_see(&caller, &row) {
                return Err(forbidden());
            }
            view(conn, &shared, row, &caller)
        })
        .await?;
    Ok(HttpResponse::Ok().json(registration))
}

/// Send the registration form: `identity_verified → awaiting_ir` (the applicant).
///
/// Every rule is checked and all violations come back at once. The account name is reserved
/// from now on; the initial password is kept only as a hash. The IRs of the home institution
/// are told by mail.
#[utoipa::path(
    tag = "registrations",
    params(("id" = Uuid, Path, description = "Registration request id")),
    request_body = SubmitRegistration,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Submitted", body = SubmittedRegistration),
        (status = 403, description = "Not the applicant of this request", body = b2mms_shared::api::Problem),
        (status = 409, description = "Already submitted, duplicate person, another open request for the same person, or account name taken", body = b2mms_shared::api::Problem),
        (status = 422, description = "Invalid fields", body = b2mms_shared::api::Problem),
    )
)]
#[post("/registrations/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Body<SubmitRegistration>,
) -> AppResult<HttpResponse> {
    let id = RegistrationId::from(id.into_inner());
    let form = body.into_inner();
    let lookup = id.clone();
    let row = state
        .db
        .run(move |conn| store::registrations::get(conn, &lookup))
        .await?;
    let valid = registrations::check_submission(&state, &caller, &row, &form)?;
    let password_hash = state.hasher.hash(form.initial_password.clone()).await?;
    let now = state.clock.now();
    let services = state.services.clone();
    let dn = row.certificate_dn;
    let registration = state
        .db
        .write(move |conn| {
            registrations::submit(conn, &services, &id, valid, &form, password_hash, dn, now)
        })
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::Ok().json(SubmittedRegistration {
        message: format!(
            "Request for membership was created. Desired account name: {}",
            registration.account_name.clone().unwrap_or_default()
        ),
        registration,
    }))
}

/// Whether an account name can still be chosen (anyone; throttled per address). Says only
/// "taken", never by whom.
#[utoipa::path(
    tag = "registrations",
    params(("name" = String, Path, description = "The desired account name")),
    responses((status = 200, description = "The verdict", body = b2mms_shared::api::AccountNameCheck))
)]
#[get("/account-names/{name}")]
pub async fn check_account_name(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> AppResult<HttpResponse> {
    use b2mms_shared::api::AccountNameCheck;
    use b2mms_shared::rules::AccountName;
    let raw = name.into_inner();
    let answer = match AccountName::parse_with_reserved(&raw, state.config.reserved_names()) {
        Err(violation) => AccountNameCheck {
            name: raw.trim().to_ascii_lowercase(),
            available: false,
            violations: vec![violation],
        },
        Ok(valid) => {
            let lookup = valid.as_str().to_owned();
            let free = state
                .db
                .run(move |conn| store::registrations::account_name_free(conn, &lookup))
                .await?;
            AccountNameCheck {
                name: valid.into_string(),
                available: free,
                violations: if free {
                    Vec::new()
                } else {
                    vec![RuleViolation::new(
                        "account_name.taken",
                        "This account name is already taken; choose another one.",
                    )]
                },
            }
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(answer))
}
