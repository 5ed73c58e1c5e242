//! The start page: who is signed in, with their roles and record, the parts of it they
//! change themselves, and a new contact address confirmed from the new mailbox.

use b2mms_shared::MembershipStatus;
use b2mms_shared::access::{self, Editor};
use b2mms_shared::rules::{ContactEmail, DEFAULT_PERSONAL_MAIL_DOMAINS};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api;
use crate::forms::{ErrorSummary, Field, Problems};
use crate::labels;
use crate::pages::change_password::ChangePassword;
use crate::record_editor::RecordEditor;
use crate::session::{Auth, Session, use_auth};

/// The form for a new contact address: a link to confirm it goes there.
#[function_component(NewAddress)]
fn new_address(props: &SessionProps) -> Html {
    let email = use_state(String::new);
    let attempt = use_state(|| 0u32);
    let busy = use_state(|| false);
    let sent = use_state(|| None::<String>);
    let error = use_state(|| None::<String>);
    let mut problems = Problems::default();
    if let Err(v) =
        ContactEmail::parse_institutional(&email, DEFAULT_PERSONAL_MAIL_DOMAINS.iter().copied())
    {
        problems.add("new_email", &[v.message]);
    }
    if let Some(e) = &*error {
        problems.add("new_email", std::slice::from_ref(e));
    }
    let onsubmit = {
        let (email, attempt, busy, sent, error, token) = (
            email.clone(),
            attempt.clone(),
            busy.clone(),
            sent.clone(),
            error.clone(),
            props.session.token.clone(),
        );
        let refused = !problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            attempt.set(*attempt + 1);
            if refused || *busy {
                return;
            }
            let (email, attempt, busy, sent, error, token) = (
                email.clone(),
                attempt.clone(),
                busy.clone(),
                sent.clone(),
                error.clone(),
                token.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let address = email.trim().to_lowercase();
                let result = api::request_email_change(&token, &address).await;
                busy.set(false);
                match result {
                    Ok(()) => {
                        sent.set(Some(address));
                        email.set(String::new());
                        attempt.set(0);
                    }
                    Err(e) => error.set(Some(
                        e.errors
                            .values()
                            .flatten()
                            .map(|v| v.message.clone())
                            .next()
                            .unwrap_or(e.detail),
                    )),
                }
            });
        })
    };
    let oninput = {
        let (email, error) = (email.clone(), error.clone());
        Callback::from(move |v: String| {
            email.set(v);
            error.set(None);
        })
    };
    html! {
        <form class="new-address" {onsubmit} novalidate=true>
            <ErrorSummary problems={problems.clone()} attempt={*attempt} />
            if let Some(address) = &*sent {
                <p class="notice" role="status" data-testid="address-sent">{ format!("We sent a link to {address}. Your contact address changes once you follow it (within a day).") }</p>
            }
            <Field id="new_email" label="New contact email" kind="email" value={(*email).clone()}
                errors={if *attempt > 0 { problems.of("new_email") } else { Vec::new() }} {oninput}
                hint={Some(AttrValue::Static("An address at your institution; we mail a link there to confirm it."))} />
            <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Sending…" } else { "Send the confirmation link" } }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct SessionProps {
    session: Session,
}

#[function_component(Home)]
pub fn home() -> Html {
    let auth = use_auth();
    let session = match &*auth {
        Auth::Resuming => return html! { <p class="loading" aria-busy="true">{ "Loading…" }</p> },
        Auth::SignedOut => return html! { <crate::session::SignInFirst /> },
        Auth::SignedIn(session) => (**session).clone(),
    };
    if session.must_change_password {
        return html! { <ChangePassword {session} /> };
    }
    let Some(me) = session.me.clone() else {
        return html! { <p class="loading">{ "Loading your record…" }</p> };
    };
    let editor = Editor {
        own: true,
        representative: me.representative_of.contains(&me.institution_id),
        admin: access::administers(&session.roles),
    };
    let saved = {
        let (auth, session) = (auth.clone(), session.clone());
        Callback::from(move |member| {
            auth.set(Auth::SignedIn(Box::new(Session {
                me: Some(member),
                ..session.clone()
            })));
        })
    };
    let full_name = [
        Some(me.given_name.as_str()),
        me.middle_name.as_deref(),
        Some(me.family_name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    html! {
        <section class="card">
            <h1 data-testid="welcome">{ format!("Signed in as {full_name}") }</h1>
            <ul class="roles" aria-label="Your roles" data-testid="roles">
                { for session.roles.iter().map(|r| html! { <li>{ labels::role(*r) }</li> }) }
            </ul>
            <dl class="record">
                <dt>{ "Account" }</dt><dd>{ me.account_name.clone().unwrap_or_default() }</dd>
                <dt>{ "Email" }</dt><dd data-testid="my-email">{ me.email.clone() }</dd>
                <dt>{ "Name in papers" }</dt><dd data-testid="my-paper-name">{ me.paper_name.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "ORCID iD" }</dt><dd>{ me.orcid.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Institution" }</dt><dd>{ me.institution_short_name.clone() }</dd>
                <dt>{ "Category" }</dt><dd>{ me.category.label() }</dd>
                <dt>{ "Membership" }</dt><dd>{ labels::membership(me.status) }</dd>
                <dt>{ "Collaboration address" }</dt><dd>{ me.registry_email.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Member since" }</dt><dd>{ me.membership_start.map(|d| d.to_string()).unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Membership ends" }</dt><dd data-testid="my-end">{ me.membership_end.map(|d| d.to_string()).unwrap_or_else(|| "—".into()) }</dd>
                <crate::pages::my_authorship::MyAuthorship token={session.token.clone()} />
                <crate::pages::my_mailing_lists::MyMailingLists token={session.token.clone()} />
                <dt>{ "Groups" }</dt><dd data-testid="groups">{ if me.groups.is_empty() { "—".to_owned() } else { me.groups.join(", ") } }</dd>
                <dt>{ "Password expires" }</dt>
                <dd>{ me.password_expires_at.map(|t| t.date_naive().to_string()).unwrap_or_default() }</dd>
            </dl>
            <p><Link<Route> to={Route::ChangePassword}>{ "Change my password" }</Link<Route>></p>
            <crate::membership::MembershipPanel member={me.clone()} token={session.token.clone()} changed={saved.clone()}
                viewer={crate::membership::Viewer { own: true, admin: editor.admin, represents: me.representative_of.clone() }} />
            if me.status == MembershipStatus::Active {
                <h2>{ "Change my details" }</h2>
                <RecordEditor member={me.clone()} {editor} token={session.token.clone()} {saved} />
                <h2>{ "Change my contact address" }</h2>
                <NewAddress session={session.clone()} />
            }
        </section>
    }
}
