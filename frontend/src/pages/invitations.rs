//! Invitations by an IR: invite someone to register, see what became of invitations, revoke.

use b2mms_shared::Category;
use b2mms_shared::access;
use b2mms_shared::api::{CreatedInvitation, Institution, Invitation, NewInvitation};
use b2mms_shared::rules::{ContactEmail, DEFAULT_PERSONAL_MAIL_DOMAINS};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems};
use crate::session::{Auth, use_auth};

#[function_component(Invitations)]
pub fn invitations() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Vec<Invitation>>);
    let email = use_state(String::new);
    let category = use_state(String::new);
    let institution = use_state(String::new);
    let institutions = use_state(Vec::<Institution>::new);
    let busy = use_state(|| false);
    let attempt = use_state(|| 0u32);
    let created = use_state(|| None::<CreatedInvitation>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    let session = match &*auth {
        Auth::SignedIn(s) => Some((**s).clone()),
        _ => None,
    };
    let token = session.as_ref().map(|s| s.token.clone());
    {
        let institutions = institutions.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::institutions().await {
                    institutions.set(page.items);
                }
            });
        });
    }
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
    // Admins invite for any active institution, IRs for the ones they represent.
    let admin = access::administers(&session.roles);
    let represented = session
        .me
        .as_ref()
        .map(|m| m.representative_of.clone())
        .unwrap_or_default();
    let institution_options: Vec<(String, String)> = institutions
        .iter()
        .filter(|i| i.status.as_str() == "active" && (admin || represented.contains(&i.id)))
        .map(|i| (i.id.to_string(), format!("{} — {}", i.short_name, i.name)))
        .collect();
    let chosen_institution = if institution_options.len() == 1 {
        institution_options[0].0.clone()
    } else {
        (*institution).clone()
    };
    let live = if email.is_empty() {
        Vec::new()
    } else {
        ContactEmail::parse_institutional(&email, DEFAULT_PERSONAL_MAIL_DOMAINS.iter().copied())
            .err()
            .map(|v| vec![v.message])
            .unwrap_or_default()
    };
    let server = error.as_ref().map(|e| e.field("email")).unwrap_or_default();
    let email_errors = if live.is_empty() { server } else { live };
    let mut problems = Problems::default();
    problems.add("invite_email", &email_errors);
    problems.require(
        "invite_email",
        &email,
        "Enter the email address of the person to invite.",
    );
    problems.require(
        "invite_institution",
        &chosen_institution,
        "Choose the institution the person is invited to.",
    );
    let shown = |field: &str, live: &[String]| {
        if *attempt > 0 {
            problems.of(field)
        } else {
            live.to_vec()
        }
    };
    let onsubmit = {
        let (email, category, created, error, reload, token, busy, attempt) = (
            email.clone(),
            category.clone(),
            created.clone(),
            error.clone(),
            reload.clone(),
            session.token.clone(),
            busy.clone(),
            attempt.clone(),
        );
        let refused = !problems.is_empty();
        let chosen = chosen_institution.parse().ok();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(institution_id), false) = (chosen, refused) else {
                attempt.set(*attempt + 1);
                return;
            };
            let body = NewInvitation {
                email: (*email).clone(),
                institution_id,
                category: Category::parse(&category),
                given_name: None,
                family_name: None,
            };
            let (created, error, reload, token, email, category, busy) = (
                created.clone(),
                error.clone(),
                reload.clone(),
                token.clone(),
                email.clone(),
                category.clone(),
                busy.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::invite(&token, &body).await;
                busy.set(false);
                match result {
                    Ok(c) => {
                        created.set(Some(c));
                        error.set(None);
                        email.set(String::new());
                        category.set(String::new());
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
            <form {onsubmit} novalidate=true>
                <ErrorSummary problems={problems.clone()} attempt={*attempt} />
                <Field id="invite_email" label="Email of the person to invite (at your institution)" kind="email"
                    value={(*email).clone()} errors={shown("invite_email", &email_errors)}
                    oninput={let s = email.clone(); Callback::from(move |v| s.set(v))} />
                <Choice id="invite_institution" label="Institution" value={chosen_institution.clone()}
                    options={institution_options} errors={shown("invite_institution", &[])}
                    onchange={let s = institution.clone(); Callback::from(move |v| s.set(v))} />
                <Choice id="invite_category" label="Category (optional)" value={(*category).clone()}
                    placeholder="— let them choose —"
                    options={Category::ALL.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())).collect::<Vec<_>>()}
                    onchange={let s = category.clone(); Callback::from(move |v| s.set(v))} />
                <p class="error" role="alert">{ error.as_ref().filter(|e| e.errors.is_empty()).map(|e| e.detail.clone()).unwrap_or_default() }</p>
                <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Inviting…" } else { "Invite" } }</button>
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
                                    <td>{ crate::labels::invitation(i.status) }</td>
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
