//! On the start page: whether the member is an author of the collaboration's papers today, and
//! from or until when (also after the membership has ended, for the months the policy keeps).

use yew::prelude::*;

use crate::api;

#[derive(Properties, PartialEq)]
pub struct AuthorshipProps {
    pub token: AttrValue,
}

#[function_component(MyAuthorship)]
pub fn my_authorship(props: &AuthorshipProps) -> Html {
    let answer = use_state(|| None::<Result<b2mms_shared::api::Authorship, String>>);
    {
        let answer = answer.clone();
        use_effect_with(props.token.clone(), move |token| {
            let token = token.clone();
            wasm_bindgen_futures::spawn_local(async move {
                answer.set(Some(api::my_authorship(&token).await.map_err(|e| e.detail)));
            });
        });
    }
    let text = match &*answer {
        None => "…".to_owned(),
        Some(Err(problem)) => format!("Not known now: {problem}"),
        Some(Ok(a)) if a.author => format!("Yes: {}", a.reason.text),
        Some(Ok(a)) => format!("Not today: {}", a.reason.text),
    };
    html! { <><dt>{ "Author of papers" }</dt><dd data-testid="my-authorship">{ text }</dd></> }
}
