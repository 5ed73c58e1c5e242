//! The audit trail of one record.

use b2mms_shared::api::AuditEvent;
use yew::prelude::*;

use super::admin_token;
use crate::api;
use crate::labels;
use crate::pages::when;
use crate::session::use_auth;

#[derive(Properties, PartialEq)]
pub struct AuditProps {
    pub id: String,
}

#[function_component(AdminAudit)]
pub fn admin_audit(props: &AuditProps) -> Html {
    let auth = use_auth();
    let events = use_state(|| None::<Vec<AuditEvent>>);
    let token = admin_token(&auth);
    {
        let (events, token, id) = (events.clone(), token.clone().ok(), props.id.clone());
        use_effect_with((token.clone(), id.clone()), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(page) = api::audit(&token, &id).await {
                        events.set(Some(page.items));
                    }
                });
            }
        });
    }
    if let Err(page) = token {
        return page;
    }
    html! {
        <section class="card wide">
            <h1>{ "Audit trail" }</h1>
            { match &*events {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(list) => html! {
                    <table class="list" tabindex="0" data-testid="audit">
                        <thead><tr><th>{ "When" }</th><th>{ "Who" }</th><th>{ "What" }</th></tr></thead>
                        <tbody>{ for list.iter().map(|e| html! { <tr><td>{ when(e.at) }</td><td>{ e.actor.clone() }</td><td>{ labels::event(&e.action) }</td></tr> }) }</tbody>
                    </table>
                },
            } }
        </section>
    }
}
