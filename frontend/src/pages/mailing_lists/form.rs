//! A mailing list's definition as a form: its name, address and description, who it reaches
//! (each part of the audience rule; a part left empty does not narrow), extra and excluded
//! addresses, the address people are subscribed with and whether they are welcomed. The same
//! rules as on the server stop the form before it is sent.

use b2mms_shared::api::{Audience, Group, Institution, MailingList};
use b2mms_shared::rules::{FieldErrors, mailing_list};
use b2mms_shared::{AudienceRole, Category, MembershipStatus, SubscribeWith};
use uuid::Uuid;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::forms::{self, Choice, ErrorSummary, Field, Problems};
use crate::labels;

/// What the admin typed and ticked.
#[derive(Clone, PartialEq)]
pub struct Draft {
    pub name: String,
    pub address: String,
    pub description: String,
    pub statuses: Vec<MembershipStatus>,
    pub categories: Vec<Category>,
    pub institutions: Vec<Uuid>,
    pub countries: String,
    pub groups: Vec<Uuid>,
    pub roles: Vec<AudienceRole>,
    /// `""` anyone, `"true"` authors, `"false"` those who are not.
    pub authors: String,
    pub extra: String,
    pub excluded: String,
    pub subscribe_with: String,
    pub send_welcome: bool,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            name: String::new(),
            address: String::new(),
            description: String::new(),
            statuses: Vec::new(),
            categories: Vec::new(),
            institutions: Vec::new(),
            countries: String::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            authors: String::new(),
            extra: String::new(),
            excluded: String::new(),
            subscribe_with: SubscribeWith::ContactEmail.as_str().to_owned(),
            send_welcome: false,
        }
    }
}

impl Draft {
    /// The form filled with a list's definition.
    pub fn of(list: &MailingList) -> Self {
        let a = &list.audience;
        Self {
            name: list.name.clone(),
            address: list.address.clone(),
            description: list.description.clone(),
            statuses: a.statuses.clone().unwrap_or_default(),
            categories: a.categories.clone().unwrap_or_default(),
            institutions: a.institution_ids.clone().unwrap_or_default(),
            countries: a.countries.clone().unwrap_or_default().join(", "),
            groups: a.group_ids.clone().unwrap_or_default(),
            roles: a.roles.clone().unwrap_or_default(),
            authors: a.authors.map(|b| b.to_string()).unwrap_or_default(),
            extra: list.extra_addresses.join("\n"),
            excluded: list.excluded_addresses.join("\n"),
            subscribe_with: list.subscribe_with.as_str().to_owned(),
            send_welcome: list.send_welcome,
        }
    }

    /// The audience rule the form describes: an empty part is left out.
    pub fn audience(&self) -> Audience {
        fn given<T: Clone>(values: &[T]) -> Option<Vec<T>> {
            (!values.is_empty()).then(|| values.to_vec())
        }
        let countries: Vec<String> = self
            .countries
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        Audience {
            statuses: given(&self.statuses),
            categories: given(&self.categories),
            institution_ids: given(&self.institutions),
            countries: given(&countries),
            group_ids: given(&self.groups),
            roles: given(&self.roles),
            authors: self.authors.parse().ok(),
        }
    }

