//! Author lists for the collaboration's papers: the lists with their state, a new list for a
//! paper (those who prepare lists), the forecast for any day, and one list with its review by
//! the institutions, its steps, the differences to another list and its files.

mod diff;
mod forecast;
mod list;
mod sections;

pub use forecast::AuthorForecastPage;
pub use list::AuthorListPage;

use b2mms_shared::access;
use b2mms_shared::api::{AuthorListSummary, NewAuthorList};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::{ErrorSummary, Field, Problems};
use crate::labels;
use crate::session::{Auth, Session, SignInFirst, use_auth};

/// The session of someone who reads author lists, or the page to show instead.
pub(crate) fn reader(auth: &Auth) -> Result<Session, Html> {
    match auth {
        Auth::SignedIn(s) if access::reads_author_lists(&s.roles) => Ok((**s).clone()),
        Auth::SignedIn(_) => Err(html! {
            <section class="card"><h1>{ "Author lists" }</h1>
                <p class="error">{ "Author lists are read by those who prepare them, the chair of the Institutional Board and the institutional representatives." }</p></section>
        }),
        Auth::SignedOut => Err(html! { <SignInFirst /> }),
        Auth::Resuming => Err(html! { <p class="loading">{ "Loading…" }</p> }),
    }
}

/// A person as lists name them.
pub(crate) fn person(p: &b2mms_shared::api::PersonRef) -> String {
    format!("{} {}", p.given_name, p.family_name)
}

#[function_component(AuthorLists)]
pub fn author_lists() -> Html {
    let auth = use_auth();
    let lists = use_state(|| None::<Vec<AuthorListSummary>>);
    let error = use_state(|| None::<ApiError>);
    let session = reader(&auth);
    {
        let (lists, error) = (lists.clone(), error.clone());
        let token = session.as_ref().ok().map(|s| s.token.clone());
        use_effect_with(token, move |token| {
            if let Some(token) = token.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::author_lists(&token).await {
                        Ok(l) => lists.set(Some(l)),
                        Err(e) => error.set(Some(e)),
                    }
                });
            }
        });
    }
    let session = match session {
        Ok(s) => s,
        Err(page) => return page,
    };
    html! {
        <section class="card wide">
            <h1>{ "Author lists" }</h1>
            <p><Link<Route> to={Route::AuthorForecast}>{ "Who is an author on any day (forecast)" }</Link<Route>></p>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.detail.clone() }</p> }
            { match &*lists {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(l) if l.is_empty() => html! { <p data-testid="author-lists-empty">{ "No author list yet." }</p> },
                Some(l) => html! {
                    <div class="table-scroll">
                    <table class="list stack" data-testid="author-lists">
                        <thead><tr>
                            <th scope="col">{ "Paper" }</th><th scope="col">{ "Reference" }</th>
                            <th scope="col">{ "As of" }</th><th scope="col">{ "State" }</th>
                            <th scope="col">{ "Made by" }</th>
                        </tr></thead>
                        <tbody>{ for l.iter().map(|s| html! {
                            <tr>
                                <td data-label="Paper"><Link<Route> to={Route::AuthorList { id: s.id.to_string() }}>{ s.title.clone() }</Link<Route>></td>
                                <td data-label="Reference">{ s.reference.clone().unwrap_or_else(|| "—".into()) }</td>
                                <td data-label="As of">{ s.date.to_string() }</td>
                                <td data-label="State">{ labels::author_list(s.state) }</td>
                                <td data-label="Made by">{ person(&s.created_by) }</td>
                            </tr>
                        }) }</tbody>
                    </table>
                    </div>
                },
            } }
            if access::prepares_author_lists(&session.roles) {
                <h2>{ "A new list" }</h2>
                <NewList token={session.token.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NewListProps {
    token: String,
}

/// Title, optional reference (arXiv number, report number) and the day the list is computed
/// for; the new list opens once it is made.
#[function_component(NewList)]
fn new_list(props: &NewListProps) -> Html {
    let navigator = use_navigator();
    let title = use_state(String::new);
    let reference = use_state(String::new);
    let date = use_state(|| chrono::Utc::now().date_naive().to_string());
    let attempt = use_state(|| 0u32);
    let busy = use_state(|| false);
    let refused = use_state(|| None::<ApiError>);
    let mut problems = Problems::default();
    problems.require("title", &title, "Give the paper's title.");
    if crate::forms::day(&date).is_none() {
        problems.add("date", &["Choose the day the list is for.".to_owned()]);
    }
    if let Some(e) = &*refused {
        for (field, found) in &e.errors {
            problems.add(
                field,
                &found.iter().map(|v| v.message.clone()).collect::<Vec<_>>(),
            );
        }
    }
    let onsubmit = {
        let (title, reference, date, attempt, busy, refused, token) = (
            title.clone(),
            reference.clone(),
            date.clone(),
            attempt.clone(),
            busy.clone(),
            refused.clone(),
            props.token.clone(),
        );
        let blocked = !problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            attempt.set(*attempt + 1);
            let Some(day) = crate::forms::day(&date) else {
                return;
            };
            if blocked || *busy {
                return;
            }
            let body = NewAuthorList {
                title: title.trim().to_owned(),
                reference: Some(reference.trim().to_owned()).filter(|r| !r.is_empty()),
                date: day,
            };
            let (busy, refused, token, navigator) = (
                busy.clone(),
                refused.clone(),
                token.clone(),
                navigator.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let made = api::create_author_list(&token, &body).await;
                busy.set(false);
                match made {
                    Ok(list) => {
                        if let Some(nav) = navigator {
                            nav.push(&Route::AuthorList {
                                id: list.summary.id.to_string(),
                            });
                        }
                    }
                    Err(e) => refused.set(Some(e)),
                }
            });
        })
    };
    let set = |s: &UseStateHandle<String>| {
        let (s, refused) = (s.clone(), refused.clone());
        Callback::from(move |v: String| {
            s.set(v);
            refused.set(None);
        })
    };
    let shown = |field: &str| {
        if *attempt > 0 {
            problems.of(field)
        } else {
            Vec::new()
        }
    };
    html! {
        <form {onsubmit} novalidate=true data-testid="new-author-list">
            <ErrorSummary problems={problems.clone()} attempt={*attempt} />
            if let Some(e) = refused.as_ref().filter(|e| e.errors.is_empty()) {
                <p class="error" role="alert">{ e.detail.clone() }</p>
            }
            <Field id="title" label="Paper title" value={(*title).clone()} oninput={set(&title)} errors={shown("title")} />
            <Field id="reference" label="Reference (optional)" value={(*reference).clone()} oninput={set(&reference)}
                hint={Some(AttrValue::Static("For example the arXiv or report number."))} />
            <Field id="date" label="Authors as of" kind="date" value={(*date).clone()} oninput={set(&date)} errors={shown("date")}
                hint={Some(AttrValue::Static("The list is computed from the records for this day; while in draft it follows changes to them."))} />
            <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Making the list…" } else { "Make the list" } }</button>
        </form>
    }
}
