//! One module per page.

pub mod change_password;
pub mod home;
pub mod login;
pub mod not_found;

use web_sys::HtmlInputElement;
use yew::prelude::*;

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
}

/// A labelled input whose errors are tied to it for assistive technology.
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let error_id = format!("{}-errors", props.id);
    let invalid = !props.errors.is_empty();
    let oninput = {
        let cb = props.oninput.clone();
        Callback::from(move |e: InputEvent| cb.emit(input_value(&e)))
    };
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
                aria-describedby={invalid.then(|| error_id.clone())}
                {oninput}
            />
            if invalid {
                <ul class="rules" id={error_id} aria-live="polite">
                    { for props.errors.iter().map(|e| html! { <li>{ e.clone() }</li> }) }
                </ul>
            }
        </label>
    }
}
