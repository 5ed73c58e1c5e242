//! Mailing lists for administrators: every list with whom it reaches and how its last sync
//! with Mailman went, a new list, and one list with its subscribers, the next sync's changes,
//! its definition to change and its removal.

mod form;
mod list;

pub use list::MailingListPage;

use b2mms_shared::api::{Audience, MailingList};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api::{self, ApiError};
use crate::labels;
use crate::pages::admin::admin_token;
use crate::pages::when;
use crate::session::use_auth;
use form::ListForm;

/// Whom a list reaches, in words.
pub(crate) fn reach(audience: &Audience) -> String {
    fn words<T>(values: &Option<Vec<T>>, word: impl Fn(&T) -> String) -> Option<String> {
        values
            .as_ref()
            .map(|v| v.iter().map(word).collect::<Vec<_>>().join(" or "))
    }
    let mut parts: Vec<String> = vec![
        words(&audience.statuses, |s| {
            labels::membership(*s).to_lowercase()
        })
        .unwrap_or_else(|| "active".to_owned())
            + " members",
    ];
    parts.extend(words(&audience.categories, |c| c.label().to_owned()));
    if let Some(n) = audience.institution_ids.as_ref().map(Vec::len) {
        parts.push(format!("of {n} chosen institution(s)"));
    }
    parts.extend(words(&audience.countries, |c| format!("in {c}")));
    if let Some(n) = audience.group_ids.as_ref().map(Vec::len) {
        parts.push(format!("in {n} chosen group(s)"));
    }
    parts.extend(words(&audience.roles, |r| {
        labels::audience_role(*r).to_lowercase()
    }));
    match audience.authors {
        Some(true) => parts.push("authors of papers".to_owned()),
        Some(false) => parts.push("not authors".to_owned()),
        None => {}
    }
    parts.join(", ")
}

/// How a list's last sync went, in words.
pub(crate) fn sync_state(list: &MailingList) -> String {
    match (&list.sync_error, list.synced_at) {
        (Some(error), _) => format!(
            "not synced ({} failed attempt(s)): {error}",
            list.sync_failures
        ),
        (None, Some(at)) => format!("synced {}", when(at)),
        (None, None) => "not synced yet".to_owned(),
    }
}

#[function_component(MailingLists)]
pub fn mailing_lists() -> Html {
    let auth = use_auth();
    let navigator = use_navigator();
    let lists = use_state(|| None::<Vec<MailingList>>);
    let error = use_state(|| None::<ApiError>);
    let token = admin_token(&auth);
    {
        let (lists, error, token) = (lists.clone(), error.clone(), token.clone().ok());
        use_effect_with(token, move |token| {
            if let Some(token) = token.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::mailing_lists(&token).await {
                        Ok(found) => lists.set(Some(found)),
                        Err(e) => error.set(Some(e)),
                    }
                });
            }
        });
    }
    let token = match token {
        Ok(t) => t,
        Err(page) => return page,
    };
    let saved = Callback::from(move |list: MailingList| {
        if let Some(nav) = &navigator {
            nav.push(&Route::MailingList {
                id: list.id.to_string(),
            });
        }
    });
    html! {
        <section class="card wide">
            <h1>{ "Mailing lists" }</h1>
            <p>{ "Who is on a list follows from the records; nobody edits its subscribers by hand." }</p>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.detail.clone() }</p> }
            { match &*lists {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(l) if l.is_empty() => html! { <p data-testid="mailing-lists-empty">{ "No mailing list is defined yet." }</p> },
                Some(l) => html! {
                    <div class="table-scroll">
                    <table class="list stack" data-testid="mailing-lists">
                        <thead><tr>
                            <th scope="col">{ "List" }</th><th scope="col">{ "Address" }</th>
                            <th scope="col">{ "Reaches" }</th><th scope="col">{ "Addresses" }</th><th scope="col">{ "Mailman" }</th>
                        </tr></thead>
                        <tbody>{ for l.iter().map(|list| html! {
                            <tr data-testid={format!("list-row-{}", list.name)}>
                                <td data-label="List"><Link<Route> to={Route::MailingList { id: list.id.to_string() }}>{ list.name.clone() }</Link<Route>></td>
                                <td data-label="Address">{ list.address.clone() }</td>
                                <td data-label="Reaches">{ reach(&list.audience) }</td>
                                <td data-label="Addresses">{ list.subscribers.map(|n| n.to_string()).unwrap_or_default() }</td>
                                <td data-label="Mailman">{ sync_state(list) }</td>
                            </tr>
                        }) }</tbody>
                    </table>
                    </div>
                },
            } }
            <h2>{ "A new list" }</h2>
            <ListForm token={token} {saved} />
        </section>
    }
}
