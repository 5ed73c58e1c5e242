//! The registration form. Every field is checked while typing with the collaboration's rules
//! (the same code the server enforces them with); the collaboration address is previewed; the
//! account name is checked against the server.

use b2mms_shared::Category;
use b2mms_shared::api::{Institution, Registration, SubmitRegistration};
use b2mms_shared::rules::{
    AccountName, ContactEmail, DEFAULT_PERSONAL_MAIL_DOMAINS, Orcid, PasswordContext, PersonName,
    RuleViolation, check_optional_name, check_password, registry_local_part,
};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems};
use crate::session::load_applicant;

#[derive(Debug, Clone, Default, PartialEq)]
struct Form {
    given_name: String,
    middle_name: String,
    family_name: String,
    email: String,
    account_name: String,
    password: String,
    confirm: String,
    institution_id: String,
    category: String,
    orcid: String,
    existing_account: String,
    comment: String,
}

fn messages<T>(
    value: &str,
    check: impl FnOnce(&str) -> Result<T, RuleViolation>,
) -> (Vec<String>, Option<String>) {
    if value.is_empty() {
        return (Vec::new(), None);
    }
    match check(value) {
        Ok(_) => (Vec::new(), None),
        Err(v) => (vec![v.message], v.suggestion),
    }
}

