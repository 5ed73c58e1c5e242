//! One vote: what it is about and until when; the ballot while it is open (a choice beyond
//! the allowed number, or none, is not sent), the receipt afterwards and a check of any
//! receipt; the results once they may be seen; for the officers publishing the results and
//! the electorate as a file.

use b2mms_shared::ElectionState;
use b2mms_shared::api::{BallotReceipt, Election, ElectionResults, VotingFor};
use yew::prelude::*;
use yew_router::prelude::*;

use super::results::Results;
use super::{my_part, state};
use crate::Route;
use crate::api::{self, ApiError};
use crate::pages::when;
use crate::session::{Auth, SignInFirst, use_auth};

#[derive(Properties, PartialEq)]
pub struct ElectionProps {
    pub id: String,
}

#[function_component(ElectionPage)]
pub fn election_page(props: &ElectionProps) -> Html {
    let auth = use_auth();
    let election = use_state(|| None::<Result<Election, ApiError>>);
    let results = use_state(|| None::<ElectionResults>);
    let chosen = use_state(Vec::<String>::new);
    let for_institution = use_state(|| None::<uuid::Uuid>);
    let attempt = use_state(|| false);
    let busy = use_state(|| false);
    let refused = use_state(|| None::<ApiError>);
    let receipt = use_state(|| None::<BallotReceipt>);
    let reload = use_state(|| 0u32);
    let session = match &*auth {
        Auth::SignedIn(s) => Some((**s).clone()),
        _ => None,
    };
    {
        let (election, results) = (election.clone(), results.clone());
        let token = session.as_ref().map(|s| s.token.clone());
        use_effect_with((token, props.id.clone(), *reload), move |(token, id, _)| {
            if let Some(token) = token.clone() {
                let id = id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let found = api::election(&token, &id).await;
                    let closed = matches!(&found, Ok(e) if matches!(e.state, ElectionState::Closed | ElectionState::Published));
                    election.set(Some(found));
                    if closed {
                        results.set(api::election_results(&token, &id).await.ok());
                    }
                });
            }
        });
    }
    let Some(session) = session else {
        return match &*auth {
            Auth::Resuming => html! { <p class="loading">{ "Loading…" }</p> },
            _ => html! { <SignInFirst /> },
        };
    };
    let e = match &*election {
        None => return html! { <p class="loading">{ "Loading…" }</p> },
        Some(Err(problem)) => {
            return html! {
                <section class="card"><h1>{ "Vote" }</h1>
                    <p class="error" role="alert">{ problem.detail.clone() }</p>
                    <p><Link<Route> to={Route::Elections}>{ "All votes" }</Link<Route>></p></section>
            };
        }
        Some(Ok(e)) => e.clone(),
    };
    // A representative of several institutions casts one ballot for each, naming it.
    let institutions = e
        .mine
        .as_ref()
        .map(|m| m.institutions.clone())
        .unwrap_or_default();
    let pending: Vec<VotingFor> = institutions.iter().filter(|i| !i.voted).cloned().collect();
    let several = institutions.len() > 1;
    let ballot_for = match pending.as_slice() {
        [only] if several => Some(only.institution_id),
        _ if several => *for_institution,
        _ => None,
    };
    let may_vote = e.state == ElectionState::Open
        && e.mine.as_ref().is_some_and(|m| m.eligible && !m.voted)
        && (receipt.is_none() || several);
    let max = e.max_choices as usize;
    let problem =
        if several && ballot_for.is_none_or(|i| !pending.iter().any(|p| p.institution_id == i)) {
            Some("Choose the institution this ballot is for.".to_owned())
        } else if chosen.is_empty() {
            Some("Choose an option.".to_owned())
        } else if chosen.len() > max {
            Some(format!("Choose at most {max} option(s)."))
        } else {
            None
        };
    let onsubmit = {
        let (chosen, attempt, busy, refused, receipt, reload, token, id) = (
            chosen.clone(),
            attempt.clone(),
            busy.clone(),
            refused.clone(),
            receipt.clone(),
            reload.clone(),
            session.token.clone(),
            props.id.clone(),
        );
        let blocked = problem.is_some();
        Callback::from(move |ev: SubmitEvent| {
            ev.prevent_default();
            attempt.set(true);
            if blocked || *busy {
                return;
            }
            let (choices, chosen, busy, refused, receipt, reload, token, id) = (
                (*chosen).clone(),
                chosen.clone(),
                busy.clone(),
                refused.clone(),
                receipt.clone(),
                reload.clone(),
                token.clone(),
                id.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::cast_ballot(&token, &id, choices, ballot_for).await;
                busy.set(false);
                match result {
                    Ok(r) => {
                        chosen.set(Vec::new());
                        receipt.set(Some(r));
                        refused.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(e) => refused.set(Some(e)),
                }
            });
        })
    };
    let pick = |label: String| {
        let chosen = chosen.clone();
        let single = max == 1;
        Callback::from(move |_| {
            let mut now = (*chosen).clone();
            if single {
                now = vec![label.clone()];
            } else if let Some(at) = now.iter().position(|c| *c == label) {
                now.remove(at);
            } else {
                now.push(label.clone());
            }
            chosen.set(now);
        })
    };
    let kind = if max == 1 { "radio" } else { "checkbox" };
    html! {
        <section class="card wide">
            <p><Link<Route> to={Route::Elections}>{ "All votes" }</Link<Route>></p>
            <h1>{ e.title.clone() }</h1>
            if !e.description.is_empty() { <p>{ e.description.clone() }</p> }
            <dl class="facts">
                <dt>{ "State" }</dt><dd data-testid="election-state">{ state(e.state) }</dd>
                <dt>{ "Open" }</dt><dd>{ format!("{} – {} (UTC)", when(e.opens_at), when(e.closes_at)) }</dd>
                <dt>{ "You" }</dt><dd data-testid="election-mine">{ my_part(&e) }
                    { e.mine.as_ref().and_then(|m| m.on_behalf_of.clone()).map(|i| format!(", for {i}")).unwrap_or_default() }</dd>
                if let (Some(n), Some(v)) = (e.electors, e.voted) {
                    <dt>{ "Turnout so far" }</dt><dd>{ format!("{v} of {n} electors") }</dd>
                }
            </dl>
            if let Some(r) = &*receipt {
                <div class="notice" role="status" data-testid="receipt">
                    <p>{ "Your ballot is counted. Keep this receipt to check that later; it does not show your choice:" }</p>
                    <p><code>{ r.receipt.clone() }</code>{ crate::pages::copy_button(r.receipt.clone()) }</p>
                </div>
            }
            if may_vote {
                <form {onsubmit} novalidate=true data-testid="ballot">
                    if several {
                        { institution_choice(&pending, ballot_for, &for_institution) }
                    }
                    <fieldset aria-describedby="ballot-rule">
                        <legend>{ if max == 1 { "Your choice".to_owned() } else { format!("Your choices (at most {max})") } }</legend>
                        { for e.options.iter().enumerate().map(|(i, label)| {
                            let id = format!("option-{i}");
                            html! {
                                <label class="check" for={id.clone()}>
                                    <input type={kind} name="choice" id={id} checked={chosen.contains(label)} onchange={pick(label.clone())} />
                                    { label.clone() }
                                </label>
                            }
                        }) }
                        if *attempt && problem.is_some() {
                            <p class="error" role="alert" id="ballot-rule">{ problem.clone().unwrap_or_default() }</p>
                        }
                    </fieldset>
                    if let Some(r) = &*refused { <p class="error" role="alert">{ r.detail.clone() }</p> }
                    <p class="hint">{ "A ballot cannot be changed once it is cast." }</p>
                    <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Casting…" } else { "Cast the ballot" } }</button>
                </form>
            }
            if let Some(r) = &*results {
                <Results results={r.clone()} />
            }
            <ReceiptCheck token={session.token.clone()} id={props.id.clone()} />
            { officer_part(&session, &e, &reload) }
        </section>
    }
}

