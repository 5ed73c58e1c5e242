//! A membership's history and what can be done with it now: the periods and additional
//! affiliations, changes of institution, and — each offered only to those the server lets do
//! it, each saying what will happen before it is confirmed — recording a departure, a move to
//! another institution, a reactivation, asking for one, and additional institutions.

use b2mms_shared::api::{Affiliation, Institution, Member, MembershipRules, Transfer};
use b2mms_shared::{AffiliationKind, InstitutionStatus, MembershipStatus};
use uuid::Uuid;
use yew::prelude::*;

use crate::api::{self};
use crate::labels;

mod affiliations;
mod departures;

use affiliations::{AddAffiliation, EndAffiliation};
use departures::{AskReactivation, Leave, Move, Reactivate};

/// Who looks at the record, as far as the membership is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewer {
    /// It is the viewer's own record.
    pub own: bool,
    pub admin: bool,
    /// Institutions the viewer represents.
    pub represents: Vec<Uuid>,
}

impl Viewer {
    fn represents(&self, institution: Uuid) -> bool {
        self.admin || self.represents.contains(&institution)
    }
}

#[derive(Properties, PartialEq)]
pub struct MembershipProps {
    pub member: Member,
    pub token: AttrValue,
    pub viewer: Viewer,
    /// The record after an action changed it.
    pub changed: Callback<Member>,
}

pub(super) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

pub(super) fn name(m: &Member) -> String {
    format!("{} {}", m.given_name, m.family_name)
}

#[function_component(MembershipPanel)]
pub fn membership_panel(props: &MembershipProps) -> Html {
    let rules = use_state(|| None::<MembershipRules>);
    let history = use_state(|| None::<Vec<Affiliation>>);
    let transfers = use_state(Vec::<Transfer>::new);
    let institutions = use_state(Vec::<Institution>::new);
    let reload = use_state(|| 0u32);
    let error = use_state(|| None::<String>);
    let id = props.member.id.to_string();
    {
        let (rules, institutions) = (rules.clone(), institutions.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(r) = api::membership_rules().await {
                    rules.set(Some(r));
                }
                if let Ok(page) = api::institutions().await {
                    institutions.set(page.items);
                }
            });
        });
    }
    {
        let (history, transfers, error, token, id) = (
            history.clone(),
            transfers.clone(),
            error.clone(),
            props.token.clone(),
            id.clone(),
        );
        use_effect_with((id.clone(), *reload, props.member.clone()), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::affiliations(&token, &id).await {
                    Ok(list) => history.set(Some(list)),
                    Err(e) => error.set(Some(e.detail)),
                }
                if let Ok(page) = api::transfers(&token, &format!("person_id={id}")).await {
                    transfers.set(page.items);
                }
            });
        });
    }
    let m = &props.member;
    let viewer = &props.viewer;
    let active = m.status == MembershipStatus::Active;
    let home_rep = viewer.represents(m.institution_id);
    let after = {
        let (changed, reload) = (props.changed.clone(), reload.clone());
        Callback::from(move |member: Member| {
            changed.emit(member);
            reload.set(*reload + 1);
        })
    };
    let ending = match (m.membership_end, &*rules) {
        (Some(end), Some(r)) => html! {
            <p data-testid="membership-end" class="hint">{ format!(
                "The membership ends on {end}{}. The member and the representatives are reminded {} days before; the account closes on {}.",
                if active { "" } else { " (ended)" },
                r.reminder_days.iter().filter(|d| **d > 0).map(ToString::to_string).collect::<Vec<_>>().join(" and "),
                r.account_closes(end, today()),
            ) }</p>
        },
        _ => html! {},
    };
    let table = match &*history {
        None => html! { <p class="loading">{ "Loading the history…" }</p> },
        Some(list) => html! {
            <div class="table-scroll">
            <table class="list stack" data-testid="affiliations">
                <thead><tr>
                    <th scope="col">{ "Institution" }</th><th scope="col">{ "As" }</th>
                    <th scope="col">{ "Category" }</th><th scope="col">{ "From" }</th>
                    <th scope="col">{ "Until" }</th><th scope="col">{ "Actions" }</th>
                </tr></thead>
                <tbody>{ for list.iter().map(|a| {
                    let ends = a.kind == AffiliationKind::Secondary
                        && a.end_date.is_none_or(|e| e > today())
                        && (home_rep || viewer.represents(a.institution_id));
                    let until = match a.end_date {
                        Some(d) => format!("{d} {}", labels::period_end(a.end_reason)),
                        None => "—".to_owned(),
                    };
                    html! {
                        <tr>
                            <td data-label="Institution">{ a.institution_short_name.clone() }</td>
                            <td data-label="As">{ labels::affiliation(a.kind) }</td>
                            <td data-label="Category">{ a.category.map(|c| c.label()).unwrap_or("—") }</td>
                            <td data-label="From">{ a.start_date.to_string() }</td>
                            <td data-label="Until">{ until }</td>
                            <td data-label="Actions">
                                if ends {
                                    <EndAffiliation token={props.token.clone()} person={id.clone()} affiliation={a.clone()}
                                        ended={let r = reload.clone(); Callback::from(move |_| r.set(*r + 1))} />
                                }
                            </td>
                        </tr>
                    }
                }) }</tbody>
            </table>
            </div>
        },
    };
    let moves = (!transfers.is_empty()).then(|| html! {
        <>
            <h3>{ "Changes of institution" }</h3>
            <ul data-testid="transfers">{ for transfers.iter().map(|t| html! {
                <li>{ format!("{} → {} on {}: {}", t.from_institution_short_name, t.to_institution_short_name,
                    t.effective_date, labels::transfer(t.state)) }</li>
            }) }</ul>
        </>
    });
    let active_institutions: Vec<(String, String)> = institutions
        .iter()
        .filter(|i| i.status == InstitutionStatus::Active)
        .map(|i| (i.id.to_string(), format!("{} — {}", i.short_name, i.name)))
        .collect();
    html! {
        <section class="membership" aria-labelledby="membership-history">
            <h3 id="membership-history">{ "Membership history" }</h3>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            { ending }
            { table }
            { moves.unwrap_or_default() }
            if active && (home_rep || viewer.own) {
                <Leave member={m.clone()} token={props.token.clone()} rules={(*rules).clone()} own={viewer.own && !home_rep} done={after.clone()} />
            }
            if active && viewer.own {
                <Move member={m.clone()} token={props.token.clone()} options={active_institutions.iter().filter(|(i, _)| *i != m.institution_id.to_string()).cloned().collect::<Vec<_>>()}
                    done={let r = reload.clone(); Callback::from(move |_| r.set(*r + 1))} />
            }
            if !active && (viewer.admin || !viewer.represents.is_empty()) && !viewer.own {
                <Reactivate member={m.clone()} token={props.token.clone()}
                    options={active_institutions.iter().filter(|(i, _)| viewer.admin || viewer.represents.iter().any(|r| r.to_string() == *i)).cloned().collect::<Vec<_>>()}
                    done={after.clone()} />
            }
            if !active && viewer.own {
                <AskReactivation token={props.token.clone()} />
            }
            if viewer.admin && active {
                <AddAffiliation token={props.token.clone()} person={id.clone()}
                    options={active_institutions.iter().filter(|(i, _)| *i != m.institution_id.to_string()).cloned().collect::<Vec<_>>()}
                    added={let r = reload.clone(); Callback::from(move |_| r.set(*r + 1))} />
            }
        </section>
    }
}
