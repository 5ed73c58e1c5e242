//! What follows every route change: the document's title names the page (after its heading)
//! and the keyboard focus moves to that heading, so that screen readers announce the new page.

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;
use yew_router::prelude::*;

/// How long a page may take to show its heading (it may be loading its data first).
const ATTEMPTS: u32 = 60;
const PAUSE_MS: u32 = 50;

/// Waits for the page's heading, then names the document after it and, unless this is the
/// first page of the visit, gives it the focus.
async fn settle(path: String, move_focus: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    for _ in 0..ATTEMPTS {
        let still_here = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .is_some_and(|p| p == path);
        if !still_here {
            return;
        }
        if let Ok(Some(heading)) = document.query_selector("main h1")
            && let Ok(heading) = heading.dyn_into::<HtmlElement>()
        {
            let text = heading.text_content().unwrap_or_default();
            let text = text.trim();
            document.set_title(&if text.is_empty() {
                "b2mms".to_owned()
            } else {
                format!("{text} — b2mms")
            });
            if move_focus {
                let _ = heading.set_attribute("tabindex", "-1");
                let _ = heading.focus();
            }
            return;
        }
        TimeoutFuture::new(PAUSE_MS).await;
    }
}

/// Put once inside the router: acts on each change of the path.
#[function_component(PageFocus)]
pub fn page_focus() -> Html {
    let path = use_location().map(|l| l.path().to_owned());
    let first = use_mut_ref(|| true);
    use_effect_with(path, move |path| {
        let move_focus = !std::mem::replace(&mut *first.borrow_mut(), false);
        if let Some(path) = path.clone() {
            wasm_bindgen_futures::spawn_local(settle(path, move_focus));
        }
    });
    html! {}
}
