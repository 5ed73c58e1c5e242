//! Groups: the groups and their managers, applications to join, and members.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use b2mms_shared::api::{
    Group, GroupApplication, GroupMember, GroupPatch, GroupPerson, NewApplication, NewGroup, Page,
    Problem, RejectApplication,
};
use b2mms_shared::{ApplicationState, GroupApplicationId, GroupId, PersonId};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::domain::group_application::Step;
use crate::error::AppResult;
use crate::http::PageQuery;
use crate::http::body::Body;
use crate::http::extract::{Admin, Reader};
use crate::ops::{group_applications, groups};

fn reader(reader: &Reader) -> groups::Reader<'_> {
    match reader {
        Reader::Person(principal) => groups::Reader::Person(&principal.subject),
        Reader::Service(token) => groups::Reader::Service(token),
    }
}

/// Every group with its size and managers (signed-in people, tools with `groups:read`).
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The groups", body = Vec<Group>),
        (status = 401, description = "Not signed in", body = Problem),
    )
)]
#[get("/groups")]
pub async fn list(state: web::Data<AppState>, caller: Reader) -> AppResult<HttpResponse> {
    let main = state.config.main_group.clone();
    let found = state
        .db
        .run(move |conn| groups::list(conn, reader(&caller), &main))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Creates a group (admins).
#[utoipa::path(
    tag = "groups",
    request_body = NewGroup,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Group),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 409, description = "The name is taken", body = Problem),
        (status = 422, description = "A name or description that breaks the rules", body = Problem),
    )
)]
#[post("/groups")]
pub async fn create(
    state: web::Data<AppState>,
    admin: Admin,
    body: Body<NewGroup>,
) -> AppResult<HttpResponse> {
    let (main, now, body) = (
        state.config.main_group.clone(),
        state.clock.now(),
        body.into_inner(),
    );
    let group = state
        .db
        .write(move |conn| groups::create(conn, &admin.0, body, &main, now))
        .await?;
    Ok(HttpResponse::Created().json(group))
}

/// One group with its size and managers.
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The group", body = Group),
        (status = 404, description = "No such group", body = Problem),
    )
)]
#[get("/groups/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Reader,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (main, id) = (
        state.config.main_group.clone(),
        GroupId::from(id.into_inner()),
    );
    let group = state
        .db
        .run(move |conn| groups::get(conn, reader(&caller), &id, &main))
        .await?;
    Ok(HttpResponse::Ok().json(group))
}

/// Changes a group's description or join policy (admins; the main group's policy is fixed).
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id")),
    request_body = GroupPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = Group),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 404, description = "No such group", body = Problem),
        (status = 409, description = "The main group's policy", body = Problem),
        (status = 422, description = "An empty description", body = Problem),
    )
)]
#[patch("/groups/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
    body: Body<GroupPatch>,
) -> AppResult<HttpResponse> {
    let (main, now, body) = (
        state.config.main_group.clone(),
        state.clock.now(),
        body.into_inner(),
    );
    let id = GroupId::from(id.into_inner());
    let group = state
        .db
        .write(move |conn| groups::update(conn, &admin.0, &id, body, &main, now))
        .await?;
    Ok(HttpResponse::Ok().json(group))
}

/// Appoints a manager of a group (admins).
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id")),
    request_body = GroupPerson,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Appointed", body = Group),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 404, description = "No such group", body = Problem),
        (status = 409, description = "The main group, or not an active member", body = Problem),
        (status = 422, description = "No such person", body = Problem),
    )
)]
#[post("/groups/{id}/managers")]
pub async fn add_manager(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
    body: Body<GroupPerson>,
) -> AppResult<HttpResponse> {
    let (main, now) = (state.config.main_group.clone(), state.clock.now());
    let (id, person) = (
        GroupId::from(id.into_inner()),
        PersonId::from(body.into_inner().person_id),
    );
    let group = state
        .db
        .write(move |conn| groups::add_manager(conn, &admin.0, &id, &person, &main, now))
        .await?;
    Ok(HttpResponse::Ok().json(group))
}

