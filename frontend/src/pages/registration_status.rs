//! Where an applicant's request stands, with its history; withdrawal while it is open.

use b2mms_shared::RegistrationAction;
use b2mms_shared::api::Registration;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::action::{ActionButton, Call};
use crate::api;
use crate::labels;
use crate::session::{load_applicant, take_flash};

#[function_component(RegistrationStatus)]
pub fn registration_status() -> Html {
    let applicant = use_memo((), |_| load_applicant());
    let registration = use_state(|| None::<Registration>);
    let error = use_state(|| None::<String>);
    let flash = use_memo((), |_| take_flash());
    {
        let (registration, error, applicant) =
            (registration.clone(), error.clone(), applicant.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let Some(a) = (*applicant).clone() else {
                    return;
                };
                match api::registration(&a.token, &a.registration_id).await {
                    Ok(r) => registration.set(Some(r)),
                    Err(e) => error.set(Some(e.detail)),
                }
            });
        });
    }
    let Some(applicant) = (*applicant).clone() else {
        return html! { <Redirect<Route> to={Route::RegisterInvitation} /> };
    };
    if let Some(e) = &*error {
        return html! { <section class="card"><h1>{ "Your registration" }</h1><p class="error" role="alert">{ e.clone() }</p></section> };
    }
    let Some(r) = (*registration).clone() else {
        return html! { <p class="loading" aria-busy="true">{ "Loading…" }</p> };
    };
    let state = r.state.as_str();
    let withdrawable = r.actions.contains(&RegistrationAction::Withdraw);
    let withdraw = {
        let registration = registration.clone();
        Call::new(move || {
            let (registration, a) = (registration.clone(), applicant.clone());
            async move {
                registration.set(Some(api::withdraw(&a.token, &a.registration_id).await?));
                Ok(())
            }
        })
    };
    html! {
        <section class="card">
            <h1>{ "Your registration" }</h1>
            if let Some(message) = (*flash).clone() {
                <p class="notice" role="status" data-testid="flash">{ message }</p>
            }
            <p data-testid="state" class="state">{ labels::state_for_applicant(r.state) }</p>
            if state == "identity_verified" {
                <p><Link<Route> to={Route::RegisterForm}>{ "Fill in the registration form" }</Link<Route>></p>
            }
            if state == "provisioned" {
                <p>{ "Sign in with your account name and the initial password you chose: " }<Link<Route> to={Route::Login}>{ "sign in" }</Link<Route>></p>
            }
            if let Some(reason) = &r.decision_reason {
                <p>{ "Reason: " }{ reason.clone() }</p>
            }
            <dl class="record">
                <dt>{ "Account name" }</dt><dd>{ r.account_name.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Home institution" }</dt><dd>{ r.institution_short_name.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Collaboration address" }</dt><dd>{ r.registry_email.clone().unwrap_or_else(|| "—".into()) }</dd>
            </dl>
            <h2>{ "History" }</h2>
            <ol class="history">
                { for r.history.iter().map(|e| html! {
                    <li>{ format!("{} — {} ({})", crate::pages::when(e.at), labels::event(&e.action), labels::actor(&e.actor)) }</li>
                }) }
            </ol>
            if withdrawable {
                <ActionButton label="Withdraw my request" busy_label="Withdrawing…" call={withdraw}
                    testid="withdraw"
                    confirm="Withdraw your request? It is closed for good: to join later you start a new registration."
                    confirm_label="Withdraw my request" />
            }
            <p class="hint">{ "What happens next: your representative is told and decides; you hear from us by mail at each step. Creating the account takes up to one working day after approval." }</p>
        </section>
    }
}
