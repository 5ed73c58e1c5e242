//! What every form shares: labelled fields whose problems are tied to them, selects that show
//! exactly what the form will send, and the summary of what stops a form from being sent,
//! which links to each field and takes the focus. No form is sent while it shows a problem.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What stops a form from being sent: `(field id, message)` in the order of the form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems(pub Vec<(String, String)>);

impl Problems {
    /// Adds the problems a field shows.
    pub fn add(&mut self, field: &str, messages: &[String]) {
        for m in messages {
            self.0.push((field.to_owned(), m.clone()));
        }
    }

    /// A required field left empty is a problem, never a default.
    pub fn require(&mut self, field: &str, value: &str, message: &str) {
        if value.trim().is_empty() {
            self.0.push((field.to_owned(), message.to_owned()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The messages about one field.
    pub fn of(&self, field: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .collect()
    }
}

/// What a form does when it is sent: counts the attempt (so the error summary takes the
/// focus), sends nothing while `blocked` (it shows a problem) or while a send is under way,
/// and otherwise runs what `send` makes of the form — `None` when there is nothing to send —
/// with `busy` set until it is done.
pub fn on_submit<F, Fut>(
    attempt: &UseStateHandle<u32>,
    busy: &UseStateHandle<bool>,
    blocked: bool,
    send: F,
) -> Callback<SubmitEvent>
where
    F: Fn() -> Option<Fut> + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let (attempt, busy) = (attempt.clone(), busy.clone());
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        attempt.set(*attempt + 1);
        if blocked || *busy {
            return;
        }
        let Some(work) = send() else {
            return;
        };
        let busy = busy.clone();
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            work.await;
            busy.set(false);
        });
    })
}