    /// The addresses typed one a line (or separated by commas).
    pub fn addresses(text: &str) -> Vec<String> {
        text.split(['\n', ',', ';'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn subscribe_with(&self) -> Option<SubscribeWith> {
        SubscribeWith::parse(&self.subscribe_with)
    }
}

/// The problems the shared rules find, under the form's field ids.
fn problems(draft: &Draft) -> Problems {
    let mut errors = FieldErrors::new();
    errors.check("list_name", mailing_list::list_name(&draft.name));
    errors.check("list_address", mailing_list::list_address(&draft.address));
    mailing_list::audience(&draft.audience(), &mut errors);
    mailing_list::address_list("list_extra", &Draft::addresses(&draft.extra), &mut errors);
    mailing_list::address_list(
        "list_excluded",
        &Draft::addresses(&draft.excluded),
        &mut errors,
    );
    let mut p = Problems::default();
    p.require(
        "list_description",
        &draft.description,
        "Say what the list is for.",
    );
    for (field, found) in errors.0 {
        // `extra_addresses[2]` and `audience.countries[1]` point at the field they are in.
        let id = match field.split(['[', '.']).collect::<Vec<_>>().as_slice() {
            ["audience", "countries", ..] => "list_countries".to_owned(),
            ["list_extra", ..] => "list_extra".to_owned(),
            ["list_excluded", ..] => "list_excluded".to_owned(),
            _ => field,
        };
        p.add(
            &id,
            &found.iter().map(|v| v.message.clone()).collect::<Vec<_>>(),
        );
    }
    if draft.subscribe_with().is_none() {
        p.add(
            "list_subscribe_with",
            &["Choose the address people are subscribed with.".to_owned()],
        );
    }
    p
}

#[derive(Properties, PartialEq)]
pub struct ListFormProps {
    pub token: AttrValue,
    /// The list being changed; none for a new list.
    #[prop_or_default]
    pub list: Option<MailingList>,
    /// Called with the list as saved.
    pub saved: Callback<MailingList>,
}

#[function_component(ListForm)]
pub fn list_form(props: &ListFormProps) -> Html {
    let draft = use_state(|| props.list.as_ref().map(Draft::of).unwrap_or_default());
    let attempt = use_state(|| 0u32);
    let busy = use_state(|| false);
    let refused = use_state(|| None::<ApiError>);
    let institutions = use_state(Vec::<Institution>::new);
    let groups = use_state(Vec::<Group>::new);
    {
        let (institutions, groups) = (institutions.clone(), groups.clone());
        use_effect_with(props.token.clone(), move |token| {
            let token = token.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::institutions().await {
                    institutions.set(page.items);
                }
                if let Ok(found) = api::groups(&token).await {
                    groups.set(found.into_iter().filter(|g| !g.main).collect());
                }
            });
        });
    }
    let mut found = problems(&draft);
    // What the server refused: under its field where the form has one, else above the form.
    let mut elsewhere = Vec::new();
    if let Some(e) = &*refused {
        for (field, violations) in &e.errors {
            let messages: Vec<String> = violations.iter().map(|v| v.message.clone()).collect();
            let id = match field.as_str() {
                "name" => "list_name",
                "address" => "list_address",
                "description" => "list_description",
                f if f.starts_with("extra") => "list_extra",
                f if f.starts_with("excluded") => "list_excluded",
                f if f.starts_with("audience.countries") => "list_countries",
                _ => {
                    elsewhere.extend(messages);
                    continue;
                }
            };
            found.add(id, &messages);
        }
        if e.errors.is_empty() {
            elsewhere.push(e.detail.clone());
        }
    }
    let shown = |id: &str| {
        if *attempt > 0 {
            found.of(id)
        } else {
            Vec::new()
        }
    };
    let set = |apply: fn(&mut Draft, String)| {
        let (draft, refused) = (draft.clone(), refused.clone());
        Callback::from(move |value: String| {
            let mut d = (*draft).clone();
            apply(&mut d, value);
            draft.set(d);
            refused.set(None);
        })
    };
    let text_area = |id: &'static str,
                     label: &'static str,
                     hint: &'static str,
                     apply: fn(&mut Draft, String),
                     value: String| {
        let oninput = {
            let set = set(apply);
            Callback::from(move |e: InputEvent| {
                set.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
            })
        };
        let errors = shown(id);
        html! {
            <label for={id}>
                { label }
                <textarea id={id} name={id} rows="3" {value} {oninput}
                    aria-invalid={(!errors.is_empty()).to_string()}
                    aria-describedby={format!("{id}-hint")} />
                <span class="hint" id={format!("{id}-hint")}>{ hint }</span>
                if !errors.is_empty() {
                    <ul class="rules" aria-live="polite">{ for errors.iter().map(|e| html! { <li>{ e.clone() }</li> }) }</ul>
                }
            </label>
        }
    };
    let onsubmit = {
        let (draft, refused, token, saved, list) = (
            draft.clone(),
            refused.clone(),
            props.token.clone(),
            props.saved.clone(),
            props.list.clone(),
        );
        forms::on_submit(&attempt, &busy, !problems(&draft).is_empty(), move || {
            let d = (*draft).clone();
            let (refused, token, saved, list) =
                (refused.clone(), token.clone(), saved.clone(), list.clone());
            Some(async move {
                let result = match &list {
                    None => {
                        api::create_mailing_list(
                            &token,
                            &b2mms_shared::api::NewMailingList {
                                name: d.name.trim().to_owned(),
                                address: d.address.trim().to_owned(),
                                description: d.description.trim().to_owned(),
                                audience: d.audience(),
                                extra_addresses: Draft::addresses(&d.extra),
                                excluded_addresses: Draft::addresses(&d.excluded),
                                subscribe_with: d.subscribe_with(),
                                send_welcome: d.send_welcome,
                            },
                        )
                        .await
                    }
                    Some(list) => {
                        api::update_mailing_list(
                            &token,
                            &list.id.to_string(),
                            &b2mms_shared::api::MailingListPatch {
                                name: Some(d.name.trim().to_owned()),
                                address: Some(d.address.trim().to_owned()),
                                description: Some(d.description.trim().to_owned()),
                                audience: Some(d.audience()),
                                extra_addresses: Some(Draft::addresses(&d.extra)),
                                excluded_addresses: Some(Draft::addresses(&d.excluded)),
                                subscribe_with: d.subscribe_with(),
                                send_welcome: Some(d.send_welcome),
                            },
                        )
                        .await
                    }
                };
                match result {
                    Ok(list) => {
                        refused.set(None);
                        saved.emit(list);
                    }
                    Err(e) => refused.set(Some(e)),
                }
            })
        })
    };
    // One tick box of a set: `id` unique in the page, `on` whether it is ticked.
    let tick = |id: String, label: String, on: bool, toggle: Callback<()>| {
        html! {
            <label class="check" for={id.clone()}>
                <input type="checkbox" id={id.clone()} checked={on} onchange={Callback::from(move |_| toggle.emit(()))} />
                { label }
            </label>
        }
    };
    fn toggled<T: PartialEq + Clone>(values: &[T], value: &T) -> Vec<T> {
        let mut out = values.to_vec();
        match out.iter().position(|v| v == value) {
            Some(at) => {
                out.remove(at);
            }
            None => out.push(value.clone()),
        }
        out
    }
    let toggle = |apply: Box<dyn Fn(&mut Draft)>| {
        let draft = draft.clone();
        let apply = std::rc::Rc::new(apply);
        Callback::from(move |()| {
            let mut d = (*draft).clone();
            apply(&mut d);
            draft.set(d);
        })
    };
    let d = (*draft).clone();
    html! {
        <form {onsubmit} novalidate=true data-testid="list-form">
            <ErrorSummary problems={found.clone()} attempt={*attempt} />
            if !elsewhere.is_empty() {
                <div class="error" role="alert">{ for elsewhere.iter().map(|m| html! { <p>{ m.clone() }</p> }) }</div>
            }
            <Field id="list_name" label="Name" value={d.name.clone()} errors={shown("list_name")}
                oninput={set(|d, v| d.name = v)}
                hint={Some(AttrValue::Static("Short and unique, e.g. b2-authors."))} />
            <Field id="list_address" label="Address of the list" kind="email" value={d.address.clone()}
                errors={shown("list_address")} oninput={set(|d, v| d.address = v)}
                hint={Some(AttrValue::Static("Where people write to, e.g. b2-authors@lists.example.org."))} />
            <Field id="list_description" label="What the list is for" value={d.description.clone()}
                errors={shown("list_description")} oninput={set(|d, v| d.description = v)} />
            <fieldset>
                <legend>{ "Who is on it" }</legend>
                <p class="hint">{ "Everyone who meets every part you fill in. A part left empty does not narrow; without a status ticked, only active members." }</p>
                <fieldset>
                    <legend>{ "Membership" }</legend>
                    { for MembershipStatus::ALL.iter().map(|s| {
                        let s = *s;
                        tick(format!("list-status-{s}"), labels::membership(s).to_owned(), d.statuses.contains(&s),
                            toggle(Box::new(move |d: &mut Draft| d.statuses = toggled(&d.statuses, &s))))
                    }) }
                </fieldset>
                <fieldset>
                    <legend>{ "Categories" }</legend>
                    { for Category::ALL.iter().map(|c| {
                        let c = *c;
                        tick(format!("list-category-{c}"), c.label().to_owned(), d.categories.contains(&c),
                            toggle(Box::new(move |d: &mut Draft| d.categories = toggled(&d.categories, &c))))
                    }) }
                </fieldset>
                <fieldset class="choices">
                    <legend>{ "Institutions" }</legend>
                    { for institutions.iter().map(|i| {
                        let id = i.id;
                        tick(format!("list-institution-{id}"), format!("{} ({})", i.short_name, i.country), d.institutions.contains(&id),
                            toggle(Box::new(move |d: &mut Draft| d.institutions = toggled(&d.institutions, &id))))
                    }) }
                </fieldset>
                <Field id="list_countries" label="Countries of the institutions" value={d.countries.clone()}
                    errors={shown("list_countries")} oninput={set(|d, v| d.countries = v)}
                    hint={Some(AttrValue::Static("Country codes separated by commas, e.g. JP, DE."))} />
                if !groups.is_empty() {
                    <fieldset>
                        <legend>{ "Groups" }</legend>
                        { for groups.iter().map(|g| {
                            let id = g.id;
                            tick(format!("list-group-{id}"), g.name.clone(), d.groups.contains(&id),
                                toggle(Box::new(move |d: &mut Draft| d.groups = toggled(&d.groups, &id))))
                        }) }
                    </fieldset>
                }
                <fieldset>
                    <legend>{ "Roles" }</legend>
                    { for AudienceRole::ALL.iter().map(|r| {
                        let r = *r;
                        tick(format!("list-role-{r}"), labels::audience_role(r).to_owned(), d.roles.contains(&r),
                            toggle(Box::new(move |d: &mut Draft| d.roles = toggled(&d.roles, &r))))
                    }) }
                </fieldset>
                <Choice id="list_authors" label="Authorship" value={d.authors.clone()} placeholder="Authors and others alike"
                    options={vec![("true".to_owned(), "Authors of papers today".to_owned()), ("false".to_owned(), "Only those who are not authors".to_owned())]}
                    onchange={set(|d, v| d.authors = v)} />
            </fieldset>
            { text_area("list_extra", "Also on the list", "Addresses besides the people above, one a line.", |d, v| d.extra = v, d.extra.clone()) }
            { text_area("list_excluded", "Never on the list", "Addresses left out even when the rule has them, one a line.", |d, v| d.excluded = v, d.excluded.clone()) }
            <Choice id="list_subscribe_with" label="Subscribe people with their" value={d.subscribe_with.clone()}
                options={SubscribeWith::ALL.iter().map(|w| (w.as_str().to_owned(), labels::subscribe_with(*w).to_owned())).collect::<Vec<_>>()}
                errors={shown("list_subscribe_with")} onchange={set(|d, v| d.subscribe_with = v)}
                hint={Some(AttrValue::Static("Someone without a collaboration address is subscribed with their contact address."))} />
            { tick("list-welcome".to_owned(), "Send new subscribers the list's welcome message".to_owned(), d.send_welcome,
                toggle(Box::new(|d: &mut Draft| d.send_welcome = !d.send_welcome))) }
            <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>
                { match (props.list.is_some(), *busy) {
                    (_, true) => "Saving…",
                    (false, false) => "Define the list",
                    (true, false) => "Save the changes",
                } }
            </button>
        </form>
    }
}
