//! Invitations by an IR: invite someone to register, see what became of invitations, revoke.

use b2mms_shared::Category;
use b2mms_shared::api::{CreatedInvitation, Invitation, NewInvitation};
use b2mms_shared::rules::{ContactEmail, DEFAULT_PERSONAL_MAIL_DOMAINS};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::pages::Field;
use crate::session::{Auth, use_auth};

#[function_component(Invitations)]
pub fn invitations() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Vec<Invitation>>);
    let email = use_state(String::new);
    let category = use_state(String::new);
    let created = use_state(|| None::<CreatedInvitation>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let session = match &*auth {
        Auth::SignedIn(s) => Some((**s).clone()),
        _ => None,
    };
    let token = session.as_ref().map(|s| s.token.clone());
    {
        let (list, token) = (list.clone(), token.clone());
        use_effect_with((token.clone(), *reload), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(page) = api::invitations(&token).await {
                        list.set(Some(page.items));
                    }
                });
            }
        });
    }
    let Some(session) = session else {
        return match &*auth {
            Auth::SignedOut => html! { <crate::session::SignInFirst /> },
            _ => html! { <p class="loading">{ "Loading…" }</p> },
        };
    };
    let institution = session.me.as_ref().and_then(|m| {
        m.representative_of
            .first()
            .copied()
            .or(Some(m.institution_id))
    });
    let live = if email.is_empty() {
        Vec::new()
    } else {
        ContactEmail::parse_institutional(&email, DEFAULT_PERSONAL_MAIL_DOMAINS.iter().copied())
            .err()
            .map(|v| vec![v.message])
            .unwrap_or_default()
    };
    let server = error.as_ref().map(|e| e.field("email")).unwrap_or_default();
    let onsubmit = {
        let (email, category, created, error, reload, token) = (
            email.clone(),
            category.clone(),
            created.clone(),
            error.clone(),
            reload.clone(),
            session.token.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(institution_id) = institution else {
                return;
            };
            let body = NewInvitation {
                email: (*email).clone(),
                institution_id,
                category: Category::parse(&category),
                given_name: None,
                family_name: None,
            };
            let (created, error, reload, token, email) = (
                created.clone(),
                error.clone(),
                reload.clone(),
                token.clone(),
                email.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::invite(&token, &body).await {
                    Ok(c) => {
                        created.set(Some(c));
                        error.set(None);
                        email.set(String::new());
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let revoke = |id: String| {
        let (token, reload) = (session.token.clone(), reload.clone());
        Callback::from(move |_| {
            let (token, reload, id) = (token.clone(), reload.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let _ = api::revoke_invitation(&token, &id).await;
                reload.set(*reload + 1);
            });
        })
    };
    html! {
        <section class="card wide">
            <h1>{ "Invitations" }</h1>
            <form {onsubmit}>
                <Field id="invite_email" label="Email of the person to invite (at your institution)" kind="email"
                    value={(*email).clone()} errors={if live.is_empty() { server } else { live }}
                    oninput={let s = email.clone(); Callback::from(move |v| s.set(v))} />
                <label for="invite_category">{ "Category (optional)" }
                    <select id="invite_category" onchange={let s = category.clone(); Callback::from(move |e: Event| s.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))}>
                        <option value="">{ "— let them choose —" }</option>
                        { for Category::ALL.iter().map(|c| html! { <option value={c.as_str()}>{ c.label() }</option> }) }
                    </select>
                </label>
                <p class="error" role="alert">{ error.as_ref().filter(|e| e.errors.is_empty()).map(|e| e.detail.clone()).unwrap_or_default() }</p>
                <button type="submit">{ "Invite" }</button>
            </form>
            if let Some(c) = &*created {
                <div class="notice" role="status" data-testid="credentials">
                    <p>{ format!("Invitation sent to {}. The temporary login details, shown only now:", c.email) }</p>
                    <p>{ "Username: " }<code data-testid="invite-username">{ c.username.clone() }</code>{ " Password: " }<code data-testid="invite-password">{ c.password.clone() }</code>
                        { crate::pages::copy_button(format!("Username: {}\nPassword: {}", c.username, c.password)) }</p>
                </div>
            }
            <h2>{ "Sent invitations" }</h2>
            { match &*list {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(items) if items.is_empty() => html! { <p>{ "None yet." }</p> },
                Some(items) => html! {
                    <table class="list" tabindex="0" data-testid="invitations">
                        <thead><tr><th>{ "Email" }</th><th>{ "Status" }</th><th>{ "Expires" }</th><th></th></tr></thead>
                        <tbody>
                            { for items.iter().map(|i| html! {
                                <tr>
                                    <td>{ i.email.clone() }</td>
                                    <td>{ i.status.as_str() }</td>
                                    <td>{ i.expires_at.date_naive().to_string() }</td>
                                    <td>if matches!(i.status.as_str(), "pending" | "used") {
                                        <button type="button" class="secondary" onclick={revoke(i.id.to_string())}>{ "Revoke" }</button>
                                    }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                },
            } }
        </section>
    }
}
