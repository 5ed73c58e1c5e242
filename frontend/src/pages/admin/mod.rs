//! The secretariat's pages: institutions and their representatives, people and roles,
//! service tokens, and the audit trail of any record; with what they share.

mod audit;
mod institutions;
mod people;
mod tokens;

pub use audit::{AdminAudit, AuditFilters};
pub use institutions::AdminInstitutions;
pub use people::AdminPeople;
pub use tokens::AdminTokens;

use yew::prelude::*;

use crate::api::ApiError;
use crate::session::Auth;

/// The admin's token, or the page to show instead.
pub(crate) fn admin_token(auth: &Auth) -> Result<String, Html> {
    match auth {
        Auth::SignedIn(s) if b2mms_shared::access::administers(&s.roles) => Ok(s.token.clone()),
        Auth::SignedIn(_) => Err(
            html! { <section class="card"><p class="error">{ "Only administrators see this page." }</p></section> },
        ),
        Auth::SignedOut => Err(html! { <crate::session::SignInFirst /> }),
        Auth::Resuming => Err(html! { <p class="loading">{ "Loading…" }</p> }),
    }
}

pub(crate) fn problem(e: &Option<ApiError>) -> Html {
    match e {
        Some(e) => {
            let fields: Vec<String> = e
                .errors
                // The messages name what to fix in words; the wire's field keys stay out of sight.
                .values()
                .flat_map(|v| v.iter().map(|r| r.message.clone()))
                .collect();
            html! { <div class="error" role="alert"><p>{ e.detail.clone() }</p>{ for fields.into_iter().map(|f| html! { <p>{ f }</p> }) }</div> }
        }
        None => html! {},
    }
}
