//! One mailing list: whom it reaches and how its sync went, who is on it today, what the next
//! sync would change in Mailman, its definition to change, and its removal (asked first).

use b2mms_shared::api::{ListMembers, MailingList, SyncPlan};
use yew::prelude::*;
use yew_router::prelude::*;

use super::form::ListForm;
use super::{reach, sync_state};
use crate::Route;
use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::labels;
use crate::pages::admin::admin_token;
use crate::session::use_auth;

#[derive(Properties, PartialEq)]
pub struct MailingListProps {
    pub id: String,
}

#[function_component(MailingListPage)]
pub fn mailing_list_page(props: &MailingListProps) -> Html {
    let auth = use_auth();
    let navigator = use_navigator();
    let list = use_state(|| None::<MailingList>);
    let members = use_state(|| None::<ListMembers>);
    let plan = use_state(|| None::<Result<SyncPlan, ApiError>>);
    let error = use_state(|| None::<ApiError>);
    let editing = use_state(|| false);
    let notice = use_state(|| None::<String>);
    let reload = use_state(|| 0u32);
    let token = admin_token(&auth);
    {
        let (list, members, error, token) = (
            list.clone(),
            members.clone(),
            error.clone(),
            token.clone().ok(),
        );
        use_effect_with((token, props.id.clone(), *reload), move |(token, id, _)| {
            if let Some(token) = token.clone() {
                let id = id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match api::mailing_list(&token, &id).await {
                        Ok(found) => list.set(Some(found)),
                        Err(e) => return error.set(Some(e)),
                    }
                    match api::mailing_list_members(&token, &id).await {
                        Ok(found) => members.set(Some(found)),
                        Err(e) => error.set(Some(e)),
                    }
                });
            }
        });
    }
    let token = match token {
        Ok(t) => t,
        Err(page) => return page,
    };
    if let Some(e) = &*error {
        return html! {
            <section class="card"><h1>{ "Mailing list" }</h1>
                <p class="error" role="alert">{ e.detail.clone() }</p>
                <p><Link<Route> to={Route::MailingLists}>{ "All mailing lists" }</Link<Route>></p>
            </section>
        };
    }
    let Some(l) = (*list).clone() else {
        return html! { <p class="loading">{ "Loading…" }</p> };
    };
    let ask_plan = {
        let (plan, token, id) = (plan.clone(), token.clone(), props.id.clone());
        Call::new(move || {
            let (plan, token, id) = (plan.clone(), token.clone(), id.clone());
            async move {
                plan.set(Some(api::mailing_list_sync_plan(&token, &id).await));
                Ok(())
            }
        })
    };
    let remove = {
        let (token, id, navigator) = (token.clone(), props.id.clone(), navigator.clone());
        Call::new(move || {
            let (token, id, navigator) = (token.clone(), id.clone(), navigator.clone());
            async move {
                api::delete_mailing_list(&token, &id).await?;
                if let Some(nav) = navigator {
                    nav.push(&Route::MailingLists);
                }
                Ok(())
            }
        })
    };
    let saved = {
        let (list, editing, notice, reload, plan) = (
            list.clone(),
            editing.clone(),
            notice.clone(),
            reload.clone(),
            plan.clone(),
        );
        Callback::from(move |changed: MailingList| {
            notice.set(Some(format!("The list {} is saved.", changed.name)));
            list.set(Some(changed));
            editing.set(false);
            plan.set(None);
            reload.set(*reload + 1);
        })
    };
    let toggle_edit = {
        let (editing, notice) = (editing.clone(), notice.clone());
        Callback::from(move |_| {
            notice.set(None);
            editing.set(!*editing);
        })
    };
    html! {
        <section class="card wide">
            <p><Link<Route> to={Route::MailingLists}>{ "All mailing lists" }</Link<Route>></p>
            <h1>{ format!("Mailing list {}", l.name) }</h1>
            if let Some(text) = &*notice {
                <p class="notice" role="status" data-testid="list-notice">{ text.clone() }</p>
            }
            <dl class="facts">
                <dt>{ "Address" }</dt><dd>{ l.address.clone() }</dd>
                <dt>{ "For" }</dt><dd>{ l.description.clone() }</dd>
                <dt>{ "Reaches" }</dt><dd data-testid="list-reach">{ reach(&l.audience) }</dd>
                if !l.extra_addresses.is_empty() {
                    <dt>{ "Also" }</dt><dd>{ l.extra_addresses.join(", ") }</dd>
                }
                if !l.excluded_addresses.is_empty() {
                    <dt>{ "Never" }</dt><dd>{ l.excluded_addresses.join(", ") }</dd>
                }
                <dt>{ "Subscribed with their" }</dt><dd>{ labels::subscribe_with(l.subscribe_with).to_lowercase() }</dd>
                <dt>{ "Mailman" }</dt><dd data-testid="list-sync">{ sync_state(&l) }</dd>
            </dl>
            <div class="actions">
                <button type="button" class="secondary" onclick={toggle_edit} aria-expanded={editing.to_string()}>
                    { if *editing { "Keep it as it is" } else { "Change the definition" } }
                </button>
                <ActionButton label="What the next sync changes" busy_label="Asking Mailman…" call={ask_plan} testid="sync-plan" />
                <ActionButton label="Remove the list" busy_label="Removing…" call={remove} testid="remove-list"
                    confirm={format!("Remove the list {}? b2mms stops keeping it; the list in Mailman stays as it is, with its subscribers.", l.name)}
                    confirm_label="Remove the list" />
            </div>
            if *editing {
                <ListForm token={token.clone()} list={Some(l.clone())} {saved} />
            }
            { match &*plan {
                None => html! {},
                Some(Err(e)) => html! { <p class="error" role="alert" data-testid="sync-plan-result">{ e.detail.clone() }</p> },
                Some(Ok(p)) => html! {
                    <div data-testid="sync-plan-result">
                        <h2>{ "The next sync" }</h2>
                        if p.create_list { <p>{ "Mailman does not have the list yet: the sync creates it." }</p> }
                        if p.subscribe.is_empty() && p.unsubscribe.is_empty() {
                            <p>{ format!("Nothing to change: Mailman has the {} subscriber(s) it should.", p.unchanged) }</p>
                        } else {
                            <p>{ format!("{} to subscribe, {} to unsubscribe, {} stay.", p.subscribe.len(), p.unsubscribe.len(), p.unchanged) }</p>
                            if !p.subscribe.is_empty() {
                                <h3>{ "Subscribed" }</h3>
                                <ul>{ for p.subscribe.iter().map(|a| html! { <li>{ a.clone() }</li> }) }</ul>
                            }
                            if !p.unsubscribe.is_empty() {
                                <h3>{ "Unsubscribed" }</h3>
                                <ul>{ for p.unsubscribe.iter().map(|a| html! { <li>{ a.clone() }</li> }) }</ul>
                            }
                        }
                    </div>
                },
            } }
            <h2>{ "On the list today" }</h2>
            { match &*members {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(m) if m.subscribers.is_empty() => html! { <p data-testid="list-members-empty">{ "Nobody: no record meets the rule." }</p> },
                Some(m) => html! {
                    <>
                    <p>{ format!("{} address(es).", m.total) }</p>
                    <div class="table-scroll">
                    <table class="list stack" data-testid="list-members">
                        <thead><tr><th scope="col">{ "Address" }</th><th scope="col">{ "Person" }</th></tr></thead>
                        <tbody>{ for m.subscribers.iter().map(|s| html! {
                            <tr>
                                <td data-label="Address">{ s.address.clone() }</td>
                                <td data-label="Person">{ match &s.person {
                                    Some(p) => html! { <Link<Route> to={Route::Member { id: p.id.to_string() }}>{ format!("{} {}", p.given_name, p.family_name) }</Link<Route>> },
                                    None => html! { { "an address also on the list" } },
                                } }</td>
                            </tr>
                        }) }</tbody>
                    </table>
                    </div>
                    </>
                },
            } }
        </section>
    }
}