/// Which institution a representative of several casts this ballot for: said when one is
/// left, chosen otherwise (starting at an explicit "choose").
fn institution_choice(
    pending: &[VotingFor],
    chosen: Option<uuid::Uuid>,
    set: &UseStateHandle<Option<uuid::Uuid>>,
) -> Html {
    if let [only] = pending {
        return html! {
            <p data-testid="ballot-for">{ format!("This ballot is for {}.", only.name) }</p>
        };
    }
    let onchange = {
        let set = set.clone();
        Callback::from(move |ev: Event| {
            let value = ev
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            set.set(uuid::Uuid::parse_str(&value).ok());
        })
    };
    html! {
        <p>
            <label for="ballot-for">{ "The institution this ballot is for" }</label>
            <select id="ballot-for" {onchange} required=true>
                <option value="" selected={chosen.is_none()} disabled=true>{ "Choose the institution" }</option>
                { for pending.iter().map(|i| html! {
                    <option value={i.institution_id.to_string()} selected={chosen == Some(i.institution_id)}>
                        { format!("{} (weight {})", i.name, i.weight) }
                    </option>
                }) }
            </select>
        </p>
    }
}

#[derive(Properties, PartialEq)]
struct ReceiptCheckProps {
    token: String,
    id: String,
}

/// Whether a ballot with a receipt was counted.
#[function_component(ReceiptCheck)]
fn receipt_check(props: &ReceiptCheckProps) -> Html {
    let code = use_state(String::new);
    let answer = use_state(|| None::<String>);
    let onsubmit = {
        let (code, answer, token, id) = (
            code.clone(),
            answer.clone(),
            props.token.clone(),
            props.id.clone(),
        );
        Callback::from(move |ev: SubmitEvent| {
            ev.prevent_default();
            let (code, answer, token, id) = (
                (*code).trim().to_owned(),
                answer.clone(),
                token.clone(),
                id.clone(),
            );
            if code.is_empty() {
                answer.set(Some("Enter the receipt you got when you voted.".to_owned()));
                return;
            }
            wasm_bindgen_futures::spawn_local(async move {
                answer.set(Some(match api::check_receipt(&token, &id, &code).await {
                    Ok(c) if c.counted => "This ballot is counted.".to_owned(),
                    Ok(_) => "No ballot of this vote has this receipt.".to_owned(),
                    Err(e) => e.detail,
                }));
            });
        })
    };
    let oninput = {
        let code = code.clone();
        Callback::from(move |v: String| code.set(v))
    };
    html! {
        <form {onsubmit} novalidate=true data-testid="receipt-check">
            <h2>{ "Check a receipt" }</h2>
            <crate::forms::Field id="receipt_code" label="Receipt" value={(*code).clone()} {oninput} />
            <button type="submit" class="secondary">{ "Check" }</button>
            if let Some(text) = &*answer { <p role="status" data-testid="receipt-answer">{ text.clone() }</p> }
        </form>
    }
}