/// Withdraws a manager of a group (admins).
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id"), ("person_id" = Uuid, Path, description = "Person id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 404, description = "No such group or manager", body = Problem),
    )
)]
#[delete("/groups/{id}/managers/{person_id}")]
pub async fn remove_manager(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (id, person) = path.into_inner();
    let (id, person, now) = (GroupId::from(id), PersonId::from(person), state.clock.now());
    state
        .db
        .write(move |conn| groups::remove_manager(conn, &admin.0, &id, &person, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Applies to join a group: an open group is joined at once (the answer is approved), an
/// approval group waits for its managers, a closed one refuses.
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id")),
    request_body = NewApplication,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Applied (or joined)", body = GroupApplication),
        (status = 404, description = "No such group", body = Problem),
        (status = 409, description = "Closed, the main group, in it already, or applied already", body = Problem),
        (status = 422, description = "No reason", body = Problem),
    )
)]
#[post("/groups/{id}/applications")]
pub async fn apply(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<NewApplication>,
) -> AppResult<HttpResponse> {
    let (main, now, body) = (
        state.config.main_group.clone(),
        state.clock.now(),
        body.into_inner(),
    );
    let public_url = state.config.public_url.clone();
    let id = GroupId::from(id.into_inner());
    let application = state
        .db
        .write(move |conn| {
            group_applications::apply(conn, &principal.subject, &id, body, &main, &public_url, now)
        })
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::Created().json(application))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApplicationQuery {
    pub state: Option<ApplicationState>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Applications to a group, the newest first (its managers, admins).
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id"), ApplicationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of applications", body = Page<GroupApplication>),
        (status = 403, description = "Not a manager of the group", body = Problem),
        (status = 404, description = "No such group", body = Problem),
    )
)]
#[get("/groups/{id}/applications")]
pub async fn applications(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    query: web::Query<ApplicationQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .resolve()?;
    let id = GroupId::from(id.into_inner());
    let found = state
        .db
        .run(move |conn| {
            group_applications::applications(conn, &principal.subject, &id, query.state, page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// The caller's own applications, the newest first.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    responses((status = 200, description = "My applications", body = Vec<GroupApplication>))
)]
#[get("/me/group-applications")]
pub async fn mine(state: web::Data<AppState>, principal: Principal) -> AppResult<HttpResponse> {
    let found = state
        .db
        .run(move |conn| group_applications::my_applications(conn, &principal.subject))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

async fn decide(
    state: &AppState,
    principal: Principal,
    id: Uuid,
    step: Step,
    rejection: Option<RejectApplication>,
) -> AppResult<HttpResponse> {
    let (id, now) = (GroupApplicationId::from(id), state.clock.now());
    let application = state
        .db
        .write(move |conn| {
            group_applications::decide(conn, &principal.subject, &id, step, rejection, now)
        })
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::Ok().json(application))
}

/// Approves an application (the group's managers, admins): the applicant is in the group.
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Application id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved", body = GroupApplication),
        (status = 403, description = "Not a manager of the group", body = Problem),
        (status = 404, description = "No such application", body = Problem),
        (status = 409, description = "Decided already, or the applicant's membership ended", body = Problem),
    )
)]
#[post("/group-applications/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    decide(&state, principal, id.into_inner(), Step::Approve, None).await
}

/// Rejects an application with a reason told to the applicant.
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = RejectApplication,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rejected", body = GroupApplication),
        (status = 403, description = "Not a manager of the group", body = Problem),
        (status = 404, description = "No such application", body = Problem),
        (status = 409, description = "Decided already", body = Problem),
        (status = 422, description = "No reason", body = Problem),
    )
)]
#[post("/group-applications/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<RejectApplication>,
) -> AppResult<HttpResponse> {
    decide(
        &state,
        principal,
        id.into_inner(),
        Step::Reject,
        Some(body.into_inner()),
    )
    .await
}

/// Withdraws one's own pending application.
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Application id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Withdrawn", body = GroupApplication),
        (status = 403, description = "Not the applicant", body = Problem),
        (status = 404, description = "No such application", body = Problem),
        (status = 409, description = "Decided already", body = Problem),
    )
)]
#[post("/group-applications/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    decide(&state, principal, id.into_inner(), Step::Withdraw, None).await
}

/// The current members of a group with their since-date, by name (signed-in people, tools
/// with `groups:read`).
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of members", body = Page<GroupMember>),
        (status = 404, description = "No such group", body = Problem),
    )
)]
#[get("/groups/{id}/members")]
pub async fn members(
    state: web::Data<AppState>,
    caller: Reader,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = query.into_inner().resolve()?;
    let id = GroupId::from(id.into_inner());
    let found = state
        .db
        .run(move |conn| groups::members(conn, reader(&caller), &id, page))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// A manager adds an active member to the group, whatever its policy.
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id")),
    request_body = GroupPerson,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Added"),
        (status = 403, description = "Not a manager of the group", body = Problem),
        (status = 404, description = "No such group", body = Problem),
        (status = 409, description = "The main group, in it already, or not an active member", body = Problem),
        (status = 422, description = "No such person", body = Problem),
    )
)]
#[post("/groups/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<GroupPerson>,
) -> AppResult<HttpResponse> {
    let (main, now) = (state.config.main_group.clone(), state.clock.now());
    let (id, person) = (
        GroupId::from(id.into_inner()),
        PersonId::from(body.into_inner().person_id),
    );
    state
        .db
        .write(move |conn| groups::add_member(conn, &principal.subject, &id, &person, &main, now))
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::NoContent().finish())
}

/// A member leaves the group, or one of its managers removes them.
#[utoipa::path(
    tag = "groups",
    params(("id" = Uuid, Path, description = "Group id"), ("person_id" = Uuid, Path, description = "Person id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Out of the group"),
        (status = 403, description = "Neither the person nor a manager", body = Problem),
        (status = 404, description = "No such group, or not in it", body = Problem),
        (status = 409, description = "The main group", body = Problem),
    )
)]
#[delete("/groups/{id}/members/{person_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (id, person) = path.into_inner();
    let (id, person) = (GroupId::from(id), PersonId::from(person));
    let (main, now) = (state.config.main_group.clone(), state.clock.now());
    state
        .db
        .write(move |conn| {
            groups::remove_member(conn, &principal.subject, &id, &person, &main, now)
        })
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::NoContent().finish())
}
