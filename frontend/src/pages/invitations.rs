//! Invitations by an IR: invite someone to register, see what became of invitations, revoke.

use b2mms_shared::access;
use b2mms_shared::api::{CreatedInvitation, Institution, Invitation, NewInvitation, Page};
use b2mms_shared::rules::{ContactEmail, DEFAULT_PERSONAL_MAIL_DOMAINS};
use b2mms_shared::{Category, InvitationStatus};
use yew::prelude::*;

use crate::Route;
use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems};
use crate::pager::{Pager, to_page, use_list_state};
use crate::session::{Auth, use_auth};

/// Invitations on one page.
const PER_PAGE: i64 = 25;

/// The list's state in the address.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<InvitationStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
}

crate::paged_by_field!(ListQuery);

impl ListQuery {
    fn api_query(&self) -> String {
        let mut pairs = crate::pager::page_params(self.page, PER_PAGE);
        if let Some(status) = self.status {
            pairs.push(("status", status.as_str().to_owned()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

#[function_component(Invitations)]
pub fn invitations() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Page<Invitation>>);
    let (asked, go) = use_list_state::<ListQuery>(Route::Invitations);
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
        use_effect_with(
            (token.clone(), *reload, asked.clone()),
            move |(_, _, asked)| {
                let query = asked.api_query();
                if let Some(token) = token {
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Ok(page) = api::invitations(&token, &query).await {
                            list.set(Some(page));
                        }
                    });
                }
            },
        );
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
        Call::new(move || {
            let (token, reload, id) = (token.clone(), reload.clone(), id.clone());
            async move {
                api::revoke_invitation(&token, &id).await?;
                reload.set(*reload + 1);
                Ok(())
            }
        })
    };
    let choose_status = go.reform(|v: String| ListQuery {
        status: InvitationStatus::parse(&v),
        page: None,
    });
    let to_page = to_page(&go, &asked);
    let statuses: Vec<(String, String)> = InvitationStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_owned(),
                crate::labels::invitation(*s).to_owned(),
            )
        })
        .collect();
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
            <Choice id="invitations_status" label="Status" value={asked.status.map(|s| s.as_str().to_owned()).unwrap_or_default()}
                placeholder="— any status —" options={statuses} onchange={choose_status} />
            { match &*list {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(page) if page.items.is_empty() => html! {
                    <p data-testid="invitations-empty">{ if asked.status.is_some() { "No invitation has this status." } else { "None yet." } }</p>
                },
                Some(page) => html! {
                    <>
                    <p data-testid="invitations-total">{ format!("{} invitation(s) · page {} of {}", page.total, page.page, crate::pager::pages(page.total, PER_PAGE)) }</p>
                    <div class="table-scroll"><table class="list stack" data-testid="invitations">
                        <thead><tr><th scope="col">{ "Email" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Expires" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                        <tbody>
                            { for page.items.iter().map(|i| html! {
                                <tr>
                                    <td data-label="Email">{ i.email.clone() }</td>
                                    <td data-label="Status">{ crate::labels::invitation(i.status) }</td>
                                    <td data-label="Expires">{ i.expires_at.date_naive().to_string() }</td>
                                    <td data-label="Actions">if matches!(i.status.as_str(), "pending" | "used") {
                                        <ActionButton label="Revoke" busy_label="Revoking…" call={revoke(i.id.to_string())}
                                            testid="revoke"
                                            confirm={format!("Revoke the invitation for {}? Its login details stop working at once.", i.email)}
                                            confirm_label="Revoke the invitation" />
                                    }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table></div>
                    <Pager page={page.page} pages={crate::pager::pages(page.total, PER_PAGE)} go={to_page.clone()} />
                    </>
                },
            } }
        </section>
    }
}
