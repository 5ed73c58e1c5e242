//! The audit trail (admin).

use actix_web::{HttpResponse, get, web};
use b2mms_shared::AuditAction;
use b2mms_shared::api::{AuditEvent, Page};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::PageQuery;
use crate::http::extract::Reader;
use crate::store::audit::AuditFilter;
use crate::store::parse_uuid;
use crate::store::{self, from_db_time};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only events about this record.
    pub subject_id: Option<Uuid>,
    /// Only events by actors whose account name contains this text (`system` for b2mms).
    pub actor: Option<String>,
    /// Only events of this kind.
    pub action: Option<AuditAction>,
    /// Only events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn parse_json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

/// Audit events, newest first, with what each changed (admin, or a tool with `audit:read`).
///
/// Each event carries the record's fields before and after the change. Filters combine: the
/// record, the actor's account name (in part), the kind of event and a period `[since, until)`.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of events", body = Page<AuditEvent>),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
    )
)]
#[get("/audit")]
pub async fn list(
    state: web::Data<AppState>,
    reader: Reader,
    query: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    match &reader {
        Reader::Person(person) => {
            person.subject.admin()?;
        }
        Reader::Service(service) => {
            service.require(b2mms_shared::Scope::AuditRead)?;
        }
    }
    let query = query.into_inner();
    let (page, per_page, offset) = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .resolve()?;
    if let (Some(since), Some(until)) = (query.since, query.until)
        && since >= until
    {
        return Err(AppError::bad_request(
            "invalid_query",
            "The period is empty: `since` must lie before `until`.",
        ));
    }
    let filter = AuditFilter {
        subject_id: query.subject_id.map(|s| s.to_string()),
        actor: query
            .actor
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        action: query.action,
        since: query.since,
        until: query.until,
    };
    let (rows, total) = state
        .db
        .run(move |conn| store::audit::list(conn, &filter, offset, per_page))
        .await?;
    let items = rows
        .into_iter()
        .map(|row| {
            Ok(AuditEvent {
                id: parse_uuid(&row.id)?,
                at: from_db_time(row.at),
                actor_id: row.actor_id.as_ref().map(b2mms_shared::PersonId::uuid),
                actor: row.actor,
                action: row.action.as_str().to_owned(),
                subject_type: row.subject_type,
                subject_id: parse_uuid(&row.subject_id)?,
                before: parse_json(row.before_json),
                after: parse_json(row.after_json),
                request_id: row.request_id,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page,
        per_page,
    }))
}
