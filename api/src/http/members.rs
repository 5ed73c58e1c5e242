//! People: the caller's own record, records of others, direct creation and roles.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use b2mms_shared::api::{Member, NewMember, RoleRequest};
use b2mms_shared::{DirectorySort, InstitutionId, MembershipStatus, PersonId, Role, SortOrder};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::error::AppResult;
use crate::http::body::Body;
use crate::http::extract::{Admin, Reader};
use crate::ops::{members, people};
use crate::store;

/// The caller's own record.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "My record", body = Member),
        (status = 401, description = "Not signed in", body = b2mms_shared::api::Problem),
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, principal: Principal) -> AppResult<HttpResponse> {
    let id = principal.person_id().clone();
    let member = state
        .db
        .run(move |conn| store::persons::member(conn, &id))
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

/// One person's record: the person themself, IRs of their institution, admins.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record", body = Member),
        (status = 403, description = "Not yours to see", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such person", body = b2mms_shared::api::Problem),
    )
)]
#[get("/members/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    reader: Reader,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = PersonId::from(id.into_inner());
    let member = state
        .db
        .run(move |conn| {
            let reader = reader.of_records();
            members::read(conn, reader, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DirectoryQuery {
    /// Part of a name, the account name or the collaboration address (and, for admins, the
    /// contact address).
    pub q: Option<String>,
    pub institution_id: Option<Uuid>,
    pub status: Option<MembershipStatus>,
    /// The order (default `name`: family, then given name).
    pub sort: Option<DirectorySort>,
    /// `asc` (default) or `desc`.
    pub order: Option<SortOrder>,
    /// Only active memberships that end within this many days from today (0–3660).
    pub ending_within: Option<u32>,
    /// Only people at institutions in this country (ISO 3166-1 alpha-2, e.g. `JP`).
    pub country: Option<String>,
    pub category: Option<b2mms_shared::Category>,
    /// Only the current members of this group.
    pub group_id: Option<Uuid>,
    /// Page number, from 1 (default 1); not with `after`.
    pub page: Option<i64>,
    /// Items per page, 1–500 (default 100).
    pub per_page: Option<i64>,
    /// Begin after this person (the `next_after` of the page before): the next page, read as
    /// fast at any depth.
    pub after: Option<Uuid>,
}

impl DirectoryQuery {
    fn filter(
        &self,
        admin: bool,
        today: chrono::NaiveDate,
    ) -> AppResult<store::directory::DirectoryFilter> {
        let ending_between = match self.ending_within {
            None => None,
            Some(days @ 0..=3660) => Some((today, today + chrono::Duration::days(i64::from(days)))),
            Some(_) => {
                return Err(crate::error::AppError::bad_request(
                    "invalid_query",
                    "`ending_within` counts days, at most 3660.",
                ));
            }
        };
        let country = match self.country.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(b2mms_shared::rules::country_code(code).map_err(|v| {
                crate::error::AppError::bad_request(
                    "invalid_query",
                    format!("`country`: {}", v.message),
                )
            })?),
        };
        Ok(store::directory::DirectoryFilter {
            country,
            category: self.category,
            group: self.group_id.map(b2mms_shared::GroupId::from),
            text: self
                .q
                .as_ref()
                .map(|q| q.trim().to_lowercase())
                .filter(|q| !q.is_empty() && q.len() <= 64),
            text_in_contact_email: admin,
            institution_id: self.institution_id.map(InstitutionId::from),
            institutions: None,
            status: self.status,
            ending_between,
        })
    }

    fn order(&self) -> (DirectorySort, bool) {
        (
            self.sort.unwrap_or(DirectorySort::Name),
            self.order == Some(SortOrder::Desc),
        )
    }
}

/// The member directory: every person, in the order asked for (members, and tools with
/// `members:read`).
#[utoipa::path(
    tag = "members",
    params(DirectoryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the directory; with `Accept: text/csv` every match as CSV (representatives their institutions, admins everyone), as `/members.csv` answers", content(
            (b2mms_shared::api::DirectoryPage = "application/json"),
            (String = "text/csv"),
        )),
        (status = 401, description = "Not signed in", body = b2mms_shared::api::Problem),
        (status = 403, description = "CSV asked for by someone who may not export", body = b2mms_shared::api::Problem),
    )
)]
#[get("/members")]
pub async fn directory(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    reader: Reader,
    query: web::Query<DirectoryQuery>,
) -> AppResult<HttpResponse> {
    if wants_csv(&req) {
        let Reader::Person(principal) = &reader else {
            return Err(crate::error::AppError::forbidden(
                "The CSV export is for representatives and administrators; a tool reads the directory as JSON.",
            ));
        };
        return csv_export(&state, &principal.subject, &query).await;
    }
    let admin = match &reader {
        Reader::Service(service) => {
            service.require(b2mms_shared::Scope::MembersRead)?;
            false
        }
        Reader::Person(person) => person.subject.admin().is_ok(),
    };
    let query = query.into_inner();
    if query.after.is_some() && query.page.is_some() {
        return Err(crate::error::AppError::bad_request(
            "invalid_query",
            "Give `page` or `after`, not both: `after` (the `next_after` of a page) already says where the page begins.",
        ));
    }
    let (_, per_page, offset) = crate::http::PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .resolve()?;
    let today = crate::domain::calendar::today(state.clock.now());
    let ((sort, descending), filter) = (query.order(), query.filter(admin, today)?);
    let window = store::directory::Window {
        sort,
        descending,
        after: query.after.map(PersonId::from),
        offset,
        limit: per_page,
    };
    let totals = std::sync::Arc::clone(&state.directory_totals);
    let page = state
        .db
        .run(move |conn| store::directory::directory(conn, &filter, &window, &totals))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The directory as a CSV file, with contact addresses and membership dates, for the people the
/// caller may read in full: admins everyone, representatives those of their institutions.
///
/// The same filters and order as the directory; every matching person, not a page.
#[utoipa::path(
    tag = "members",
    params(DirectoryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The people, one line each, with a header line", content_type = "text/csv"),
        (status = 403, description = "Neither a representative nor an admin, or another institution", body = b2mms_shared::api::Problem),
    )
)]
#[get("/members.csv")]
pub async fn export(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<DirectoryQuery>,
) -> AppResult<HttpResponse> {
    csv_export(&state, &principal.subject, &query).await
}

