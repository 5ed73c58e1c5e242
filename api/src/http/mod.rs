//! The HTTP surface: one module per resource, the routes, and what happens to requests no
//! route serves.

pub mod audit;
pub mod auth;
pub mod authors;
pub mod body;
pub mod contract;
pub mod decisions;
pub mod elections;
pub mod email_changes;
pub mod extract;
pub mod groups;
pub mod health;
pub mod identity;
pub mod import;
pub mod input;
pub mod institutions;
pub mod invitations;
pub mod mail_outbox;
pub mod mailing_lists;
pub mod members;
pub mod membership;
pub mod metrics;
pub mod openapi;
pub mod operation_ids;
pub mod passwords;
pub mod problem;
pub mod registrations;
pub mod request_id;
pub mod security;
pub mod service_tokens;
pub mod spa;
pub mod statistics;
pub mod throttle;
pub mod transfers;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::AppState;
use crate::error::{AppError, AppResult};

/// The API routes under `/api/v1`.
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::change_password)
        .service(passwords::request_reset)
        .service(passwords::confirm_reset)
        .service(institutions::list)
        .service(institutions::create)
        .service(institutions::get_one)
        .service(institutions::update)
        .service(institutions::add_representative)
        .service(institutions::remove_representative)
        .service(members::me)
        .service(email_changes::request)
        .service(email_changes::confirm)
        .service(import::import_members)
        .service(import::mail_set_password_links)
        .service(members::create)
        .service(members::export)
        .service(members::get_one)
        .service(members::grant_role)
        .service(members::withdraw_role)
        .service(members::unlock)
        .service(members::update)
        .service(membership::rules)
        .service(membership::list)
        .service(membership::add)
        .service(membership::end)
        .service(membership::leave)
        .service(membership::reactivate)
        .service(membership::ask_reactivation)
        .service(groups::list)
        .service(groups::create)
        .service(groups::get_one)
        .service(groups::update)
        .service(groups::add_manager)
        .service(groups::remove_manager)
        .service(groups::apply)
        .service(groups::applications)
        .service(groups::mine)
        .service(groups::approve)
        .service(groups::reject)
        .service(groups::withdraw)
        .service(groups::members)
        .service(groups::add_member)
        .service(groups::remove_member)
        .service(transfers::request)
        .service(transfers::list)
        .service(transfers::approve)
        .service(transfers::reject)
        .service(statistics::read)
        .service(elections::preview)
        .service(elections::create)
        .service(elections::list)
        .service(elections::get_one)
        .service(elections::vote)
        .service(elections::check_receipt)
        .service(elections::results)
        .service(elections::publish)
        .service(elections::electorate)
        .service(mailing_lists::list)
        .service(mailing_lists::create)
        .service(mailing_lists::get_one)
        .service(mailing_lists::update)
        .service(mailing_lists::remove)
        .service(mailing_lists::members)
        .service(mailing_lists::sync_plan)
        .service(mailing_lists::mine)
        .service(authors::get_policy)
        .service(authors::put_policy)
        .service(authors::list_exceptions)
        .service(authors::add_exception)
        .service(authors::remove_exception)
        .service(authors::my_authorship)
        .service(authors::preview)
        .service(authors::list_lists)
        .service(authors::create_list)
        .service(authors::get_list)
        .service(authors::start_review)
        .service(authors::reopen)
        .service(authors::freeze)
        .service(authors::sign_off)
        .service(authors::diff)
        .service(authors::readiness)
        .service(authors::export)
        .service(members::directory)
        .service(service_tokens::create)
        .service(service_tokens::list)
        .service(service_tokens::revoke)
        .service(audit::list)
        .service(invitations::create)
        .service(invitations::list)
        .service(invitations::revoke)
        .service(identity::invitation_login)
        .service(identity::certificate_login)
        .service(registrations::list)
        .service(registrations::get_one)
        .service(registrations::submit)
        .service(registrations::check_account_name)
        .service(decisions::approve)
        .service(decisions::reject)
        .service(decisions::retry)
        .service(mail_outbox::list)
        .service(mail_outbox::retry)
        .service(decisions::withdraw);
}

/// `?page=&per_page=` of list endpoints.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Page number, from 1 (default 1).
    pub page: Option<i64>,
    /// Items per page, 1–500 (default 100).
    pub per_page: Option<i64>,
}

impl PageQuery {
    /// `(page, per_page, offset)` after checking the bounds.
    pub fn resolve(self) -> AppResult<(i64, i64, i64)> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(100);
        if !(1..=1_000_000).contains(&page) {
            return Err(AppError::bad_request(
                "invalid_query",
                "`page` counts from 1.",
            ));
        }
        if !(1..=500).contains(&per_page) {
            return Err(AppError::bad_request(
                "invalid_query",
                "`per_page` must be between 1 and 500.",
            ));
        }
        Ok((page, per_page, (page - 1) * per_page))
    }
}

/// The methods each documented path template accepts, to tell 404 from 405.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<(Vec<String>, Vec<&'static str>)>);

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_owned).collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (segments, methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods of the routes matching `path`, if one does; where a literal path and a
    /// template both match (`/members/import`, `/members/{id}`), the most literal wins.
    pub fn methods_of(&self, path: &str) -> Option<Vec<&'static str>> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut found: Vec<&'static str> = Vec::new();
        let mut fewest_placeholders = usize::MAX;
        for (template, methods) in &self.0 {
            let matches = template.len() == parts.len()
                && template
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()));
            if !matches {
                continue;
            }
            let placeholders = template.iter().filter(|t| t.starts_with('{')).count();
            if placeholders < fewest_placeholders {
                fewest_placeholders = placeholders;
                found.clear();
            }
            if placeholders == fewest_placeholders {
                found.extend(methods);
            }
        }
        (!found.is_empty()).then_some(found)
    }
}

/// Requests no route took: API paths get a problem document (404 or 405), everything else is
/// the web frontend.
pub async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let path = req.path();
    let api = path == "/api" || path.starts_with("/api/") || path.starts_with("/.well-known/");
    if api {
        return Err(match state.routes.methods_of(path) {
            Some(methods) => AppError::MethodNotAllowed(methods),
            None => AppError::NoRoute,
        });
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(AppError::MethodNotAllowed(vec!["GET", "HEAD"]));
    }
    spa::serve(&req, &state).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_table_tells_404_from_405() {
        let table = RouteTable::from_openapi(&openapi::document());
        assert_eq!(table.methods_of("/api/v1/auth/login"), Some(vec!["POST"]));
        let inst = table.methods_of("/api/v1/institutions/abc").unwrap();
        assert!(inst.contains(&"GET") && inst.contains(&"PATCH"));
        assert_eq!(table.methods_of("/api/v1/nothing"), None);
        assert_eq!(table.methods_of("/api/v1/institutions//x"), None);
    }

    #[test]
    fn page_bounds() {
        assert_eq!(PageQuery::default().resolve().unwrap(), (1, 100, 0));
        let q = PageQuery {
            page: Some(3),
            per_page: Some(10),
        };
        assert_eq!(q.resolve().unwrap(), (3, 10, 20));
        assert!(
            PageQuery {
                page: Some(0),
                per_page: None
            }
            .resolve()
            .is_err()
        );
        assert!(
            PageQuery {
                page: None,
                per_page: Some(501)
            }
            .resolve()
            .is_err()
        );
    }
}
