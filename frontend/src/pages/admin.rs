//! The secretariat's pages: institutions and their representatives, people and roles,
//! service tokens, and the audit trail of any record.

use b2mms_shared::api::{
    AuditEvent, CreatedServiceToken, DirectoryEntry, Institution, Member, NewInstitution,
    NewMember, NewServiceToken, ServiceToken,
};
use b2mms_shared::{Category, Role, Scope};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems};
use crate::labels;
use crate::pages::when;
use crate::session::{Auth, use_auth};

/// The admin's token, or the page to show instead.
pub(crate) fn admin_token(auth: &Auth) -> Result<String, Html> {
    match auth {
        Auth::SignedIn(s) if b2mms_shared::access::administers(&s.roles) => Ok(s.token.clone()),
        Auth::SignedIn(_) => Err(
            html! { <section class="card"><p class="error">{ "Only administrators see this page." }</p></section> },
        ),
        Auth::SignedOut => Err(html! { <crate::session::SignInFirst /> }),
        Auth::Resuming => Err(html! { <p class="loading">{ "Loading…" }</p> }),
    }
}

pub(crate) fn problem(e: &Option<ApiError>) -> Html {
    match e {
        Some(e) => {
            let fields: Vec<String> = e
                .errors
                .iter()
                .flat_map(|(f, v)| v.iter().map(move |r| format!("{f}: {}", r.message)))
                .collect();
            html! { <div class="error" role="alert"><p>{ e.detail.clone() }</p>{ for fields.into_iter().map(|f| html! { <p>{ f }</p> }) }</div> }
        }
        None => html! {},
    }
}

