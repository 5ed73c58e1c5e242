//! The IR's (and IB chair's) workspace: requests waiting for a decision, and one request with
//! the existing people it resembles, to approve, reject or link.

use b2mms_shared::api::Registration;
use b2mms_shared::{RegistrationAction, RegistrationState};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api;
use crate::forms::{Choice, ErrorSummary, Problems};
use crate::labels;
use crate::pager::{Pager, to_page, use_list_state};
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

/// The applicant's name, or before the form is sent the address invited, so that a link to
/// the request always says whose it is.
fn name(r: &Registration) -> String {
    let full = format!(
        "{} {}",
        r.given_name.clone().unwrap_or_default(),
        r.family_name.clone().unwrap_or_default()
    );
    match (full.trim(), &r.email) {
        ("", Some(email)) => format!("Not sent yet ({email})"),
        ("", None) => "Not sent yet".to_owned(),
        (name, _) => name.to_owned(),
    }
}

/// Requests on one page.
const PER_PAGE: i64 = 25;

/// The list's state in the address, kept when coming back from a request.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct ListQuery {
    /// Every request the caller may see, instead of those waiting for them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    all: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<RegistrationState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
}

crate::paged_by_field!(ListQuery);

impl ListQuery {
    fn api_query(&self) -> String {
        let mut pairs = crate::pager::page_params(self.page, PER_PAGE);
        if self.all {
            if let Some(state) = self.state {
                pairs.push(("state", state.as_str().to_owned()));
            }
        } else {
            pairs.push(("waiting_for_me", "true".to_owned()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

#[function_component(Requests)]
pub fn requests() -> Html {
    let auth = use_auth();
    let (asked, go) = use_list_state::<ListQuery>(Route::Requests);
    let page = use_state(|| None::<b2mms_shared::api::Page<Registration>>);
    let error = use_state(|| None::<String>);
    let token = match &*auth {
        Auth::SignedIn(s) => Some(s.token.clone()),
        _ => None,
    };
    {
        let (page, error) = (page.clone(), error.clone());
        use_effect_with((token.clone(), asked.clone()), move |(token, asked)| {
            if let Some(token) = token.clone() {
                let query = asked.api_query();
                wasm_bindgen_futures::spawn_local(async move {
                    match api::registration_page(&token, &query).await {
                        Ok(p) => {
                            page.set(Some(p));
                            error.set(None);
                        }
                        Err(e) => error.set(Some(e.detail)),
                    }
                });
            }
        });
    }
    match &*auth {
        Auth::Resuming => return html! { <p class="loading">{ "Loading…" }</p> },
        Auth::SignedOut => return html! { <crate::session::SignInFirst /> },
        Auth::SignedIn(_) => {}
    }
    let show = |all: bool| {
        go.reform(move |_: MouseEvent| ListQuery {
            all,
            ..ListQuery::default()
        })
    };
    let choose_state = go.reform(|v: String| ListQuery {
        all: true,
        state: RegistrationState::parse(&v),
        page: None,
    });
    let to_page = to_page(&go, &asked);
    let body = match (&*page, &*error) {
        (_, Some(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        (None, _) => html! { <p class="loading" aria-busy="true">{ "Loading requests…" }</p> },
        (Some(p), _) if p.items.is_empty() => html! {
            <p data-testid="no-requests">{ if asked.all { "No request matches." } else { "No request is waiting for you." } }</p>
        },
        (Some(p), _) => {
            let pages = crate::pager::pages(p.total, PER_PAGE);
            html! {
                <>
                    <p data-testid="requests-total">{ format!("{} request(s) · page {} of {pages}", p.total, p.page) }</p>
                    <div class="table-scroll">
                    <table class="list stack" data-testid="requests">
                        <thead><tr><th scope="col">{ "Applicant" }</th><th scope="col">{ "Account" }</th><th scope="col">{ "Institution" }</th><th scope="col">{ "State" }</th><th scope="col">{ "Waiting" }</th></tr></thead>
                        <tbody>
                            { for p.items.iter().map(|r| html! {
                                <tr>
                                    <td data-label="Applicant"><Link<Route> to={Route::Request { id: r.id.to_string() }}>{ name(r) }</Link<Route>>
                                        if !r.possible_duplicates.is_empty() { <span class="badge" title="Resembles an existing person">{ " possible duplicate" }</span> }</td>
                                    <td data-label="Account">{ r.account_name.clone().unwrap_or_default() }</td>
                                    <td data-label="Institution">{ r.institution_short_name.clone().unwrap_or_default() }</td>
                                    <td data-label="State">{ labels::state_for_staff(r.state) }</td>
                                    <td data-label="Waiting">{ format!("{} working day(s)", r.submitted_at.map(working_days_since).unwrap_or(0)) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                    </div>
                    <Pager page={p.page} {pages} go={to_page.clone()} />
                </>
            }
        }
    };
    let states: Vec<(String, String)> = RegistrationState::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_owned(),
                labels::state_for_staff(*s).to_owned(),
            )
        })
        .collect();
    html! {
        <section class="card wide">
            <h1>{ "Registration requests" }</h1>
            <div class="actions" role="group" aria-label="Which requests">
                <button type="button" class={if asked.all { "secondary" } else { "" }} aria-pressed={(!asked.all).to_string()}
                    onclick={show(false)} data-testid="show-mine">{ "Waiting for me" }</button>
                <button type="button" class={if asked.all { "" } else { "secondary" }} aria-pressed={asked.all.to_string()}
                    onclick={show(true)} data-testid="show-all">{ "All I can see" }</button>
            </div>
            if asked.all {
                <Choice id="requests_state" label="State" value={asked.state.map(|s| s.as_str().to_owned()).unwrap_or_default()}
                    placeholder="— any state —" options={states} onchange={choose_state} />
            }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RequestProps {
    pub id: String,
}

/// A decision to send: what, and the existing person to link, if any.
#[derive(Clone, PartialEq)]
enum Decision {
    Approve(Option<String>),
    Retry(Option<String>),
    Reject(String),
}

/// Linking a request to an existing person, waiting for the decider's confirmation.
#[derive(Clone, PartialEq)]
struct PendingLink {
    person_id: String,
    who: String,
    retry: bool,
}

/// What happened, in words for the person who decided.
fn confirmation(decision: &Decision, now: &Registration) -> String {
    let state = now.state;
    match decision {
        Decision::Reject(_) => {
            "You rejected the request. The applicant has been told why by mail.".into()
        }
        Decision::Retry(_) => {
            "The request is back in provisioning: the account is created within a minute.".into()
        }
        Decision::Approve(link) => {
            let linked = if link.is_some() {
                " It is linked to the existing person, whose record is reactivated."
            } else {
                ""
            };
            if state == RegistrationState::AwaitingIb {
                format!(
                    "You approved the request.{linked} It now waits for the Institutional Board, whose chair has been told."
                )
            } else {
                format!(
                    "You approved the request.{linked} The account is being created; the applicant is told by mail when it is ready."
                )
            }
        }
    }
}

#[function_component(RequestDetail)]
pub fn request_detail(props: &RequestProps) -> Html {
    let auth = use_auth();
    let registration = use_state(|| None::<Registration>);
    let error = use_state(|| None::<String>);
    let failure = use_state(|| None::<String>);
    let reason = use_state(String::new);
    let busy = use_state(|| false);
    let done = use_state(|| None::<String>);
    let pending_link = use_state(|| None::<PendingLink>);
    let attempt = use_state(|| 0u32);
    let token = match &*auth {
        Auth::SignedIn(s) => Some(s.token.clone()),
        _ => None,
    };
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
        return match &*auth {
            Auth::SignedOut => html! { <crate::session::SignInFirst /> },
            _ => html! { <p class="loading">{ "Loading…" }</p> },
        };
    };
    if let Some(e) = &*error {
        return html! {
            <section class="card">
                <h1>{ "Registration request" }</h1>
                <p class="error" role="alert">{ e.clone() }</p>
                <Link<Route> to={Route::Requests}>{ "Back to the requests" }</Link<Route>>
            </section>
        };
    }
    let Some(r) = (*registration).clone() else {
        return html! { <p class="loading" aria-busy="true">{ "Loading the request…" }</p> };
    };
    // Every decision takes one shape: send it, then show the request as it is now and say
    // what happened; the buttons follow what the server says the decider may do now.
    let send = {
        let (registration, failure, token, id, busy, done, pending_link) = (
            registration.clone(),
            failure.clone(),
            token.clone(),
            props.id.clone(),
            busy.clone(),
            done.clone(),
            pending_link.clone(),
        );
        Callback::from(move |decision: Decision| {
            let (registration, failure, token, id, busy, done) = (
                registration.clone(),
                failure.clone(),
                token.clone(),
                id.clone(),
                busy.clone(),
                done.clone(),
            );
            pending_link.set(None);
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let answer = match &decision {
                    Decision::Approve(link) => api::approve(&token, &id, link.clone()).await,
                    Decision::Retry(link) => {
                        api::retry_provisioning(&token, &id, link.clone()).await
                    }
                    Decision::Reject(why) => api::reject(&token, &id, why.clone()).await,
                };
                busy.set(false);
                match answer {
                    Ok(now) => {
                        failure.set(None);
                        done.set(Some(confirmation(&decision, &now)));
                        registration.set(Some(now));
                    }
                    Err(e) => failure.set(Some(e.detail)),
                }
            });
        })
    };
    let may = |a: RegistrationAction| r.actions.contains(&a);
    let (approve, reject, retry) = (
        may(RegistrationAction::Approve),
        may(RegistrationAction::Reject),
        may(RegistrationAction::RetryProvisioning),
    );
    let decide = |decision: Decision| {
        let send = send.clone();
        Callback::from(move |_: MouseEvent| send.emit(decision.clone()))
    };
    let ask_link = |person_id: String, who: String| {
        let pending_link = pending_link.clone();
        Callback::from(move |_: MouseEvent| {
            pending_link.set(Some(PendingLink {
                person_id: person_id.clone(),
                who: who.clone(),
                retry,
            }))
        })
    };
    let mut problems = Problems::default();
    problems.require(
        "reason",
        &reason,
        "Write the reason for the rejection; the applicant reads it.",
    );
    let on_reject = {
        let (send, reason, attempt) = (send.clone(), reason.clone(), attempt.clone());
        let refused = !problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if refused {
                attempt.set(*attempt + 1);
                return;
            }
            send.emit(Decision::Reject(reason.trim().to_owned()));
        })
    };
    let nothing_to_do = r.actions.is_empty() && done.is_none();
    html! {
        <section class="card wide">
            <h1>{ name(&r) }</h1>
            <p data-testid="state" class="state">{ labels::state_for_staff(r.state) }</p>
            if let Some(message) = &*done {
                <p class="notice" role="status" data-testid="decided">{ message.clone() }</p>
            }
            if let Some(message) = &*failure {
                <p class="error" role="alert" data-testid="decision-error">{ message.clone() }</p>
            }
            if let Some(why) = &r.provision_error {
                <p class="error" data-testid="provision-error">{ format!("Creating the account failed: {why}") }</p>
            }
            <dl class="record">
                <dt>{ "Account name" }</dt><dd>{ r.account_name.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Email" }</dt><dd>{ r.email.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Home institution" }</dt><dd>{ r.institution_short_name.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Category" }</dt><dd>{ r.category.map(|c| c.label()).unwrap_or("—") }</dd>
                <dt>{ "Identity" }</dt><dd>{ r.certificate_dn.clone().unwrap_or_else(|| "Invitation by the representative".into()) }</dd>
                <dt>{ "ORCID iD" }</dt><dd>{ r.orcid.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Comment" }</dt><dd>{ r.comment.clone().unwrap_or_else(|| "—".into()) }</dd>
            </dl>
            if !r.possible_duplicates.is_empty() {
                <h2>{ "Existing people who resemble this applicant" }</h2>
                <table class="list" tabindex="0" data-testid="duplicates">
                    <thead><tr><th>{ "Name" }</th><th>{ "Account" }</th><th>{ "Institution" }</th><th>{ "Membership" }</th><th><span class="visually-hidden">{ "Action" }</span></th></tr></thead>
                    <tbody>
                        { for r.possible_duplicates.iter().map(|d| {
                            let who = format!("{} {} ({})", d.given_name, d.family_name, d.account_name.clone().unwrap_or_else(|| "no account".into()));
                            html! {
                                <tr>
                                    <td>{ format!("{} {}", d.given_name, d.family_name) }</td>
                                    <td>{ d.account_name.clone().unwrap_or_default() }</td>
                                    <td>{ d.institution_short_name.clone() }</td>
                                    <td>{ labels::membership(d.status) }</td>
                                    <td>
                                        if retry || approve {
                                            <button type="button" class="secondary" disabled={*busy} onclick={ask_link(d.person_id.to_string(), who)}>
                                                { if retry { "Same person: retry as this person" } else { "Same person: approve as this person" } }
                                            </button>
                                        }
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
            if let Some(link) = &*pending_link {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-link-text" data-testid="confirm-link">
                    <p id="confirm-link-text">{ format!("Link this request to {}? No new record is created: the existing record is reactivated with this request's institution and category, and keeps its account name.", link.who) }</p>
                    <div class="actions">
                        <button type="button" disabled={*busy} data-testid="confirm"
                            onclick={decide(if link.retry { Decision::Retry(Some(link.person_id.clone())) } else { Decision::Approve(Some(link.person_id.clone())) })}>
                            { "Yes, link and continue" }
                        </button>
                        <button type="button" class="secondary" onclick={let p = pending_link.clone(); Callback::from(move |_| p.set(None))}>{ "Cancel" }</button>
                    </div>
                </div>
            }
            if approve || retry {
                <div class="actions">
                    if retry {
                        <button type="button" disabled={*busy} aria-busy={busy.to_string()} onclick={decide(Decision::Retry(None))} data-testid="retry">{ "Retry creating the account" }</button>
                    } else {
                        <button type="button" disabled={*busy} aria-busy={busy.to_string()} onclick={decide(Decision::Approve(None))} data-testid="approve">{ "Approve" }</button>
                    }
                </div>
            }
            if reject {
                <form onsubmit={on_reject} class="reject" novalidate=true>
                    <ErrorSummary problems={problems.clone()} attempt={*attempt} />
                    <label for="reason">{ "Reason for a rejection (told to the applicant)" }
                        <textarea id="reason" name="reason" value={(*reason).clone()}
                            aria-invalid={(*attempt > 0 && !problems.is_empty()).to_string()}
                            oninput={let s = reason.clone(); Callback::from(move |e: InputEvent| s.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))} />
                    </label>
                    <button type="submit" class="secondary" disabled={*busy}>{ "Reject" }</button>
                </form>
            }
            if nothing_to_do {
                <p class="hint" data-testid="nothing-to-do">{ "There is nothing for you to decide on this request now." }</p>
            }
            <h2>{ "History" }</h2>
            <ol class="history">
                { for r.history.iter().map(|e| html! {
                    <li>{ format!("{} — {} ({})", crate::pages::when(e.at), labels::event(&e.action), labels::actor(&e.actor)) }
                        { e.comment.clone().map(|c| format!(": {c}")).unwrap_or_default() }</li>
                }) }
            </ol>
            <Link<Route> to={Route::Requests}>{ "Back to the requests" }</Link<Route>>
        </section>
    }
}
