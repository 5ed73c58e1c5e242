//! The start page: who is signed in, with their roles and record.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::labels;
use crate::pages::change_password::ChangePassword;
use crate::session::{Auth, use_auth};

#[function_component(Home)]
pub fn home() -> Html {
    let auth = use_auth();
    let session = match &*auth {
        Auth::Resuming => return html! { <p class="loading" aria-busy="true">{ "Loading…" }</p> },
        Auth::SignedOut => return html! { <crate::session::SignInFirst /> },
        Auth::SignedIn(session) => (**session).clone(),
    };
    if session.must_change_password {
        return html! { <ChangePassword {session} /> };
    }
    let Some(me) = session.me.clone() else {
        return html! { <p class="loading">{ "Loading your record…" }</p> };
    };
    let full_name = [
        Some(me.given_name.as_str()),
        me.middle_name.as_deref(),
        Some(me.family_name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    html! {
        <section class="card">
            <h1 data-testid="welcome">{ format!("Signed in as {full_name}") }</h1>
            <ul class="roles" aria-label="Your roles" data-testid="roles">
                { for session.roles.iter().map(|r| html! { <li>{ labels::role(*r) }</li> }) }
            </ul>
            <dl class="record">
                <dt>{ "Account" }</dt><dd>{ me.account_name.clone().unwrap_or_default() }</dd>
                <dt>{ "Email" }</dt><dd>{ me.email.clone() }</dd>
                <dt>{ "Institution" }</dt><dd>{ me.institution_short_name.clone() }</dd>
                <dt>{ "Category" }</dt><dd>{ me.category.label() }</dd>
                <dt>{ "Membership" }</dt><dd>{ labels::membership(me.status) }</dd>
                <dt>{ "Collaboration address" }</dt><dd>{ me.registry_email.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Member since" }</dt><dd>{ me.membership_start.map(|d| d.to_string()).unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Groups" }</dt><dd data-testid="groups">{ if me.groups.is_empty() { "—".to_owned() } else { me.groups.join(", ") } }</dd>
                <dt>{ "Password expires" }</dt>
                <dd>{ me.password_expires_at.map(|t| t.date_naive().to_string()).unwrap_or_default() }</dd>
            </dl>
            <p><Link<Route> to={Route::ChangePassword}>{ "Change my password" }</Link<Route>></p>
        </section>
    }
}
