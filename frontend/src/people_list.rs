//! A list of people from the member directory: search by name, account name or address,
//! a category, a country, a group, memberships ending soon, sortable columns (the end of the membership too), pages with the total, "nothing found", and a CSV export. The search, the
//! order and the page live in the address, so they are kept when coming back to the list.

use b2mms_shared::api::DirectoryPage;
use b2mms_shared::{Category, DirectorySort, SortOrder};
use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::{Choice, Field};
use crate::labels;
use crate::pager::{Pager, to_page, use_list_state};

/// People on one page.
pub const PER_PAGE: i64 = 25;

/// "Ending soon": memberships that end within this many days.
const ENDING_SOON_DAYS: u32 = 30;

/// The list's state in the address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub q: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<DirectorySort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    /// Only memberships ending within 30 days.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ending: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// ISO 3166-1 alpha-2 code of the institutions' country.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
    /// Only the members of this group (its id).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
}

crate::paged_by_field!(ListQuery);

impl ListQuery {
    /// The API's query string for this state (and an institution, if the list is narrowed).
    pub fn api_query(&self, institution: Option<&str>, per_page: Option<i64>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.trim().is_empty() {
            pairs.push(("q", self.q.trim().to_owned()));
        }
        if let Some(i) = institution {
            pairs.push(("institution_id", i.to_owned()));
        }
        if let Some(s) = self.sort {
            pairs.push(("sort", s.as_str().to_owned()));
        }
        if let Some(o) = self.order {
            pairs.push(("order", o.as_str().to_owned()));
        }
        if self.ending {
            pairs.push(("ending_within", ENDING_SOON_DAYS.to_string()));
        }
        if let Some(c) = self.category {
            pairs.push(("category", c.as_str().to_owned()));
        }
        if !self.country.trim().is_empty() {
            pairs.push(("country", self.country.trim().to_owned()));
        }
        if !self.group.is_empty() {
            pairs.push(("group_id", self.group.clone()));
        }
        if let Some(n) = per_page {
            pairs.extend(crate::pager::page_params(self.page, n));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

#[derive(Properties, PartialEq)]
pub struct PeopleListProps {
    pub token: AttrValue,
    /// The page the list is on (its filters go into this route's address).
    pub route: Route,
    /// Only the people of this institution.
    #[prop_or_default]
    pub institution: Option<AttrValue>,
    /// A person chosen from the list (their id).
    pub open: Callback<String>,
    /// Offer the CSV export (representatives and admins).
    #[prop_or_default]
    pub export: bool,
    /// Changes when the list must be read again (a record was saved).
    #[prop_or_default]
    pub reload: u32,
}

#[function_component(PeopleList)]
pub fn people_list(props: &PeopleListProps) -> Html {
    let (asked, go) = use_list_state::<ListQuery>(props.route.clone());
    let typed = use_state(|| asked.q.clone());
    let typed_country = use_state(|| asked.country.clone());
    let page = use_state(|| None::<DirectoryPage>);
    let error = use_state(|| None::<ApiError>);
    let exporting = use_state(|| false);
    let groups = use_state(Vec::<b2mms_shared::api::Group>::new);
    {
        let (groups, token) = (groups.clone(), props.token.clone());
        use_effect_with(token, move |token| {
            let token = token.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(found) = api::groups(&token).await {
                    groups.set(found);
                }
            });
        });
    }
    {
        let (page, error, token, institution, typed, typed_country) = (
            page.clone(),
            error.clone(),
            props.token.clone(),
            props.institution.clone(),
            typed.clone(),
            typed_country.clone(),
        );
        use_effect_with(
            (asked.clone(), institution.clone(), props.reload),
            move |(asked, institution, _)| {
                typed.set(asked.q.clone());
                typed_country.set(asked.country.clone());
                let query = asked.api_query(institution.as_deref(), Some(PER_PAGE));
                wasm_bindgen_futures::spawn_local(async move {
                    match api::people(&token, &query).await {
                        Ok(p) => {
                            page.set(Some(p));
                            error.set(None);
                        }
                        Err(e) => error.set(Some(e)),
                    }
                });
            },
        );
    }
    let onsubmit = {
        let (go, typed, typed_country, asked) = (
            go.clone(),
            typed.clone(),
            typed_country.clone(),
            asked.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            go.emit(ListQuery {
                q: (*typed).clone(),
                country: (*typed_country).trim().to_owned(),
                page: None,
                ..asked.clone()
            });
        })
    };
    let choose_group = {
        let (go, asked) = (go.clone(), asked.clone());
        Callback::from(move |group: String| {
            go.emit(ListQuery {
                group,
                page: None,
                ..asked.clone()
            })
        })
    };
    let choose_category = {
        let (go, asked) = (go.clone(), asked.clone());
        Callback::from(move |v: String| {
            go.emit(ListQuery {
                category: Category::parse(&v),
                page: None,
                ..asked.clone()
            })
        })
    };
    let sort_by = |column: DirectorySort| {
        let (go, asked) = (go.clone(), asked.clone());
        Callback::from(move |_| {
            let current = asked.sort.unwrap_or(DirectorySort::Name);
            let descending = current == column && asked.order != Some(SortOrder::Desc);
            go.emit(ListQuery {
                sort: (column != DirectorySort::Name).then_some(column),
                order: descending.then_some(SortOrder::Desc),
                page: None,
                ..asked.clone()
            });
        })
    };
    let to_page = to_page(&go, &asked);
    let export = {
        let (exporting, error, token, institution, asked) = (
            exporting.clone(),
            error.clone(),
            props.token.clone(),
            props.institution.clone(),
            asked.clone(),
        );
        Callback::from(move |_| {
            let (exporting, error, token, query) = (
                exporting.clone(),
                error.clone(),
                token.clone(),
                asked.api_query(institution.as_deref(), None),
            );
            exporting.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::people_csv(&token, &query).await {
                    Ok(text) => {
                        let today = chrono::Utc::now().date_naive();
                        crate::download::save(
                            &format!("b2mms-members-{today}.csv"),
                            "text/csv",
                            &text,
                        );
                    }
                    Err(e) => error.set(Some(e)),
                }
                exporting.set(false);
            });
        })
    };
    let header = |label: &'static str, column: DirectorySort| {
        let current = asked.sort.unwrap_or(DirectorySort::Name) == column;
        let sort = match (current, asked.order) {
            (false, _) => "none",
            (true, Some(SortOrder::Desc)) => "descending",
            (true, _) => "ascending",
        };
        let arrow = match sort {
            "ascending" => " ▲",
            "descending" => " ▼",
            _ => "",
        };
        html! {
            <th scope="col" aria-sort={sort}>
                <button type="button" class="sort" onclick={sort_by(column)}
                    data-testid={format!("sort-{}", column.as_str())}>
                    { label }<span aria-hidden="true">{ arrow }</span>
                </button>
            </th>
        }
    };
    let open = |id: String| {
        let open = props.open.clone();
        Callback::from(move |_| open.emit(id.clone()))
    };
    html! {
        <div class="people-list">
            <form class="filters" {onsubmit} role="search" aria-label="Search people">
                <Field id="people_query" label="Search by name, account name or address" value={(*typed).clone()}
                    oninput={let t = typed.clone(); Callback::from(move |v| t.set(v))} />
                <Choice id="people_category" label="Category" placeholder="Any category"
                    value={asked.category.map(|c| c.as_str()).unwrap_or_default()}
                    options={Category::ALL.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())).collect::<Vec<_>>()}
                    onchange={choose_category} />
                <Field id="people_country" label="Country (two letters, e.g. DE)" value={(*typed_country).clone()}
                    oninput={let t = typed_country.clone(); Callback::from(move |v| t.set(v))} />
                <Choice id="people_group" label="Group" placeholder="Any group"
                    value={asked.group.clone()}
                    options={groups.iter().filter(|g| !g.main).map(|g| (g.id.to_string(), g.name.clone())).collect::<Vec<_>>()}
                    onchange={choose_group} />
                <label class="check">
                    <input type="checkbox" id="ending_soon" checked={asked.ending} data-testid="ending-soon"
                        onchange={let (go, asked) = (go.clone(), asked.clone()); Callback::from(move |e: Event| {
                            let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
                            go.emit(ListQuery { ending: on, page: None, ..asked.clone() });
                        })} />
                    { format!("Only memberships ending within {ENDING_SOON_DAYS} days") }
                </label>
                <div class="actions">
                    <button type="submit">{ "Search" }</button>
                    if props.export {
                        <button type="button" class="secondary" onclick={export} disabled={*exporting}
                            aria-busy={exporting.to_string()} data-testid="export-csv">
                            { if *exporting { "Exporting…" } else { "Export as CSV" } }
                        </button>
                    }
                </div>
            </form>
            if let Some(e) = &*error {
                <p class="error" role="alert">{ e.detail.clone() }</p>
            }
            { match &*page {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(p) if p.items.is_empty() => html! {
                    <p data-testid="people-empty">{ if asked.q.trim().is_empty() { "Nobody here yet.".to_owned() } else { format!("Nobody matches “{}”.", asked.q.trim()) } }</p>
                },
                Some(p) => {
                    let pages = crate::pager::pages(p.total, PER_PAGE);
                    html! {
                        <>
                            <p data-testid="people-total">{ format!("{} people · page {} of {pages}", p.total, p.page.unwrap_or(1)) }</p>
                            <div class="table-scroll">
                            <table class="list stack" data-testid="people">
                                <thead><tr>
                                    { header("Name", DirectorySort::Name) }
                                    { header("Account", DirectorySort::Account) }
                                    { header("Institution", DirectorySort::Institution) }
                                    { header("Category", DirectorySort::Category) }
                                    { header("Membership", DirectorySort::Status) }
                                    { header("Ends", DirectorySort::MembershipEnd) }
                                </tr></thead>
                                <tbody>{ for p.items.iter().map(|m| html! {
                                    <tr>
                                        <td data-label="Name"><button type="button" class="link" data-testid="open-person" onclick={open(m.id.to_string())}>{ format!("{} {}", m.given_name, m.family_name) }</button></td>
                                        <td data-label="Account">{ m.account_name.clone().unwrap_or_default() }</td>
                                        <td data-label="Institution">{ m.institution_short_name.clone() }</td>
                                        <td data-label="Category">{ m.category.label() }</td>
                                        <td data-label="Membership">{ labels::membership(m.status) }</td>
                                        <td data-label="Ends">{ m.membership_end.map(|d| d.to_string()).unwrap_or_else(|| "—".into()) }</td>
                                    </tr>
                                }) }</tbody>
                            </table>
                            </div>
                            <Pager page={p.page.unwrap_or(1)} {pages} go={to_page.clone()} />
                        </>
                    }
                }
            } }
        </div>
    }
}
