//! Unknown addresses.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;

#[function_component(NotFound)]
pub fn not_found() -> Html {
    html! {
        <section class="card">
            <h1>{ "Page not found" }</h1>
            <p>{ "There is nothing at this address." }</p>
            <Link<Route> to={Route::Home}>{ "Go to the start page" }</Link<Route>>
        </section>
    }
}
