//! The members of the caller's institution (for its IRs).

use b2mms_shared::api::DirectoryEntry;
use yew::prelude::*;

use crate::api;
use crate::session::{Auth, SignInFirst, use_auth};

#[function_component(InstitutionMembers)]
pub fn institution_members() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Vec<DirectoryEntry>>);
    let error = use_state(|| None::<String>);
    let target = match &*auth {
        Auth::SignedIn(s) => {
            s.me.as_ref()
                .and_then(|m| m.representative_of.first().copied())
                .map(|i| (s.token.clone(), i.to_string()))
        }
        _ => None,
    };
    {
        let (list, error) = (list.clone(), error.clone());
        use_effect_with(target.clone(), move |target| {
            if let Some((token, institution)) = target.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::institution_members(&token, &institution).await {
                        Ok(page) => list.set(Some(page.items)),
                        Err(e) => error.set(Some(e.detail)),
                    }
                });
            }
        });
    }
    match &*auth {
        Auth::SignedOut => return html! { <SignInFirst /> },
        Auth::Resuming => return html! { <p class="loading">{ "Loading…" }</p> },
        Auth::SignedIn(_) if target.is_none() => {
            return html! { <section class="card"><p>{ "You represent no institution." }</p></section> };
        }
        Auth::SignedIn(_) => {}
    }
    html! {
        <section class="card wide">
            <h1>{ "Members of my institution" }</h1>
            { match (&*list, &*error) {
                (_, Some(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
                (None, _) => html! { <p class="loading" aria-busy="true">{ "Loading…" }</p> },
                (Some(items), _) if items.is_empty() => html! { <p>{ "No members yet." }</p> },
                (Some(items), _) => html! {
                    <table class="list" tabindex="0" data-testid="members">
                        <thead><tr><th>{ "Name" }</th><th>{ "Account" }</th><th>{ "Category" }</th><th>{ "Status" }</th><th>{ "Address" }</th></tr></thead>
                        <tbody>{ for items.iter().map(|m| html! {
                            <tr>
                                <td>{ format!("{} {}", m.given_name, m.family_name) }</td>
                                <td>{ m.account_name.clone().unwrap_or_default() }</td>
                                <td>{ m.category.label() }</td>
                                <td>{ crate::labels::membership(m.status) }</td>
                                <td>{ m.registry_email.clone().unwrap_or_default() }</td>
                            </tr>
                        }) }</tbody>
                    </table>
                },
            } }
        </section>
    }
}
