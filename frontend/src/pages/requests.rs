//! The IR's (and IB chair's) workspace: requests waiting for a decision, and one request with
//! the existing people it resembles, to approve, reject or link.

use b2mms_shared::api::Registration;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api;
use crate::pages::registration_status::state_text;
use crate::session::{Auth, use_auth};

/// Working days (Monday–Friday) since a time, as a rough age for the list.
fn working_days_since(t: chrono::DateTime<chrono::Utc>) -> i64 {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    let mut day = t.date_naive();
    let mut n = 0;
    while day < now.date_naive() {
        day = day.succ_opt().unwrap_or(day);
        if day.weekday().num_days_from_monday() < 5 {
            n += 1;
        }
    }
    n
}

/// Where a request stands, in words for those who decide on it.
fn staff_state_text(state: &str) -> &'static str {
    match state {
        "provisioning_failed" => {
            "Approved, but the account could not be created — an administrator retries or rejects it"
        }
        "approved" => "Approved — the account is being created",
        other => state_text(other),
    }
}

/// The answer to a decision, still to come.
type Answer =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Registration, api::ApiError>>>>;

fn name(r: &Registration) -> String {
    format!(
        "{} {}",
        r.given_name.clone().unwrap_or_default(),
        r.family_name.clone().unwrap_or_default()
    )
}