/// Publishing and the electorate file, for the officers (in the staff build).
#[cfg(feature = "staff")]
fn officer_part(
    session: &crate::session::Session,
    e: &Election,
    reload: &UseStateHandle<u32>,
) -> Html {
    use crate::action::{ActionButton, Call};
    if !b2mms_shared::access::runs_elections(&session.roles) {
        return html! {};
    }
    let id = e.id.to_string();
    let publish = {
        let (token, id, reload) = (session.token.clone(), id.clone(), reload.clone());
        Call::new(move || {
            let (token, id, reload) = (token.clone(), id.clone(), reload.clone());
            async move {
                api::publish_election(&token, &id).await?;
                reload.set(*reload + 1);
                Ok(())
            }
        })
    };
    let download = {
        let (token, id) = (session.token.clone(), id.clone());
        Call::new(move || {
            let (token, id) = (token.clone(), id.clone());
            async move {
                let csv = api::electorate_csv(&token, &id).await?;
                crate::download::save(&format!("electorate-{id}.csv"), "text/csv", &csv);
                Ok(())
            }
        })
    };
    html! {
        <div class="actions">
            if e.state == ElectionState::Closed {
                <ActionButton label="Publish the results" busy_label="Publishing…" call={publish} testid="publish"
                    confirm={"Publish the results? Every elector sees them from then on; this cannot be undone."}
                    confirm_label="Publish" secondary={false} />
            }
            if e.state != ElectionState::Draft {
                <ActionButton label="The electorate as a file" busy_label="Preparing…" call={download} testid="electorate-csv" />
            }
        </div>
    }
}

#[cfg(not(feature = "staff"))]
fn officer_part(_: &crate::session::Session, _: &Election, _: &UseStateHandle<u32>) -> Html {
    html! {}
}
