//! Mailing lists: their definitions (administrators), who is on them (administrators and tools
//! with `mailing-lists:read`, as JSON or one address a line), and the lists a member is on.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use b2mms_shared::api::{
    ListMembers, MailingList, MailingListPatch, MyMailingList, NewMailingList, Problem, SyncPlan,
};
use b2mms_shared::{MailingListId, Scope};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::domain::calendar;
use crate::domain::policy::MailingListReader;
use crate::error::AppResult;
use crate::http::body::Body;
use crate::http::extract::{Admin, Reader};
use crate::ops::mailing_lists;

/// Proof that the caller reads mailing lists, before anything is looked up.
fn reader(caller: &Reader) -> AppResult<MailingListReader> {
    Ok(match caller {
        Reader::Person(principal) => principal.subject.mailing_list_reader()?,
        Reader::Service(token) => MailingListReader::Tool(token.require(Scope::MailingListsRead)?),
    })
}

/// Every mailing list, by name (admins, tools with `mailing-lists:read`).
#[utoipa::path(
    tag = "mailing-lists",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The lists", body = Vec<MailingList>),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 403, description = "Neither an administrator nor a token with `mailing-lists:read`", body = Problem),
    )
)]
#[get("/mailing-lists")]
pub async fn list(state: web::Data<AppState>, caller: Reader) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let today = calendar::today(state.clock.now());
    let found = state
        .db
        .run(move |conn| mailing_lists::list(conn, &proof, today))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Defines a mailing list (admins). Who is on it follows from its audience rule.
#[utoipa::path(
    tag = "mailing-lists",
    request_body = NewMailingList,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Defined", body = MailingList),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 409, description = "Another list has the name or address", body = Problem),
        (status = 422, description = "A field breaks its rule, or the audience names an institution or group that does not exist", body = Problem),
    )
)]
#[post("/mailing-lists")]
pub async fn create(
    state: web::Data<AppState>,
    admin: Admin,
    body: Body<NewMailingList>,
) -> AppResult<HttpResponse> {
    let (now, body) = (state.clock.now(), body.into_inner());
    let domain = state.config.mailman_domain.clone();
    let made = state
        .db
        .write(move |conn| mailing_lists::create(conn, &admin.0, body, domain.as_deref(), now))
        .await?;
    Ok(HttpResponse::Created().json(made))
}

/// One mailing list.
#[utoipa::path(
    tag = "mailing-lists",
    params(("id" = Uuid, Path, description = "Mailing list id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The list", body = MailingList),
        (status = 403, description = "Neither an administrator nor a token with `mailing-lists:read`", body = Problem),
        (status = 404, description = "No such list", body = Problem),
    )
)]
#[get("/mailing-lists/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Reader,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let (id, today) = (
        MailingListId::from(id.into_inner()),
        calendar::today(state.clock.now()),
    );
    let found = state
        .db
        .run(move |conn| mailing_lists::get(conn, &proof, &id, today))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Changes a mailing list (admins): only what is sent changes; an audience is replaced whole.
#[utoipa::path(
    tag = "mailing-lists",
    params(("id" = Uuid, Path, description = "Mailing list id")),
    request_body = MailingListPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The list as changed", body = MailingList),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 404, description = "No such list", body = Problem),
        (status = 409, description = "Another list has the name or address", body = Problem),
        (status = 422, description = "A field breaks its rule", body = Problem),
    )
)]
#[patch("/mailing-lists/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
    body: Body<MailingListPatch>,
) -> AppResult<HttpResponse> {
    let (id, now, body) = (
        MailingListId::from(id.into_inner()),
        state.clock.now(),
        body.into_inner(),
    );
    let domain = state.config.mailman_domain.clone();
    let changed = state
        .db
        .write(move |conn| mailing_lists::update(conn, &admin.0, &id, body, domain.as_deref(), now))
        .await?;
    Ok(HttpResponse::Ok().json(changed))
}

/// Removes a mailing list's definition (admins): b2mms stops keeping it; the list in Mailman
/// stays as it is.
#[utoipa::path(
    tag = "mailing-lists",
    params(("id" = Uuid, Path, description = "Mailing list id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 404, description = "No such list", body = Problem),
    )
)]
#[delete("/mailing-lists/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (id, now) = (MailingListId::from(id.into_inner()), state.clock.now());
    state
        .db
        .write(move |conn| mailing_lists::delete(conn, &admin.0, &id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Everyone on a mailing list today, by address (admins, tools with `mailing-lists:read`);
/// with `Accept: text/plain` one address a line.
#[utoipa::path(
    tag = "mailing-lists",
    params(("id" = Uuid, Path, description = "Mailing list id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscribers", content(
            (ListMembers = "application/json"),
            (String = "text/plain"),
        )),
        (status = 403, description = "Neither an administrator nor a token with `mailing-lists:read`", body = Problem),
        (status = 404, description = "No such list", body = Problem),
    )
)]
#[get("/mailing-lists/{id}/members")]
pub async fn members(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    caller: Reader,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let (id, today) = (
        MailingListId::from(id.into_inner()),
        calendar::today(state.clock.now()),
    );
    let found = state
        .db
        .run(move |conn| mailing_lists::members(conn, &proof, &id, today))
        .await?;
    let plain = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/plain"));
    if plain {
        let mut text = String::new();
        for subscriber in &found.subscribers {
            text.push_str(&subscriber.address);
            text.push('\n');
        }
        return Ok(HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(text));
    }
    Ok(HttpResponse::Ok().json(found))
}

/// What the next sync would change in Mailman: a dry run (admins, tools with
/// `mailing-lists:read`).
#[utoipa::path(
    tag = "mailing-lists",
    params(("id" = Uuid, Path, description = "Mailing list id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changes the next sync would make", body = SyncPlan),
        (status = 403, description = "Neither an administrator nor a token with `mailing-lists:read`", body = Problem),
        (status = 404, description = "No such list", body = Problem),
        (status = 409, description = "No Mailman is configured", body = Problem),
        (status = 502, description = "Mailman failed or did not answer", body = Problem),
    )
)]
#[get("/mailing-lists/{id}/sync-plan")]
pub async fn sync_plan(
    state: web::Data<AppState>,
    caller: Reader,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let id = MailingListId::from(id.into_inner());
    let plan = crate::ops::mailing_list_sync::plan(&state.services, &proof, &id).await?;
    Ok(HttpResponse::Ok().json(plan))
}

/// The mailing lists I am on today, with the address each reaches me at.
#[utoipa::path(
    tag = "mailing-lists",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "My lists", body = Vec<MyMailingList>),
        (status = 401, description = "Not signed in", body = Problem),
    )
)]
#[get("/me/mailing-lists")]
pub async fn mine(state: web::Data<AppState>, principal: Principal) -> AppResult<HttpResponse> {
    let member = principal.subject.member();
    let today = calendar::today(state.clock.now());
    let found = state
        .db
        .run(move |conn| mailing_lists::mine(conn, &member, today))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}
