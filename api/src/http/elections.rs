//! Voting: electorate previews and elections (administrators and the IB chair), the
//! elections a member may vote in, secret ballots with receipts, results and the frozen
//! electorate as CSV.

use actix_web::{HttpResponse, get, post, web};
use b2mms_shared::ElectionId;
use b2mms_shared::api::{
    BallotReceipt, Election, ElectionResults, ElectoratePreview, ElectoratePreviewRequest,
    NewBallot, NewElection, Problem, ReceiptCheck,
};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::error::AppResult;
use crate::http::body::Body;
use crate::ops::elections;

/// Answers what a read of one election finds for the signed-in caller.
async fn read_election<T: serde::Serialize + Send + 'static>(
    state: web::Data<AppState>,
    principal: Principal,
    id: Uuid,
    read: fn(
        &mut crate::store::DbConnection,
        &crate::domain::policy::Subject,
        &ElectionId,
    ) -> AppResult<T>,
) -> AppResult<HttpResponse> {
    let id = ElectionId::from(id);
    let found = state
        .db
        .run(move |conn| read(conn, &principal.subject, &id))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Who a rule makes eligible on a day, with counts (administrators, the IB chair).
#[utoipa::path(
    tag = "voting",
    request_body = ElectoratePreviewRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The electors", body = ElectoratePreview),
        (status = 403, description = "Neither an administrator nor the IB chair", body = Problem),
        (status = 422, description = "A rule naming a group that does not exist", body = Problem),
    )
)]
#[post("/electorates/preview")]
pub async fn preview(
    state: web::Data<AppState>,
    principal: Principal,
    body: Body<ElectoratePreviewRequest>,
) -> AppResult<HttpResponse> {
    let officer = principal.subject.election_officer()?;
    let body = body.into_inner();
    let found = state
        .db
        .run(move |conn| elections::preview(conn, &officer, &body.rule, body.date))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Prepares an election (administrators, the IB chair); the clock opens and closes it.
#[utoipa::path(
    tag = "voting",
    request_body = NewElection,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Prepared, in draft until it opens", body = Election),
        (status = 403, description = "Neither an administrator nor the IB chair", body = Problem),
        (status = 422, description = "A field breaks its rule", body = Problem),
    )
)]
#[post("/elections")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    body: Body<NewElection>,
) -> AppResult<HttpResponse> {
    let officer = principal.subject.election_officer()?;
    let (body, now) = (body.into_inner(), state.clock.now());
    let made = state
        .db
        .write(move |conn| elections::create(conn, &officer, body, now))
        .await?;
    Ok(HttpResponse::Created().json(made))
}

/// The elections I see: every one for administrators and the IB chair, else those I am an
/// elector of, with whether I have voted.
#[utoipa::path(
    tag = "voting",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The elections, the latest to open first", body = Vec<Election>),
        (status = 401, description = "Not signed in", body = Problem),
    )
)]
#[get("/elections")]
pub async fn list(state: web::Data<AppState>, principal: Principal) -> AppResult<HttpResponse> {
    let found = state
        .db
        .run(move |conn| elections::list(conn, &principal.subject))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// One election (for its electors, administrators and the IB chair).
#[utoipa::path(
    tag = "voting",
    params(("id" = Uuid, Path, description = "Election id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The election", body = Election),
        (status = 404, description = "No such election, or not one the caller is an elector of", body = Problem),
    )
)]
#[get("/elections/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    read_election(state, principal, id.into_inner(), elections::get).await
}

/// Casts my secret ballot (or my institution's, in an Institutional Board vote): once, while
/// the election is open.
#[utoipa::path(
    tag = "voting",
    params(("id" = Uuid, Path, description = "Election id")),
    request_body = NewBallot,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Counted; the receipt shows that, and nothing else", body = BallotReceipt),
        (status = 403, description = "Not in the electorate", body = Problem),
        (status = 404, description = "No such election", body = Problem),
        (status = 409, description = "Voted already, or the election is not open", body = Problem),
        (status = 422, description = "Choices that are not options, too many or none", body = Problem),
    )
)]
#[post("/elections/{id}/ballots")]
pub async fn vote(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<NewBallot>,
) -> AppResult<HttpResponse> {
    let (id, body, now) = (
        ElectionId::from(id.into_inner()),
        body.into_inner(),
        state.clock.now(),
    );
    let receipt = state
        .db
        .write(move |conn| elections::vote(conn, &principal.subject, &id, body, now))
        .await?;
    Ok(HttpResponse::Created().json(receipt))
}

/// Whether a ballot with this receipt was counted.
#[utoipa::path(
    tag = "voting",
    params(
        ("id" = Uuid, Path, description = "Election id"),
        ("receipt" = String, Path, description = "The receipt code"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether it was counted", body = ReceiptCheck),
        (status = 404, description = "No such election", body = Problem),
    )
)]
#[get("/elections/{id}/receipts/{receipt}")]
pub async fn check_receipt(
    state: web::Data<AppState>,
    _principal: Principal,
    path: web::Path<(Uuid, String)>,
) -> AppResult<HttpResponse> {
    let (id, code) = path.into_inner();
    let id = ElectionId::from(id);
    let found = state
        .db
        .run(move |conn| elections::check_receipt(conn, &id, &code))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// The results: counts per option (weighted where the electorate is), turnout against the
/// frozen electorate and the quorum; for administrators and the IB chair once closed, for
/// everyone once published.
#[utoipa::path(
    tag = "voting",
    params(("id" = Uuid, Path, description = "Election id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The results", body = ElectionResults),
        (status = 404, description = "No such election", body = Problem),
        (status = 409, description = "Not closed yet, or not published yet", body = Problem),
    )
)]
#[get("/elections/{id}/results")]
pub async fn results(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    read_election(state, principal, id.into_inner(), elections::results).await
}

/// Publishes the results of a closed election (administrators, the IB chair).
#[utoipa::path(
    tag = "voting",
    params(("id" = Uuid, Path, description = "Election id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Published", body = Election),
        (status = 403, description = "Neither an administrator nor the IB chair", body = Problem),
        (status = 404, description = "No such election", body = Problem),
        (status = 409, description = "Not closed", body = Problem),
    )
)]
#[post("/elections/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let officer = principal.subject.election_officer()?;
    let (id, now) = (ElectionId::from(id.into_inner()), state.clock.now());
    let done = state
        .db
        .write(move |conn| elections::publish(conn, &officer, &id, now))
        .await?;
    Ok(HttpResponse::Ok().json(done))
}

/// The frozen electorate as CSV, for the record (administrators, the IB chair).
#[utoipa::path(
    tag = "voting",
    params(("id" = Uuid, Path, description = "Election id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One elector a line, with a header line", content_type = "text/csv"),
        (status = 403, description = "Neither an administrator nor the IB chair", body = Problem),
        (status = 404, description = "No such election", body = Problem),
        (status = 409, description = "Not open yet", body = Problem),
    )
)]
#[get("/elections/{id}/electorate.csv")]
pub async fn electorate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let officer = principal.subject.election_officer()?;
    let id = ElectionId::from(id.into_inner());
    let name = format!("attachment; filename=\"electorate-{id}.csv\"");
    let csv = state
        .db
        .run(move |conn| elections::electorate_csv(conn, &officer, &id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((actix_web::http::header::CONTENT_DISPOSITION, name))
        .body(csv))
}