#[function_component(AdminInstitutions)]
pub fn admin_institutions() -> Html {
    let auth = use_auth();
    let list = use_state(Vec::<Institution>::new);
    let reload = use_state(|| 0u32);
    let form = use_state(|| ("".to_owned(), "".to_owned(), "".to_owned(), "".to_owned()));
    let error = use_state(|| None::<ApiError>);
    let appoint = use_state(|| ("".to_owned(), "".to_owned()));
    let edit = use_state(|| ("".to_owned(), "".to_owned(), "".to_owned()));
    let edit_attempt = use_state(|| 0u32);
    let appoint_attempt = use_state(|| 0u32);
    {
        let list = list.clone();
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::institutions().await {
                    list.set(page.items);
                }
            });
        });
    }
    let token = match admin_token(&auth) {
        Ok(t) => t,
        Err(page) => return page,
    };
    let onsubmit = {
        let (form, error, reload, token) =
            (form.clone(), error.clone(), reload.clone(), token.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (name, short_name, city, country) = (*form).clone();
            let body = NewInstitution {
                name,
                short_name,
                city,
                country,
                ror_id: None,
                inspire_id: None,
            };
            let (error, reload, token, form) =
                (error.clone(), reload.clone(), token.clone(), form.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_institution(&token, &body).await {
                    Ok(_) => {
                        error.set(None);
                        form.set(Default::default());
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let institution_options: Vec<(String, String)> = list
        .iter()
        .map(|i| (i.id.to_string(), format!("{} — {}", i.short_name, i.name)))
        .collect();
    let mut appoint_problems = Problems::default();
    appoint_problems.require("appoint_institution", &appoint.0, "Choose the institution.");
    appoint_problems.require(
        "appoint_account",
        &appoint.1,
        "Enter the account name of the new representative.",
    );
    let mut edit_problems = Problems::default();
    edit_problems.require(
        "edit_institution",
        &edit.0,
        "Choose the institution to change.",
    );
    let on_appoint = {
        let (appoint, error, reload, token, attempt) = (
            appoint.clone(),
            error.clone(),
            reload.clone(),
            token.clone(),
            appoint_attempt.clone(),
        );
        let refused = !appoint_problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if refused {
                attempt.set(*attempt + 1);
                return;
            }
            let (institution, account) = (*appoint).clone();
            let (error, reload, token) = (error.clone(), reload.clone(), token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let found = api::directory(&token, &account).await.map(|p| {
                    p.items
                        .into_iter()
                        .find(|d| d.account_name.as_deref() == Some(account.trim()))
                });
                match found {
                    Ok(Some(person)) => {
                        match api::appoint(&token, &institution, &person.id.to_string()).await {
                            Ok(_) => {
                                error.set(None);
                                reload.set(*reload + 1);
                            }
                            Err(e) => error.set(Some(e)),
                        }
                    }
                    Ok(None) => error.set(Some(ApiError {
                        status: 404,
                        code: "not_found".into(),
                        detail: format!("No person has the account name {account}."),
                        errors: Default::default(),
                    })),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let on_edit = {
        let (edit, error, reload, token, attempt) = (
            edit.clone(),
            error.clone(),
            reload.clone(),
            token.clone(),
            edit_attempt.clone(),
        );
        let refused = !edit_problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if refused {
                attempt.set(*attempt + 1);
                return;
            }
            let (id, city, status) = (*edit).clone();
            let patch = b2mms_shared::api::InstitutionPatch {
                city: Some(city).filter(|c| !c.trim().is_empty()),
                status: b2mms_shared::InstitutionStatus::parse(&status),
                ..Default::default()
            };
            let (error, reload, token) = (error.clone(), reload.clone(), token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_institution(&token, &id, &patch).await {
                    Ok(_) => {
                        error.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let set = |i: usize| {
        let form = form.clone();
        Callback::from(move |v: String| {
            let mut f = (*form).clone();
            match i {
                0 => f.0 = v,
                1 => f.1 = v,
                2 => f.2 = v,
                _ => f.3 = v,
            }
            form.set(f);
        })
    };
    let (name, short_name, city, country) = (*form).clone();
    html! {
        <section class="card wide">
            <h1>{ "Institutions" }</h1>
            { problem(&error) }
            <table class="list" tabindex="0" data-testid="institutions">
                <thead><tr><th>{ "Short name" }</th><th>{ "Name" }</th><th>{ "City" }</th><th>{ "Status" }</th><th>{ "Representatives" }</th><th></th></tr></thead>
                <tbody>
                    { for list.iter().map(|i| html! {
                        <tr>
                            <td>{ i.short_name.clone() }</td><td>{ i.name.clone() }</td><td>{ format!("{}, {}", i.city, i.country) }</td><td>{ labels::institution(i.status) }</td>
                            <td>{ i.representatives.iter().map(|r| format!("{} {} ({})", r.given_name, r.family_name, r.account_name.clone().unwrap_or_default())).collect::<Vec<_>>().join("; ") }</td>
                            <td><Link<Route> to={Route::Audit { id: i.id.to_string() }}>{ "Audit trail" }</Link<Route>></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h2>{ "New institution" }</h2>
            <form {onsubmit}>
                <Field id="inst_name" label="Name" value={name} oninput={set(0)} />
                <Field id="inst_short" label="Short name" value={short_name} oninput={set(1)} />
                <Field id="inst_city" label="City" value={city} oninput={set(2)} />
                <Field id="inst_country" label="Country (ISO code, e.g. JP)" value={country} oninput={set(3)} />
                <button type="submit">{ "Create institution" }</button>
            </form>
            <h2>{ "Edit an institution" }</h2>
            <form onsubmit={on_edit} novalidate=true>
                <ErrorSummary problems={edit_problems.clone()} attempt={*edit_attempt} />
                <Choice id="edit_institution" label="Institution" value={edit.0.clone()} options={institution_options.clone()}
                    errors={if *edit_attempt > 0 { edit_problems.of("edit_institution") } else { Vec::new() }}
                    onchange={let a = edit.clone(); Callback::from(move |v: String| { let mut s = (*a).clone(); s.0 = v; a.set(s); })} />
                <Field id="edit_city" label="New city (leave empty to keep)" value={edit.1.clone()}
                    oninput={let a = edit.clone(); Callback::from(move |v: String| { let mut s = (*a).clone(); s.1 = v; a.set(s); })} />
                <Choice id="edit_status" label="Status" value={edit.2.clone()} placeholder="— keep as it is —"
                    options={vec![("active".to_owned(), "Active".to_owned()), ("inactive".to_owned(), "Inactive".to_owned())]}
                    onchange={let a = edit.clone(); Callback::from(move |v: String| { let mut s = (*a).clone(); s.2 = v; a.set(s); })} />
                <button type="submit">{ "Save" }</button>
            </form>
            <h2>{ "Appoint a representative" }</h2>
            <form onsubmit={on_appoint} novalidate=true>
                <ErrorSummary problems={appoint_problems.clone()} attempt={*appoint_attempt} />
                <Choice id="appoint_institution" label="Institution" value={appoint.0.clone()} options={institution_options}
                    errors={if *appoint_attempt > 0 { appoint_problems.of("appoint_institution") } else { Vec::new() }}
                    onchange={let a = appoint.clone(); Callback::from(move |v: String| { let mut s = (*a).clone(); s.0 = v; a.set(s); })} />
                <Field id="appoint_account" label="Account name of the representative" value={appoint.1.clone()}
                    errors={if *appoint_attempt > 0 { appoint_problems.of("appoint_account") } else { Vec::new() }}
                    oninput={let a = appoint.clone(); Callback::from(move |v: String| { let mut s = (*a).clone(); s.1 = v; a.set(s); })} />
                <button type="submit">{ "Appoint" }</button>
            </form>
        </section>
    }
}

#[function_component(AdminPeople)]
pub fn admin_people() -> Html {
    let auth = use_auth();
    let query = use_state(String::new);
    let results = use_state(Vec::<DirectoryEntry>::new);
    let selected = use_state(|| None::<Member>);
    let error = use_state(|| None::<ApiError>);
    let created = use_state(|| None::<String>);
    let form = use_state(|| vec![String::new(); 7]);
    let create_attempt = use_state(|| 0u32);
    let institutions = use_state(Vec::<Institution>::new);
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
    let token = match admin_token(&auth) {
        Ok(t) => t,
        Err(page) => return page,
    };
    let search = {
        let (query, results, error, token) =
            (query.clone(), results.clone(), error.clone(), token.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (q, results, error, token) = (
                (*query).clone(),
                results.clone(),
                error.clone(),
                token.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::directory(&token, &q).await {
                    Ok(page) => results.set(page.items),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let open = |id: String| {
        let (selected, error, token) = (selected.clone(), error.clone(), token.clone());
        Callback::from(move |_| {
            let (selected, error, token, id) =
                (selected.clone(), error.clone(), token.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::member(&token, &id).await {
                    Ok(m) => selected.set(Some(m)),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let me = match &*auth {
        Auth::SignedIn(s) => s.me.as_ref().map(|m| m.id),
        _ => None,
    };
    let role_button = |m: &Member, role: Role| {
        let has = m.roles.contains(&role);
        // Nobody is offered to withdraw their own admin role.
        if has && role == Role::Admin && me == Some(m.id) {
            return html! {};
        }
        let (selected, error, token, id) = (
            selected.clone(),
            error.clone(),
            token.clone(),
            m.id.to_string(),
        );
        let onclick = Callback::from(move |_| {
            let (selected, error, token, id) =
                (selected.clone(), error.clone(), token.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = if has {
                    api::withdraw_role(&token, &id, role.as_str()).await
                } else {
                    api::grant_role(&token, &id, role.as_str())
                        .await
                        .map(|_| ())
                };
                match result {
                    Ok(()) => match api::member(&token, &id).await {
                        Ok(m) => selected.set(Some(m)),
                        Err(e) => error.set(Some(e)),
                    },
                    Err(e) => error.set(Some(e)),
                }
            });
        });
        html! { <button type="button" class="secondary" {onclick}>{ if has { format!("Withdraw the role {}", labels::role(role)) } else { format!("Grant the role {}", labels::role(role)) } }</button> }
    };
    let mut create_problems = Problems::default();
    for (i, field, message) in [
        (0, "new_given", "Enter the given name."),
        (1, "new_family", "Enter the family name."),
        (
            2,
            "new_email",
            "Enter the email address at the home institution.",
        ),
        (3, "new_account", "Choose an account name."),
        (4, "new_password", "Choose an initial password."),
        (5, "new_institution", "Choose the home institution."),
        (6, "new_category", "Choose the category."),
    ] {
        create_problems.require(field, &form[i], message);
    }
    let create_shown = |field: &str| {
        if *create_attempt > 0 {
            create_problems.of(field)
        } else {
            Vec::new()
        }
    };
    let create = {
        let (form, error, created, token, attempt) = (
            form.clone(),
            error.clone(),
            created.clone(),
            token.clone(),
            create_attempt.clone(),
        );
        let refused = !create_problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = (*form).clone();
            let (Ok(institution_id), Some(category), false) =
                (f[5].parse(), Category::parse(&f[6]), refused)
            else {
                attempt.set(*attempt + 1);
                return;
            };
            let body = NewMember {
                given_name: f[0].clone(),
                middle_name: None,
                family_name: f[1].clone(),
                email: f[2].clone(),
                account_name: f[3].clone(),
                initial_password: f[4].clone(),
                institution_id,
                category,
            };
            let (error, created, token) = (error.clone(), created.clone(), token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_member(&token, &body).await {
                    Ok(m) => {
                        error.set(None);
                        created.set(m.account_name);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let field = |i: usize| {
        let form = form.clone();
        Callback::from(move |v: String| {
            let mut f = (*form).clone();
            f[i] = v;
            form.set(f);
        })
    };
    let f = (*form).clone();
    html! {
        <section class="card wide">
            <h1>{ "People" }</h1>
            { problem(&error) }
            <form onsubmit={search} class="inline">
                <Field id="people_query" label="Search by name or account" value={(*query).clone()} oninput={let q = query.clone(); Callback::from(move |v| q.set(v))} />
                <button type="submit">{ "Search" }</button>
            </form>
            <table class="list" tabindex="0" data-testid="people">
                <tbody>
                    { for results.iter().map(|p| html! {
                        <tr>
                            <td><button type="button" class="link" onclick={open(p.id.to_string())}>{ format!("{} {}", p.given_name, p.family_name) }</button></td>
                            <td>{ p.account_name.clone().unwrap_or_default() }</td><td>{ p.institution_short_name.clone() }</td><td>{ labels::membership(p.status) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if let Some(m) = &*selected {
                <div class="person" data-testid="person">
                    <h2>{ format!("{} {}", m.given_name, m.family_name) }</h2>
                    <p>{ format!("{} · {} · {} · roles: {}", m.account_name.clone().unwrap_or_default(), m.institution_short_name, m.category.label(), m.roles.iter().map(|r| labels::role(*r)).collect::<Vec<_>>().join(", ")) }</p>
                    <div class="actions">
                        { role_button(m, Role::Admin) }
                        { role_button(m, Role::IbChair) }
                        <Link<Route> to={Route::Audit { id: m.id.to_string() }}>{ "Audit trail" }</Link<Route>>
                    </div>
                </div>
            }
            <h2>{ "New person with an account" }</h2>
            <form onsubmit={create} novalidate=true>
                <ErrorSummary problems={create_problems.clone()} attempt={*create_attempt} />
                <Field id="new_given" label="Given name" value={f[0].clone()} oninput={field(0)} errors={create_shown("new_given")} />
                <Field id="new_family" label="Family name" value={f[1].clone()} oninput={field(1)} errors={create_shown("new_family")} />
                <Field id="new_email" label="Email at the home institution" kind="email" value={f[2].clone()} oninput={field(2)} errors={create_shown("new_email")} />
                <Field id="new_account" label="Account name" value={f[3].clone()} oninput={field(3)} errors={create_shown("new_account")} />
                <Field id="new_password" label="Initial password (to be changed at the first sign-in)" kind="password" value={f[4].clone()} oninput={field(4)} errors={create_shown("new_password")} />
                <Choice id="new_institution" label="Home institution" value={f[5].clone()}
                    options={institutions.iter().map(|i| (i.id.to_string(), format!("{} — {}", i.short_name, i.name))).collect::<Vec<_>>()}
                    errors={create_shown("new_institution")} onchange={field(5)} />
                <Choice id="new_category" label="Category" value={f[6].clone()}
                    options={Category::ALL.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())).collect::<Vec<_>>()}
                    errors={create_shown("new_category")} onchange={field(6)} />
                <button type="submit">{ "Create" }</button>
            </form>
            if let Some(account) = &*created {
                <p class="notice" role="status" data-testid="created">{ format!("Created the account {account}.") }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct AuditProps {
    pub id: String,
}

#[function_component(AdminAudit)]
pub fn admin_audit(props: &AuditProps) -> Html {
    let auth = use_auth();
    let events = use_state(|| None::<Vec<AuditEvent>>);
    let token = admin_token(&auth);
    {
        let (events, token, id) = (events.clone(), token.clone().ok(), props.id.clone());
        use_effect_with((token.clone(), id.clone()), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(page) = api::audit(&token, &id).await {
                        events.set(Some(page.items));
                    }
                });
            }
        });
    }
    if let Err(page) = token {
        return page;
    }
    html! {
        <section class="card wide">
            <h1>{ "Audit trail" }</h1>
            { match &*events {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(list) => html! {
                    <table class="list" tabindex="0" data-testid="audit">
                        <thead><tr><th>{ "When" }</th><th>{ "Who" }</th><th>{ "What" }</th></tr></thead>
                        <tbody>{ for list.iter().map(|e| html! { <tr><td>{ when(e.at) }</td><td>{ e.actor.clone() }</td><td>{ labels::event(&e.action) }</td></tr> }) }</tbody>
                    </table>
                },
            } }
        </section>
    }
}

#[function_component(AdminTokens)]
pub fn admin_tokens() -> Html {
    let auth = use_auth();
    let list = use_state(Vec::<ServiceToken>::new);
    let reload = use_state(|| 0u32);
    let name = use_state(String::new);
    let created = use_state(|| None::<CreatedServiceToken>);
    let error = use_state(|| None::<ApiError>);
    let token = admin_token(&auth);
    {
        let (list, token) = (list.clone(), token.clone().ok());
        use_effect_with((token.clone(), *reload), move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(items) = api::service_tokens(&token).await {
                        list.set(items);
                    }
                });
            }
        });
    }
    let token = match token {
        Ok(t) => t,
        Err(page) => return page,
    };
    let onsubmit = {
        let (name, created, error, reload, token) = (
            name.clone(),
            created.clone(),
            error.clone(),
            reload.clone(),
            token.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = NewServiceToken {
                name: (*name).clone(),
                scopes: vec![Scope::MembersRead],
                expires_at: None,
            };
            let (created, error, reload, token) = (
                created.clone(),
                error.clone(),
                reload.clone(),
                token.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_service_token(&token, &body).await {
                    Ok(c) => {
                        created.set(Some(c));
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let revoke = |id: String| {
        let (reload, token) = (reload.clone(), token.clone());
        Callback::from(move |_| {
            let (reload, token, id) = (reload.clone(), token.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let _ = api::revoke_service_token(&token, &id).await;
                reload.set(*reload + 1);
            });
        })
    };
    html! {
        <section class="card wide">
            <h1>{ "Service tokens" }</h1>
            { problem(&error) }
            <form {onsubmit}>
                <Field id="token_name" label="Name of the tool (it may read the member directory)" value={(*name).clone()} oninput={let n = name.clone(); Callback::from(move |v| n.set(v))} />
                <button type="submit">{ "Issue token" }</button>
            </form>
            if let Some(c) = &*created {
                <p class="notice" role="status">{ "The token, shown only now: " }<code>{ c.token.clone() }</code>{ crate::pages::copy_button(c.token.clone()) }</p>
            }
            <table class="list" tabindex="0" data-testid="tokens">
                <thead><tr><th>{ "Name" }</th><th>{ "Scopes" }</th><th>{ "Last used" }</th><th></th></tr></thead>
                <tbody>
                    { for list.iter().map(|t| html! {
                        <tr>
                            <td>{ t.name.clone() }</td>
                            <td>{ t.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ") }</td>
                            <td>{ t.last_used_at.map(when).unwrap_or_else(|| "never".into()) }</td>
                            <td>if t.revoked_at.is_none() { <button type="button" class="secondary" onclick={revoke(t.id.to_string())}>{ "Revoke" }</button> } else { { "revoked" } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}
