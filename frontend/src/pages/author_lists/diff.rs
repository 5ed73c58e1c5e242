//! The differences between this list and another one: who was added, who was removed, and
//! whose printed name or affiliations changed.

use b2mms_shared::api::{AuthorListDiff, AuthorListSummary};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::forms::Choice;

#[derive(Properties, PartialEq)]
pub struct DiffProps {
    pub id: AttrValue,
    pub token: String,
}

#[function_component(Differences)]
pub fn differences(props: &DiffProps) -> Html {
    let others = use_state(Vec::<AuthorListSummary>::new);
    let against = use_state(String::new);
    let diff = use_state(|| None::<AuthorListDiff>);
    let error = use_state(|| None::<ApiError>);
    {
        let others = others.clone();
        use_effect_with(
            (props.token.clone(), props.id.clone()),
            move |(token, id)| {
                let (token, id) = (token.clone(), id.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(all) = api::author_lists(&token).await {
                        others.set(
                            all.into_iter()
                                .filter(|l| l.id.to_string() != *id)
                                .collect(),
                        );
                    }
                });
            },
        );
    }
    {
        let (diff, error) = (diff.clone(), error.clone());
        use_effect_with(
            (props.token.clone(), props.id.clone(), (*against).clone()),
            move |(token, id, against)| {
                diff.set(None);
                error.set(None);
                if let Ok(other) = uuid::Uuid::parse_str(against) {
                    let (token, id) = (token.clone(), id.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::author_list_diff(&token, &id, other).await {
                            Ok(d) => diff.set(Some(d)),
                            Err(e) => error.set(Some(e)),
                        }
                    });
                }
            },
        );
    }
    if others.is_empty() {
        return html! { <p>{ "There is no other list to compare with." }</p> };
    }
    let options = others
        .iter()
        .map(|l| (l.id.to_string(), format!("{} ({})", l.title, l.date)))
        .collect::<Vec<_>>();
    html! {
        <div data-testid="author-list-diff">
            <Choice id="against" label="Compare with" value={(*against).clone()} {options}
                onchange={let a = against.clone(); Callback::from(move |v| a.set(v))} />
            if let Some(e) = &*error { <p class="error" role="alert">{ e.detail.clone() }</p> }
            if let Some(d) = &*diff {
                if d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty() {
                    <p data-testid="diff-none">{ "The two lists name the same authors the same way." }</p>
                }
                if !d.added.is_empty() {
                    <h3>{ format!("Added ({})", d.added.len()) }</h3>
                    <ul data-testid="diff-added">{ for d.added.iter().map(|a| html! { <li>{ a.paper_name.clone() }</li> }) }</ul>
                }
                if !d.removed.is_empty() {
                    <h3>{ format!("Removed ({})", d.removed.len()) }</h3>
                    <ul data-testid="diff-removed">{ for d.removed.iter().map(|a| html! { <li>{ a.paper_name.clone() }</li> }) }</ul>
                }
                if !d.changed.is_empty() {
                    <h3>{ format!("Changed ({})", d.changed.len()) }</h3>
                    <ul data-testid="diff-changed">{ for d.changed.iter().map(|c| html! {
                        <li>{ changed(c) }</li>
                    }) }</ul>
                }
            }
        </div>
    }
}

/// What changed about one author, from the other list to this one.
fn changed(c: &b2mms_shared::api::ChangedAuthor) -> String {
    let mut parts = Vec::new();
    if c.before_paper_name != c.after_paper_name {
        parts.push(format!(
            "printed as {} (was {})",
            c.after_paper_name, c.before_paper_name
        ));
    }
    if c.before_affiliations != c.after_affiliations {
        parts.push(format!(
            "affiliations {} (were {})",
            c.after_affiliations.join("; "),
            c.before_affiliations.join("; ")
        ));
    }
    format!("{}: {}", c.after_paper_name, parts.join(", "))
}
