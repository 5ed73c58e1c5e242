//! A new vote, for administrators and the IB chair: what it is about, the options (one a
//! line), how many a ballot may choose, who may vote (members by category and months,
//! institutions weighed equally or by authors, a group), when it opens and closes (UTC) and
//! the quorum. What breaks a rule is not sent.

use b2mms_shared::api::{ElectorateRule, Group, NewElection};
use b2mms_shared::{Category, InstitutionWeight};
use chrono::{NaiveDateTime, TimeZone, Utc};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::forms::{self, Choice, ErrorSummary, Field, Problems};

#[derive(Clone, Default, PartialEq)]
struct Draft {
    title: String,
    description: String,
    options: String,
    max_choices: String,
    /// `members`, `institutions` or `group`.
    kind: String,
    categories: Vec<Category>,
    min_months: String,
    weight: String,
    group: String,
    opens: String,
    closes: String,
    /// Percent; empty for none.
    quorum: String,
}

fn moment(text: &str) -> Option<chrono::DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .ok()
        .map(|t| Utc.from_utc_datetime(&t))
}

impl Draft {
    fn options(&self) -> Vec<String> {
        self.options
            .lines()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn rule(&self) -> Option<ElectorateRule> {
        match self.kind.as_str() {
            "members" => Some(ElectorateRule::Members {
                categories: (!self.categories.is_empty()).then(|| self.categories.clone()),
                min_months: self.min_months.trim().parse().ok(),
            }),
            "institutions" => InstitutionWeight::parse(&self.weight)
                .map(|weight| ElectorateRule::Institutions { weight }),
            "group" => uuid::Uuid::parse_str(&self.group)
                .ok()
                .map(|group_id| ElectorateRule::Group { group_id }),
            _ => None,
        }
    }

    fn problems(&self) -> Problems {
        let mut p = Problems::default();
        p.require("election_title", &self.title, "Say what the vote is about.");
        let options = self.options();
        if options.len() < 2 {
            p.add(
                "election_options",
                &["Give at least two options, one a line.".to_owned()],
            );
        }
        match self.max_choices.trim().parse::<usize>() {
            Ok(n) if n >= 1 && n <= options.len().max(1) => {}
            _ => p.add(
                "election_max",
                &[
                    "A ballot chooses at least one option and at most as many as there are."
                        .to_owned(),
                ],
            ),
        }
        if self.kind.is_empty() {
            p.add("election_kind", &["Choose who may vote.".to_owned()]);
        } else if self.rule().is_none() {
            let field = if self.kind == "group" {
                "election_group"
            } else {
                "election_weight"
            };
            p.add(field, &["Complete who may vote.".to_owned()]);
        }
        if !self.min_months.trim().is_empty()
            && !self
                .min_months
                .trim()
                .parse::<u32>()
                .is_ok_and(|m| m <= 1200)
        {
            p.add(
                "election_months",
                &["Months are a whole number up to 1200.".to_owned()],
            );
        }
        match (moment(&self.opens), moment(&self.closes)) {
            (None, _) => p.add(
                "election_opens",
                &["Choose when the vote opens.".to_owned()],
            ),
            (_, None) => p.add(
                "election_closes",
                &["Choose when the vote closes.".to_owned()],
            ),
            (Some(o), Some(c)) if c <= o => p.add(
                "election_closes",
                &["The vote closes after it opens.".to_owned()],
            ),
            _ => {}
        }
        if !self.quorum.trim().is_empty()
            && !self
                .quorum
                .trim()
                .parse::<f64>()
                .is_ok_and(|q| q > 0.0 && q <= 100.0)
        {
            p.add(
                "election_quorum",
                &["The quorum is a percentage above 0 and at most 100.".to_owned()],
            );
        }
        p
    }
}

#[derive(Properties, PartialEq)]
pub struct NewElectionProps {
    pub token: String,
    pub made: Callback<()>,
}

#[function_component(NewElectionForm)]
pub fn new_election(props: &NewElectionProps) -> Html {
    let draft = use_state(|| Draft {
        max_choices: "1".to_owned(),
        ..Draft::default()
    });
    let attempt = use_state(|| 0u32);
    let busy = use_state(|| false);
    let refused = use_state(|| None::<ApiError>);
    let notice = use_state(|| None::<String>);
    let groups = use_state(Vec::<Group>::new);
    {
        let groups = groups.clone();
        use_effect_with(props.token.clone(), move |token| {
            let token = token.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(found) = api::groups(&token).await {
                    groups.set(found);
                }
            });
        });
    }
    let found = draft.problems();
    let shown = |id: &str| {
        if *attempt > 0 {
            found.of(id)
        } else {
            Vec::new()
        }
    };
    let set = |apply: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |v: String| {
            let mut d = (*draft).clone();
            apply(&mut d, v);
            draft.set(d);
        })
    };
    let onsubmit = {
        let (draft, attempt, refused, notice, token, made) = (
            draft.clone(),
            attempt.clone(),
            refused.clone(),
            notice.clone(),
            props.token.clone(),
            props.made.clone(),
        );
        forms::on_submit(&attempt.clone(), &busy, !found.is_empty(), move || {
            let d = (*draft).clone();
            let (Some(electorate), Some(opens_at), Some(closes_at)) =
                (d.rule(), moment(&d.opens), moment(&d.closes))
            else {
                return None;
            };
            let body = NewElection {
                title: d.title.trim().to_owned(),
                description: d.description.trim().to_owned(),
                options: d.options(),
                max_choices: d.max_choices.trim().parse().unwrap_or(1),
                electorate,
                opens_at,
                closes_at,
                quorum: d.quorum.trim().parse::<f64>().ok().map(|q| q / 100.0),
            };
            let (draft, attempt, refused, notice, token, made) = (
                draft.clone(),
                attempt.clone(),
                refused.clone(),
                notice.clone(),
                token.clone(),
                made.clone(),
            );
            Some(async move {
                match api::create_election(&token, &body).await {
                    Ok(e) => {
                        notice.set(Some(format!(
                            "The vote “{}” is prepared; it opens by itself.",
                            e.title
                        )));
                        refused.set(None);
                        draft.set(Draft {
                            max_choices: "1".to_owned(),
                            ..Draft::default()
                        });
                        attempt.set(0);
                        made.emit(());
                    }
                    Err(e) => refused.set(Some(e)),
                }
            })
        })
    };
    let options_input = {
        let set = set(|d, v| d.options = v);
        Callback::from(move |e: InputEvent| {
            set.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let d = (*draft).clone();
    let option_errors = shown("election_options");
    html! {
        <form {onsubmit} novalidate=true data-testid="new-election">
            <ErrorSummary problems={found.clone()} attempt={*attempt} />
            if let Some(text) = &*notice { <p class="notice" role="status" data-testid="election-notice">{ text.clone() }</p> }
            if let Some(e) = &*refused { { crate::pages::admin::problem(&Some(e.clone())) } }
            <Field id="election_title" label="What the vote is about" value={d.title.clone()} errors={shown("election_title")} oninput={set(|d, v| d.title = v)} />
            <Field id="election_description" label="Explanation (optional)" value={d.description.clone()} oninput={set(|d, v| d.description = v)} />
            <label for="election_options">
                { "Options, one a line" }
                <textarea id="election_options" name="election_options" rows="4" value={d.options.clone()} oninput={options_input}
                    aria-invalid={(!option_errors.is_empty()).to_string()} />
                if !option_errors.is_empty() {
                    <ul class="rules" aria-live="polite">{ for option_errors.iter().map(|e| html! { <li>{ e.clone() }</li> }) }</ul>
                }
            </label>
            <Field id="election_max" label="Options a ballot may choose" kind="number" value={d.max_choices.clone()} errors={shown("election_max")} oninput={set(|d, v| d.max_choices = v)} />
            <Choice id="election_kind" label="Who may vote" value={d.kind.clone()} errors={shown("election_kind")}
                options={vec![
                    ("members".to_owned(), "Members".to_owned()),
                    ("institutions".to_owned(), "Institutions, through their representatives".to_owned()),
                    ("group".to_owned(), "The members of a group".to_owned()),
                ]}
                onchange={set(|d, v| d.kind = v)} />
            if d.kind == "members" {
                <fieldset>
                    <legend>{ "Categories (none ticked: every category)" }</legend>
                    { for Category::ALL.iter().map(|c| {
                        let c = *c;
                        let id = format!("election-category-{c}");
                        let onchange = {
                            let draft = draft.clone();
                            Callback::from(move |_| {
                                let mut d = (*draft).clone();
                                match d.categories.iter().position(|x| *x == c) {
                                    Some(at) => { d.categories.remove(at); }
                                    None => d.categories.push(c),
                                }
                                draft.set(d);
                            })
                        };
                        html! { <label class="check" for={id.clone()}><input type="checkbox" id={id} checked={d.categories.contains(&c)} {onchange} />{ c.label() }</label> }
                    }) }
                </fieldset>
                <Field id="election_months" label="Months of membership at least (optional)" kind="number" value={d.min_months.clone()} errors={shown("election_months")} oninput={set(|d, v| d.min_months = v)} />
            }
            if d.kind == "institutions" {
                <Choice id="election_weight" label="Each institution's vote weighs" value={d.weight.clone()} errors={shown("election_weight")}
                    options={vec![("equal".to_owned(), "One".to_owned()), ("authors".to_owned(), "Its number of authors".to_owned())]}
                    onchange={set(|d, v| d.weight = v)} />
            }
            if d.kind == "group" {
                <Choice id="election_group" label="Group" value={d.group.clone()} errors={shown("election_group")}
                    options={groups.iter().map(|g| (g.id.to_string(), g.name.clone())).collect::<Vec<_>>()}
                    onchange={set(|d, v| d.group = v)} />
            }
            <Field id="election_opens" label="Opens (UTC)" kind="datetime-local" value={d.opens.clone()} errors={shown("election_opens")} oninput={set(|d, v| d.opens = v)} />
            <Field id="election_closes" label="Closes (UTC)" kind="datetime-local" value={d.closes.clone()} errors={shown("election_closes")} oninput={set(|d, v| d.closes = v)} />
            <Field id="election_quorum" label="Quorum in percent of the votes (optional)" kind="number" value={d.quorum.clone()} errors={shown("election_quorum")} oninput={set(|d, v| d.quorum = v)} />
            <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Preparing…" } else { "Prepare the vote" } }</button>
        </form>
    }
}
