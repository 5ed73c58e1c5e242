//! One person's record at its own address (the link in reminder mails): the record, the parts
//! the viewer may change, and the membership's history and actions.

use b2mms_shared::access::{self, Editor};
use b2mms_shared::api::Member;
use yew::prelude::*;

use crate::api;
use crate::labels;
use crate::membership::{MembershipPanel, Viewer};
use crate::record_editor::RecordEditor;
use crate::session::{Auth, SignInFirst, use_auth};

#[derive(Properties, PartialEq)]
pub struct MemberRecordProps {
    pub id: AttrValue,
}

#[function_component(MemberRecord)]
pub fn member_record(props: &MemberRecordProps) -> Html {
    let auth = use_auth();
    let member = use_state(|| None::<Member>);
    let error = use_state(|| None::<String>);
    let session = match &*auth {
        Auth::SignedIn(s) => Some((**s).clone()),
        _ => None,
    };
    {
        let (member, error, token, id) = (
            member.clone(),
            error.clone(),
            session.as_ref().map(|s| s.token.clone()),
            props.id.clone(),
        );
        use_effect_with((token, id), move |(token, id)| {
            if let Some(token) = token.clone() {
                let id = id.to_string();
                wasm_bindgen_futures::spawn_local(async move {
                    match api::member(&token, &id).await {
                        Ok(m) => member.set(Some(m)),
                        Err(e) => error.set(Some(e.detail)),
                    }
                });
            }
        });
    }
    let Some(session) = session else {
        return match &*auth {
            Auth::Resuming => html! { <p class="loading">{ "Loading…" }</p> },
            _ => html! { <SignInFirst /> },
        };
    };
    let Some(m) = (*member).clone() else {
        return html! {
            <section class="card">
                <h1>{ "A person's record" }</h1>
                if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
                else { <p class="loading">{ "Loading…" }</p> }
            </section>
        };
    };
    let me = session.me.as_ref();
    let represents = me
        .map(|me| me.representative_of.clone())
        .unwrap_or_default();
    let admin = access::administers(&session.roles);
    let own = me.is_some_and(|me| me.id == m.id);
    let editor = Editor {
        own,
        representative: admin || represents.contains(&m.institution_id),
        admin,
    };
    let set = {
        let member = member.clone();
        Callback::from(move |m: Member| member.set(Some(m)))
    };
    html! {
        <section class="card wide">
            <h1>{ format!("{} {}", m.given_name, m.family_name) }</h1>
            <dl class="record">
                <dt>{ "Account" }</dt><dd>{ m.account_name.clone().unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ "Institution" }</dt><dd>{ m.institution_short_name.clone() }</dd>
                <dt>{ "Category" }</dt><dd>{ m.category.label() }</dd>
                <dt>{ "Membership" }</dt><dd data-testid="record-status">{ labels::membership(m.status) }</dd>
                <dt>{ "Ends" }</dt><dd>{ m.membership_end.map(|d| d.to_string()).unwrap_or_else(|| "—".into()) }</dd>
            </dl>
            if editor.own || editor.representative {
                <RecordEditor member={m.clone()} token={session.token.clone()} {editor} saved={set.clone()} />
            }
            <MembershipPanel member={m.clone()} token={session.token.clone()} changed={set}
                viewer={Viewer { own, admin, represents }} />
        </section>
    }
}
