//! The audit trail: every event, or one record's, filtered by who, what and when, each with
//! what it changed (before → after). The filters live in the address, so they are kept when
//! coming back from a record and can be bookmarked.

use b2mms_shared::AuditAction;
use b2mms_shared::api::{AuditEvent, Page};
use serde::{Deserialize, Serialize};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{admin_token, problem};
use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::{Choice, Field};
use crate::labels;
use crate::pager::{ListState, Pager, to_page, use_list_state};
use crate::pages::when;
use crate::session::use_auth;

/// Events on one page.
const PER_PAGE: i64 = 50;

/// The filters, as they stand in the address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilters {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub actor: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action: String,
    /// First day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    /// Last day, `YYYY-MM-DD` (included).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    #[serde(default = "first_page", skip_serializing_if = "is_first")]
    pub page: i64,
}

fn first_page() -> i64 {
    1
}

fn is_first(page: &i64) -> bool {
    *page <= 1
}

impl ListState for AuditFilters {
    fn on_page(&self, page: Option<i64>) -> Self {
        Self {
            page: page.unwrap_or(1),
            ..self.clone()
        }
    }
}

/// What an event changed: `(field, before, after)` for every field whose value differs.
pub fn changes(event: &AuditEvent) -> Vec<(String, String, String)> {
    let empty = serde_json::Map::new();
    let as_map = |v: &Option<serde_json::Value>| match v {
        Some(serde_json::Value::Object(m)) => m.clone(),
        _ => empty.clone(),
    };
    let (before, after) = (as_map(&event.before), as_map(&event.after));
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| (labels::field(k), shown(before.get(k)), shown(after.get(k))))
        .collect()
}

/// A recorded value as people read it.
fn shown(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => "—".to_owned(),
        Some(serde_json::Value::String(s)) if s.is_empty() => "—".to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| shown(Some(i)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

#[derive(Properties, PartialEq)]
pub struct AuditProps {
    /// Only this record's events.
    #[prop_or_default]
    pub id: Option<String>,
}

#[function_component(AdminAudit)]
pub fn admin_audit(props: &AuditProps) -> Html {
    let auth = use_auth();
    let route = match &props.id {
        Some(id) => Route::Audit { id: id.clone() },
        None => Route::AuditTrail,
    };
    let (filters, go) = use_list_state::<AuditFilters>(route);
    let draft = use_state(|| filters.clone());
    let events = use_state(|| None::<Page<AuditEvent>>);
    let error = use_state(|| None::<ApiError>);
    let token = admin_token(&auth);
    {
        let (events, error, token, subject) = (
            events.clone(),
            error.clone(),
            token.clone().ok(),
            props.id.clone(),
        );
        let (draft, shown_filters) = (draft.clone(), filters.clone());
        use_effect_with(
            (token, subject, filters.clone()),
            move |(token, subject, filters)| {
                draft.set(shown_filters);
                if let Some(token) = token.clone() {
                    let (subject, filters) = (subject.clone(), filters.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::audit_events(&token, subject.as_deref(), &filters, PER_PAGE)
                            .await
                        {
                            Ok(page) => {
                                events.set(Some(page));
                                error.set(None);
                            }
                            Err(e) => error.set(Some(e)),
                        }
                    });
                }
            },
        );
    }
    if let Err(page) = token {
        return page;
    }
    let onsubmit = {
        let (draft, go) = (draft.clone(), go.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            go.emit(AuditFilters {
                page: 1,
                ..(*draft).clone()
            });
        })
    };
    let clear = go.reform(|_: MouseEvent| AuditFilters::default());
    let to_page = to_page(&go, &filters);
    let set = |apply: fn(&mut AuditFilters, String)| {
        let draft = draft.clone();
        Callback::from(move |v: String| {
            let mut f = (*draft).clone();
            apply(&mut f, v);
            draft.set(f);
        })
    };
    let actions: Vec<(String, String)> = AuditAction::ALL
        .iter()
        .map(|a| (a.as_str().to_owned(), labels::event(a.as_str())))
        .collect();
    let heading = if props.id.is_some() {
        "Audit trail of one record"
    } else {
        "Audit trail"
    };
    html! {
        <section class="card wide">
            <h1>{ heading }</h1>
            if props.id.is_some() {
                <p><Link<Route> to={Route::AuditTrail}>{ "All events" }</Link<Route>></p>
            }
            <form class="filters" {onsubmit} role="search" aria-label="Filter the audit trail">
                <Field id="audit_actor" label="Who (account name)" value={draft.actor.clone()} oninput={set(|f, v| f.actor = v)} />
                <Choice id="audit_action" label="What" value={draft.action.clone()} options={actions}
                    placeholder="— any event —" onchange={set(|f, v| f.action = v)} />
                <Field id="audit_from" label="From" kind="date" value={draft.from.clone()} oninput={set(|f, v| f.from = v)} />
                <Field id="audit_to" label="To" kind="date" value={draft.to.clone()} oninput={set(|f, v| f.to = v)} />
                <div class="actions">
                    <button type="submit">{ "Show" }</button>
                    <button type="button" class="secondary" onclick={clear}>{ "Clear filters" }</button>
                </div>
            </form>
            { problem(&error) }
            { match &*events {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(page) if page.items.is_empty() => html! {
                    <p data-testid="audit-empty">{ "No event matches these filters." }</p>
                },
                Some(page) => {
                    let pages = crate::pager::pages(page.total, PER_PAGE);
                    html! {
                        <>
                            <p data-testid="audit-total">{ format!("{} event(s) · page {} of {pages}", page.total, page.page) }</p>
                            <div class="table-scroll">
                            <table class="list stack" data-testid="audit">
                                <thead><tr><th scope="col">{ "When" }</th><th scope="col">{ "Who" }</th><th scope="col">{ "What" }</th><th scope="col">{ "Record" }</th><th scope="col">{ "Changes" }</th></tr></thead>
                                <tbody>{ for page.items.iter().map(|e| html! {
                                    <tr>
                                        <td data-label="When">{ when(e.at) }</td>
                                        <td data-label="Who">{ e.actor.clone() }</td>
                                        <td data-label="What">{ labels::event(&e.action) }</td>
                                        <td data-label="Record">
                                            <Link<Route> to={Route::Audit { id: e.subject_id.to_string() }}>{ labels::record(&e.subject_type) }</Link<Route>>
                                        </td>
                                        <td data-label="Changes">
                                            <ul class="changes">{ for changes(e).into_iter().map(|(field, before, after)| html! {
                                                <li><span class="field">{ field }</span>{ ": " }<del>{ before }</del>{ " → " }<ins>{ after }</ins></li>
                                            }) }</ul>
                                        </td>
                                    </tr>
                                }) }</tbody>
                            </table>
                            </div>
                            <Pager page={page.page} {pages} go={to_page.clone()} previous="Newer" next="Older" />
                        </>
                    }
                }
            } }
        </section>
    }
}
