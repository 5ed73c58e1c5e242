//! Authorship and author lists: the policy, individual decisions, the forecast, the lists
//! with their review and sign-offs, the differences between lists, and the exports.

use actix_web::{HttpResponse, delete, get, post, put, web};
use b2mms_shared::api::{
    AuthorException, AuthorForecast, AuthorList, AuthorListDiff, AuthorListSummary, AuthorPolicy,
    AuthorPolicyUpdate, Authorship, NewAuthorException, NewAuthorList, Problem, Readiness,
};
use b2mms_shared::{AuthorExceptionId, AuthorListId, InstitutionId, Scope};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::domain::author_list::Step;
use crate::domain::calendar;
use crate::domain::policy::AuthorListReader;
use crate::error::{AppError, AppResult};
use crate::http::body::Body;
use crate::http::extract::{Admin, Reader};
use crate::ops::authors::{self, exports, lists};
use crate::store::DbConnection;

/// Proof that the caller reads author lists, before anything is looked up.
fn reader(caller: &Reader) -> AppResult<AuthorListReader> {
    Ok(match caller {
        Reader::Person(principal) => principal.subject.author_list_reader()?,
        Reader::Service(token) => AuthorListReader::Tool(token.require(Scope::AuthorsRead)?),
    })
}

/// Answers what a read operation on one list finds, for a caller who may read lists.
async fn read_list<T: serde::Serialize + Send + 'static>(
    state: web::Data<AppState>,
    caller: Reader,
    id: Uuid,
    read: fn(&mut DbConnection, &AuthorListReader, &AuthorListId) -> AppResult<T>,
) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let id = AuthorListId::from(id);
    let found = state.db.run(move |conn| read(conn, &proof, &id)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// The policy that makes members authors.
#[utoipa::path(
    tag = "authors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy in force", body = AuthorPolicy),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 403, description = "Neither preparing lists, the IB chair, a representative nor a token with `authors:read`", body = Problem),
    )
)]
#[get("/author-policy")]
pub async fn get_policy(state: web::Data<AppState>, caller: Reader) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let policy = state
        .db
        .run(move |conn| authors::read_policy(conn, &proof))
        .await?;
    Ok(HttpResponse::Ok().json(policy))
}

/// Replaces the policy (admins); every change is audited.
#[utoipa::path(
    tag = "authors",
    request_body = AuthorPolicyUpdate,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new policy", body = AuthorPolicy),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 422, description = "No category, or more than 120 months", body = Problem),
    )
)]
#[put("/author-policy")]
pub async fn put_policy(
    state: web::Data<AppState>,
    admin: Admin,
    body: Body<AuthorPolicyUpdate>,
) -> AppResult<HttpResponse> {
    let (now, body) = (state.clock.now(), body.into_inner());
    let policy = state
        .db
        .write(move |conn| authors::set_policy(conn, &admin.0, body, now))
        .await?;
    Ok(HttpResponse::Ok().json(policy))
}

/// Individual decisions about authorship, oldest first.
#[utoipa::path(
    tag = "authors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The decisions", body = Vec<AuthorException>),
        (status = 403, description = "May not read author lists", body = Problem),
    )
)]
#[get("/author-exceptions")]
pub async fn list_exceptions(
    state: web::Data<AppState>,
    caller: Reader,
) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let found = state
        .db
        .run(move |conn| authors::exceptions(conn, &proof))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Includes or excludes a person from one day to another, with a reason (the IB chair,
/// admins).
#[utoipa::path(
    tag = "authors",
    request_body = NewAuthorException,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = AuthorException),
        (status = 403, description = "Neither the IB chair nor an administrator", body = Problem),
        (status = 404, description = "No such person", body = Problem),
        (status = 422, description = "No reason, or an end before the start", body = Problem),
    )
)]
#[post("/author-exceptions")]
pub async fn add_exception(
    state: web::Data<AppState>,
    principal: Principal,
    body: Body<NewAuthorException>,
) -> AppResult<HttpResponse> {
    let decider = principal.subject.authorship_decider()?;
    let (now, body) = (state.clock.now(), body.into_inner());
    let created = state
        .db
        .write(move |conn| authors::add_exception(conn, &decider, body, now))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Withdraws a decision recorded by mistake (the IB chair, admins).
#[utoipa::path(
    tag = "authors",
    params(("id" = Uuid, Path, description = "Decision id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Neither the IB chair nor an administrator", body = Problem),
        (status = 404, description = "No such decision", body = Problem),
    )
)]
#[delete("/author-exceptions/{id}")]
pub async fn remove_exception(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let decider = principal.subject.authorship_decider()?;
    let (now, id) = (state.clock.now(), AuthorExceptionId::from(id.into_inner()));
    state
        .db
        .write(move |conn| authors::remove_exception(conn, &decider, &id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ForecastQuery {
    /// The day, past or future (default today).
    pub date: Option<NaiveDate>,
}

/// Who would be an author on any day, with the reason for each person, and who joins or
/// drops off compared with today.
#[utoipa::path(
    tag = "authors",
    params(ForecastQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The forecast", body = AuthorForecast),
        (status = 400, description = "A date that is not YYYY-MM-DD", body = Problem),
        (status = 403, description = "May not read author lists", body = Problem),
    )
)]
#[get("/author-lists/preview")]
pub async fn preview(
    state: web::Data<AppState>,
    caller: Reader,
    query: web::Query<ForecastQuery>,
) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let today = calendar::today(state.clock.now());
    let date = query.date.unwrap_or(today);
    let forecast = state
        .db
        .run(move |conn| authors::forecast(conn, &proof, date, today))
        .await?;
    Ok(HttpResponse::Ok().json(forecast))
}

