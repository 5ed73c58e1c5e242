//! Votes: the elections I may vote in (with whether I have), and for administrators and the
//! IB chair every election and a new one; one election with its ballot, receipt and results.

mod election;
#[cfg(feature = "staff")]
mod new;
mod results;

pub use election::ElectionPage;

use b2mms_shared::ElectionState;
use b2mms_shared::api::Election;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api;
use crate::pages::when;
use crate::session::{Auth, SignInFirst, use_auth};

pub(crate) fn state(s: ElectionState) -> &'static str {
    match s {
        ElectionState::Draft => "Prepared, not open yet",
        ElectionState::Open => "Open",
        ElectionState::Closed => "Closed, results not published yet",
        ElectionState::Published => "Results published",
    }
}

/// What the caller has done or may do, in words.
pub(crate) fn my_part(e: &Election) -> String {
    match &e.mine {
        Some(m) if m.eligible && m.voted => "You have voted".to_owned(),
        Some(m) if m.eligible && e.state == ElectionState::Open => "You may vote".to_owned(),
        Some(m) if m.eligible => "You were in the electorate".to_owned(),
        Some(_) => "You are not in the electorate".to_owned(),
        None => "—".to_owned(),
    }
}

#[function_component(Elections)]
pub fn elections() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Result<Vec<Election>, String>>);
    let reload = use_state(|| 0u32);
    let session = match &*auth {
        Auth::SignedIn(s) => Some((**s).clone()),
        _ => None,
    };
    {
        let list = list.clone();
        let token = session.as_ref().map(|s| s.token.clone());
        use_effect_with((token, *reload), move |(token, _)| {
            if let Some(token) = token.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    list.set(Some(api::elections(&token).await.map_err(|e| e.detail)));
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
    let officer = b2mms_shared::access::runs_elections(&session.roles);
    let made = {
        let reload = reload.clone();
        Callback::from(move |()| reload.set(*reload + 1))
    };
    html! {
        <section class="card wide">
            <h1>{ "Votes" }</h1>
            <p>{ "Ballots are secret: b2mms keeps who voted apart from what was voted." }</p>
            { match &*list {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(Err(problem)) => html! { <p class="error" role="alert">{ problem.clone() }</p> },
                Some(Ok(items)) if items.is_empty() => html! { <p data-testid="elections-empty">{ "No vote for you now." }</p> },
                Some(Ok(items)) => html! {
                    <div class="table-scroll">
                    <table class="list stack" data-testid="elections">
                        <thead><tr>
                            <th scope="col">{ "Vote" }</th><th scope="col">{ "State" }</th>
                            <th scope="col">{ "Open" }</th><th scope="col">{ "You" }</th>
                        </tr></thead>
                        <tbody>{ for items.iter().map(|e| html! {
                            <tr>
                                <td data-label="Vote"><Link<Route> to={Route::Election { id: e.id.to_string() }}>{ e.title.clone() }</Link<Route>></td>
                                <td data-label="State">{ state(e.state) }</td>
                                <td data-label="Open">{ format!("{} – {}", when(e.opens_at), when(e.closes_at)) }</td>
                                <td data-label="You">{ my_part(e) }</td>
                            </tr>
                        }) }</tbody>
                    </table>
                    </div>
                },
            } }
            if officer {
                { officer_part(&session.token, made) }
            }
        </section>
    }
}

/// A new election, for the officers (in the staff build).
#[cfg(feature = "staff")]
fn officer_part(token: &str, made: Callback<()>) -> Html {
    html! {
        <>
            <h2>{ "A new vote" }</h2>
            <new::NewElectionForm token={token.to_owned()} {made} />
        </>
    }
}

/// The member build has no officer pages: an officer is served the staff build.
#[cfg(not(feature = "staff"))]
fn officer_part(_: &str, _: Callback<()>) -> Html {
    html! {}
}
