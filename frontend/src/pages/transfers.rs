//! Changes of institution for the representatives who decide them (and administrators):
//! waiting ones first, or any state; each approved or rejected with a reason after saying what
//! will happen. Paged, the state and page kept in the address.

use b2mms_shared::TransferState;
use b2mms_shared::api::{Page, Transfer};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{Choice, Field};
use crate::labels;
use crate::pager::{Pager, page_params, pages, to_page, use_list_state};
use crate::session::{Auth, SignInFirst, use_auth};

/// Changes on one page.
const PER_PAGE: i64 = 25;

/// The list's state in the address: a state (`pending` when none) and the page.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<TransferState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
}

crate::paged_by_field!(ListQuery);

#[function_component(Transfers)]
pub fn transfers() -> Html {
    let auth = use_auth();
    let (asked, go) = use_list_state::<ListQuery>(Route::Transfers);
    let list = use_state(|| None::<Page<Transfer>>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let token = match &*auth {
        Auth::SignedIn(s) => Some(s.token.clone()),
        _ => None,
    };
    {
        let (list, error) = (list.clone(), error.clone());
        use_effect_with(
            (token.clone(), asked.clone(), *reload),
            move |(token, asked, _)| {
                let mut pairs = page_params(asked.page, PER_PAGE);
                pairs.push((
                    "state",
                    asked
                        .state
                        .unwrap_or(TransferState::Pending)
                        .as_str()
                        .to_owned(),
                ));
                let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
                if let Some(token) = token.clone() {
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::transfers(&token, &query).await {
                            Ok(page) => list.set(Some(page)),
                            Err(e) => error.set(Some(e)),
                        }
                    });
                }
            },
        );
    }
    let Some(token) = token else {
        return match &*auth {
            Auth::Resuming => html! { <p class="loading">{ "Loading…" }</p> },
            _ => html! { <SignInFirst /> },
        };
    };
    let state = asked.state.unwrap_or(TransferState::Pending);
    let choose_state = {
        let go = go.clone();
        Callback::from(move |v: String| {
            go.emit(ListQuery {
                state: TransferState::parse(&v).filter(|s| *s != TransferState::Pending),
                page: None,
            })
        })
    };
    let decided = {
        let reload = reload.clone();
        Callback::from(move |_| reload.set(*reload + 1))
    };
    html! {
        <section class="card wide">
            <h1>{ "Changes of institution" }</h1>
            <Choice id="transfer_state" label="Show" value={state.as_str()} placeholder="—"
                options={TransferState::ALL.iter().map(|s| (s.as_str().to_owned(), labels::transfer(*s).to_owned())).collect::<Vec<_>>()}
                onchange={choose_state} />
            if let Some(e) = &*error { <p class="error" role="alert">{ e.detail.clone() }</p> }
            { match &*list {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(p) if p.items.is_empty() => html! { <p data-testid="transfers-empty">{ "Nothing here." }</p> },
                Some(p) => html! {
                    <>
                        <p>{ format!("{} in all · page {} of {}", p.total, p.page, pages(p.total, PER_PAGE)) }</p>
                        <div class="table-scroll">
                        <table class="list stack" data-testid="transfer-list">
                            <thead><tr>
                                <th scope="col">{ "Person" }</th><th scope="col">{ "From" }</th>
                                <th scope="col">{ "To" }</th><th scope="col">{ "On" }</th>
                                <th scope="col">{ "Asked by" }</th><th scope="col">{ "State" }</th>
                                <th scope="col">{ "Decision" }</th>
                            </tr></thead>
                            <tbody>{ for p.items.iter().map(|t| html! {
                                <tr>
                                    <td data-label="Person"><Link<Route> to={Route::Member { id: t.person_id.to_string() }}>{ t.person_name.clone() }</Link<Route>></td>
                                    <td data-label="From">{ t.from_institution_short_name.clone() }</td>
                                    <td data-label="To">{ t.to_institution_short_name.clone() }</td>
                                    <td data-label="On">{ t.effective_date.to_string() }</td>
                                    <td data-label="Asked by">{ t.requested_by.clone() }</td>
                                    <td data-label="State">{ labels::transfer(t.state) }{ t.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default() }</td>
                                    <td data-label="Decision">
                                        if t.decidable { <Decide transfer={t.clone()} token={token.clone()} decided={decided.clone()} /> }
                                    </td>
                                </tr>
                            }) }</tbody>
                        </table>
                        </div>
                        <Pager page={p.page} pages={pages(p.total, PER_PAGE)} go={to_page(&go, &asked)} />
                    </>
                },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DecideProps {
    transfer: Transfer,
    token: String,
    decided: Callback<()>,
}

/// Approve (saying what happens and when) or reject with a reason.
#[function_component(Decide)]
fn decide(props: &DecideProps) -> Html {
    let reason = use_state(String::new);
    let t = &props.transfer;
    let approve = {
        let (token, id, decided) = (props.token.clone(), t.id.to_string(), props.decided.clone());
        Call::new(move || {
            let (token, id, decided) = (token.clone(), id.clone(), decided.clone());
            async move {
                api::approve_transfer(&token, &id).await?;
                decided.emit(());
                Ok(())
            }
        })
    };
    let reject = {
        let (token, id, decided, reason) = (
            props.token.clone(),
            t.id.to_string(),
            props.decided.clone(),
            reason.clone(),
        );
        Call::new(move || {
            let (token, id, decided, reason) = (
                token.clone(),
                id.clone(),
                decided.clone(),
                (*reason).trim().to_owned(),
            );
            async move {
                api::reject_transfer(&token, &id, reason).await?;
                decided.emit(());
                Ok(())
            }
        })
    };
    let question = format!(
        "{} moves from {} to {} on {}: from that day {} is the home institution, and the history keeps the period at {}. {}'s representatives are told now.",
        t.person_name,
        t.from_institution_short_name,
        t.to_institution_short_name,
        t.effective_date,
        t.to_institution_short_name,
        t.from_institution_short_name,
        t.from_institution_short_name,
    );
    html! {
        <div class="decide">
            <ActionButton label="Approve" busy_label="Approving…" call={approve} confirm={AttrValue::from(question)}
                confirm_label="Yes, approve" testid="approve-transfer" secondary={false} />
            <Field id={format!("reject_reason_{}", t.id)} label="Reason for a rejection" value={(*reason).clone()}
                oninput={let r = reason.clone(); Callback::from(move |v| r.set(v))} />
            <ActionButton label="Reject" busy_label="Rejecting…" call={reject}
                confirm={AttrValue::from(format!("Reject the move of {}? The person and whoever asked are told the reason.", t.person_name))}
                confirm_label="Yes, reject" testid="reject-transfer" />
        </div>
    }
}
