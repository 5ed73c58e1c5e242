//! One author list: what it is, the steps its state allows (to those who prepare lists), the
//! institutions' sections and their sign-offs, the authors as printed, the identifiers still
//! missing, the differences to another list, and its files.

use b2mms_shared::api::{AuthorList, Readiness};
use b2mms_shared::{AuthorListState, access};
use yew::prelude::*;
use yew_router::prelude::*;

use super::diff::Differences;
use super::sections::Sections;
use super::{person, reader};
use crate::Route;
use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::labels;
use crate::session::use_auth;

#[derive(Properties, PartialEq)]
pub struct ListProps {
    pub id: AttrValue,
}

#[function_component(AuthorListPage)]
pub fn author_list_page(props: &ListProps) -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<AuthorList>);
    let readiness = use_state(|| None::<Readiness>);
    let error = use_state(|| None::<ApiError>);
    let done = use_state(|| None::<String>);
    let session = reader(&auth);
    {
        let (list, readiness, error) = (list.clone(), readiness.clone(), error.clone());
        let token = session.as_ref().ok().map(|s| s.token.clone());
        use_effect_with((token, props.id.clone()), move |(token, id)| {
            if let Some(token) = token.clone() {
                let id = id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match api::author_list(&token, &id).await {
                        Ok(l) => list.set(Some(l)),
                        Err(e) => error.set(Some(e)),
                    }
                    if let Ok(r) = api::author_list_readiness(&token, &id).await {
                        readiness.set(Some(r));
                    }
                });
            }
        });
    }
    let session = match session {
        Ok(s) => s,
        Err(page) => return page,
    };
    let back = html! { <p><Link<Route> to={Route::AuthorLists}>{ "Back to the author lists" }</Link<Route>></p> };
    let Some(l) = (*list).clone() else {
        return html! {
            <section class="card">
                <h1>{ "Author list" }</h1>
                { back }
                { match &*error {
                    Some(e) => html! { <p class="error" role="alert">{ e.detail.clone() }</p> },
                    None => html! { <p class="loading">{ "Loading…" }</p> },
                } }
            </section>
        };
    };
    // A step or a sign-off answers with the list as it now is.
    let changed = {
        let (list, done) = (list.clone(), done.clone());
        Callback::from(move |(next, message): (AuthorList, String)| {
            list.set(Some(next));
            done.set(Some(message));
        })
    };
    let s = &l.summary;
    html! {
        <section class="card wide">
            <h1>{ s.title.clone() }</h1>
            { back }
            if let Some(message) = &*done { <p class="notice" role="status" data-testid="author-list-done">{ message.clone() }</p> }
            <dl class="record">
                <dt>{ "Reference" }</dt><dd>{ s.reference.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Authors as of" }</dt><dd>{ s.date.to_string() }</dd>
                <dt>{ "State" }</dt><dd data-testid="author-list-state">{ labels::author_list(s.state) }</dd>
                <dt>{ "Made by" }</dt><dd>{ format!("{} on {}", person(&s.created_by), s.created_at.date_naive()) }</dd>
                if let Some(at) = s.frozen_at { <dt>{ "Frozen" }</dt><dd>{ crate::pages::when(at) }</dd> }
                <dt>{ "Authors" }</dt><dd data-testid="author-count">{ l.content.authors.len() }</dd>
            </dl>
            if access::prepares_author_lists(&session.roles) {
                <Steps list={l.clone()} token={session.token.clone()} changed={changed.clone()} />
            }
            <h2>{ "Institutions" }</h2>
            <Sections list={l.clone()} token={session.token.clone()}
                represents={session.me.as_ref().map(|m| m.representative_of.clone()).unwrap_or_default()}
                {changed} />
            <h2>{ "Files" }</h2>
            <Files id={props.id.clone()} token={session.token.clone()} />
            <h2>{ "Authors as printed" }</h2>
            <ol class="byline" data-testid="author-list-authors">
                { for l.content.authors.iter().map(|a| html! {
                    <li>{ a.paper_name.clone() }<sup>{ a.affiliations.iter().map(|f| f.number.to_string()).collect::<Vec<_>>().join(",") }</sup></li>
                }) }
            </ol>
            <ol class="affiliations">
                { for l.content.institutions.iter().map(|i| html! { <li value={i.number.to_string()}>{ i.printed() }</li> }) }
            </ol>
            if let Some(r) = &*readiness { { missing(r) } }
            <h2>{ "Compared with another list" }</h2>
            <Differences id={props.id.clone()} token={session.token.clone()} />
        </section>
    }
}

