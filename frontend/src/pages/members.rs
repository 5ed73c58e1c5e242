//! The members of the caller's institution (for its IRs), with their membership ends (those
//! ending soon found at once), each record opened to change its membership and name in
//! papers, to record a departure or to reactivate it.

use b2mms_shared::access::Editor;
use b2mms_shared::api::Member;
use yew::prelude::*;

use crate::Route;
use crate::api;
use crate::membership::{MembershipPanel, Viewer};
use crate::people_list::PeopleList;
use crate::record_editor::RecordEditor;
use crate::session::{Auth, SignInFirst, use_auth};

#[function_component(InstitutionMembers)]
pub fn institution_members() -> Html {
    let auth = use_auth();
    let error = use_state(|| None::<String>);
    let open = use_state(|| None::<Member>);
    let reload = use_state(|| 0u32);
    let target = match &*auth {
        Auth::SignedIn(s) => {
            s.me.as_ref()
                .and_then(|m| m.representative_of.first().copied())
                .map(|i| (s.token.clone(), i.to_string()))
        }
        _ => None,
    };
    let (token, me, represents) = match &*auth {
        Auth::SignedIn(s) => (
            s.token.clone(),
            s.me.as_ref().map(|m| m.id),
            s.me.as_ref()
                .map(|m| m.representative_of.clone())
                .unwrap_or_default(),
        ),
        _ => (String::new(), None, Vec::new()),
    };
    let choose = {
        let (open, error, token) = (open.clone(), error.clone(), token.clone());
        Callback::from(move |id: String| {
            let (open, error, token) = (open.clone(), error.clone(), token.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::member(&token, &id).await {
                    Ok(m) => open.set(Some(m)),
                    Err(e) => error.set(Some(e.detail)),
                }
            });
        })
    };
    let saved = {
        let (open, reload) = (open.clone(), reload.clone());
        Callback::from(move |m: Member| {
            open.set(Some(m));
            reload.set(*reload + 1);
        })
    };
    match &*auth {
        Auth::SignedOut => return html! { <SignInFirst /> },
        Auth::Resuming => return html! { <p class="loading">{ "Loading…" }</p> },
        Auth::SignedIn(_) if target.is_none() => {
            return html! { <section class="card"><p>{ "You represent no institution." }</p></section> };
        }
        Auth::SignedIn(_) => {}
    }
    html! {
        <section class="card wide">
            <h1>{ "Members of my institution" }</h1>
            if let Some(e) = &*error {
                <p class="error" role="alert">{ e.clone() }</p>
            }
            if let Some((token, institution)) = target.clone() {
                <PeopleList token={token} route={Route::Members} institution={Some(AttrValue::from(institution))}
                    open={choose} export={true} reload={*reload} />
            }
            if let Some(m) = &*open {
                <div class="person" data-testid="member">
                    <h2>{ format!("{} {}", m.given_name, m.family_name) }</h2>
                    <RecordEditor member={m.clone()} token={token.clone()} saved={saved.clone()}
                        editor={Editor { own: me == Some(m.id), representative: true, admin: false }} />
                    <MembershipPanel member={m.clone()} token={token.clone()} changed={saved}
                        viewer={Viewer { own: me == Some(m.id), admin: false, represents: represents.clone() }} />
                </div>
            }
        </section>
    }
}
