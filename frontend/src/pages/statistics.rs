//! The collaboration in figures: members by category, country and institution, members month
//! by month, registration requests and group sizes — each an SVG chart with its numbers in a
//! table beside it, so that nobody depends on the picture.

use b2mms_shared::Category;
use b2mms_shared::api::{MonthCount, Statistics};
use yew::prelude::*;

use crate::api;
use crate::labels;
use crate::session::{Auth, SignInFirst, use_auth};

/// Bars a chart draws at most; the table lists every row.
const CHART_ROWS: usize = 15;

#[function_component(StatisticsPage)]
pub fn statistics_page() -> Html {
    let auth = use_auth();
    let figures = use_state(|| None::<Result<Statistics, String>>);
    let token = match &*auth {
        Auth::SignedIn(s) => Some(s.token.clone()),
        _ => None,
    };
    {
        let figures = figures.clone();
        use_effect_with(token.clone(), move |token| {
            if let Some(token) = token.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    figures.set(Some(api::statistics(&token).await.map_err(|e| e.detail)));
                });
            }
        });
    }
    if token.is_none() {
        return match &*auth {
            Auth::Resuming => html! { <p class="loading">{ "Loading…" }</p> },
            _ => html! { <SignInFirst /> },
        };
    }
    let body = match &*figures {
        None => html! { <p class="loading">{ "Loading…" }</p> },
        Some(Err(detail)) => html! { <p class="error" role="alert">{ detail.clone() }</p> },
        Some(Ok(s)) => figures_of(s),
    };
    html! {
        <section class="card wide">
            <h1>{ "Statistics" }</h1>
            { body }
        </section>
    }
}

