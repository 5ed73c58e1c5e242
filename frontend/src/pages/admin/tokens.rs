//! Service tokens for the collaboration's tools: create, list, revoke.

use b2mms_shared::Scope;
use b2mms_shared::api::{CreatedServiceToken, NewServiceToken, ServiceToken};
use yew::prelude::*;

use super::{admin_token, problem};
use crate::api::{self, ApiError};
use crate::forms::Field;
use crate::pages::when;
use crate::session::use_auth;

#[function_component(AdminTokens)]
pub fn admin_tokens() -> Html {
    let auth = use_auth();
    let list = use_state(Vec::<ServiceToken>::new);
    let reload = use_state(|| 0u32);
    let name = use_state(String::new);
    let created = use_state(|| None::<CreatedServiceToken>);
    let error = use_state(|| None::<ApiError>);
    let token = admin_token(&auth);
    {
        let (list, token) = (list.clone(), token.clone().ok());
        use_effect_with((token.clone(), *reload), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(items) = api::service_tokens(&token).await {
                        list.set(items);
                    }
                });
            }
        });
    }
    let token = match token {
        Ok(t) => t,
        Err(page) => return page,
    };
    let onsubmit = {
        let (name, created, error, reload, token) = (
            name.clone(),
            created.clone(),
            error.clone(),
            reload.clone(),
            token.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = NewServiceToken {
                name: (*name).clone(),
                scopes: vec![Scope::MembersRead],
                expires_at: None,
            };
            let (created, error, reload, token) = (
                created.clone(),
                error.clone(),
                reload.clone(),
                token.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_service_token(&token, &body).await {
                    Ok(c) => {
                        created.set(Some(c));
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let revoke = |id: String| {
        let (reload, token) = (reload.clone(), token.clone());
        Callback::from(move |_| {
            let (reload, token, id) = (reload.clone(), token.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let _ = api::revoke_service_token(&token, &id).await;
                reload.set(*reload + 1);
            });
        })
    };
    html! {
        <section class="card wide">
            <h1>{ "Service tokens" }</h1>
            { problem(&error) }
            <form {onsubmit}>
                <Field id="token_name" label="Name of the tool (it may read the member directory)" value={(*name).clone()} oninput={let n = name.clone(); Callback::from(move |v| n.set(v))} />
                <button type="submit">{ "Issue token" }</button>
            </form>
            if let Some(c) = &*created {
                <p class="notice" role="status">{ "The token, shown only now: " }<code>{ c.token.clone() }</code>{ crate::pages::copy_button(c.token.clone()) }</p>
            }
            <table class="list" tabindex="0" data-testid="tokens">
                <thead><tr><th>{ "Name" }</th><th>{ "Scopes" }</th><th>{ "Last used" }</th><th></th></tr></thead>
                <tbody>
                    { for list.iter().map(|t| html! {
                        <tr>
                            <td>{ t.name.clone() }</td>
                            <td>{ t.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ") }</td>
                            <td>{ t.last_used_at.map(when).unwrap_or_else(|| "never".into()) }</td>
                            <td>if t.revoked_at.is_none() { <button type="button" class="secondary" onclick={revoke(t.id.to_string())}>{ "Revoke" }</button> } else { { "revoked" } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}