/// The day a date input holds (`YYYY-MM-DD`, as browsers give it), or `None`.
pub fn day(text: &str) -> Option<chrono::NaiveDate> {
    let mut parts = text.trim().splitn(3, '-').map(str::parse::<u32>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// Moves the keyboard focus to an element of the page.
pub fn focus(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    pub problems: Problems,
    /// Changes each time the person tries to send the form, so that the focus comes back.
    pub attempt: u32,
}

/// The problems that stopped a form, at its top: each links to its field; the summary takes
/// the focus when a send is refused.
#[function_component(ErrorSummary)]
pub fn error_summary(props: &SummaryProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(props.attempt, move |attempt| {
            if *attempt > 0
                && let Some(element) = node.cast::<HtmlElement>()
            {
                let _ = element.focus();
            }
        });
    }
    if props.problems.is_empty() || props.attempt == 0 {
        return html! {};
    }
    html! {
        <div class="error-summary" role="alert" tabindex="-1" ref={node} data-testid="error-summary">
            <h2>{ "Please correct this first" }</h2>
            <ul>
                { for props.problems.0.iter().map(|(field, message)| {
                    let target = field.clone();
                    let onclick = Callback::from(move |e: MouseEvent| {
                        e.prevent_default();
                        focus(&target);
                    });
                    html! { <li><a href={format!("#{field}")} {onclick}>{ message.clone() }</a></li> }
                }) }
            </ul>
        </div>
    }
}

/// The ids of what describes a control: its problems and its hint.
fn described_by(id: &str, invalid: bool, hint: bool) -> Option<String> {
    let ids = [
        invalid.then(|| format!("{id}-errors")),
        hint.then(|| format!("{id}-hint")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The hint and the problems under a control, tied to it by their ids.
fn notes(id: &str, hint: Option<&AttrValue>, errors: &[String]) -> Html {
    html! {
        <>
            if let Some(hint) = hint {
                <span class="hint" id={format!("{id}-hint")}>{ hint.clone() }</span>
            }
            if !errors.is_empty() {
                <ul class="rules" id={format!("{id}-errors")} aria-live="polite">
                    { for errors.iter().map(|e| html! { <li>{ e.clone() }</li> }) }
                </ul>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChoiceProps {
    pub id: AttrValue,
    pub label: AttrValue,
    /// The value the form will send; empty when nothing is chosen.
    pub value: AttrValue,
    /// `(value, label)` of each choice.
    pub options: Vec<(String, String)>,
    /// The first entry, which stands for "nothing chosen" (value "").
    #[prop_or(AttrValue::Static("— choose —"))]
    pub placeholder: AttrValue,
    pub onchange: Callback<String>,
    #[prop_or_default]
    pub errors: Vec<String>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub disabled: bool,
}

/// A select that always shows what the form will send: the chosen entry, or the placeholder
/// while nothing is chosen.
#[function_component(Choice)]
pub fn choice(props: &ChoiceProps) -> Html {
    let node = use_node_ref();
    {
        // The browser keeps its own idea of the selection across renders; make it ours.
        let (node, value) = (node.clone(), props.value.clone());
        use_effect(move || {
            if let Some(select) = node.cast::<HtmlSelectElement>()
                && select.value() != value.as_str()
            {
                select.set_value(&value);
            }
        });
    }
    let invalid = !props.errors.is_empty();
    let described = described_by(&props.id, invalid, props.hint.is_some());
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| {
            cb.emit(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    html! {
        <label for={props.id.clone()}>
            { props.label.clone() }
            <select id={props.id.clone()} name={props.id.clone()} ref={node} {onchange}
                disabled={props.disabled}
                aria-invalid={invalid.to_string()}
                aria-describedby={described}>
                <option value="" selected={props.value.is_empty()}>{ props.placeholder.clone() }</option>
                { for props.options.iter().map(|(value, label)| html! {
                    <option value={value.clone()} selected={props.value.as_str() == value}>{ label.clone() }</option>
                }) }
            </select>
            { notes(&props.id, props.hint.as_ref(), &props.errors) }
        </label>
    }
}

/// A guide to how strong a new password looks (length and variety). The server decides with a
/// proper estimator and refuses common passwords; this only helps while typing.
pub fn strength_meter(password: &str) -> Html {
    if password.is_empty() {
        return html! {};
    }
    let len = password.chars().count();
    let classes = [
        password.chars().any(char::is_lowercase),
        password.chars().any(char::is_uppercase),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|c| **c)
    .count();
    let score = usize::from(len >= 10)
        + usize::from(len >= 14)
        + usize::from(len >= 18)
        + usize::from(classes >= 3);
    let label = ["very weak", "weak", "fair", "good", "strong"][score.min(4)];
    html! {
        <div class="strength">
            <meter min="0" max="4" low="2" high="3" optimum="4" value={score.to_string()} aria-label="Password strength" />
            <span class="hint" data-testid="strength">{ format!("Strength: {label}") }</span>
        </div>
    }
}

/// The current text of an input, for `oninput` handlers.
fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    /// Problems with the current value, shown under the field and announced.
    #[prop_or_default]
    pub errors: Vec<String>,
    /// A corrected value to offer with one click.
    #[prop_or_default]
    pub suggestion: Option<String>,
    /// Help shown under the field.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub disabled: bool,
}

/// A labelled input whose errors are tied to it for assistive technology.
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let invalid = !props.errors.is_empty();
    let described = described_by(&props.id, invalid, props.hint.is_some());
    let oninput = {
        let cb = props.oninput.clone();
        Callback::from(move |e: InputEvent| cb.emit(input_value(&e)))
    };
    let accept = props.suggestion.clone().map(|s| {
        let (cb, id) = (props.oninput.clone(), props.id.clone());
        let value = s.clone();
        // The button goes once its value is taken: the focus stays in the form, on the field.
        (
            s,
            Callback::from(move |_| {
                cb.emit(value.clone());
                focus(&id);
            }),
        )
    });
    html! {
        <label for={props.id.clone()}>
            { props.label.clone() }
            <input
                id={props.id.clone()}
                name={props.id.clone()}
                type={props.kind.clone()}
                value={props.value.clone()}
                autocomplete={props.autocomplete.clone()}
                aria-invalid={invalid.to_string()}
                aria-describedby={described}
                disabled={props.disabled}
                {oninput}
            />
            { notes(&props.id, props.hint.as_ref(), &props.errors) }
            if let Some((value, onclick)) = accept {
                <button type="button" class="secondary suggestion" {onclick}>{ format!("Use “{value}”") }</button>
            }
        </label>
    }
}