/// Whether I am an author today, and from or until when.
#[utoipa::path(
    tag = "authors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "My authorship", body = Authorship),
        (status = 401, description = "Not signed in", body = Problem),
    )
)]
#[get("/me/authorship")]
pub async fn my_authorship(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<HttpResponse> {
    let member = principal.subject.member();
    let today = calendar::today(state.clock.now());
    let found = state
        .db
        .run(move |conn| authors::authorship(conn, &member, today))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Every author list, the newest first.
#[utoipa::path(
    tag = "authors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The lists", body = Vec<AuthorListSummary>),
        (status = 403, description = "May not read author lists", body = Problem),
    )
)]
#[get("/author-lists")]
pub async fn list_lists(state: web::Data<AppState>, caller: Reader) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let found = state.db.run(move |conn| lists::all(conn, &proof)).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Creates a list in draft from the records of `date` (admins, the publications role).
#[utoipa::path(
    tag = "authors",
    request_body = NewAuthorList,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = AuthorList),
        (status = 403, description = "Neither an administrator nor the publications role", body = Problem),
        (status = 422, description = "No title", body = Problem),
    )
)]
#[post("/author-lists")]
pub async fn create_list(
    state: web::Data<AppState>,
    principal: Principal,
    body: Body<NewAuthorList>,
) -> AppResult<HttpResponse> {
    let who = principal.subject.publications()?;
    let (now, body) = (state.clock.now(), body.into_inner());
    let created = state
        .db
        .write(move |conn| lists::create(conn, &who, body, now))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// One list with its authors, institutions and sign-offs.
#[utoipa::path(
    tag = "authors",
    params(("id" = Uuid, Path, description = "List id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The list", body = AuthorList),
        (status = 403, description = "May not read author lists", body = Problem),
        (status = 404, description = "No such list", body = Problem),
    )
)]
#[get("/author-lists/{id}")]
pub async fn get_list(
    state: web::Data<AppState>,
    caller: Reader,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    read_list(state, caller, id.into_inner(), lists::get).await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FreezeQuery {
    /// Freeze although some institutions have not signed off (default false).
    pub confirm: Option<bool>,
}

async fn step(
    state: web::Data<AppState>,
    principal: Principal,
    id: Uuid,
    step: Step,
    confirm: bool,
) -> AppResult<HttpResponse> {
    let who = principal.subject.publications()?;
    let (now, id) = (state.clock.now(), AuthorListId::from(id));
    let public_url = state.config.public_url.clone();
    let list = state
        .db
        .write(move |conn| lists::step(conn, &who, &id, (step, confirm), &public_url, now))
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::Ok().json(list))
}

/// Asks the institutions to review their sections (a draft goes to review).
#[utoipa::path(
    tag = "authors",
    params(("id" = Uuid, Path, description = "List id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Under review", body = AuthorList),
        (status = 403, description = "Neither an administrator nor the publications role", body = Problem),
        (status = 404, description = "No such list", body = Problem),
        (status = 409, description = "The list is not a draft", body = Problem),
    )
)]
#[post("/author-lists/{id}/review")]
pub async fn start_review(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    step(state, principal, id.into_inner(), Step::StartReview, false).await
}

/// Sends a list under review back to draft; its sign-offs are dropped.
#[utoipa::path(
    tag = "authors",
    params(("id" = Uuid, Path, description = "List id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "In draft again", body = AuthorList),
        (status = 403, description = "Neither an administrator nor the publications role", body = Problem),
        (status = 404, description = "No such list", body = Problem),
        (status = 409, description = "The list is not under review", body = Problem),
    )
)]
#[post("/author-lists/{id}/reopen")]
pub async fn reopen(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    step(state, principal, id.into_inner(), Step::Reopen, false).await
}

