//! Sign in with account name and password.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api;
use crate::forms::Field;
use crate::session::{Auth, establish, use_auth};

#[function_component(Login)]
pub fn login() -> Html {
    let auth = use_auth();
    let navigator = use_navigator();
    let account = use_state(String::new);
    let password = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);

    if let Auth::SignedIn(_) = &*auth {
        return html! { <Redirect<Route> to={Route::Home} /> };
    }

    let onsubmit = {
        let (auth, account, password, error, busy) = (
            auth.clone(),
            account.clone(),
            password.clone(),
            error.clone(),
            busy.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (auth, error, busy, navigator) =
                (auth.clone(), error.clone(), busy.clone(), navigator.clone());
            let (name, pw) = ((*account).clone(), (*password).clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = match api::login(name, pw).await {
                    Ok(token) => establish(token).await,
                    Err(e) => Err(e),
                };
                busy.set(false);
                match result {
                    Ok(session) => {
                        crate::session::forget_applicant();
                        error.set(None);
                        auth.set(Auth::SignedIn(Box::new(session)));
                        if let Some(nav) = navigator {
                            match crate::session::take_return() {
                                Some(path) => {
                                    if let Some(route) = Route::recognize(&path) {
                                        nav.push(&route);
                                    } else {
                                        nav.push(&Route::Home);
                                    }
                                }
                                None => nav.push(&Route::Home),
                            }
                        }
                    }
                    Err(e) => error.set(Some(e.detail)),
                }
            });
        })
    };

    html! {
        <section class="card">
            <h1>{ "Sign in" }</h1>
            <form {onsubmit} aria-describedby="login-error">
                <Field id="account" label="Account name" value={(*account).clone()}
                    autocomplete={Some(AttrValue::Static("username"))}
                    oninput={let s = account.clone(); Callback::from(move |v| s.set(v))} />
                <Field id="password" label="Password" kind="password" value={(*password).clone()}
                    autocomplete={Some(AttrValue::Static("current-password"))}
                    oninput={let s = password.clone(); Callback::from(move |v| s.set(v))} />
                <p id="login-error" class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                <button type="submit" disabled={*busy}>{ if *busy { "Signing in…" } else { "Sign in" } }</button>
            </form>
            <p class="hint">{ "Your account name is 4–8 letters and digits, not your email address." }</p>
            <p><Link<Route> to={Route::ForgotPassword}>{ "Lost your password?" }</Link<Route>></p>
            <p class="hint">{ "New to the collaboration? Register " }
                <Link<Route> to={Route::RegisterInvitation}>{ "with your invitation" }</Link<Route>>{ " or " }
                <Link<Route> to={Route::RegisterCertificate}>{ "with your Grid certificate" }</Link<Route>>{ "." }</p>
        </section>
    }
}
