//! People: search, one person's roles, and a new person with an account.

use b2mms_shared::api::{DirectoryEntry, Institution, Member, NewMember};
use b2mms_shared::{Category, Role};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{admin_token, problem};
use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems};
use crate::labels;
use crate::session::{Auth, use_auth};

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
