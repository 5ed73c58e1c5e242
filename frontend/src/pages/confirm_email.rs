//! The page of the link mailed to a new contact address: one click confirms it.

use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::action::{ActionButton, Call};
use crate::api;
use crate::session::{Auth, use_auth};

#[derive(Deserialize, Default)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[function_component(ConfirmEmail)]
pub fn confirm_email() -> Html {
    let token = use_location()
        .and_then(|l| l.query::<TokenQuery>().ok())
        .unwrap_or_default()
        .token;
    let auth = use_auth();
    let done = use_state(|| false);
    if token.is_empty() {
        return html! {
            <section class="card">
                <h1>{ "Confirm your new contact address" }</h1>
                <p class="error" role="alert">{ "This link has no token. Open the link from the mail exactly as it was sent, or ask for a new one on your record page." }</p>
            </section>
        };
    }
    let call = {
        let (done, auth) = (done.clone(), auth.clone());
        Call::new(move || {
            let (token, done, auth) = (token.clone(), done.clone(), auth.clone());
            async move {
                api::confirm_email_change(token).await?;
                done.set(true);
                // A signed-in page shows the new address at once.
                if let Auth::SignedIn(session) = &*auth
                    && let Ok(me) = api::me(&session.token).await
                {
                    let mut session = (**session).clone();
                    session.me = Some(me);
                    auth.set(Auth::SignedIn(Box::new(session)));
                }
                Ok(())
            }
        })
    };
    html! {
        <section class="card">
            <h1>{ "Confirm your new contact address" }</h1>
            if *done {
                <p class="notice" role="status" data-testid="email-confirmed">{ "Your new contact address is confirmed: mail from the collaboration goes there from now on." }</p>
                <p><Link<Route> to={Route::Home}>{ "To my record" }</Link<Route>></p>
            } else {
                <p>{ "Confirm that mail from the collaboration should go to the address this link was sent to." }</p>
                <ActionButton label="Confirm the new address" busy_label="Confirming…" {call} testid="confirm-email" secondary={false} />
            }
        </section>
    }
}