/// Identifiers journals and INSPIRE ask for that the records do not have yet.
fn missing(r: &Readiness) -> Html {
    if r.authors.is_empty() && r.institutions.is_empty() {
        return html! { <p data-testid="readiness">{ "Every author and institution has its identifiers." }</p> };
    }
    html! {
        <details data-testid="readiness">
            <summary>{ format!("Identifiers missing: {} authors, {} institutions", r.authors.len(), r.institutions.len()) }</summary>
            <ul>
                { for r.authors.iter().map(|a| html! { <li>{ format!("{}: {}", a.name, a.missing.join(", ")) }</li> }) }
                { for r.institutions.iter().map(|i| html! { <li>{ format!("{}: {}", i.short_name, i.missing.join(", ")) }</li> }) }
            </ul>
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct StepsProps {
    list: AuthorList,
    token: String,
    changed: Callback<(AuthorList, String)>,
}

/// The steps the list's state allows, each saying what it does first.
#[function_component(Steps)]
fn steps(props: &StepsProps) -> Html {
    let step = |path: &'static str, message: &'static str| {
        let (token, id, changed) = (
            props.token.clone(),
            props.list.summary.id.to_string(),
            props.changed.clone(),
        );
        Call::new(move || {
            let (token, id, changed) = (token.clone(), id.clone(), changed.clone());
            async move {
                let next = api::author_list_step(&token, &id, path).await?;
                changed.emit((next, message.to_owned()));
                Ok(())
            }
        })
    };
    let with_authors = props.list.content.institutions.len();
    let waiting = props
        .list
        .content
        .institutions
        .iter()
        .filter(|i| {
            !props
                .list
                .sign_offs
                .iter()
                .any(|s| s.institution_id == i.institution_id)
        })
        .count();
    match props.list.summary.state {
        AuthorListState::Draft => html! {
            <div class="actions">
                <ActionButton label="Start the review" busy_label="Starting…" secondary={false}
                    call={step("review", "The list is under review: the institutions' representatives are asked to sign their sections off.")}
                    confirm="Send the list to the institutions for review? Each institution's representatives are asked to check its section and sign it off; corrections to the records still show up."
                    confirm_label="Start the review" testid="start-review" />
            </div>
        },
        AuthorListState::Review => {
            let (question, path) = if waiting == 0 {
                (
                    "Freeze the list? It never changes afterwards, whatever happens to the records.".to_owned(),
                    "freeze",
                )
            } else {
                (
                    format!(
                        "{waiting} of {with_authors} institutions have not signed off. Freeze the list anyway? It never changes afterwards."
                    ),
                    "freeze?confirm=true",
                )
            };
            html! {
                <div class="actions">
                    <ActionButton label="Freeze the list" busy_label="Freezing…" secondary={false}
                        call={step(path, "The list is frozen: later changes to the records leave it as it is.")}
                        confirm={AttrValue::from(question)} confirm_label="Freeze" testid="freeze" />
                    <ActionButton label="Back to draft" busy_label="Reopening…"
                        call={step("reopen", "The list is a draft again.")}
                        confirm="Take the list back to draft? The sign-offs so far are withdrawn: a new review asks every institution again."
                        confirm_label="Back to draft" testid="reopen" />
                </div>
            }
        }
        AuthorListState::Frozen => html! {},
    }
}

#[derive(Properties, PartialEq)]
struct FilesProps {
    id: AttrValue,
    token: String,
}

/// The list's files, each fetched with the session and saved by the browser.
#[function_component(Files)]
fn files(props: &FilesProps) -> Html {
    const FILES: [(&str, &str, &str); 4] = [
        ("authors.xml", "INSPIRE authors.xml", "application/xml"),
        ("authors.tex", "REVTeX (authors.tex)", "application/x-tex"),
        ("authors.txt", "Byline as text", "text/plain"),
        ("authors.csv", "Table (CSV)", "text/csv"),
    ];
    html! {
        <div class="actions" data-testid="author-list-files">
            { for FILES.iter().map(|&(file, label, mime)| {
                let (token, id) = (props.token.clone(), props.id.to_string());
                let call = Call::new(move || {
                    let (token, id) = (token.clone(), id.clone());
                    async move {
                        let text = api::author_list_file(&token, &id, file).await?;
                        crate::download::save(file, mime, &text);
                        Ok(())
                    }
                });
                html! { <ActionButton label={label} busy_label="Fetching…" {call} testid={AttrValue::from(file)} /> }
            }) }
        </div>
    }
}
