//! The admins' view of mail the mail server has not taken yet: how many, for whom, why, and a
//! button to try one again now instead of at its next attempt; paged, the page kept in the
//! address.

use b2mms_shared::api::{Page, QueuedMail};
use yew::prelude::*;

use crate::Route;
use crate::pager::{Pager, page_params, pages, to_page, use_list_state};

/// Messages on one page.
const PER_PAGE: i64 = 50;

/// The list's state in the address.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
}

crate::paged_by_field!(ListQuery);

use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::pages::admin::{admin_token, problem};
use crate::pages::when;
use crate::session::use_auth;

#[function_component(MailQueue)]
pub fn mail_queue() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Page<QueuedMail>>);
    let (asked, go) = use_list_state::<ListQuery>(Route::AdminMail);
    let reload = use_state(|| 0u32);
    let notice = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let token = admin_token(&auth);
    {
        let (list, error, token) = (list.clone(), error.clone(), token.clone().ok());
        use_effect_with(
            (token.clone(), *reload, asked.clone()),
            move |(_, _, asked)| {
                let query = serde_urlencoded::to_string(page_params(asked.page, PER_PAGE))
                    .unwrap_or_default();
                if let Some(token) = token {
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::mail_queue(&token, &query).await {
                            Ok(page) => list.set(Some(page)),
                            Err(e) => error.set(Some(e)),
                        }
                    });
                }
            },
        );
    }
    let token = match token {
        Ok(t) => t,
        Err(page) => return page,
    };
    let retry = |id: String| {
        let (reload, notice, token) = (reload.clone(), notice.clone(), token.clone());
        Call::new(move || {
            let (reload, notice, token, id) =
                (reload.clone(), notice.clone(), token.clone(), id.clone());
            async move {
                let result = api::retry_mail(&token, &id).await;
                reload.set(*reload + 1);
                result?;
                notice.set(Some(
                    "The message is due now; it goes out with the next delivery.".into(),
                ));
                Ok(())
            }
        })
    };
    html! {
        <section class="card wide">
            <h1>{ "Mail queue" }</h1>
            { problem(&error) }
            if let Some(text) = &*notice {
                <p class="notice" role="status">{ text.clone() }</p>
            }
            {
                match &*list {
                    None => html! { <p class="loading">{ "Loading…" }</p> },
                    Some(page) if page.total == 0 => html! { <p data-testid="mail-queue-count">{ "Every message has been delivered." }</p> },
                    Some(page) => html! {
                        <>
                            <p data-testid="mail-queue-count">{ format!("{} message(s) not delivered yet. They are retried by themselves; nothing is dropped.", page.total) }</p>
                            <div class="table-scroll"><table class="list stack" data-testid="mail-queue">
                                <thead><tr><th scope="col">{ "To" }</th><th scope="col">{ "Subject" }</th><th scope="col">{ "Queued" }</th><th scope="col">{ "Attempts" }</th><th scope="col">{ "Next attempt" }</th><th scope="col">{ "Last answer of the mail server" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                                <tbody>
                                    { for page.items.iter().map(|m| html! {
                                        <tr>
                                            <td data-label="To">{ m.to.clone() }</td>
                                            <td data-label="Subject">{ m.subject.clone() }</td>
                                            <td data-label="Queued">{ when(m.created_at) }</td>
                                            <td data-label="Attempts">{ m.attempts }</td>
                                            <td data-label="Next attempt">{ when(m.next_attempt_at) }</td>
                                            <td data-label="Last answer">{ m.last_error.clone().unwrap_or_default() }</td>
                                            <td data-label="Actions"><ActionButton label="Try now" busy_label="Trying…" call={retry(m.id.to_string())} secondary={false} /></td>
                                        </tr>
                                    }) }
                                </tbody>
                            </table></div>
                            <Pager page={page.page} pages={pages(page.total, PER_PAGE)} go={to_page(&go, &asked)} />
                        </>
                    },
                }
            }
        </section>
    }
}