#[function_component(Requests)]
pub fn requests() -> Html {
    let auth = use_auth();
    let items = use_state(|| None::<Vec<Registration>>);
    let error = use_state(|| None::<String>);
    let token = match &*auth {
        Auth::SignedIn(s) => Some(s.token.clone()),
        _ => None,
    };
    {
        let (items, error, token) = (items.clone(), error.clone(), token.clone());
        use_effect_with(token.clone(), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    let mut all = Vec::new();
                    for state in ["awaiting_ir", "awaiting_ib", "provisioning_failed"] {
                        match api::registrations(&token, Some(state)).await {
                            Ok(page) => all.extend(page.items),
                            Err(e) => {
                                error.set(Some(e.detail));
                                return;
                            }
                        }
                    }
                    items.set(Some(all));
                });
            }
        });
    }
    match &*auth {
        Auth::Resuming => return html! { <p class="loading">{ "Loading…" }</p> },
        Auth::SignedOut => return html! { <crate::session::SignInFirst /> },
        Auth::SignedIn(_) => {}
    }
    let body = match (&*items, &*error) {
        (_, Some(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        (None, _) => html! { <p class="loading" aria-busy="true">{ "Loading requests…" }</p> },
        (Some(list), _) if list.is_empty() => {
            html! { <p data-testid="no-requests">{ "No request is waiting for you." }</p> }
        }
        (Some(list), _) => html! {
            <table class="list" tabindex="0" data-testid="requests">
                <thead><tr><th>{ "Applicant" }</th><th>{ "Account" }</th><th>{ "Institution" }</th><th>{ "State" }</th><th>{ "Waiting" }</th></tr></thead>
                <tbody>
                    { for list.iter().map(|r| html! {
                        <tr>
                            <td><Link<Route> to={Route::Request { id: r.id.to_string() }}>{ name(r) }</Link<Route>>
                                if !r.possible_duplicates.is_empty() { <span class="badge" title="Resembles an existing person">{ " possible duplicate" }</span> }</td>
                            <td>{ r.account_name.clone().unwrap_or_default() }</td>
                            <td>{ r.institution_short_name.clone().unwrap_or_default() }</td>
                            <td>{ staff_state_text(r.state.as_str()) }</td>
                            <td>{ format!("{} working day(s)", r.submitted_at.map(working_days_since).unwrap_or(0)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <section class="card wide">
            <h1>{ "Registration requests" }</h1>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RequestProps {
    pub id: String,
}

#[function_component(RequestDetail)]
pub fn request_detail(props: &RequestProps) -> Html {
    let auth = use_auth();
    let registration = use_state(|| None::<Registration>);
    let error = use_state(|| None::<String>);
    let reason = use_state(String::new);
    let token = match &*auth {
        Auth::SignedIn(s) => Some(s.token.clone()),
        _ => None,
    };
    let admin = matches!(&*auth, Auth::SignedIn(s) if b2mms_shared::access::administers(&s.roles));
    {
        let (registration, error, token, id) = (
            registration.clone(),
            error.clone(),
            token.clone(),
            props.id.clone(),
        );
        use_effect_with((token.clone(), id.clone()), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::registration(&token, &id).await {
                        Ok(r) => registration.set(Some(r)),
                        Err(e) => error.set(Some(e.detail)),
                    }
                });
            }
        });
    }
    let Some(token) = token else {
        return html! { <p class="loading">{ "Loading…" }</p> };
    };
    if let Some(e) = &*error {
        return html! { <section class="card"><p class="error" role="alert">{ e.clone() }</p></section> };
    }
    let Some(r) = (*registration).clone() else {
        return html! { <p class="loading" aria-busy="true">{ "Loading the request…" }</p> };
    };
    // Approving and retrying take the same shape: a call with an optional person to link,
    // whose answer is the request as it is now.
    let act = |call: fn(String, String, Option<String>) -> Answer| {
        let (registration, error, token, id) = (
            registration.clone(),
            error.clone(),
            token.clone(),
            props.id.clone(),
        );
        move |link: Option<String>| {
            let (registration, error, token, id) = (
                registration.clone(),
                error.clone(),
                token.clone(),
                id.clone(),
            );
            Callback::from(move |_| {
                let (registration, error, answer) = (
                    registration.clone(),
                    error.clone(),
                    call(token.clone(), id.clone(), link.clone()),
                );
                wasm_bindgen_futures::spawn_local(async move {
                    match answer.await {
                        Ok(r) => registration.set(Some(r)),
                        Err(e) => error.set(Some(e.detail)),
                    }
                });
            })
        }
    };
    let decide =
        act(|token, id, link| Box::pin(async move { api::approve(&token, &id, link).await }));
    let retry = act(|token, id, link| {
        Box::pin(async move { api::retry_provisioning(&token, &id, link).await })
    });
    let on_reject = {
        let (registration, error, token, id, reason) = (
            registration.clone(),
            error.clone(),
            token.clone(),
            props.id.clone(),
            reason.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (registration, error, token, id, why) = (
                registration.clone(),
                error.clone(),
                token.clone(),
                id.clone(),
                (*reason).clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::reject(&token, &id, why).await {
                    Ok(r) => registration.set(Some(r)),
                    Err(e) => error.set(Some(e.detail)),
                }
            });
        })
    };
    let failed = admin && r.state.as_str() == "provisioning_failed";
    let pending = matches!(r.state.as_str(), "awaiting_ir" | "awaiting_ib") || failed;
    html! {
        <section class="card wide">
            <h1>{ name(&r) }</h1>
            <p data-testid="state" class="state">{ staff_state_text(r.state.as_str()) }</p>
            if let Some(why) = &r.provision_error {
                <p class="error" data-testid="provision-error">{ format!("Creating the account failed: {why}") }</p>
            }
            <dl class="record">
                <dt>{ "Account name" }</dt><dd>{ r.account_name.clone().unwrap_or_default() }</dd>
                <dt>{ "Email" }</dt><dd>{ r.email.clone().unwrap_or_default() }</dd>
                <dt>{ "Home institution" }</dt><dd>{ r.institution_short_name.clone().unwrap_or_default() }</dd>
                <dt>{ "Category" }</dt><dd>{ r.category.map(|c| c.label()).unwrap_or("—") }</dd>
                <dt>{ "Identity" }</dt><dd>{ r.certificate_dn.clone().unwrap_or_else(|| "invitation".into()) }</dd>
                <dt>{ "ORCID iD" }</dt><dd>{ r.orcid.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Comment" }</dt><dd>{ r.comment.clone().unwrap_or_else(|| "—".into()) }</dd>
            </dl>
            if !r.possible_duplicates.is_empty() {
                <h2>{ "Existing people who resemble this applicant" }</h2>
                <table class="list" tabindex="0" data-testid="duplicates">
                    <thead><tr><th>{ "Name" }</th><th>{ "Account" }</th><th>{ "Institution" }</th><th>{ "Status" }</th><th></th></tr></thead>
                    <tbody>
                        { for r.possible_duplicates.iter().map(|d| html! {
                            <tr>
                                <td>{ format!("{} {}", d.given_name, d.family_name) }</td>
                                <td>{ d.account_name.clone().unwrap_or_default() }</td>
                                <td>{ d.institution_short_name.clone() }</td>
                                <td>{ d.status.as_str() }</td>
                                <td>
                                    if failed {
                                        <button type="button" class="secondary" onclick={retry(Some(d.person_id.to_string()))}>{ "Same person: retry as this person" }</button>
                                    } else if pending {
                                        <button type="button" class="secondary" onclick={decide(Some(d.person_id.to_string()))}>{ "Same person: reactivate" }</button>
                                    }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if pending {
                <div class="actions">
                    if failed {
                        <button type="button" onclick={retry(None)} data-testid="retry">{ "Retry creating the account" }</button>
                    } else {
                        <button type="button" onclick={decide(None)} data-testid="approve">{ "Approve" }</button>
                    }
                </div>
                <form onsubmit={on_reject} class="reject">
                    <label for="reason">{ "Reason for a rejection (told to the applicant)" }
                        <textarea id="reason" name="reason" value={(*reason).clone()}
                            oninput={let s = reason.clone(); Callback::from(move |e: InputEvent| s.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))} />
                    </label>
                    <button type="submit" class="secondary" disabled={reason.trim().is_empty()}>{ "Reject" }</button>
                </form>
            }
            <h2>{ "History" }</h2>
            <ol class="history">
                { for r.history.iter().map(|e| html! {
                    <li>{ format!("{} — {} ({})", crate::pages::when(e.at), e.action.trim_start_matches("registration."), e.actor) }
                        { e.comment.clone().map(|c| format!(": {c}")).unwrap_or_default() }</li>
                }) }
            </ol>
            <Link<Route> to={Route::Requests}>{ "Back to the requests" }</Link<Route>>
        </section>
    }
}
