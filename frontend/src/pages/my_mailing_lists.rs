//! On the start page: the mailing lists the member is on (they follow the records), and the
//! address each reaches them at.

use yew::prelude::*;

use crate::api;

#[derive(Properties, PartialEq)]
pub struct MyListsProps {
    pub token: AttrValue,
}

#[function_component(MyMailingLists)]
pub fn my_mailing_lists(props: &MyListsProps) -> Html {
    let answer = use_state(|| None::<Result<Vec<b2mms_shared::api::MyMailingList>, String>>);
    {
        let answer = answer.clone();
        use_effect_with(props.token.clone(), move |token| {
            let token = token.clone();
            wasm_bindgen_futures::spawn_local(async move {
                answer.set(Some(
                    api::my_mailing_lists(&token).await.map_err(|e| e.detail),
                ));
            });
        });
    }
    let shown = match &*answer {
        None => html! { "…" },
        Some(Err(problem)) => html! { { format!("Not known now: {problem}") } },
        Some(Ok(lists)) if lists.is_empty() => html! { "None" },
        Some(Ok(lists)) => html! {
            <ul class="plain">{ for lists.iter().map(|l| html! {
                <li>{ format!("{} ({}) at {}", l.name, l.address, l.subscribed_as) }</li>
            }) }</ul>
        },
    };
    html! { <><dt>{ "Mailing lists" }</dt><dd data-testid="my-mailing-lists">{ shown }</dd></> }
}