fn figures_of(s: &Statistics) -> Html {
    // Names the type the charts take, so that each row list below can be collected.
    let rows = |pairs: Vec<(String, i64)>| pairs;
    let median = s.registrations.median_days_to_decision.map_or_else(
        || "No request has been decided yet.".to_owned(),
        |days| {
            format!(
                "Half of the {} decided requests were decided within {days} days of being sent.",
                s.registrations.decided
            )
        },
    );
    html! {
        <>
            <p data-testid="members-total">
                { format!("{} active members on {}.", s.members, s.as_of) }
            </p>
            <Bars id="by-category" caption="Members by category" heading="Category" unit="Members"
                rows={rows(s.by_category.iter().map(|c| (c.category.label().to_owned(), c.count)).collect())} />
            <Months series={s.over_time.clone()} />
            <Bars id="by-country" caption="Members by country of the home institution" heading="Country" unit="Members"
                rows={rows(s.by_country.iter().map(|c| (c.country.clone(), c.count)).collect())} />
            <Bars id="by-institution" caption="Members by home institution" heading="Institution" unit="Members"
                rows={rows(s.by_institution.iter().map(|i| (i.short_name.clone(), i.count)).collect())} />
            <Bars id="requests" caption="Registration requests by state" heading="State" unit="Requests"
                rows={rows(s.registrations.by_state.iter().map(|r| (labels::state_for_staff(r.state).to_owned(), r.count)).collect())} />
            <p data-testid="median">{ median }</p>
            <Bars id="groups" caption="Groups by size" heading="Group" unit="Members"
                rows={rows(s.groups.iter().map(|g| (g.name.clone(), g.members)).collect())} />
        </>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct BarsProps {
    pub id: AttrValue,
    pub caption: AttrValue,
    /// The name of the first column.
    pub heading: AttrValue,
    pub unit: AttrValue,
    pub rows: Vec<(String, i64)>,
}

/// A horizontal bar chart of the largest rows, and the table of all.
#[function_component(Bars)]
pub(crate) fn bars(p: &BarsProps) -> Html {
    let title = format!("{}-title", p.id);
    let chart = bar_chart(&p.rows[..p.rows.len().min(CHART_ROWS)], &title, &p.id);
    html! {
        <figure class="chart" aria-labelledby={title.clone()}>
            <figcaption id={title}><h2>{ p.caption.clone() }</h2></figcaption>
            <div class="chart-pair">
                { Html::from_html_unchecked(chart.into()) }
                <div class="table-scroll">
                    <table class="list" data-testid={format!("{}-table", p.id)}>
                        <caption class="visually-hidden">{ p.caption.clone() }</caption>
                        <thead><tr><th scope="col">{ p.heading.clone() }</th><th scope="col">{ p.unit.clone() }</th></tr></thead>
                        <tbody>
                            { for p.rows.iter().map(|(label, n)| html! {
                                <tr><th scope="row">{ label.clone() }</th><td>{ n }</td></tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            </div>
        </figure>
    }
}

/// Text made safe to stand in SVG markup.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The opening of an SVG chart named by the element `title`.
fn svg_open(title: &str, id: &str, width: f64, height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{title}" data-testid="{id}-chart" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">"#
    )
}

/// Horizontal bars with their labels (cut to fit; the table has them whole) and values.
fn bar_chart(rows: &[(String, i64)], title: &str, id: &str) -> String {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let (label_w, bar_w, row_h) = (170.0, 300.0, 22.0);
    let mut svg = svg_open(
        title,
        id,
        label_w + bar_w + 50.0,
        row_h * rows.len().max(1) as f64,
    );
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = i as f64 * row_h;
        let w = bar_w * *n as f64 / max;
        let label: String = if label.chars().count() > 24 {
            label.chars().take(23).chain(['…']).collect()
        } else {
            label.clone()
        };
        svg += &format!(
            r#"<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text><rect x="{label_w}" y="{}" width="{w}" height="{}" class="bar"/><text x="{}" y="{}" class="chart-label">{n}</text>"#,
            label_w - 6.0,
            y + 15.0,
            escaped(&label),
            y + 3.0,
            row_h - 6.0,
            label_w + w + 4.0,
            y + 15.0,
        );
    }
    svg + "</svg>"
}

/// Columns of members month by month, stacked by category.
fn month_chart(series: &[MonthCount]) -> String {
    let max = series.iter().map(|m| m.total).max().unwrap_or(0).max(1);
    let (chart_h, col_w) = (220.0, 28.0);
    let width = 40.0 + series.len() as f64 * col_w;
    let mut svg = svg_open("over-time-title", "over-time", width, chart_h + 20.0);
    svg += &format!(
        r#"<text x="0" y="12" class="chart-label">{max}</text><text x="0" y="{chart_h}" class="chart-label">0</text>"#
    );
    for (i, month) in series.iter().enumerate() {
        let x = 40.0 + i as f64 * col_w;
        let mut top = chart_h;
        for (k, c) in month
            .by_category
            .iter()
            .enumerate()
            .filter(|(_, c)| c.count > 0)
        {
            let h = chart_h * c.count as f64 / max as f64;
            top -= h;
            svg += &format!(
                r#"<rect x="{x}" y="{top}" width="{}" height="{h}" class="bar cat-{k}"/>"#,
                col_w - 3.0
            );
        }
    }
    let (first, last) = (
        series.first().map(|m| m.month.as_str()).unwrap_or_default(),
        series.last().map(|m| m.month.as_str()).unwrap_or_default(),
    );
    svg + &format!(
        r#"<text x="40" y="{y}" class="chart-label">{first}</text><text x="{width}" y="{y}" text-anchor="end" class="chart-label">{last}</text></svg>"#,
        y = chart_h + 16.0
    )
}

#[derive(Properties, PartialEq)]
struct MonthsProps {
    series: Vec<MonthCount>,
}

/// Members month by month as stacked columns by category, and the table of the numbers.
#[function_component(Months)]
fn months(p: &MonthsProps) -> Html {
    html! {
        <figure class="chart" aria-labelledby="over-time-title">
            <figcaption id="over-time-title"><h2>{ "Members month by month" }</h2></figcaption>
            <ul class="legend">
                { for Category::ALL.iter().enumerate().map(|(k, c)| html! {
                    <li class={format!("cat-{k}")}>{ c.label() }</li>
                }) }
            </ul>
            { Html::from_html_unchecked(month_chart(&p.series).into()) }
            <details>
                <summary>{ "The numbers" }</summary>
                <div class="table-scroll">
                    <table class="list" data-testid="over-time-table">
                        <caption class="visually-hidden">{ "Members month by month, by category" }</caption>
                        <thead><tr>
                            <th scope="col">{ "Month" }</th>
                            { for Category::ALL.iter().map(|c| html! { <th scope="col">{ c.label() }</th> }) }
                            <th scope="col">{ "All" }</th>
                        </tr></thead>
                        <tbody>
                            { for p.series.iter().rev().map(|m| html! {
                                <tr>
                                    <th scope="row">{ m.month.clone() }</th>
                                    { for m.by_category.iter().map(|c| html! { <td>{ c.count }</td> }) }
                                    <td>{ m.total }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}
