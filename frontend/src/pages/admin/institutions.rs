//! Institutions: the list with their representatives, a new institution, every field of one
//! changed in a form filled with its record, representatives appointed and removed.

use b2mms_shared::InstitutionStatus;
use b2mms_shared::api::{Institution, InstitutionPatch, NewInstitution};
use b2mms_shared::rules::{country_code, inspire_id, required_text, ror_id};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{admin_token, problem};
use crate::Route;
use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems};
use crate::labels;
use crate::session::use_auth;

/// An institution's fields as typed in a form.
#[derive(Debug, Clone, Default, PartialEq)]
struct Fields {
    name: String,
    short_name: String,
    city: String,
    country: String,
    ror_id: String,
    inspire_id: String,
    paper_name: String,
    address: String,
    status: String,
}

impl Fields {
    fn of(i: &Institution) -> Self {
        Self {
            name: i.name.clone(),
            short_name: i.short_name.clone(),
            city: i.city.clone(),
            country: i.country.clone(),
            ror_id: i.ror_id.clone().unwrap_or_default(),
            inspire_id: i.inspire_id.clone().unwrap_or_default(),
            paper_name: i.paper_name.clone().unwrap_or_default(),
            address: i.address.clone().unwrap_or_default(),
            status: i.status.as_str().to_owned(),
        }
    }

    /// What stops the form (ids prefixed with `prefix`); the server checks the same rules.
    fn problems(&self, prefix: &str) -> Problems {
        let mut p = Problems::default();
        let mut check =
            |field: &str, result: Result<String, b2mms_shared::rules::RuleViolation>| {
                if let Err(v) = result {
                    p.add(&format!("{prefix}_{field}"), &[v.message]);
                }
            };
        check("name", required_text(&self.name, 200, "name"));
        check("short", required_text(&self.short_name, 32, "short name"));
        check("city", required_text(&self.city, 100, "city"));
        check("country", country_code(&self.country));
        if !self.ror_id.trim().is_empty() {
            check("ror", ror_id(&self.ror_id));
        }
        if !self.inspire_id.trim().is_empty() {
            check("inspire", inspire_id(&self.inspire_id));
        }
        if !self.paper_name.trim().is_empty() {
            check(
                "paper",
                required_text(&self.paper_name, 300, "name in papers"),
            );
        }
        if !self.address.trim().is_empty() {
            check("address", required_text(&self.address, 500, "address"));
        }
        p
    }
}

/// Empty means none.
fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The form's inputs, for a new institution or a change.
fn inputs(prefix: &str, fields: &UseStateHandle<Fields>, problems: &Problems, shown: bool) -> Html {
    let set = |apply: fn(&mut Fields, String)| {
        let fields = fields.clone();
        Callback::from(move |v: String| {
            let mut f = (*fields).clone();
            apply(&mut f, v);
            fields.set(f);
        })
    };
    let errors = |field: &str| {
        if shown {
            problems.of(&format!("{prefix}_{field}"))
        } else {
            Vec::new()
        }
    };
    let id = |field: &str| AttrValue::from(format!("{prefix}_{field}"));
    html! {
        <>
            <Field id={id("name")} label="Name" value={fields.name.clone()} errors={errors("name")} oninput={set(|f, v| f.name = v)} />
            <Field id={id("short")} label="Short name" value={fields.short_name.clone()} errors={errors("short")} oninput={set(|f, v| f.short_name = v)} />
            <Field id={id("city")} label="City" value={fields.city.clone()} errors={errors("city")} oninput={set(|f, v| f.city = v)} />
            <Field id={id("country")} label="Country" value={fields.country.clone()} errors={errors("country")} oninput={set(|f, v| f.country = v)}
                hint={Some(AttrValue::Static("The two-letter ISO code, e.g. JP, DE or US."))} />
            <Field id={id("ror")} label="ROR id (optional)" value={fields.ror_id.clone()} errors={errors("ror")} oninput={set(|f, v| f.ror_id = v)}
                hint={Some(AttrValue::Static("For example https://ror.org/01g5y5k24 or 01g5y5k24."))} />
            <Field id={id("inspire")} label="INSPIRE institution id (optional)" value={fields.inspire_id.clone()} errors={errors("inspire")} oninput={set(|f, v| f.inspire_id = v)}
                hint={Some(AttrValue::Static("The number of its INSPIRE record, e.g. 903267."))} />
            <Field id={id("paper")} label="Name as printed in papers (optional)" value={fields.paper_name.clone()} errors={errors("paper")} oninput={set(|f, v| f.paper_name = v)}
                hint={Some(AttrValue::Static("How author lists print it, e.g. High Energy Accelerator Research Organization (KEK); the name when empty."))} />
            <Field id={id("address")} label="Address as printed (optional)" value={fields.address.clone()} errors={errors("address")} oninput={set(|f, v| f.address = v)}
                hint={Some(AttrValue::Static("Postal address after the name, e.g. Tsukuba 305-0801, Japan; the city when empty."))} />
        </>
    }
}