#[function_component(RegistrationForm)]
pub fn registration_form() -> Html {
    let navigator = use_navigator();
    let applicant = use_memo((), |_| load_applicant());
    let registration = use_state(|| None::<Registration>);
    let institutions = use_state(Vec::<Institution>::new);
    let form = use_state(Form::default);
    let server = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    let attempt = use_state(|| 0u32);
    let availability = use_state(|| None::<(String, bool)>);
    let generation = use_mut_ref(|| 0u32);

    // Load the request and the institutions once.
    {
        let (registration, institutions, form, applicant, navigator) = (
            registration.clone(),
            institutions.clone(),
            form.clone(),
            applicant.clone(),
            navigator.clone(),
        );
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let Some(a) = (*applicant).clone() else {
                    return;
                };
                if let Ok(page) = api::institutions().await {
                    institutions.set(
                        page.items
                            .into_iter()
                            .filter(|i| i.status.as_str() == "active")
                            .collect(),
                    );
                }
                if let Ok(r) = api::registration(&a.token, &a.registration_id).await {
                    if r.state.as_str() != "identity_verified" {
                        if let Some(nav) = navigator {
                            nav.replace(&Route::RegistrationStatus);
                        }
                        return;
                    }
                    form.set(Form {
                        given_name: r.given_name.clone().unwrap_or_default(),
                        family_name: r.family_name.clone().unwrap_or_default(),
                        email: r.email.clone().unwrap_or_default(),
                        institution_id: r.institution_id.map(|i| i.to_string()).unwrap_or_default(),
                        category: r
                            .category
                            .map(|c| c.as_str().to_owned())
                            .unwrap_or_default(),
                        ..Form::default()
                    });
                    registration.set(Some(r));
                }
            });
        });
    }

    // Ask the server whether the account name is free, once typing pauses.
    {
        let (availability, generation) = (availability.clone(), generation.clone());
        use_effect_with(form.account_name.clone(), move |name| {
            let name = name.clone();
            *generation.borrow_mut() += 1;
            let mine = *generation.borrow();
            if AccountName::parse(&name).is_ok() {
                wasm_bindgen_futures::spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(350).await;
                    if *generation.borrow() != mine {
                        return;
                    }
                    if let Ok(check) = api::check_account_name(&name).await {
                        availability.set(Some((check.name, check.available)));
                    }
                });
            }
        });
    }

    let Some(applicant) = (*applicant).clone() else {
        return html! {
            <section class="card">
                <h1>{ "Registration" }</h1>
                <p>{ "Start by proving who you are: " }
                    <Link<Route> to={Route::RegisterInvitation}>{ "with your invitation" }</Link<Route>>
                    { " or " }
                    <Link<Route> to={Route::RegisterCertificate}>{ "with your Grid certificate" }</Link<Route>>{ "." }</p>
            </section>
        };
    };
    let Some(reg) = (*registration).clone() else {
        return html! { <p class="loading" aria-busy="true">{ "Loading your request…" }</p> };
    };
    let invited = reg.identity.as_str() == "invitation";
    let f = (*form).clone();
    let set = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |value: String| {
            let mut next = (*form).clone();
            apply(&mut next, value);
            form.set(next);
        })
    };

    // Live checks with the shared rules.
    let (given_errors, given_fix) = messages(&f.given_name, PersonName::parse);
    let (middle_errors, middle_fix) = messages(&f.middle_name, |v| check_optional_name(Some(v)));
    let (family_errors, family_fix) = messages(&f.family_name, PersonName::parse);
    let (email_errors, _) = messages(&f.email, |v| {
        ContactEmail::parse_institutional(v, DEFAULT_PERSONAL_MAIL_DOMAINS.iter().copied())
    });
    let (mut account_errors, _) = messages(&f.account_name, AccountName::parse);
    if account_errors.is_empty()
        && let Some((name, false)) = &*availability
        && AccountName::parse(&f.account_name)
            .map(|a| a.as_str() == name)
            .unwrap_or(false)
    {
        account_errors.push("This account name is already taken; choose another one.".into());
    }
    let names = [
        f.given_name.as_str(),
        f.middle_name.as_str(),
        f.family_name.as_str(),
    ];
    let password_errors: Vec<String> = if f.password.is_empty() {
        Vec::new()
    } else {
        check_password(
            &f.password,
            PasswordContext {
                account_name: Some(&f.account_name),
                names: &names,
            },
        )
        .into_iter()
        .map(|v| v.message)
        .collect()
    };
    let confirm_errors = if !f.confirm.is_empty() && f.confirm != f.password {
        vec!["The two passwords differ.".to_owned()]
    } else {
        Vec::new()
    };
    let (orcid_errors, _) = messages(&f.orcid, Orcid::parse);
    let domain = reg
        .registry_email
        .as_deref()
        .and_then(|e| e.split_once('@').map(|(_, d)| d.to_owned()))
        .unwrap_or_else(|| "…".into());
    let local = registry_local_part(
        &f.given_name,
        Some(f.middle_name.as_str()).filter(|m| !m.is_empty()),
        &f.family_name,
    );
    let server_errors = |field: &str| server.as_ref().map(|e| e.field(field)).unwrap_or_default();
    let or_server = |live: Vec<String>, field: &str| {
        if live.is_empty() {
            server_errors(field)
        } else {
            live
        }
    };

    // What stops the form from being sent: every problem shown, and every required field
    // left empty (shown next to it once the person tries to send).
    let mut problems = Problems::default();
    let mut field = |id: &str, live: Vec<String>, value: &str, required: Option<&str>| {
        let mut shown = or_server(live, id);
        if let Some(message) = required
            && value.trim().is_empty()
        {
            if *attempt > 0 {
                shown.push(message.to_owned());
            } else {
                problems.0.push((id.to_owned(), message.to_owned()));
            }
        }
        problems.add(id, &shown);
        shown
    };
    let given_errors = field(
        "given_name",
        given_errors,
        &f.given_name,
        Some("Enter your given name."),
    );
    let middle_errors = field("middle_name", middle_errors, &f.middle_name, None);
    let family_errors = field(
        "family_name",
        family_errors,
        &f.family_name,
        Some("Enter your family name."),
    );
    let email_errors = field(
        "email",
        email_errors,
        &f.email,
        Some("Enter your email address at your home institution."),
    );
    let institution_errors = field(
        "institution_id",
        Vec::new(),
        &f.institution_id,
        Some("Choose your home institution."),
    );
    let category_errors = field(
        "category",
        Vec::new(),
        &f.category,
        Some("Choose the category that describes you."),
    );
    let account_errors = field(
        "account_name",
        account_errors,
        &f.account_name,
        Some("Choose an account name."),
    );
    let password_errors = field(
        "initial_password",
        password_errors,
        &f.password,
        Some("Choose an initial password."),
    );
    let confirm_errors = field(
        "confirm_password",
        confirm_errors,
        &f.confirm,
        Some("Type the initial password again."),
    );
    let orcid_errors = field("orcid", orcid_errors, &f.orcid, None);
    let existing_errors = field("existing_account", Vec::new(), &f.existing_account, None);

    let category_help = match Category::parse(&f.category) {
        Some(c) if c.needs_ib_approval() => {
            "Needs the approval of the Institutional Board after your representative's, on the basis of a formal application handed in by your representative beforehand."
        }
        Some(c) if c.is_official_member() => {
            "An official member of the collaboration (author lists, voting)."
        }
        Some(_) => "A collaboration user without official membership.",
        None => "Choose the category that describes you.",
    };

    let onsubmit = {
        let (form, server, busy, navigator, attempt) = (
            form.clone(),
            server.clone(),
            busy.clone(),
            navigator.clone(),
            attempt.clone(),
        );
        let refused = !problems.is_empty();
        let applicant = applicant.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = (*form).clone();
            let (Some(category), Ok(institution_id), false) = (
                Category::parse(&f.category),
                f.institution_id.parse(),
                refused,
            ) else {
                attempt.set(*attempt + 1);
                return;
            };
            let (server, busy, navigator, applicant) = (
                server.clone(),
                busy.clone(),
                navigator.clone(),
                applicant.clone(),
            );
            let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
            let body = SubmitRegistration {
                given_name: f.given_name.clone(),
                middle_name: opt(&f.middle_name),
                family_name: f.family_name.clone(),
                email: f.email.clone(),
                account_name: f.account_name.clone(),
                initial_password: f.password.clone(),
                institution_id,
                category,
                orcid: opt(&f.orcid),
                existing_account: opt(&f.existing_account),
                comment: opt(&f.comment),
            };
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::submit(&applicant.token, &applicant.registration_id, &body).await;
                busy.set(false);
                match result {
                    Ok(done) => {
                        crate::session::set_flash(done.message);
                        if let Some(nav) = navigator {
                            nav.push(&Route::RegistrationStatus);
                        }
                    }
                    Err(e) => server.set(Some(e)),
                }
            });
        })
    };
    let general_error = server
        .as_ref()
        .filter(|e| e.errors.is_empty())
        .map(|e| e.detail.clone());
    let institution_options: Vec<(String, String)> = institutions
        .iter()
        .map(|i| {
            (
                i.id.to_string(),
                format!("{} — {}, {}", i.short_name, i.name, i.country),
            )
        })
        .collect();
    let category_options: Vec<(String, String)> = Category::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.label().to_owned()))
        .collect();

    html! {
        <section class="card">
            <h1>{ "Registration form" }</h1>
            <p>{ "Register once: your record stays with you for good. Names are written with a capital first letter followed by small letters; given name = first name, family name = last name." }</p>
            <form {onsubmit} novalidate=true>
                <ErrorSummary problems={problems.clone()} attempt={*attempt} />
                <Field id="given_name" label="Given name" value={f.given_name.clone()} errors={given_errors} suggestion={given_fix} oninput={set(|f, v| f.given_name = v)} autocomplete={Some(AttrValue::Static("given-name"))} />
                <Field id="middle_name" label="Middle name (optional)" value={f.middle_name.clone()} errors={middle_errors} suggestion={middle_fix} oninput={set(|f, v| f.middle_name = v)} hint={Some(AttrValue::Static("Only if you want it in your collaboration address."))} />
                <Field id="family_name" label="Family name" value={f.family_name.clone()} errors={family_errors} suggestion={family_fix} oninput={set(|f, v| f.family_name = v)} autocomplete={Some(AttrValue::Static("family-name"))} />
                <p class="hint" data-testid="registry-email" aria-live="polite">{ "Your collaboration address will be " }<strong>{ if local.is_empty() { "…".to_owned() } else { format!("{local}@{domain}") } }</strong></p>
                <Field id="email" label="Email at your home institution" kind="email" value={f.email.clone()} errors={email_errors} oninput={set(|f, v| f.email = v)} disabled={invited} hint={Some(AttrValue::Static("Not gmail, yahoo and the like: they cause problems."))} />
                <Choice id="institution_id" label="Home institution" value={f.institution_id.clone()} options={institution_options} disabled={invited} errors={institution_errors} onchange={set(|f, v| f.institution_id = v)} />
                <Choice id="category" label="Category" value={f.category.clone()} options={category_options} errors={category_errors} onchange={set(|f, v| f.category = v)} />
                <p class="hint" data-testid="category-help">{ category_help }</p>
                <Field id="account_name" label="Account name" value={f.account_name.clone()} errors={account_errors} oninput={set(|f, v| f.account_name = v)} autocomplete={Some(AttrValue::Static("username"))} hint={Some(AttrValue::Static("4–8 letters and digits, starting with a letter. It can never be changed."))} />
                <Field id="initial_password" label="Initial password" kind="password" value={f.password.clone()} errors={password_errors} oninput={set(|f, v| f.password = v)} autocomplete={Some(AttrValue::Static("new-password"))} hint={Some(AttrValue::Static("Remember it: you sign in with it once your account is ready, and then choose a new one."))} />
                { crate::forms::strength_meter(&f.password) }
                <Field id="confirm_password" label="Initial password again" kind="password" value={f.confirm.clone()} errors={confirm_errors} oninput={set(|f, v| f.confirm = v)} autocomplete={Some(AttrValue::Static("new-password"))} />
                <Field id="orcid" label="ORCID iD (optional)" value={f.orcid.clone()} errors={orcid_errors} oninput={set(|f, v| f.orcid = v)} />
                <Field id="existing_account" label="Existing account name to reactivate (optional)" value={f.existing_account.clone()} errors={existing_errors} oninput={set(|f, v| f.existing_account = v)} />
                <label for="comment">{ "Comment for your representative (optional)" }
                    <textarea id="comment" name="comment" value={f.comment.clone()}
                        oninput={let s = set(|f, v| f.comment = v); Callback::from(move |e: InputEvent| s.emit(input_value_area(&e)))} />
                </label>
                <p class="error" role="alert" id="form-error">{ general_error.unwrap_or_default() }</p>
                <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Sending…" } else { "Send the request" } }</button>
            </form>
        </section>
    }
}

fn input_value_area(e: &InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlTextAreaElement>()
        .value()
}
