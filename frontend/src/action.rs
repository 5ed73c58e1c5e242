//! Buttons that call the API: busy while the call runs and, for what is hard to undo, a
//! question first that says what will happen. A failure is told beside the button.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use web_sys::HtmlElement;
use yew::prelude::*;

use crate::api::ApiError;

type Pending = Pin<Box<dyn Future<Output = Result<(), ApiError>>>>;

/// The call a button makes; it also applies the answer (sets state, reloads a list).
#[derive(Clone)]
pub struct Call(Rc<dyn Fn() -> Pending>);

impl Call {
    pub fn new<F, Fut>(call: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<(), ApiError>> + 'static,
    {
        Self(Rc::new(move || Box::pin(call())))
    }
}

impl PartialEq for Call {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct ActionProps {
    pub label: AttrValue,
    /// Shown while the call runs, e.g. "Revoking…".
    pub busy_label: AttrValue,
    pub call: Call,
    /// The question to answer before the call, saying what will happen; without one the
    /// button acts at once.
    #[prop_or_default]
    pub confirm: Option<AttrValue>,
    /// The answer that goes ahead, e.g. "Revoke the token".
    #[prop_or(AttrValue::Static("Yes, go ahead"))]
    pub confirm_label: AttrValue,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    /// A plain (outlined) button rather than the page's main action.
    #[prop_or(true)]
    pub secondary: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Step {
    Ready,
    Asking,
    Busy,
}

/// A button that calls the API, after asking when it has a question.
#[function_component(ActionButton)]
pub fn action_button(props: &ActionProps) -> Html {
    let step = use_state(|| Step::Ready);
    let error = use_state(|| None::<String>);
    let cancel_ref = use_node_ref();
    let button_ref = use_node_ref();
    {
        // The question takes the focus on its safe answer; cancelling returns it to the button.
        let (cancel_ref, button_ref) = (cancel_ref.clone(), button_ref.clone());
        use_effect_with(*step, move |step| {
            let target = match step {
                Step::Asking => cancel_ref.cast::<HtmlElement>(),
                _ => None,
            };
            if let Some(target) = target {
                let _ = target.focus();
            } else if *step == Step::Ready
                && let Some(button) = button_ref.cast::<HtmlElement>()
                && web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
                    .is_none_or(|a| a.tag_name() == "BODY")
            {
                let _ = button.focus();
            }
        });
    }
    let run = {
        let (step, error, call) = (step.clone(), error.clone(), props.call.clone());
        Callback::from(move |_: MouseEvent| {
            step.set(Step::Busy);
            error.set(None);
            let (step, error, pending) = (step.clone(), error.clone(), (call.0)());
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = pending.await {
                    error.set(Some(e.detail));
                }
                step.set(Step::Ready);
            });
        })
    };
    let onclick = match props.confirm {
        Some(_) => {
            let step = step.clone();
            Callback::from(move |_: MouseEvent| step.set(Step::Asking))
        }
        None => run.clone(),
    };
    let class = classes!(props.secondary.then_some("secondary"));
    let busy = *step == Step::Busy;
    html! {
        <>
            if *step != Step::Asking {
                <button type="button" class={class} ref={button_ref} {onclick} disabled={busy}
                    aria-busy={busy.to_string()} data-testid={props.testid.clone()}>
                    { if busy { props.busy_label.clone() } else { props.label.clone() } }
                </button>
            }
            if let (Step::Asking, Some(question)) = (*step, &props.confirm) {
                <div class="confirm" role="group" aria-label="Please confirm">
                    <p>{ question.clone() }</p>
                    <div class="actions">
                        <button type="button" data-testid="confirm" onclick={run}>{ props.confirm_label.clone() }</button>
                        <button type="button" class="secondary" ref={cancel_ref}
                            onclick={let step = step.clone(); Callback::from(move |_| step.set(Step::Ready))}>
                            { "Cancel" }
                        </button>
                    </div>
                </div>
            }
            if let Some(e) = &*error {
                <p class="error" role="alert">{ e.clone() }</p>
            }
        </>
    }
}
