//! People: the caller's own record, records of others, direct creation and roles.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use b2mms_shared::api::{Member, NewMember, RoleRequest};
use b2mms_shared::rules::RuleViolation;
use b2mms_shared::{MembershipStatus, Role};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::domain::policy::Action;
use crate::error::{AppError, AppResult};
use crate::http::extract::{Admin, Reader};
use crate::ops::people;
use crate::store;
use crate::store::audit::{self, Change};

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
    let id = principal.person_id.clone();
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
    if let Reader::Service(service) = &reader {
        service.require(b2mms_shared::Scope::MembersRead)?;
    }
    let id = id.into_inner().to_string();
    let lookup = id.clone();
    let found = state
        .db
        .run(move |conn| store::persons::member(conn, &lookup))
        .await;
    let member = match (found, &reader) {
        // Someone who may not read every record learns nothing from an unknown id: the
        // answer is the one a record they may not read gets.
        (Err(AppError::NotFound { .. }), Reader::Person(principal)) => {
            principal.require(Action::ReadMember {
                person_id: &id,
                institution_id: "",
            })?;
            return Err(AppError::NotFound { what: "person" });
        }
        (found, _) => found?,
    };
    if let Reader::Person(principal) = &reader {
        principal.require(Action::ReadMember {
            person_id: &member.id.to_string(),
            institution_id: &member.institution_id.to_string(),
        })?;
    }
    Ok(HttpResponse::Ok().json(member))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DirectoryQuery {
    /// Part of a name or account name.
    pub q: Option<String>,
    pub institution_id: Option<Uuid>,
    pub status: Option<MembershipStatus>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The member directory: every person, by family name (members, and tools with
/// `members:read`).
#[utoipa::path(
    tag = "members",
    params(DirectoryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the directory", body = b2mms_shared::api::Page<b2mms_shared::api::DirectoryEntry>),
        (status = 401, description = "Not signed in", body = b2mms_shared::api::Problem),
    )
)]
#[get("/members")]
pub async fn directory(
    state: web::Data<AppState>,
    reader: Reader,
    query: web::Query<DirectoryQuery>,
) -> AppResult<HttpResponse> {
    if let Reader::Service(service) = &reader {
        service.require(b2mms_shared::Scope::MembersRead)?;
    }
    let query = query.into_inner();
    let (page, per_page, offset) = crate::http::PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .resolve()?;
    let filter = store::persons::DirectoryFilter {
        text: query
            .q
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty() && q.len() <= 64),
        institution_id: query.institution_id.map(|i| i.to_string()),
        status: query.status,
    };
    let (items, total) = state
        .db
        .run(move |conn| store::persons::directory(conn, &filter, offset, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(b2mms_shared::api::Page {
        items,
        total,
        page,
        per_page,
    }))
}

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
    body: web::Json<NewMember>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let valid = people::validate(&state, &body)?;
    let hash = state.hasher.hash(body.initial_password).await?;
    let now = state.clock.now();
    let actor = admin.actor(now);
    let rows = people::rows(&state, valid, body.category, body.institution_id, hash, now);
    let member = state
        .db
        .write(move |conn| people::create_in_tx(conn, &rows, &actor))
        .await?;
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
    body: web::Json<RoleRequest>,
) -> AppResult<HttpResponse> {
    let role = body.role;
    grantable(role)?;
    let id = id.into_inner().to_string();
    let now = state.clock.now();
    let actor = admin.actor(now);
    let by = admin.person_id.clone();
    let member = state
        .db
        .write(move |conn| {
            if !store::persons::exists(conn, &id)? {
                return Err(AppError::NotFound { what: "person" });
            }
            if store::persons::grant_role(conn, &id, role, Some(&by), now)? {
                audit::record::<(), _>(
                    conn,
                    &actor,
                    Change {
                        action: audit::Event::RoleGranted,
                        subject_type: "person",
                        subject_id: &id,
                        before: None,
                        after: Some(&serde_json::json!({ "role": role })),
                    },
                )?;
            }
            store::persons::member(conn, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

fn grantable(role: Role) -> AppResult<()> {
    if role.is_grantable() {
        Ok(())
    } else {
        Err(AppError::invalid(
            "role",
            RuleViolation::new(
                "role.not_grantable",
                "Only `admin` and `ib_chair` are granted directly; IRs are appointed per institution and every person with an account is a member.",
            ),
        ))
    }
}

/// Nobody can lock out the collaboration.
fn last_admin() -> AppError {
    AppError::conflict(
        "last_admin",
        "This is the last active administrator: appoint another administrator first.",
    )
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
    grantable(role)?;
    let id = id.to_string();
    let now = state.clock.now();
    let actor = admin.actor(now);
    state
        .db
        .write(move |conn| {
            if role == Role::Admin && store::persons::other_active_admins(conn, &id)? == 0 {
                let holds = store::persons::roles_of(conn, &id)?
                    .0
                    .contains(&Role::Admin);
                if holds {
                    return Err(last_admin());
                }
            }
            if !store::persons::withdraw_role(conn, &id, role)? {
                return Err(AppError::NotFound {
                    what: "role of this person",
                });
            }
            audit::record::<_, ()>(
                conn,
                &actor,
                Change {
                    action: audit::Event::RoleWithdrawn,
                    subject_type: "person",
                    subject_id: &id,
                    before: Some(&serde_json::json!({ "role": role })),
                    after: None,
                },
            )
        })
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
    let id = id.into_inner().to_string();
    let now = state.clock.now();
    let actor = admin.actor(now);
    let member = state
        .db
        .write(move |conn| {
            store::persons::account_of(conn, &id)?;
            if store::persons::clear_failures(conn, &id)? {
                audit::record_plain(conn, &actor, audit::Event::AccountUnlocked, "account", &id)?;
            }
            store::persons::member(conn, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

/// Change a person's membership: category, status (`active`, `expired`, `left`) and end date
/// (IRs of the person's institution, admins). `physicist_permanent` needs the IB, so only the
/// IB chair or an admin sets it.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = b2mms_shared::api::MemberPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Member),
        (status = 403, description = "Not an IR of the person's institution", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such person", body = b2mms_shared::api::Problem),
        (status = 422, description = "Inconsistent values", body = b2mms_shared::api::Problem),
        (status = 409, description = "It would leave the collaboration without an active administrator", body = b2mms_shared::api::Problem),
    )
)]
#[patch("/members/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: web::Json<b2mms_shared::api::MemberPatch>,
) -> AppResult<HttpResponse> {
    use b2mms_shared::Category;
    use diesel::prelude::*;

    use crate::store::schema::persons;

    let patch = body.into_inner();
    let id = id.into_inner().to_string();
    let now = state.clock.now();
    let today = now.date_naive();
    let actor = principal.actor(now);
    let member = state
        .db
        .write(move |conn| {
            let before = store::persons::member(conn, &id)?;
            principal.require(Action::ManageMember {
                institution_id: &before.institution_id.to_string(),
            })?;
            let admin = principal.subject.has(Role::Admin);
            if id == principal.person_id && !admin {
                return Err(AppError::forbidden(
                    "Nobody decides about their own membership: another representative of your institution or an administrator changes it.",
                ));
            }
            if !admin
                && let Some(Some(end)) = patch.membership_end
                && end < today
            {
                return Err(AppError::invalid(
                    "membership_end",
                    RuleViolation::new(
                        "membership_end.backdated",
                        "Choose today or a later date: representatives cannot backdate the end of a membership (the secretariat can).",
                    ),
                ));
            }
            if patch.category == Some(Category::PhysicistPermanent)
                && before.category != Category::PhysicistPermanent
                && !(principal.subject.has(Role::Admin) || principal.subject.has(Role::IbChair))
            {
                return Err(AppError::forbidden(
                    "The category physicist_permanent needs the Institutional Board's approval: ask the IB chair.",
                ));
            }
            let status = patch.status.unwrap_or(before.status);
            let mut end = match patch.membership_end {
                Some(value) => value,
                None => before.membership_end,
            };
            if status == MembershipStatus::Left && end.is_none() {
                end = Some(today);
            }
            if status == MembershipStatus::Active && end.is_some_and(|e| e < today) {
                return Err(AppError::invalid(
                    "membership_end",
                    RuleViolation::new(
                        "membership_end.past",
                        "An active membership cannot have ended: set a future end date, or clear it.",
                    ),
                ));
            }
            let ending = status != MembershipStatus::Active || end.is_some();
            if ending
                && before.roles.contains(&Role::Admin)
                && store::persons::other_active_admins(conn, &id)? == 0
            {
                return Err(last_admin());
            }
            let category = patch.category.unwrap_or(before.category);
            // A backdated end leaves the full grace period from today.
            let grace_from = end.map(|e| e.max(today));
            diesel::update(persons::table.find(&id))
                .set((
                    persons::category.eq(category.as_str()),
                    persons::status.eq(status.as_str()),
                    persons::membership_end.eq(end),
                    persons::grace_from.eq(grace_from),
                    persons::updated_at.eq(store::to_db_time(now)),
                ))
                .execute(conn)?;
            let after = store::persons::member(conn, &id)?;
            audit::record(
                conn,
                &actor,
                Change {
                    action: audit::Event::PersonUpdated,
                    subject_type: "person",
                    subject_id: &id,
                    before: Some(&before),
                    after: Some(&after),
                },
            )?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(member))
}
