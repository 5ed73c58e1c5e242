//! The mail outbox over HTTP (admin): the undelivered messages, and a retry now.

use actix_web::{HttpResponse, get, post, web};
use b2mms_shared::api::{Page, QueuedMail};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::PageQuery;
use crate::http::extract::Admin;
use crate::ops::mail;

/// Messages not delivered yet, oldest first (admin); their texts are not shown.
#[utoipa::path(
    tag = "mail",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of undelivered messages", body = Page<QueuedMail>),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
    )
)]
#[get("/mail-outbox")]
pub async fn list(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total) = mail::undelivered(&state, &admin, offset, per_page).await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page,
        per_page,
    }))
}

/// Try to deliver an undelivered message now instead of at its next attempt (admin).
#[utoipa::path(
    tag = "mail",
    params(("id" = Uuid, Path, description = "Message id")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Due now; the mail job takes it at once"),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 404, description = "No undelivered message with this id (delivered, or being sent right now)", body = b2mms_shared::api::Problem),
    )
)]
#[post("/mail-outbox/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    mail::retry(&state, &admin, id.into_inner()).await?;
    Ok(HttpResponse::Accepted().finish())
}
