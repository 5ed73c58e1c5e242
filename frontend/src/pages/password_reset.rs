//! A lost password: ask for a link, then set a new password with it.

use b2mms_shared::rules::{PasswordContext, check_password};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api::{self, ApiError};
use crate::pages::Field;

#[function_component(ForgotPassword)]
pub fn forgot_password() -> Html {
    let who = use_state(String::new);
    let sent = use_state(|| false);
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let (who, sent, error) = (who.clone(), sent.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (value, sent, error) = ((*who).clone(), sent.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::request_reset(value).await {
                    Ok(()) => sent.set(true),
                    Err(e) => error.set(Some(e.detail)),
                }
            });
        })
    };
    html! {
        <section class="card">
            <h1>{ "Lost password" }</h1>
            if *sent {
                <p role="status" data-testid="reset-sent">{ "If an account matches, a link to set a new password is on its way to its contact address. It works once, for one hour." }</p>
            } else {
                <form {onsubmit}>
                    <Field id="account_or_email" label="Account name or contact email" value={(*who).clone()}
                        oninput={let s = who.clone(); Callback::from(move |v| s.set(v))} />
                    <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                    <button type="submit">{ "Send me a link" }</button>
                </form>
            }
        </section>
    }
}

#[derive(Deserialize, Default)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[function_component(ResetPassword)]
pub fn reset_password() -> Html {
    let location = use_location();
    let token = location
        .and_then(|l| l.query::<TokenQuery>().ok())
        .unwrap_or_default()
        .token;
    let password = use_state(String::new);
    let confirm = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let done = use_state(|| false);
    let live: Vec<String> = if password.is_empty() {
        Vec::new()
    } else {
        check_password(&password, PasswordContext::default())
            .into_iter()
            .map(|v| v.message)
            .collect()
    };
    let mismatch = if !confirm.is_empty() && *confirm != *password {
        vec!["The two passwords differ.".to_owned()]
    } else {
        Vec::new()
    };
    let server = error
        .as_ref()
        .map(|e| e.field("new_password"))
        .unwrap_or_default();
    let onsubmit = {
        let (password, error, done) = (password.clone(), error.clone(), done.clone());
        let token = token.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (value, error, done, token) = (
                (*password).clone(),
                error.clone(),
                done.clone(),
                token.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::confirm_reset(token, value).await {
                    Ok(()) => done.set(true),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <section class="card">
            <h1>{ "Set a new password" }</h1>
            if *done {
                <p role="status" data-testid="reset-done">{ "Your password is set. " }<Link<Route> to={Route::Login}>{ "Sign in" }</Link<Route>></p>
            } else {
                <form {onsubmit}>
                    <Field id="new_password" label="New password" kind="password" value={(*password).clone()}
                        errors={if live.is_empty() { server } else { live }}
                        autocomplete={Some(AttrValue::Static("new-password"))}
                        oninput={let s = password.clone(); Callback::from(move |v| s.set(v))} />
                    { crate::pages::strength_meter(&password) }
                    <Field id="confirm_password" label="New password again" kind="password" value={(*confirm).clone()}
                        errors={mismatch} autocomplete={Some(AttrValue::Static("new-password"))}
                        oninput={let s = confirm.clone(); Callback::from(move |v| s.set(v))} />
                    <p class="error" role="alert">{ error.as_ref().filter(|e| e.errors.is_empty()).map(|e| e.detail.clone()).unwrap_or_default() }</p>
                    <button type="submit">{ "Set password" }</button>
                </form>
            }
        </section>
    }
}
