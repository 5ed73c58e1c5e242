//! Additional institutions ("also at"): adding one and ending it.

use b2mms_shared::api::{Affiliation, NewAffiliation};
use uuid::Uuid;
use yew::prelude::*;

use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{Choice, Field, day};

use super::today;

#[derive(Properties, PartialEq)]
pub(super) struct AddProps {
    pub(super) token: AttrValue,
    pub(super) person: AttrValue,
    pub(super) options: Vec<(String, String)>,
    pub(super) added: Callback<()>,
}

/// An additional institution ("also at"), from a day.
#[function_component(AddAffiliation)]
pub(super) fn add_affiliation(props: &AddProps) -> Html {
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
pub(super) struct EndProps {
    pub(super) token: AttrValue,
    pub(super) person: AttrValue,
    pub(super) affiliation: Affiliation,
    pub(super) ended: Callback<()>,
}

/// Ends an additional affiliation today.
#[function_component(EndAffiliation)]
pub(super) fn end_affiliation(props: &EndProps) -> Html {
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
