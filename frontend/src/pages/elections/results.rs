//! The results of a vote: the votes per option as a chart with the numbers in a table,
//! turnout against the frozen electorate and whether the quorum was met.

use b2mms_shared::api::ElectionResults;
use yew::prelude::*;

use crate::pages::statistics::Bars;

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub results: ElectionResults,
}

#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    let r = &props.results;
    let rows: Vec<(String, i64)> = r
        .options
        .iter()
        .map(|o| (o.label.clone(), o.votes))
        .collect();
    let quorum = match r.quorum {
        None => "No quorum was set.".to_owned(),
        Some(q) if r.quorum_met => format!("The quorum of {:.0} % was met.", q * 100.0),
        Some(q) => format!(
            "The quorum of {:.0} % was not met: the result does not count.",
            q * 100.0
        ),
    };
    html! {
        <section data-testid="results">
            <Bars id="results" caption="Votes per option" heading="Option" unit="Votes" {rows} />
            <p data-testid="turnout">{ format!(
                "{} of {} electors voted: {} of {} votes, a turnout of {:.0} %. {quorum}",
                r.voted, r.electors, r.cast_weight, r.total_weight, r.turnout * 100.0
            ) }</p>
        </section>
    }
}
