//! Service tokens for the collaboration's tools: issue one with its scopes and expiry, list
//! them, revoke one (after a question); a revoked token's secret is no longer shown.

use b2mms_shared::Scope;
use b2mms_shared::api::{CreatedServiceToken, NewServiceToken, ServiceToken};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use yew::prelude::*;

use super::{admin_token, problem};
use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{ErrorSummary, Field, Problems, day};
use crate::labels;
use crate::pages::when;
use crate::session::use_auth;

/// The form's state: what the admin typed and ticked.
#[derive(Clone, Default, PartialEq)]
struct Form {
    name: String,
    scopes: Vec<Scope>,
    /// `YYYY-MM-DD` from the date input; empty for a token that does not expire.
    expires: String,
}

/// What stops the form from being sent; the server checks the same.
fn problems(form: &Form, today: NaiveDate) -> Problems {
    let mut p = Problems::default();
    p.require(
        "token_name",
        &form.name,
        "Enter the name of the tool that uses the token.",
    );
    if form.scopes.is_empty() {
        p.add(
            "scope-members-read",
            &["Tick at least one thing the tool may read.".to_owned()],
        );
    }
    if !form.expires.is_empty() {
        match day(&form.expires) {
            Some(day) if day <= today => p.add(
                "token_expires",
                &["Choose a day after today, or leave it empty.".to_owned()],
            ),
            Some(_) => {}
            None => p.add("token_expires", &["Enter a date.".to_owned()]),
        }
    }
    p
}

