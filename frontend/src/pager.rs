//! Paging through a list: how many pages a total makes, and the buttons to the previous and
//! next one.

use yew::prelude::*;

/// How many pages `total` items make, at least one.
pub fn pages(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page.max(1)).max(1)
}

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    /// The page shown, from 1.
    pub page: i64,
    pub pages: i64,
    /// Go to this page.
    pub go: Callback<i64>,
    #[prop_or(AttrValue::Static("Previous"))]
    pub previous: AttrValue,
    #[prop_or(AttrValue::Static("Next"))]
    pub next: AttrValue,
}

#[function_component(Pager)]
pub fn pager(props: &PagerProps) -> Html {
    let to = |n: i64| {
        let go = props.go.clone();
        Callback::from(move |_| go.emit(n))
    };
    html! {
        <nav class="pager" aria-label="Pages">
            <button type="button" class="secondary" disabled={props.page <= 1}
                onclick={to(props.page - 1)}>{ props.previous.clone() }</button>
            <button type="button" class="secondary" disabled={props.page >= props.pages}
                onclick={to(props.page + 1)} data-testid="next-page">{ props.next.clone() }</button>
        </nav>
    }
}

/// A list's state as it stands in the address (search, filters, order, page).
pub trait ListState:
    Clone + Default + PartialEq + serde::Serialize + serde::de::DeserializeOwned + 'static
{
    /// The same state on another page (`None` for the first).
    fn on_page(&self, page: Option<i64>) -> Self;
}

/// `ListState` for a state whose page is a field `page: Option<i64>`.
#[macro_export]
macro_rules! paged_by_field {
    ($state:ty) => {
        impl $crate::pager::ListState for $state {
            // A state of a page alone has nothing else to keep.
            #[allow(clippy::needless_update)]
            fn on_page(&self, page: Option<i64>) -> Self {
                Self {
                    page,
                    ..self.clone()
                }
            }
        }
    };
}

/// The API's paging parameters for a page of a list (from 1).
pub fn page_params(page: Option<i64>, per_page: i64) -> Vec<(&'static str, String)> {
    vec![
        ("per_page", per_page.to_string()),
        ("page", page.unwrap_or(1).max(1).to_string()),
    ]
}

/// The list's state read from the address, and a callback that puts another state there (so a
/// list is kept when coming back to it, and can be bookmarked).
#[hook]
pub fn use_list_state<Q: ListState>(route: crate::Route) -> (Q, Callback<Q>) {
    use yew_router::prelude::*;
    let navigator = use_navigator();
    let asked = use_location()
        .and_then(|l| l.query::<Q>().ok())
        .unwrap_or_default();
    let go = Callback::from(move |q: Q| {
        if let Some(nav) = &navigator {
            let _ = nav.push_with_query(&route, &q);
        }
    });
    (asked, go)
}

/// Going to a page of the list as it stands.
pub fn to_page<Q: ListState>(go: &Callback<Q>, asked: &Q) -> Callback<i64> {
    let (go, asked) = (go.clone(), asked.clone());
    Callback::from(move |n: i64| go.emit(asked.on_page((n > 1).then_some(n))))
}
