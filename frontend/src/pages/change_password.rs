//! Set a new password: required after the first sign-in and when the password has expired,
//! and whenever a person chooses to (`/password`, where the expiry reminders link to). The
//! policy is checked live with the same rules the server enforces.

use b2mms_shared::rules::{PasswordContext, check_password};
use yew::prelude::*;

use crate::api;
use crate::forms::{ErrorSummary, Field, Problems};
use crate::session::{Auth, Session, establish, use_auth};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub session: Session,
    /// Changing by choice, not because the password must change.
    #[prop_or_default]
    pub voluntary: bool,
}

/// The page at `/password`: sign in first, then change the password.
#[function_component(MyPassword)]
pub fn my_password() -> Html {
    let auth = use_auth();
    match &*auth {
        Auth::Resuming => html! { <p class="loading" aria-busy="true">{ "Loading…" }</p> },
        Auth::SignedOut => html! { <crate::session::SignInFirst /> },
        Auth::SignedIn(session) => {
            let session = (**session).clone();
            let voluntary = !session.must_change_password;
            html! { <ChangePassword {session} {voluntary} /> }
        }
    }
}

#[function_component(ChangePassword)]
pub fn change_password(props: &Props) -> Html {
    let auth = use_auth();
    let current = use_state(String::new);
    let new = use_state(String::new);
    let confirm = use_state(String::new);
    let error = use_state(|| None::<api::ApiError>);
    let busy = use_state(|| false);
    let changed = use_state(|| false);
    let attempt = use_state(|| 0u32);

    let account = props.session.account.clone();
    let live: Vec<String> = if new.is_empty() {
        Vec::new()
    } else {
        check_password(
            &new,
            PasswordContext {
                account_name: Some(&account),
                names: &[],
            },
        )
        .into_iter()
        .map(|v| v.message)
        .collect()
    };
    let mismatch = if !confirm.is_empty() && *confirm != *new {
        vec!["The two new passwords differ.".to_owned()]
    } else {
        Vec::new()
    };
    let server_new = error
        .as_ref()
        .map(|e| e.field("new_password"))
        .unwrap_or_default();
    let new_errors = if live.is_empty() { server_new } else { live };
    let mut problems = Problems::default();
    problems.require(
        "current_password",
        &current,
        "Enter the password you signed in with.",
    );
    problems.add("new_password", &new_errors);
    problems.require("new_password", &new, "Choose a new password.");
    problems.add("confirm_password", &mismatch);
    problems.require("confirm_password", &confirm, "Type the new password again.");
    let shown = |field: &str, live: &[String]| {
        if *attempt > 0 {
            problems.of(field)
        } else {
            live.to_vec()
        }
    };

    let onsubmit = {
        let (auth, current, new, error, busy, changed, attempt) = (
            auth.clone(),
            current.clone(),
            new.clone(),
            error.clone(),
            busy.clone(),
            changed.clone(),
            attempt.clone(),
        );
        let refused = !problems.is_empty();
        let confirm = confirm.clone();
        let token = props.session.token.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if refused {
                attempt.set(*attempt + 1);
                return;
            }
            let (auth, error, busy, token, changed) = (
                auth.clone(),
                error.clone(),
                busy.clone(),
                token.clone(),
                changed.clone(),
            );
            let (cur, next) = ((*current).clone(), (*new).clone());
            let typed = [current.clone(), new.clone(), confirm.clone()];
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = match api::change_password(&token, cur, next).await {
                    Ok(t) => establish(t).await,
                    Err(e) => Err(e),
                };
                busy.set(false);
                match result {
                    Ok(session) => {
                        for field in typed {
                            field.set(String::new());
                        }
                        changed.set(true);
                        auth.set(Auth::SignedIn(Box::new(session)));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    html! {
        <section class="card">
            if props.voluntary {
                <h1>{ "Change your password" }</h1>
                if *changed {
                    <p class="notice" role="status" data-testid="flash">{ "Your password was changed. Use the new one from now on." }</p>
                }
            } else {
                <h1>{ "Set a new password" }</h1>
                <p>{ "Before you continue, replace your initial or expired password with one only you know." }</p>
            }
            <form {onsubmit} novalidate=true>
                <ErrorSummary problems={problems.clone()} attempt={*attempt} />
                <Field id="current_password" label="Current password" kind="password" value={(*current).clone()}
                    autocomplete={Some(AttrValue::Static("current-password"))}
                    errors={shown("current_password", &[])}
                    oninput={let s = current.clone(); Callback::from(move |v| s.set(v))} />
                <Field id="new_password" label="New password" kind="password" value={(*new).clone()}
                    autocomplete={Some(AttrValue::Static("new-password"))}
                    errors={shown("new_password", &new_errors)}
                    oninput={let s = new.clone(); Callback::from(move |v| s.set(v))} />
                { crate::forms::strength_meter(&new) }
                <Field id="confirm_password" label="New password again" kind="password" value={(*confirm).clone()}
                    autocomplete={Some(AttrValue::Static("new-password"))}
                    errors={shown("confirm_password", &mismatch)}
                    oninput={let s = confirm.clone(); Callback::from(move |v| s.set(v))} />
                <p class="hint">{ "10–128 characters, at least three of: lower case, upper case, digits, other characters; not your account name or names." }</p>
                <p class="error" role="alert">
                    { error.as_ref().filter(|e| e.errors.is_empty()).map(|e| e.detail.clone()).unwrap_or_default() }
                </p>
                <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Changing…" } else { "Change password" } }</button>
            </form>
        </section>
    }
}
