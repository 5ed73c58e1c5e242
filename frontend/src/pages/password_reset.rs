//! A lost password: ask for a link, then set a new password with it.

use b2mms_shared::rules::{PasswordContext, check_password};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::{ErrorSummary, Field, Problems};

#[function_component(ForgotPassword)]
pub fn forgot_password() -> Html {
    let who = use_state(String::new);
    let sent = use_state(|| false);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let attempt = use_state(|| 0u32);
    let mut problems = Problems::default();
    problems.require(
        "account_or_email",
        &who,
        "Enter your account name or your contact email address.",
    );
    let onsubmit = {
        let (who, sent, error, busy, attempt) = (
            who.clone(),
            sent.clone(),
            error.clone(),
            busy.clone(),
            attempt.clone(),
        );
        let refused = !problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if refused {
                attempt.set(*attempt + 1);
                return;
            }
            let (value, sent, error, busy) =
                ((*who).clone(), sent.clone(), error.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::request_reset(value).await;
                busy.set(false);
                match result {
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
                <form {onsubmit} novalidate=true>
                    <ErrorSummary problems={problems.clone()} attempt={*attempt} />
                    <Field id="account_or_email" label="Account name or contact email" value={(*who).clone()}
                        errors={if *attempt > 0 { problems.of("account_or_email") } else { Vec::new() }}
                        oninput={let s = who.clone(); Callback::from(move |v| s.set(v))} />
                    <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                    <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Sending…" } else { "Send me a link" } }</button>
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
    let busy = use_state(|| false);
    let attempt = use_state(|| 0u32);
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
    let mut problems = Problems::default();
    let new_errors = if live.is_empty() { server } else { live };
    problems.add("new_password", &new_errors);
    problems.require("new_password", &password, "Choose a new password.");
    problems.add("confirm_password", &mismatch);
    problems.require("confirm_password", &confirm, "Type the new password again.");
    let onsubmit = {
        let (password, error, done, busy, attempt) = (
            password.clone(),
            error.clone(),
            done.clone(),
            busy.clone(),
            attempt.clone(),
        );
        let token = token.clone();
        let refused = !problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if refused {
                attempt.set(*attempt + 1);
                return;
            }
            let (value, error, done, token, busy) = (
                (*password).clone(),
                error.clone(),
                done.clone(),
                token.clone(),
                busy.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::confirm_reset(token, value).await;
                busy.set(false);
                match result {
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
                <form {onsubmit} novalidate=true>
                    <ErrorSummary problems={problems.clone()} attempt={*attempt} />
                    <Field id="new_password" label="New password" kind="password" value={(*password).clone()}
                        errors={if *attempt > 0 { problems.of("new_password") } else { new_errors }}
                        autocomplete={Some(AttrValue::Static("new-password"))}
                        oninput={let s = password.clone(); Callback::from(move |v| s.set(v))} />
                    { crate::forms::strength_meter(&password) }
                    <Field id="confirm_password" label="New password again" kind="password" value={(*confirm).clone()}
                        errors={if *attempt > 0 { problems.of("confirm_password") } else { mismatch }} autocomplete={Some(AttrValue::Static("new-password"))}
                        oninput={let s = confirm.clone(); Callback::from(move |v| s.set(v))} />
                    <p class="error" role="alert">{ error.as_ref().filter(|e| e.errors.is_empty()).map(|e| e.detail.clone()).unwrap_or_default() }</p>
                    <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Setting…" } else { "Set password" } }</button>
                </form>
            }
        </section>
    }
}