/// Freezes a list under review into a snapshot that later record changes never alter.
/// Before every institution has signed off, `confirm=true` is needed.
#[utoipa::path(
    tag = "authors",
    params(("id" = Uuid, Path, description = "List id"), FreezeQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Frozen", body = AuthorList),
        (status = 403, description = "Neither an administrator nor the publications role", body = Problem),
        (status = 404, description = "No such list", body = Problem),
        (status = 409, description = "Not under review (`invalid_transition`), or sign-offs missing without `confirm=true` (`sign_offs_missing`)", body = Problem),
    )
)]
#[post("/author-lists/{id}/freeze")]
pub async fn freeze(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    query: web::Query<FreezeQuery>,
) -> AppResult<HttpResponse> {
    let confirm = query.confirm.unwrap_or(false);
    step(state, principal, id.into_inner(), Step::Freeze, confirm).await
}

/// An institution's representative signs its section of a list under review off.
#[utoipa::path(
    tag = "authors",
    params(
        ("id" = Uuid, Path, description = "List id"),
        ("institution_id" = Uuid, Path, description = "Institution id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Signed off (again: no change)", body = AuthorList),
        (status = 403, description = "Not a representative of the institution", body = Problem),
        (status = 404, description = "No such list", body = Problem),
        (status = 409, description = "Not under review, or the institution has no authors on the list", body = Problem),
    )
)]
#[post("/author-lists/{id}/institutions/{institution_id}/sign-off")]
pub async fn sign_off(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (id, institution) = path.into_inner();
    let representative = principal
        .subject
        .representative_of(&InstitutionId::from(institution))?;
    let (now, id) = (state.clock.now(), AuthorListId::from(id));
    let list = state
        .db
        .write(move |conn| lists::sign_off(conn, &representative, &id, now))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The list to compare with.
    pub against: Uuid,
}

/// Authors added and removed, and changed printed names or affiliations, from `against` to
/// this list.
#[utoipa::path(
    tag = "authors",
    params(("id" = Uuid, Path, description = "List id"), DiffQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The differences", body = AuthorListDiff),
        (status = 400, description = "No `against`", body = Problem),
        (status = 403, description = "May not read author lists", body = Problem),
        (status = 404, description = "No such list", body = Problem),
    )
)]
#[get("/author-lists/{id}/diff")]
pub async fn diff(
    state: web::Data<AppState>,
    caller: Reader,
    id: web::Path<Uuid>,
    query: web::Query<DiffQuery>,
) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let (id, against) = (
        AuthorListId::from(id.into_inner()),
        AuthorListId::from(query.against),
    );
    let found = state
        .db
        .run(move |conn| lists::diff(conn, &proof, &id, &against))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Authors and institutions of the list that lack an identifier or printed detail.
#[utoipa::path(
    tag = "authors",
    params(("id" = Uuid, Path, description = "List id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What is missing", body = Readiness),
        (status = 403, description = "May not read author lists", body = Problem),
        (status = 404, description = "No such list", body = Problem),
    )
)]
#[get("/author-lists/{id}/readiness")]
pub async fn readiness(
    state: web::Data<AppState>,
    caller: Reader,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    read_list(state, caller, id.into_inner(), lists::readiness).await
}

/// The list as `authors.xml` (INSPIRE), `authors.tex` (REVTeX 4.2), `authors.txt` (the
/// byline) or `authors.csv`.
#[utoipa::path(
    tag = "authors",
    params(
        ("id" = Uuid, Path, description = "List id"),
        ("file" = String, Path, description = "`authors.xml`, `authors.tex`, `authors.txt` or `authors.csv`"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file", content(
            (String = "application/xml"),
            (String = "application/x-tex"),
            (String = "text/plain"),
            (String = "text/csv"),
        )),
        (status = 403, description = "May not read author lists", body = Problem),
        (status = 404, description = "No such list or format", body = Problem),
    )
)]
#[get("/author-lists/{id}/{file}")]
pub async fn export(
    state: web::Data<AppState>,
    caller: Reader,
    path: web::Path<(Uuid, String)>,
) -> AppResult<HttpResponse> {
    let proof = reader(&caller)?;
    let (id, file) = path.into_inner();
    let format = exports::Format::of_file(&file).ok_or(AppError::NotFound {
        what: "export format (authors.xml, authors.tex, authors.txt or authors.csv)",
    })?;
    let id = AuthorListId::from(id);
    let collaboration = state.config.collaboration_name.clone();
    let bytes = state
        .db
        .run(move |conn| {
            let (summary, content) = lists::content_of(conn, &proof, &id)?;
            exports::render(format, &collaboration, &summary, &content)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file}\""),
        ))
        .body(bytes))
}
