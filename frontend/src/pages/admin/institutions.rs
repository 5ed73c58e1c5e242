//! Institutions: the list, a new one, changes, and appointing representatives.

use b2mms_shared::api::{Institution, NewInstitution};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{admin_token, problem};
use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems};
use crate::labels;
use crate::session::use_auth;

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
