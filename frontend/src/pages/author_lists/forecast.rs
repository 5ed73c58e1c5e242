//! The forecast: who would be an author on a chosen day, past or future, each with the reason;
//! who joins and who drops off between today and that day. The day is kept in the address.

use b2mms_shared::api::{AuthorForecast, ForecastEntry};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{person, reader};
use crate::Route;
use crate::api::{self, ApiError};
use crate::forms::Field;
use crate::session::use_auth;

/// The day asked for, in the address (`?date=`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Asked {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
}

#[function_component(AuthorForecastPage)]
pub fn author_forecast_page() -> Html {
    let auth = use_auth();
    let navigator = use_navigator();
    let asked = use_location()
        .and_then(|l| l.query::<Asked>().ok())
        .unwrap_or_default();
    let typed = use_state(|| asked.date.clone().unwrap_or_default());
    let forecast = use_state(|| None::<AuthorForecast>);
    let error = use_state(|| None::<ApiError>);
    let session = reader(&auth);
    // No day asked for means today; an address with something else than a day asks nothing.
    let day = match asked.date.as_deref() {
        None => Some(chrono::Utc::now().date_naive()),
        Some(text) => crate::forms::day(text),
    };
    {
        let (forecast, error) = (forecast.clone(), error.clone());
        let token = session.as_ref().ok().map(|s| s.token.clone());
        use_effect_with((token, day), move |(token, day)| {
            if let (Some(token), Some(day)) = (token.clone(), *day) {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::author_forecast(&token, day).await {
                        Ok(f) => {
                            error.set(None);
                            forecast.set(Some(f));
                        }
                        Err(e) => error.set(Some(e)),
                    }
                });
            }
        });
    }
    if let Err(page) = session {
        return page;
    }
    let bad_day = !typed.is_empty() && crate::forms::day(&typed).is_none();
    let onsubmit = {
        let typed = typed.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let (Some(nav), Some(day)) = (&navigator, crate::forms::day(&typed)) {
                let _ = nav.push_with_query(
                    &Route::AuthorForecast,
                    &Asked {
                        date: Some(day.to_string()),
                    },
                );
            }
        })
    };
    html! {
        <section class="card wide">
            <h1>{ "Who is an author" }</h1>
            <p><Link<Route> to={Route::AuthorLists}>{ "Back to the author lists" }</Link<Route>></p>
            <form {onsubmit} novalidate=true class="inline">
                <Field id="forecast_date" label="On the day" kind="date" value={(*typed).clone()}
                    oninput={let t = typed.clone(); Callback::from(move |v| t.set(v))}
                    errors={if bad_day { vec!["Choose a day as YYYY-MM-DD.".to_owned()] } else { Vec::new() }}
                    hint={Some(AttrValue::Static("Any day, past or future; the records as they stand now."))} />
                <button type="submit" disabled={bad_day}>{ "Show" }</button>
            </form>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.detail.clone() }</p> }
            if day.is_none() {
                <p class="error" role="alert" data-testid="forecast-bad-day">{ format!("“{}” is not a day: choose one above.", asked.date.clone().unwrap_or_default()) }</p>
            }
            { match (&*forecast, day) {
                (_, None) => html! {},
                (None, _) => html! { <p class="loading">{ "Loading…" }</p> },
                (Some(f), _) => html! {
                    <>
                        <p data-testid="forecast-summary">{ format!("On {}: {} authors.", f.date, f.authors.len()) }</p>
                        if f.date != f.today {
                            <h2>{ format!("Joining between {} and {}", f.today.min(f.date), f.today.max(f.date)) }</h2>
                            { entries("forecast-joining", &f.joining) }
                            <h2>{ format!("Dropping off between {} and {}", f.today.min(f.date), f.today.max(f.date)) }</h2>
                            { entries("forecast-dropping", &f.dropping) }
                        }
                        <h2>{ "Authors" }</h2>
                        { entries("forecast-authors", &f.authors) }
                        <details>
                            <summary>{ format!("Not authors ({})", f.not_authors.len()) }</summary>
                            { entries("forecast-not-authors", &f.not_authors) }
                        </details>
                    </>
                },
            } }
        </section>
    }
}

/// People with their institution and the reason for their place.
fn entries(testid: &'static str, people: &[ForecastEntry]) -> Html {
    if people.is_empty() {
        return html! { <p data-testid={testid}>{ "Nobody." }</p> };
    }
    html! {
        <div class="table-scroll">
        <table class="list stack" data-testid={testid}>
            <thead><tr>
                <th scope="col">{ "Name" }</th><th scope="col">{ "Institution" }</th><th scope="col">{ "Why" }</th>
            </tr></thead>
            <tbody>{ for people.iter().map(|e| html! {
                <tr>
                    <td data-label="Name">{ person(&e.person) }</td>
                    <td data-label="Institution">{ e.institution_short_name.clone() }</td>
                    <td data-label="Why">{ e.reason.text.clone() }</td>
                </tr>
            }) }</tbody>
        </table>
        </div>
    }
}
