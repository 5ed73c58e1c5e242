//! The institutions of a list, each with its authors and whether its section is signed off;
//! a representative signs their institution's section off while the list is under review, and
//! finds it opened first.

use b2mms_shared::AuthorListState;
use b2mms_shared::api::{AuthorList, ListedInstitution};
use uuid::Uuid;
use yew::prelude::*;

use super::person;
use crate::action::{ActionButton, Call};
use crate::api;

#[derive(Properties, PartialEq)]
pub struct SectionsProps {
    pub list: AuthorList,
    pub token: String,
    /// The institutions the reader represents.
    pub represents: Vec<Uuid>,
    pub changed: Callback<(AuthorList, String)>,
}

#[function_component(Sections)]
pub fn sections(props: &SectionsProps) -> Html {
    let l = &props.list;
    let mut institutions: Vec<&ListedInstitution> = l.content.institutions.iter().collect();
    // The reader's own sections first.
    institutions.sort_by_key(|i| (!props.represents.contains(&i.institution_id), i.number));
    html! {
        <ul class="sections" data-testid="author-list-sections">
            { for institutions.into_iter().map(|i| section(props, i)) }
        </ul>
    }
}

fn section(props: &SectionsProps, institution: &ListedInstitution) -> Html {
    let l = &props.list;
    let authors: Vec<&str> = l
        .content
        .authors_at(institution.number)
        .map(|a| a.paper_name.as_str())
        .collect();
    let signed = l
        .sign_offs
        .iter()
        .find(|s| s.institution_id == institution.institution_id);
    let own = props.represents.contains(&institution.institution_id);
    // The reader's section waits for their sign-off.
    let theirs_to_sign = own && signed.is_none() && l.summary.state == AuthorListState::Review;
    let status = match signed {
        Some(s) => format!("signed off by {} on {}", person(&s.by), s.at.date_naive()),
        None if l.summary.state == AuthorListState::Review => "waiting for its sign-off".to_owned(),
        None => "not signed off".to_owned(),
    };
    let sign = theirs_to_sign.then(|| {
        let (token, id, institution_id, short, changed) = (
            props.token.clone(),
            l.summary.id.to_string(),
            institution.institution_id,
            institution.short_name.clone(),
            props.changed.clone(),
        );
        let question = format!(
            "Sign off the section of {}: its {} authors and its name and address as printed are right?",
            institution.short_name,
            authors.len()
        );
        let call = Call::new(move || {
            let (token, id, short, changed) =
                (token.clone(), id.clone(), short.clone(), changed.clone());
            async move {
                let next = api::sign_off_section(&token, &id, institution_id).await?;
                changed.emit((next, format!("The section of {short} is signed off.")));
                Ok(())
            }
        });
        html! {
            <ActionButton label="Sign off this section" busy_label="Signing off…" secondary={false} {call}
                confirm={AttrValue::from(question)} confirm_label="Sign off"
                testid={AttrValue::from(format!("sign-off-{}", institution.short_name))} />
        }
    });
    html! {
        <li data-testid={format!("section-{}", institution.short_name)}>
            <details open={own}>
                <summary>
                    { format!("{}. {} — {} authors, {}", institution.number, institution.short_name, authors.len(), status) }
                </summary>
                <p>{ institution.printed() }</p>
                <p>{ authors.join(", ") }</p>
                if theirs_to_sign {
                    <p class="hint">{ "If a name, an affiliation or a person is wrong, correct the record (or ask the secretariat): the list follows the records until it is frozen." }</p>
                }
                { sign.unwrap_or_default() }
            </details>
        </li>
    }
}
