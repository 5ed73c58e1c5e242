//! Ending and resuming a membership: recording a departure, a move to another institution,
//! a reactivation, and asking for one.

use b2mms_shared::Category;
use b2mms_shared::api::{Leaving, Member, MembershipRules, NewTransfer, Reactivation};
use uuid::Uuid;
use yew::prelude::*;

use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{Choice, Field, day};

use super::{name, today};

#[derive(Properties, PartialEq)]
pub(super) struct LeaveProps {
    pub(super) member: Member,
    pub(super) token: AttrValue,
    pub(super) rules: Option<MembershipRules>,
    /// The person announces their own departure.
    pub(super) own: bool,
    pub(super) done: Callback<Member>,
}

/// Records that the person leaves on a day, saying when the account closes.
#[function_component(Leave)]
pub(super) fn leave(props: &LeaveProps) -> Html {
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
pub(super) struct MoveProps {
    pub(super) member: Member,
    pub(super) token: AttrValue,
    pub(super) options: Vec<(String, String)>,
    pub(super) done: Callback<()>,
}

/// The member asks to move to another institution on a day.
#[function_component(Move)]
pub(super) fn move_form(props: &MoveProps) -> Html {
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
pub(super) struct ReactivateProps {
    pub(super) member: Member,
    pub(super) token: AttrValue,
    pub(super) options: Vec<(String, String)>,
    pub(super) done: Callback<Member>,
}

/// A representative (or an administrator) brings an expired or departed person back.
#[function_component(Reactivate)]
pub(super) fn reactivate(props: &ReactivateProps) -> Html {
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
pub(super) struct TokenProps {
    pub(super) token: AttrValue,
}

/// A person whose membership ended asks their representatives to reactivate it.
#[function_component(AskReactivation)]
pub(super) fn ask_reactivation(props: &TokenProps) -> Html {
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
