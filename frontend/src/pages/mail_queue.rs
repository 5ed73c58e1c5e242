//! The admins' view of mail the mail server has not taken yet: how many, for whom, why, and a
//! button to try one again now instead of at its next attempt.

use b2mms_shared::api::QueuedMail;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::pages::admin::{admin_token, problem};
use crate::pages::when;
use crate::session::use_auth;

#[function_component(MailQueue)]
pub fn mail_queue() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<(Vec<QueuedMail>, i64)>);
    let reload = use_state(|| 0u32);
    let notice = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let token = admin_token(&auth);
    {
        let (list, error, token) = (list.clone(), error.clone(), token.clone().ok());
        use_effect_with((token.clone(), *reload), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::mail_queue(&token).await {
                        Ok(page) => list.set(Some((page.items, page.total))),
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
    let retry = |id: String| {
        let (reload, notice, error, token) =
            (reload.clone(), notice.clone(), error.clone(), token.clone());
        Callback::from(move |_| {
            let (reload, notice, error, token, id) = (
                reload.clone(),
                notice.clone(),
                error.clone(),
                token.clone(),
                id.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::retry_mail(&token, &id).await {
                    Ok(()) => notice.set(Some(
                        "The message is due now; it goes out with the next delivery.".into(),
                    )),
                    Err(e) => error.set(Some(e)),
                }
                reload.set(*reload + 1);
            });
        })
    };
    html! {
        <section class="card wide">
            <h1>{ "Mail queue" }</h1>
            { problem(&error) }
            if let Some(text) = &*notice {
                <p class="notice" role="status">{ text.clone() }</p>
            }
            {
                match &*list {
                    None => html! { <p class="loading">{ "Loading…" }</p> },
                    Some((_, 0)) => html! { <p data-testid="mail-queue-count">{ "Every message has been delivered." }</p> },
                    Some((items, total)) => html! {
                        <>
                            <p data-testid="mail-queue-count">{ format!("{total} message(s) not delivered yet. They are retried by themselves; nothing is dropped.") }</p>
                            <table class="list" tabindex="0" data-testid="mail-queue">
                                <thead><tr><th>{ "To" }</th><th>{ "Subject" }</th><th>{ "Queued" }</th><th>{ "Attempts" }</th><th>{ "Next attempt" }</th><th>{ "Last answer of the mail server" }</th><th></th></tr></thead>
                                <tbody>
                                    { for items.iter().map(|m| html! {
                                        <tr>
                                            <td>{ m.to.clone() }</td>
                                            <td>{ m.subject.clone() }</td>
                                            <td>{ when(m.created_at) }</td>
                                            <td>{ m.attempts }</td>
                                            <td>{ when(m.next_attempt_at) }</td>
                                            <td>{ m.last_error.clone().unwrap_or_default() }</td>
                                            <td><button type="button" onclick={retry(m.id.to_string())}>{ "Try now" }</button></td>
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                        </>
                    },
                }
            }
        </section>
    }
}
