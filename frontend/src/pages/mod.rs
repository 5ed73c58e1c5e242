//! One module per page.

pub mod admin;
pub mod change_password;
pub mod home;
pub mod invitations;
pub mod login;
pub mod mail_queue;
pub mod members;
pub mod not_found;
pub mod password_reset;
pub mod register;
pub mod registration_form;
pub mod registration_status;
pub mod requests;

use web_sys::HtmlInputElement;
use yew::prelude::*;

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

/// Puts a text on the clipboard.
pub fn copy_button(text: String) -> Html {
    let onclick = Callback::from(move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
    });
    html! { <button type="button" class="secondary suggestion" {onclick}>{ "Copy" }</button> }
}

/// A time as people read it in lists: date and minutes, UTC.
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    format!("{} {:02}:{:02} UTC", t.date_naive(), t.hour(), t.minute())
}

/// The current text of an input, for `oninput` handlers.
pub fn input_value(e: &InputEvent) -> String {
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
    let error_id = format!("{}-errors", props.id);
    let hint_id = format!("{}-hint", props.id);
    let invalid = !props.errors.is_empty();
    let described = [
        invalid.then(|| error_id.clone()),
        props.hint.as_ref().map(|_| hint_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let oninput = {
        let cb = props.oninput.clone();
        Callback::from(move |e: InputEvent| cb.emit(input_value(&e)))
    };
    let accept = props.suggestion.clone().map(|s| {
        let cb = props.oninput.clone();
        let value = s.clone();
        (s, Callback::from(move |_| cb.emit(value.clone())))
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
                aria-describedby={(!described.is_empty()).then_some(described)}
                disabled={props.disabled}
                {oninput}
            />
            if let Some(hint) = &props.hint {
                <span class="hint" id={hint_id}>{ hint.clone() }</span>
            }
            if invalid {
                <ul class="rules" id={error_id} aria-live="polite">
                    { for props.errors.iter().map(|e| html! { <li>{ e.clone() }</li> }) }
                </ul>
            }
            if let Some((value, onclick)) = accept {
                <button type="button" class="secondary suggestion" {onclick}>{ format!("Use “{value}”") }</button>
            }
        </label>
    }
}
