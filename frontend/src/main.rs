//! The b2mms web frontend: a single-page app that talks only to the public API and explains
//! the collaboration's rules live with the same code the server enforces them with.

mod api;
mod pages;
mod session;

use yew::prelude::*;
use yew_router::prelude::*;

use crate::pages::{home::Home, login::Login, not_found::NotFound};
use crate::session::{Auth, SessionProvider, use_auth};

/// Every page of the app.
#[derive(Clone, Routable, PartialEq, Debug)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/login")]
    Login,
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Home /> },
        Route::Login => html! { <Login /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

#[function_component(Header)]
fn header() -> Html {
    let auth = use_auth();
    let who = match &*auth {
        Auth::SignedIn(session) => {
            let on_logout = {
                let auth = auth.clone();
                let token = session.token.clone();
                Callback::from(move |_| {
                    let auth = auth.clone();
                    let token = token.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        api::logout(&token).await;
                        auth.set(Auth::SignedOut);
                    });
                })
            };
            html! {
                <div class="who">
                    <span data-testid="account">{ session.account.clone() }</span>
                    <button class="secondary" onclick={on_logout}>{ "Sign out" }</button>
                </div>
            }
        }
        _ => html! {},
    };
    html! {
        <header class="bar">
            <Link<Route> to={Route::Home} classes="brand">{ "b2mms" }</Link<Route>>
            { who }
        </header>
    }
}

#[function_component(App)]
fn app() -> Html {
    html! {
        <BrowserRouter>
            <SessionProvider>
                <Header />
                <main id="main">
                    <Switch<Route> render={switch} />
                </main>
            </SessionProvider>
        </BrowserRouter>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