#[function_component(AdminTokens)]
pub fn admin_tokens() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Vec<ServiceToken>>);
    let reload = use_state(|| 0u32);
    let form = use_state(Form::default);
    let attempt = use_state(|| 0u32);
    let busy = use_state(|| false);
    let created = use_state(|| None::<CreatedServiceToken>);
    let notice = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let token = admin_token(&auth);
    {
        let (list, error, token) = (list.clone(), error.clone(), token.clone().ok());
        use_effect_with((token.clone(), *reload), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::service_tokens(&token).await {
                        Ok(items) => list.set(Some(items)),
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
    let today = Utc::now().date_naive();
    let found = problems(&form, today);
    let shown = |field: &str| {
        if *attempt > 0 {
            found.of(field)
        } else {
            Vec::new()
        }
    };
    let onsubmit = {
        let (form, attempt, busy, created, notice, error, reload, token) = (
            form.clone(),
            attempt.clone(),
            busy.clone(),
            created.clone(),
            notice.clone(),
            error.clone(),
            reload.clone(),
            token.clone(),
        );
        let refused = !found.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            attempt.set(*attempt + 1);
            if refused || *busy {
                return;
            }
            let expires_at =
                day(&form.expires).map(|day| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)));
            let body = NewServiceToken {
                name: form.name.trim().to_owned(),
                scopes: form.scopes.clone(),
                expires_at,
            };
            let (form, attempt, busy, created, notice, error, reload, token) = (
                form.clone(),
                attempt.clone(),
                busy.clone(),
                created.clone(),
                notice.clone(),
                error.clone(),
                reload.clone(),
                token.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::create_service_token(&token, &body).await;
                busy.set(false);
                match result {
                    Ok(c) => {
                        created.set(Some(c));
                        notice.set(None);
                        error.set(None);
                        form.set(Form::default());
                        attempt.set(0);
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let revoke = |t: &ServiceToken| {
        let (reload, created, notice, token, id, name) = (
            reload.clone(),
            created.clone(),
            notice.clone(),
            token.clone(),
            t.id,
            t.name.clone(),
        );
        Call::new(move || {
            let (reload, created, notice, token, name) = (
                reload.clone(),
                created.clone(),
                notice.clone(),
                token.clone(),
                name.clone(),
            );
            async move {
                api::revoke_service_token(&token, &id.to_string()).await?;
                // A revoked token's secret is of no use: it is no longer shown.
                if created.as_ref().is_some_and(|c| c.id == id) {
                    created.set(None);
                }
                notice.set(Some(format!("The token {name} is revoked.")));
                reload.set(*reload + 1);
                Ok(())
            }
        })
    };
    let scope_box = |scope: Scope| {
        let id = format!("scope-{}", scope.as_str().replace(':', "-"));
        let checked = form.scopes.contains(&scope);
        let onchange = {
            let form = form.clone();
            Callback::from(move |_| {
                let mut f = (*form).clone();
                if let Some(at) = f.scopes.iter().position(|s| *s == scope) {
                    f.scopes.remove(at);
                } else {
                    f.scopes.push(scope);
                }
                form.set(f);
            })
        };
        html! {
            <label class="check" for={id.clone()}>
                <input type="checkbox" id={id.clone()} {checked} {onchange} />
                { labels::scope(scope) }
            </label>
        }
    };
    let scope_errors = shown("scope-members-read");
    let set = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |v: String| {
            let mut f = (*form).clone();
            apply(&mut f, v);
            form.set(f);
        })
    };
    html! {
        <section class="card wide">
            <h1>{ "Service tokens" }</h1>
            <p>{ "A collaboration tool signs in with a token that lets it read only what you tick." }</p>
            if let Some(text) = &*notice {
                <p class="notice" role="status" data-testid="token-notice">{ text.clone() }</p>
            }
            <form {onsubmit} novalidate=true>
                <ErrorSummary problems={found.clone()} attempt={*attempt} />
                { problem(&error) }
                <Field id="token_name" label="Name of the tool" value={form.name.clone()}
                    errors={shown("token_name")} oninput={set(|f, v| f.name = v)}
                    hint={Some(AttrValue::Static("For example wiki-sync: it names the token in lists and in the audit trail."))} />
                <fieldset aria-describedby={(!scope_errors.is_empty()).then_some("scopes-errors")}>
                    <legend>{ "What the tool may read" }</legend>
                    { for Scope::ALL.iter().map(|s| scope_box(*s)) }
                    if !scope_errors.is_empty() {
                        <ul class="rules" id="scopes-errors">{ for scope_errors.iter().map(|e| html! { <li>{ e.clone() }</li> }) }</ul>
                    }
                </fieldset>
                <Field id="token_expires" label="Valid until (optional)" kind="date" value={form.expires.clone()}
                    errors={shown("token_expires")} oninput={set(|f, v| f.expires = v)}
                    hint={Some(AttrValue::Static("The token stops working at the start of this day (UTC). Empty: until it is revoked."))} />
                <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Issuing…" } else { "Issue token" } }</button>
            </form>
            if let Some(c) = &*created {
                <p class="notice" role="status" data-testid="token-secret">{ format!("The token for {}, shown only now: ", c.name) }<code>{ c.token.clone() }</code>{ crate::pages::copy_button(c.token.clone()) }</p>
            }
            <h2>{ "Issued tokens" }</h2>
            { match &*list {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(items) if items.is_empty() => html! { <p data-testid="tokens-empty">{ "No token has been issued yet." }</p> },
                Some(items) => html! {
                    <div class="table-scroll">
                    <table class="list stack" data-testid="tokens">
                        <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "May read" }</th><th scope="col">{ "Valid until" }</th><th scope="col">{ "Last used" }</th><th scope="col">{ "State" }</th></tr></thead>
                        <tbody>
                            { for items.iter().map(|t| html! {
                                <tr>
                                    <td data-label="Name">{ t.name.clone() }</td>
                                    <td data-label="May read">{ t.scopes.iter().map(|s| labels::scope(*s)).collect::<Vec<_>>().join(", ") }</td>
                                    <td data-label="Valid until">{ t.expires_at.map(when).unwrap_or_else(|| "until revoked".into()) }</td>
                                    <td data-label="Last used">{ t.last_used_at.map(when).unwrap_or_else(|| "never".into()) }</td>
                                    <td data-label="State">
                                        if let Some(at) = t.revoked_at {
                                            { format!("revoked {}", when(at)) }
                                        } else if t.expires_at.is_some_and(|e| e <= Utc::now()) {
                                            { "expired" }
                                        } else {
                                            <ActionButton label="Revoke" busy_label="Revoking…" call={revoke(t)} testid="revoke"
                                                confirm={format!("Revoke the token {}? The tool using it is refused from its next request; this cannot be undone.", t.name)}
                                                confirm_label="Revoke the token" />
                                        }
                                    </td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                    </div>
                },
            } }
        </section>
    }
}
