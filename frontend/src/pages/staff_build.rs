//! A staff page opened in the member build: the staff build takes over at the same address.

use yew::prelude::*;

#[function_component(LoadStaffBuild)]
pub fn load_staff_build() -> Html {
    let blocked = use_state(|| false);
    {
        let blocked = blocked.clone();
        use_effect_with((), move |_| {
            if !crate::builds::load_staff() {
                blocked.set(true);
            }
        });
    }
    if *blocked {
        return html! {
            <section class="card">
                <h1>{ "This page cannot load" }</h1>
                <p role="alert">{ "The pages for representatives, the board and the secretariat \
                    need this browser to keep site data (local storage). Allow it for this site \
                    and reload the page." }</p>
            </section>
        };
    }
    html! { <p class="boot" role="status">{ "Loading the staff pages…" }</p> }
}
