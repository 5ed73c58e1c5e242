//! People: the directory (search, order, pages, CSV), one person's roles and record, and a
//! new person with an account.

use b2mms_shared::access::Editor;
use b2mms_shared::api::{Institution, Member, NewMember};
use b2mms_shared::{Category, Role};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{admin_token, problem};
use crate::Route;
use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems};
use crate::labels;
use crate::people_list::PeopleList;
use crate::record_editor::RecordEditor;
use crate::session::{Auth, use_auth};

#[function_component(AdminPeople)]
pub fn admin_people() -> Html {
    let auth = use_auth();
    let reload = use_state(|| 0u32);
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
    let open = {
        let (selected, error, token) = (selected.clone(), error.clone(), token.clone());
        Callback::from(move |id: String| {
            let (selected, error, token) = (selected.clone(), error.clone(), token.clone());
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
        let (selected, token, id) = (selected.clone(), token.clone(), m.id.to_string());
        let call = Call::new(move || {
            let (selected, token, id) = (selected.clone(), token.clone(), id.clone());
            async move {
                if has {
                    api::withdraw_role(&token, &id, role.as_str()).await?;
                } else {
                    api::grant_role(&token, &id, role.as_str()).await?;
                }
                selected.set(Some(api::member(&token, &id).await?));
                Ok(())
            }
        });
        let name = format!("{} {}", m.given_name, m.family_name);
        let (label, question, answer) = if has {
            (
                format!("Withdraw the role {}", labels::role(role)),
                format!(
                    "Withdraw the role {} from {name}? They lose what it allows at their next request.",
                    labels::role(role)
                ),
                "Withdraw the role",
            )
        } else {
            (
                format!("Grant the role {}", labels::role(role)),
                format!(
                    "Grant {name} the role {}? {}",
                    labels::role(role),
                    labels::role_power(role)
                ),
                "Grant the role",
            )
        };
        html! {
            <ActionButton label={label} busy_label="Saving…" {call}
                testid={format!("role-{}", role.as_str())}
                confirm={question} confirm_label={answer} />
        }
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
            <PeopleList token={token.clone()} route={Route::AdminPeople} {open} export={true} reload={*reload} />
            if let Some(m) = &*selected {
                <div class="person" data-testid="person">
                    <h2>{ format!("{} {}", m.given_name, m.family_name) }</h2>
                    <p>{ format!("{} · {} · {} · roles: {}", m.account_name.clone().unwrap_or_default(), m.institution_short_name, m.category.label(), m.roles.iter().map(|r| labels::role(*r)).collect::<Vec<_>>().join(", ")) }</p>
                    <div class="actions">
                        { role_button(m, Role::Admin) }
                        { role_button(m, Role::IbChair) }
                        { role_button(m, Role::Publications) }
                        <Link<Route> to={Route::Audit { id: m.id.to_string() }}>{ "Audit trail" }</Link<Route>>
                    </div>
                    <h3>{ "Change the record" }</h3>
                    <p class="hint">{ "Everything but the account name, which never changes." }</p>
                    <RecordEditor member={m.clone()} token={token.clone()}
                        editor={Editor { own: me == Some(m.id), representative: true, admin: true }}
                        saved={let (s, r) = (selected.clone(), reload.clone()); Callback::from(move |m| { s.set(Some(m)); r.set(*r + 1); })} />
                    <crate::membership::MembershipPanel member={m.clone()} token={token.clone()}
                        viewer={crate::membership::Viewer { own: me == Some(m.id), admin: true, represents: Vec::new() }}
                        changed={let (s, r) = (selected.clone(), reload.clone()); Callback::from(move |m| { s.set(Some(m)); r.set(*r + 1); })} />
                </div>
            }
            <h2>{ "New person with an account" }</h2>
            <form class="new-person" onsubmit={create} novalidate=true>
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
