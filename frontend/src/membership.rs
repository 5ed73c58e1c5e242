//! A membership's history and what can be done with it now: the periods and additional
//! affiliations, changes of institution, and — each offered only to those the server lets do
//! it, each saying what will happen before it is confirmed — recording a departure, a move to
//! another institution, a reactivation, asking for one, and additional institutions.

use b2mms_shared::api::{
    Affiliation, Institution, Leaving, Member, MembershipRules, NewAffiliation, NewTransfer,
    Reactivation, Transfer,
};
use b2mms_shared::{AffiliationKind, Category, InstitutionStatus, MembershipStatus};
use uuid::Uuid;
use yew::prelude::*;

use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{Choice, Field, day};
use crate::labels;

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

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn name(m: &Member) -> String {
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

#[derive(Properties, PartialEq)]
struct LeaveProps {
    member: Member,
    token: AttrValue,
    rules: Option<MembershipRules>,
    /// The person announces their own departure.
    own: bool,
    done: Callback<Member>,
}

/// Records that the person leaves on a day, saying when the account closes.
#[function_component(Leave)]
fn leave(props: &LeaveProps) -> Html {
    let date = use_state(|| today().to_string());
    let reason = use_state(String::new);
    let chosen = day(&date);
    let question = chosen.map(|d| {
        let closes = props
            .rules
            .as_ref()
            .map(|r| format!(" and the account {} is disabled on {}", props.member.account_name.clone().unwrap_or_default(), r.account_closes(d, today())))
            .unwrap_or_default();
        let who = if props.own { "You leave".to_owned() } else { format!("{} leaves", name(&props.member)) };
        format!("{who} the collaboration on {d}: from then on the membership is “left”{closes}. The record is kept.")
    });
    let call = {
        let (token, id, date, reason, done) = (
            props.token.clone(),
            props.member.id.to_string(),
            date.clone(),
            reason.clone(),
            props.done.clone(),
        );
        Call::new(move || {
            let (token, id, done) = (token.clone(), id.clone(), done.clone());
            let (date, reason) = (day(&date), (*reason).trim().to_owned());
            async move {
                let date = date.ok_or_else(|| ApiError::refused("Choose the day of leaving."))?;
                let body = Leaving {
                    date,
                    reason: Some(reason).filter(|r| !r.is_empty()),
                };
                done.emit(api::leave(&token, &id, &body).await?);
                Ok(())
            }
        })
    };
    html! {
        <details class="action-form" data-testid="leave">
            <summary>{ if props.own { "Announce that I leave" } else { "Record a departure" } }</summary>
            <Field id="leave_date" label="Leaves on" kind="date" value={(*date).clone()}
                oninput={let d = date.clone(); Callback::from(move |v| d.set(v))}
                hint={Some(AttrValue::Static("The membership is “left” from this day on."))} />
            <Field id="leave_reason" label="Reason (optional)" value={(*reason).clone()}
                oninput={let r = reason.clone(); Callback::from(move |v| r.set(v))} />
            <ActionButton label="Record the departure" busy_label="Recording…" {call}
                confirm={question.map(AttrValue::from).or(Some(AttrValue::Static("Choose a day first.")))}
                confirm_label="Yes, record it" testid="leave-submit" secondary={false} />
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct MoveProps {
    member: Member,
    token: AttrValue,
    options: Vec<(String, String)>,
    done: Callback<()>,
}

/// The member asks to move to another institution on a day.
#[function_component(Move)]
fn move_form(props: &MoveProps) -> Html {
    let to = use_state(String::new);
    let date = use_state(|| today().to_string());
    let sent = use_state(|| false);
    let target = props
        .options
        .iter()
        .find(|(i, _)| *i == *to)
        // The short name, before the full one.
        .map(|(_, l)| l.split(" — ").next().unwrap_or(l).to_owned());
    let question = match (&target, day(&date)) {
        (Some(target), Some(d)) => format!(
            "Ask the representatives of {target} to make it your home institution from {d}? Your current institution's representatives are told once it is approved."
        ),
        _ => "Choose the new institution and the day first.".to_owned(),
    };
    let call = {
        let (token, id, to, date, done, sent) = (
            props.token.clone(),
            props.member.id.to_string(),
            to.clone(),
            date.clone(),
            props.done.clone(),
            sent.clone(),
        );
        Call::new(move || {
            let (token, id, done, sent) = (token.clone(), id.clone(), done.clone(), sent.clone());
            let (to, date) = (Uuid::parse_str(&to).ok(), day(&date));
            async move {
                let institution_id =
                    to.ok_or_else(|| ApiError::refused("Choose the new institution."))?;
                let effective_date =
                    date.ok_or_else(|| ApiError::refused("Choose the day of the move."))?;
                api::request_transfer(
                    &token,
                    &id,
                    &NewTransfer {
                        institution_id,
                        effective_date,
                        category: None,
                    },
                )
                .await?;
                sent.set(true);
                done.emit(());
                Ok(())
            }
        })
    };
    html! {
        <details class="action-form" data-testid="move">
            <summary>{ "Move to another institution" }</summary>
            if *sent { <p class="notice" role="status">{ "Asked: the new institution's representatives decide." }</p> }
            <Choice id="move_to" label="New institution" value={(*to).clone()} options={props.options.clone()}
                onchange={let t = to.clone(); Callback::from(move |v| t.set(v))} />
            <Field id="move_date" label="From" kind="date" value={(*date).clone()}
                oninput={let d = date.clone(); Callback::from(move |v| d.set(v))} />
            <ActionButton label="Ask to move" busy_label="Asking…" {call} confirm={AttrValue::from(question)}
                confirm_label="Yes, ask" testid="move-submit" secondary={false} />
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct ReactivateProps {
    member: Member,
    token: AttrValue,
    options: Vec<(String, String)>,
    done: Callback<Member>,
}

/// A representative (or an administrator) brings an expired or departed person back.
#[function_component(Reactivate)]
fn reactivate(props: &ReactivateProps) -> Html {
    let picked = use_state(String::new);
    // Until someone picks, the person's last institution if the viewer may act there.
    let to = if picked.is_empty() {
        props
            .options
            .iter()
            .find(|(i, _)| *i == props.member.institution_id.to_string())
            .or(props.options.first())
            .map(|(i, _)| i.clone())
            .unwrap_or_default()
    } else {
        (*picked).clone()
    };
    let category = use_state(|| props.member.category.as_str().to_owned());
    let end = use_state(String::new);
    let target = props
        .options
        .iter()
        .find(|(i, _)| *i == *to)
        // The short name, before the full one.
        .map(|(_, l)| l.split(" — ").next().unwrap_or(l).to_owned());
    let question = match &target {
        Some(target) => format!(
            "{} becomes a member at {target} again from today{}, with the same account {} open again. No new registration is needed.",
            name(&props.member),
            day(&end).map(|d| format!(" until {d}")).unwrap_or_default(),
            props.member.account_name.clone().unwrap_or_default(),
        ),
        None => "Choose the institution first.".to_owned(),
    };
    let call = {
        let (token, id, to, category, end, done) = (
            props.token.clone(),
            props.member.id.to_string(),
            to.clone(),
            category.clone(),
            end.clone(),
            props.done.clone(),
        );
        Call::new(move || {
            let (token, id, done) = (token.clone(), id.clone(), done.clone());
            let (to, category, end_text) = (
                Uuid::parse_str(&to).ok(),
                Category::parse(&category),
                (*end).clone(),
            );
            async move {
                let institution_id =
                    to.ok_or_else(|| ApiError::refused("Choose the institution."))?;
                let category = category.ok_or_else(|| ApiError::refused("Choose the category."))?;
                let membership_end = match end_text.trim() {
                    "" => None,
                    text => Some(
                        day(text)
                            .ok_or_else(|| ApiError::refused("The end is a day, or nothing."))?,
                    ),
                };
                done.emit(
                    api::reactivate(
                        &token,
                        &id,
                        &Reactivation {
                            institution_id,
                            category,
                            membership_end,
                        },
                    )
                    .await?,
                );
                Ok(())
            }
        })
    };
    html! {
        <details class="action-form" data-testid="reactivate" open=true>
            <summary>{ "Reactivate the membership" }</summary>
            <Choice id="reactivate_at" label="At" value={to.clone()} options={props.options.clone()}
                onchange={let p = picked.clone(); Callback::from(move |v| p.set(v))} />
            <Choice id="reactivate_category" label="Category" value={(*category).clone()}
                options={Category::ALL.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())).collect::<Vec<_>>()}
                onchange={let c = category.clone(); Callback::from(move |v| c.set(v))} />
            <Field id="reactivate_end" label="Until (optional)" kind="date" value={(*end).clone()}
                oninput={let e = end.clone(); Callback::from(move |v| e.set(v))} />
            <ActionButton label="Reactivate" busy_label="Reactivating…" {call} confirm={AttrValue::from(question)}
                confirm_label="Yes, reactivate" testid="reactivate-submit" secondary={false} />
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct TokenProps {
    token: AttrValue,
}

/// A person whose membership ended asks their representatives to reactivate it.
#[function_component(AskReactivation)]
fn ask_reactivation(props: &TokenProps) -> Html {
    let asked = use_state(|| false);
    let call = {
        let (token, asked) = (props.token.clone(), asked.clone());
        Call::new(move || {
            let (token, asked) = (token.clone(), asked.clone());
            async move {
                api::ask_reactivation(&token).await?;
                asked.set(true);
                Ok(())
            }
        })
    };
    html! {
        <div class="notice" data-testid="ended">
            <p>{ "Your membership has ended. You can still see your record; your institution's representatives can reactivate it — never register again." }</p>
            if *asked {
                <p role="status" data-testid="reactivation-asked">{ "Your representatives have been asked." }</p>
            } else {
                <ActionButton label="Ask my representatives to reactivate me" busy_label="Asking…" {call}
                    testid="ask-reactivation" secondary={false} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct AddProps {
    token: AttrValue,
    person: AttrValue,
    options: Vec<(String, String)>,
    added: Callback<()>,
}

/// An additional institution ("also at"), from a day.
#[function_component(AddAffiliation)]
fn add_affiliation(props: &AddProps) -> Html {
    let at = use_state(String::new);
    let from = use_state(|| today().to_string());
    let call = {
        let (token, person, at, from, added) = (
            props.token.clone(),
            props.person.clone(),
            at.clone(),
            from.clone(),
            props.added.clone(),
        );
        Call::new(move || {
            let (token, person, added) = (token.clone(), person.clone(), added.clone());
            let (at, from) = (Uuid::parse_str(&at).ok(), day(&from));
            async move {
                let institution_id =
                    at.ok_or_else(|| ApiError::refused("Choose the institution."))?;
                let body = NewAffiliation {
                    institution_id,
                    start_date: from,
                    end_date: None,
                };
                api::add_affiliation(&token, &person, &body).await?;
                added.emit(());
                Ok(())
            }
        })
    };
    html! {
        <details class="action-form" data-testid="add-affiliation">
            <summary>{ "Add an additional institution" }</summary>
            <Choice id="also_at" label="Also at" value={(*at).clone()} options={props.options.clone()}
                onchange={let a = at.clone(); Callback::from(move |v| a.set(v))} />
            <Field id="also_from" label="From" kind="date" value={(*from).clone()}
                oninput={let f = from.clone(); Callback::from(move |v| f.set(v))} />
            <ActionButton label="Add" busy_label="Adding…" {call} testid="add-affiliation-submit" secondary={false} />
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct EndProps {
    token: AttrValue,
    person: AttrValue,
    affiliation: Affiliation,
    ended: Callback<()>,
}

/// Ends an additional affiliation today.
#[function_component(EndAffiliation)]
fn end_affiliation(props: &EndProps) -> Html {
    let call = {
        let (token, person, id, ended) = (
            props.token.clone(),
            props.person.clone(),
            props.affiliation.id.to_string(),
            props.ended.clone(),
        );
        Call::new(move || {
            let (token, person, id, ended) =
                (token.clone(), person.clone(), id.clone(), ended.clone());
            async move {
                api::end_affiliation(&token, &person, &id, &today().to_string()).await?;
                ended.emit(());
                Ok(())
            }
        })
    };
    let question = format!(
        "The affiliation with {} ends today; the history keeps it.",
        props.affiliation.institution_short_name
    );
    html! {
        <ActionButton label="End" busy_label="Ending…" {call} confirm={AttrValue::from(question)}
            confirm_label="Yes, end it" testid="end-affiliation" />
    }
}