/// The directory as CSV for a representative (their institutions) or an administrator.
async fn csv_export(
    state: &AppState,
    subject: &crate::domain::policy::Subject,
    query: &DirectoryQuery,
) -> AppResult<HttpResponse> {
    let admin = subject.admin().is_ok();
    // `None`: every institution (admins); otherwise the representative's own.
    let own = subject
        .institutions_in_view()?
        .map(<[InstitutionId]>::to_vec);
    let today = crate::domain::calendar::today(state.clock.now());
    let mut filter = query.filter(admin, today)?;
    if let Some(own) = own {
        if let Some(asked) = &filter.institution_id
            && !own.contains(asked)
        {
            return Err(crate::error::AppError::forbidden(
                "Representatives export the people of their own institutions only.",
            ));
        }
        filter.institutions = Some(own);
    }
    let order = query.order();
    let csv = state
        .db
        .run(move |conn| {
            let window = store::directory::Window::first(order.0, order.1, EXPORT_MAX);
            let found = store::directory::rows(conn, &filter, &window, None)?;
            crate::ops::members::directory_csv(&found.rows)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"b2mms-members-{today}.csv\""),
        ))
        .body(csv))
}

/// Whether the caller asks for CSV rather than JSON.
fn wants_csv(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"))
}

/// The most people one export holds.
const EXPORT_MAX: i64 = 200_000;

/// Create a person with an account directly (admin): to seed IRs and import existing members.
/// The account must change its password at the first sign-in.
#[utoipa::path(
    tag = "members",
    request_body = NewMember,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Member),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 409, description = "Account name or email already taken", body = b2mms_shared::api::Problem),
        (status = 422, description = "Invalid fields", body = b2mms_shared::api::Problem),
    )
)]
#[post("/members")]
pub async fn create(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    body: Body<NewMember>,
) -> AppResult<HttpResponse> {
    let member = people::create(&state, &admin, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/members/{}", member.id)))
        .json(member))
}

/// Grant a collaboration-wide role, `admin` or `ib_chair` (admin).
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = RoleRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The person's record with the role", body = Member),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such person", body = b2mms_shared::api::Problem),
        (status = 422, description = "Role not grantable", body = b2mms_shared::api::Problem),
    )
)]
#[post("/members/{id}/roles")]
pub async fn grant_role(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    id: web::Path<Uuid>,
    body: Body<RoleRequest>,
) -> AppResult<HttpResponse> {
    let (id, role) = (PersonId::from(id.into_inner()), body.role);
    let now = state.clock.now();
    let member = state
        .db
        .write(move |conn| members::grant_role(conn, &admin, &id, role, now))
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

/// Withdraw a collaboration-wide role (admin). The last admin cannot be removed.
#[utoipa::path(
    tag = "members",
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("role" = Role, Path, description = "`admin` or `ib_chair`"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 404, description = "The person does not hold this role", body = b2mms_shared::api::Problem),
        (status = 409, description = "It is the last admin", body = b2mms_shared::api::Problem),
        (status = 422, description = "Not a role granted directly (only `admin` and `ib_chair` are)", body = b2mms_shared::api::Problem),
    )
)]
#[delete("/members/{id}/roles/{role}")]
pub async fn withdraw_role(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    path: web::Path<(Uuid, Role)>,
) -> AppResult<HttpResponse> {
    let (id, role) = path.into_inner();
    let id = PersonId::from(id);
    let now = state.clock.now();
    state
        .db
        .write(move |conn| members::withdraw_role(conn, &admin, &id, role, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lift the temporary lock of an account after repeated failed sign-ins (admin).
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unlocked; the failure count starts again", body = Member),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such person or no account", body = b2mms_shared::api::Problem),
    )
)]
#[post("/members/{id}/unlock")]
pub async fn unlock(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = PersonId::from(id.into_inner());
    let now = state.clock.now();
    let member = state
        .db
        .write(move |conn| members::unlock(conn, &admin, &id, now))
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

/// Change a person's record: each field by those who may change it.
///
/// The membership (category, status `active`/`expired`/`left`, end date): the IRs of the
/// person's institution and admins, never one's own; `physicist_permanent` needs the IB, so
/// only the IB chair or an admin sets it. The name in papers: also the person. The middle name
/// and ORCID iD: the person and admins. Given and family name and the contact address: admins.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = b2mms_shared::api::MemberPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Member),
        (status = 403, description = "A field the caller may not change", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such person", body = b2mms_shared::api::Problem),
        (status = 422, description = "Values that break the rules", body = b2mms_shared::api::Problem),
        (status = 409, description = "The contact address belongs to another person, or no active administrator would remain", body = b2mms_shared::api::Problem),
    )
)]
#[patch("/members/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<b2mms_shared::api::MemberPatch>,
) -> AppResult<HttpResponse> {
    let patch = body.into_inner();
    let id = PersonId::from(id.into_inner());
    let now = state.clock.now();
    let config = state.config.clone();
    let member = state
        .db
        .write(move |conn| {
            members::update(
                conn,
                &principal.subject,
                &id,
                patch,
                config.personal_domains(),
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(member))
}
