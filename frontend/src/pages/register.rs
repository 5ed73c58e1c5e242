//! Step one of registration: proving who you are, by invitation or by certificate.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api;
use crate::forms::Field;
use crate::session::{Applicant, save_applicant};

fn start(token: b2mms_shared::api::RegistrationToken, navigator: Option<Navigator>) {
    save_applicant(&Applicant {
        token: token.access_token,
        registration_id: token.registration_id.to_string(),
    });
    if let Some(nav) = navigator {
        nav.push(&Route::RegisterForm);
    }
}

#[function_component(RegisterInvitation)]
pub fn register_invitation() -> Html {
    let navigator = use_navigator();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onsubmit = {
        let (username, password, error, busy) = (
            username.clone(),
            password.clone(),
            error.clone(),
            busy.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (error, busy, navigator) = (error.clone(), busy.clone(), navigator.clone());
            let (u, p) = ((*username).clone(), (*password).clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::invitation_login(u, p).await;
                busy.set(false);
                match result {
                    Ok(token) => start(token, navigator),
                    Err(e) => error.set(Some(e.detail)),
                }
            });
        })
    };
    html! {
        <section class="card">
            <h1>{ "Register with your invitation" }</h1>
            <p>{ "Enter the temporary username and password from the invitation mail your institutional representative sent you. They open the registration form only; your own account comes later." }</p>
            <form {onsubmit}>
                <Field id="username" label="Temporary username" value={(*username).clone()}
                    autocomplete={Some(AttrValue::Static("username"))}
                    oninput={let s = username.clone(); Callback::from(move |v| s.set(v))} />
                <Field id="invitation_password" label="Temporary password" kind="password" value={(*password).clone()}
                    autocomplete={Some(AttrValue::Static("current-password"))}
                    oninput={let s = password.clone(); Callback::from(move |v| s.set(v))} />
                <p class="error" role="alert" id="invitation-error">{ (*error).clone().unwrap_or_default() }</p>
                <button type="submit" disabled={*busy}>{ "Continue" }</button>
            </form>
            <p class="hint">{ "You hold a Grid user certificate? " }<Link<Route> to={Route::RegisterCertificate}>{ "Register with your certificate" }</Link<Route>></p>
        </section>
    }
}

#[function_component(RegisterCertificate)]
pub fn register_certificate() -> Html {
    let navigator = use_navigator();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onclick = {
        let (error, busy) = (error.clone(), busy.clone());
        Callback::from(move |_| {
            let (error, busy, navigator) = (error.clone(), busy.clone(), navigator.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::certificate_login().await;
                busy.set(false);
                match result {
                    Ok(token) => start(token, navigator),
                    Err(e) => error.set(Some(e.detail)),
                }
            });
        })
    };
    html! {
        <section class="card">
            <h1>{ "Register with your Grid certificate" }</h1>
            <p>{ "Your browser will ask which certificate to present; choose your Grid user certificate. It proves who you are, and the request is bound to it." }</p>
            <p class="hint">{ "No certificate offered? Import your user certificate (a .p12 file) into the browser's certificate store, restart the browser and open this page again over HTTPS. Without a certificate, ask the representative of your institution for an invitation." }</p>
            <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
            <button type="button" {onclick} disabled={*busy}>{ "Use my certificate" }</button>
        </section>
    }
}
