//! Set a new password: required after the first sign-in and when the password has expired.
//! The policy is checked live with the same rules the server enforces.

use b2mms_shared::rules::{PasswordContext, check_password};
use yew::prelude::*;

use crate::api;
use crate::pages::Field;
use crate::session::{Auth, Session, establish, use_auth};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub session: Session,
    /// Changing by choice (from the record page), not because the password must change.
    #[prop_or_default]
    pub voluntary: bool,
}

#[function_component(ChangePassword)]
pub fn change_password(props: &Props) -> Html {
    let auth = use_auth();
    let current = use_state(String::new);
    let new = use_state(String::new);
    let confirm = use_state(String::new);
    let error = use_state(|| None::<api::ApiError>);
    let busy = use_state(|| false);

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
    let ready = !current.is_empty() && !new.is_empty() && live.is_empty() && *confirm == *new;

    let onsubmit = {
        let (auth, current, new, error, busy) = (
            auth.clone(),
            current.clone(),
            new.clone(),
            error.clone(),
            busy.clone(),
        );
        let token = props.session.token.clone();
        let account = account.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (auth, error, busy, token, account) = (
                auth.clone(),
                error.clone(),
                busy.clone(),
                token.clone(),
                account.clone(),
            );
            let (cur, next) = ((*current).clone(), (*new).clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = match api::change_password(&token, cur, next).await {
                    Ok(t) => establish(account, t).await,
                    Err(e) => Err(e),
                };
                busy.set(false);
                match result {
                    Ok(session) => auth.set(Auth::SignedIn(Box::new(session))),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    html! {
        <section class="card">
            if props.voluntary {
                <h2>{ "Change your password" }</h2>
            } else {
                <h1>{ "Set a new password" }</h1>
                <p>{ "Before you continue, replace your initial or expired password with one only you know." }</p>
            }
            <form {onsubmit}>
                <Field id="current_password" label="Current password" kind="password" value={(*current).clone()}
                    autocomplete={Some(AttrValue::Static("current-password"))}
                    oninput={let s = current.clone(); Callback::from(move |v| s.set(v))} />
                <Field id="new_password" label="New password" kind="password" value={(*new).clone()}
                    autocomplete={Some(AttrValue::Static("new-password"))}
                    errors={if live.is_empty() { server_new } else { live }}
                    oninput={let s = new.clone(); Callback::from(move |v| s.set(v))} />
                { crate::pages::strength_meter(&new) }
                <Field id="confirm_password" label="New password again" kind="password" value={(*confirm).clone()}
                    autocomplete={Some(AttrValue::Static("new-password"))}
                    errors={mismatch}
                    oninput={let s = confirm.clone(); Callback::from(move |v| s.set(v))} />
                <p class="hint">{ "10–128 characters, at least three of: lower case, upper case, digits, other characters; not your account name or names." }</p>
                <p class="error" role="alert">
                    { error.as_ref().filter(|e| e.errors.is_empty()).map(|e| e.detail.clone()).unwrap_or_default() }
                </p>
                <button type="submit" disabled={*busy || !ready}>{ "Change password" }</button>
            </form>
        </section>
    }
}