#[function_component(AdminInstitutions)]
pub fn admin_institutions() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Vec<Institution>>);
    let reload = use_state(|| 0u32);
    let new = use_state(Fields::default);
    let new_attempt = use_state(|| 0u32);
    let editing = use_state(|| None::<Institution>);
    let edit = use_state(Fields::default);
    let edit_attempt = use_state(|| 0u32);
    let appoint = use_state(|| ("".to_owned(), "".to_owned()));
    let appoint_attempt = use_state(|| 0u32);
    let busy = use_state(|| false);
    let notice = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    {
        let (list, error) = (list.clone(), error.clone());
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::institutions().await {
                    Ok(page) => list.set(Some(page.items)),
                    Err(e) => error.set(Some(e)),
                }
            });
        });
    }
    let token = match admin_token(&auth) {
        Ok(t) => t,
        Err(page) => return page,
    };
    // What happened, and the list afresh.
    let succeeded = {
        let (notice, error, reload) = (notice.clone(), error.clone(), reload.clone());
        move |text: String| {
            notice.set(Some(text));
            error.set(None);
            reload.set(*reload + 1);
        }
    };
    let new_problems = new.problems("inst");
    let on_create = {
        let (new, attempt, busy, error, token, succeeded) = (
            new.clone(),
            new_attempt.clone(),
            busy.clone(),
            error.clone(),
            token.clone(),
            succeeded.clone(),
        );
        let refused = !new_problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            attempt.set(*attempt + 1);
            if refused || *busy {
                return;
            }
            let f = (*new).clone();
            let body = NewInstitution {
                name: f.name.trim().to_owned(),
                short_name: f.short_name.trim().to_owned(),
                city: f.city.trim().to_owned(),
                country: f.country.trim().to_owned(),
                ror_id: optional(&f.ror_id),
                inspire_id: optional(&f.inspire_id),
                paper_name: optional(&f.paper_name),
                address: optional(&f.address),
            };
            let (new, attempt, busy, error, token, succeeded) = (
                new.clone(),
                attempt.clone(),
                busy.clone(),
                error.clone(),
                token.clone(),
                succeeded.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::create_institution(&token, &body).await;
                busy.set(false);
                match result {
                    Ok(created) => {
                        new.set(Fields::default());
                        attempt.set(0);
                        succeeded(format!("{} is created.", created.short_name));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let edit_problems = edit.problems("edit");
    let on_edit = {
        let (editing, edit, attempt, busy, error, token, succeeded) = (
            editing.clone(),
            edit.clone(),
            edit_attempt.clone(),
            busy.clone(),
            error.clone(),
            token.clone(),
            succeeded.clone(),
        );
        let refused = !edit_problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            attempt.set(*attempt + 1);
            let Some(before) = (*editing).clone() else {
                return;
            };
            if refused || *busy {
                return;
            }
            let (was, f) = (Fields::of(&before), (*edit).clone());
            let changed =
                |a: &String, b: &String| (a.trim() != b.trim()).then(|| b.trim().to_owned());
            let patch = InstitutionPatch {
                name: changed(&was.name, &f.name),
                short_name: changed(&was.short_name, &f.short_name),
                city: changed(&was.city, &f.city),
                country: changed(&was.country, &f.country),
                ror_id: changed(&was.ror_id, &f.ror_id).map(|v| optional(&v)),
                inspire_id: changed(&was.inspire_id, &f.inspire_id).map(|v| optional(&v)),
                paper_name: changed(&was.paper_name, &f.paper_name).map(|v| optional(&v)),
                address: changed(&was.address, &f.address).map(|v| optional(&v)),
                status: InstitutionStatus::parse(&f.status).filter(|s| *s != before.status),
            };
            let (editing, attempt, busy, error, token, succeeded) = (
                editing.clone(),
                attempt.clone(),
                busy.clone(),
                error.clone(),
                token.clone(),
                succeeded.clone(),
            );
            if patch == InstitutionPatch::default() {
                editing.set(None);
                succeeded("Nothing was changed.".to_owned());
                return;
            }
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::update_institution(&token, &before.id.to_string(), &patch).await;
                busy.set(false);
                match result {
                    Ok(after) => {
                        editing.set(None);
                        attempt.set(0);
                        succeeded(format!("The changes to {} are saved.", after.short_name));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let start_edit = |i: &Institution| {
        let (editing, edit, attempt, notice, i) = (
            editing.clone(),
            edit.clone(),
            edit_attempt.clone(),
            notice.clone(),
            i.clone(),
        );
        Callback::from(move |_| {
            edit.set(Fields::of(&i));
            editing.set(Some(i.clone()));
            attempt.set(0);
            notice.set(None);
            crate::forms::focus("edit_name");
        })
    };
    let remove = |i: &Institution, person: String| {
        let (token, succeeded, institution, short) = (
            token.clone(),
            succeeded.clone(),
            i.id.to_string(),
            i.short_name.clone(),
        );
        Call::new(move || {
            let (token, succeeded, short, institution, person) = (
                token.clone(),
                succeeded.clone(),
                short.clone(),
                institution.clone(),
                person.clone(),
            );
            async move {
                api::remove_representative(&token, &institution, &person).await?;
                succeeded(format!("The representative is removed from {short}."));
                Ok(())
            }
        })
    };
    let items = (*list).clone().unwrap_or_default();
    let institution_options: Vec<(String, String)> = items
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
    let on_appoint = {
        let (appoint, error, token, attempt, succeeded) = (
            appoint.clone(),
            error.clone(),
            token.clone(),
            appoint_attempt.clone(),
            succeeded.clone(),
        );
        let refused = !appoint_problems.is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if refused {
                attempt.set(*attempt + 1);
                return;
            }
            let (institution, account) = (*appoint).clone();
            let (appoint, error, token, succeeded) = (
                appoint.clone(),
                error.clone(),
                token.clone(),
                succeeded.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let account = account.trim().to_lowercase();
                let found = api::directory(&token, &account).await.map(|p| {
                    p.items
                        .into_iter()
                        .find(|d| d.account_name.as_deref() == Some(account.as_str()))
                });
                match found {
                    Ok(Some(person)) => {
                        match api::appoint(&token, &institution, &person.id.to_string()).await {
                            Ok(_) => {
                                appoint.set(Default::default());
                                succeeded(format!(
                                    "{} {} is a representative now.",
                                    person.given_name, person.family_name
                                ));
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
    html! {
        <section class="card wide">
            <h1>{ "Institutions" }</h1>
            if let Some(text) = &*notice {
                <p class="notice" role="status" data-testid="institutions-notice">{ text.clone() }</p>
            }
            { problem(&error) }
            { match &*list {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(items) if items.is_empty() => html! { <p>{ "No institution yet: create the first below." }</p> },
                Some(items) => html! {
                    <div class="table-scroll">
                    <table class="list stack" data-testid="institutions">
                        <thead><tr><th scope="col">{ "Short name" }</th><th scope="col">{ "Name" }</th><th scope="col">{ "Place" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Representatives" }</th><th scope="col">{ "Actions" }</th></tr></thead>
                        <tbody>
                            { for items.iter().map(|i| html! {
                                <tr>
                                    <td data-label="Short name">{ i.short_name.clone() }</td>
                                    <td data-label="Name">{ i.name.clone() }</td>
                                    <td data-label="Place">{ format!("{}, {}", i.city, i.country) }</td>
                                    <td data-label="Status">{ labels::institution(i.status) }</td>
                                    <td data-label="Representatives">
                                        <ul class="plain">{ for i.representatives.iter().map(|r| {
                                            let name = format!("{} {}", r.given_name, r.family_name);
                                            html! {
                                                <li>
                                                    { format!("{name} ({})", r.account_name.clone().unwrap_or_default()) }
                                                    <ActionButton label="Remove" busy_label="Removing…" call={remove(i, r.id.to_string())}
                                                        testid="remove-representative"
                                                        confirm={format!("Remove {name} as representative of {}? They can no longer decide on its requests or invite for it.", i.short_name)}
                                                        confirm_label="Remove the representative" />
                                                </li>
                                            }
                                        }) }</ul>
                                    </td>
                                    <td data-label="Actions">
                                        <button type="button" class="secondary" data-testid="edit-institution" onclick={start_edit(i)}>{ "Edit" }</button>
                                        { " " }
                                        <Link<Route> to={Route::Audit { id: i.id.to_string() }}>{ "Audit trail" }</Link<Route>>
                                    </td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                    </div>
                },
            } }
            if let Some(before) = &*editing {
                <h2>{ format!("Edit {}", before.short_name) }</h2>
                <form class="edit-institution" onsubmit={on_edit} novalidate=true>
                    <ErrorSummary problems={edit_problems.clone()} attempt={*edit_attempt} />
                    { inputs("edit", &edit, &edit_problems, *edit_attempt > 0) }
                    <Choice id="edit_status" label="Status" value={edit.status.clone()}
                        options={InstitutionStatus::ALL.iter().map(|s| (s.as_str().to_owned(), labels::institution(*s).to_owned())).collect::<Vec<_>>()}
                        onchange={let e = edit.clone(); Callback::from(move |v: String| { let mut f = (*e).clone(); f.status = v; e.set(f); })} />
                    <div class="actions">
                        <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Saving…" } else { "Save changes" } }</button>
                        <button type="button" class="secondary" onclick={let e = editing.clone(); Callback::from(move |_| e.set(None))}>{ "Cancel" }</button>
                    </div>
                </form>
            }
            <h2>{ "New institution" }</h2>
            <form class="new-institution" onsubmit={on_create} novalidate=true>
                <ErrorSummary problems={new_problems.clone()} attempt={*new_attempt} />
                { inputs("inst", &new, &new_problems, *new_attempt > 0) }
                <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ "Create institution" }</button>
            </form>
            <h2>{ "Appoint a representative" }</h2>
            <form class="appoint" onsubmit={on_appoint} novalidate=true>
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
