//! Bulk import of members as a CSV upload, and the set-password mails that follow it.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, post, web};
use b2mms_shared::api::{ImportReport, Problem, SetPasswordMails};
use b2mms_shared::rules::{FieldErrors, RuleViolation};
use futures_util::StreamExt;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::extract::Admin;
use crate::ops::import::{self, Importer, Options};

/// The largest file an upload may be: room for well over 100,000 people.
pub const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Write the new people; without it (the default) the file is only checked.
    #[serde(default)]
    pub apply: bool,
    /// Queue each new person's set-password mail with the import (only with `apply`).
    #[serde(default)]
    pub mail: bool,
}

/// Import members from CSV (admin). The columns, with a header line:
/// `account_name,given_name,middle_name,family_name,email,orcid,category,institution,membership_start,membership_end,groups`
/// (`institution` the short name, `groups` names separated by `;`, dates `YYYY-MM-DD`; only
/// `middle_name`, `orcid`, the dates and `groups` may be left out). Every row is checked by the
/// rules a registration meets and every problem is reported with its line; a dry run (the
/// default) writes nothing. With `apply=true` the new people are written — in batches, only
/// when no row has a problem; rows whose account exists with the same contact address are
/// left as they are, so the same file imported again changes nothing.
#[utoipa::path(
    tag = "members",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV file, UTF-8"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What the import did (`applied`) or would do, with every problem of every row", body = ImportReport),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 409, description = "A batch could not be written (someone took an account name meanwhile): the batches before it are stored; import the file again", body = Problem),
        (status = 413, description = "The file is larger than 64 MiB", body = Problem),
        (status = 415, description = "The body is not sent as `text/csv`", body = Problem),
        (status = 422, description = "The header is wrong or no people follow it; or, with `apply=true`, rows have problems and nothing was written. `errors` names each problem as `lines[<line>].<column>`", body = Problem),
    )
)]
#[post("/members/import")]
pub async fn import_members(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let file = csv_body(&req, payload).await?;
    let options = Options {
        apply: query.apply,
        mail: query.apply && query.mail,
    };
    let config = state.config.clone();
    let now = state.clock.now();
    let report = state
        .db
        .run(move |conn| {
            import::run(
                conn,
                &config,
                Importer::Admin(&admin),
                &file,
                options,
                now,
                &mut |_, _, _| {},
            )
        })
        .await?;
    // A file that is no import at all (its header, or no people) is refused even in a dry
    // run; a problem in a row is the report's business until the file is applied.
    let unreadable = report.problems.iter().any(|p| p.line == 1);
    if (options.apply || unreadable) && !report.problems.is_empty() {
        let mut errors = FieldErrors::new();
        for p in &report.problems {
            let field = if p.column.is_empty() {
                format!("lines[{}]", p.line)
            } else {
                format!("lines[{}].{}", p.line, p.column)
            };
            errors.add(&field, RuleViolation::new(&p.code, p.message.clone()));
        }
        return Err(AppError::Validation(errors));
    }
    if report.mails_queued > 0 {
        state.jobs.nudge();
    }
    Ok(HttpResponse::Ok().json(report))
}

/// Reads a CSV body up to the limit.
async fn csv_body(req: &HttpRequest, mut payload: web::Payload) -> AppResult<Vec<u8>> {
    let media = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(media.as_deref(), Some("text/csv" | "text/plain")) {
        return Err(AppError::UnsupportedMediaType {
            expected: "text/csv",
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request("body_unreadable", e.to_string()))?;
        if body.len() + chunk.len() > IMPORT_LIMIT {
            return Err(AppError::TooLarge {
                limit: IMPORT_LIMIT,
            });
        }
        body.extend_from_slice(&chunk);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_request(
            "import_empty",
            "The file is empty: send the CSV with its header line and one line per person.",
        ));
    }
    Ok(body)
}

/// Mail a link to choose their password to everyone whose account has none yet and who has
/// not been sent one (admin): after an import applied without mail, when the secretariat is
/// ready. People sent a link before are not mailed again (a lost link is replaced through
/// "lost password").
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How many links were queued", body = SetPasswordMails),
        (status = 403, description = "Not an admin", body = Problem),
    )
)]
#[post("/members/set-password-mails")]
pub async fn mail_set_password_links(
    state: web::Data<AppState>,
    Admin(admin): Admin,
) -> AppResult<HttpResponse> {
    let config = state.config.clone();
    let now = state.clock.now();
    let sent = state
        .db
        .run(move |conn| {
            import::mail_set_password_links(conn, &config, Importer::Admin(&admin), now)
        })
        .await?;
    if sent.queued > 0 {
        state.jobs.nudge();
    }
    Ok(HttpResponse::Ok().json(sent))
}
