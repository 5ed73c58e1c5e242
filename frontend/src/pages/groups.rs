//! Groups: the ones I am in (and leave), the ones I can join or apply to, my applications,
//! and for the managers of a group its waiting applications to approve or reject; admins
//! also make groups and appoint managers.

use b2mms_shared::api::{Group, GroupApplication, NewGroup};
use b2mms_shared::{ApplicationState, JoinPolicy, access};
use yew::prelude::*;

use crate::action::{ActionButton, Call};
use crate::api::{self, ApiError};
use crate::forms::{Choice, Field};
use crate::session::{Auth, SignInFirst, use_auth};

fn policy(p: JoinPolicy) -> &'static str {
    match p {
        JoinPolicy::Open => "Anyone joins",
        JoinPolicy::Approval => "By application",
        JoinPolicy::Closed => "Managers add people",
    }
}

fn state(s: ApplicationState) -> &'static str {
    match s {
        ApplicationState::Pending => "Waiting for a manager",
        ApplicationState::Approved => "Approved",
        ApplicationState::Rejected => "Rejected",
        ApplicationState::Withdrawn => "Withdrawn",
    }
}

#[function_component(Groups)]
pub fn groups() -> Html {
    let auth = use_auth();
    let list = use_state(|| None::<Vec<Group>>);
    let mine = use_state(Vec::<GroupApplication>::new);
    let error = use_state(|| None::<String>);
    let reload = use_state(|| 0u32);
    let session = match &*auth {
        Auth::SignedIn(s) => Some((**s).clone()),
        _ => None,
    };
    {
        let (list, mine, error) = (list.clone(), mine.clone(), error.clone());
        let token = session.as_ref().map(|s| s.token.clone());
        use_effect_with((token, *reload), move |(token, _)| {
            if let Some(token) = token.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::groups(&token).await {
                        Ok(g) => list.set(Some(g)),
                        Err(e) => error.set(Some(e.detail)),
                    }
                    if let Ok(a) = api::my_group_applications(&token).await {
                        mine.set(a);
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
    let Some(me) = session.me.clone() else {
        return html! { <p class="loading">{ "Loading…" }</p> };
    };
    let admin = access::administers(&session.roles);
    let changed = {
        let (reload, auth, session) = (reload.clone(), auth.clone(), session.clone());
        Callback::from(move |_| {
            reload.set(*reload + 1);
            // My record lists my groups: read it again.
            let (auth, session) = (auth.clone(), session.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(member) = api::me(&session.token).await {
                    auth.set(Auth::SignedIn(Box::new(crate::session::Session {
                        me: Some(member),
                        ..session
                    })));
                }
            });
        })
    };
    html! {
        <section class="card wide">
            <h1>{ "Groups" }</h1>
            if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            { match &*list {
                None => html! { <p class="loading">{ "Loading…" }</p> },
                Some(groups) => html! {
                    <ul class="groups" data-testid="groups-list">{ for groups.iter().map(|g| {
                        let member = me.groups.contains(&g.name);
                        let manages = admin || g.managers.iter().any(|m| m.id == me.id);
                        let pending = mine.iter().any(|a| a.group_id == g.id && a.state == ApplicationState::Pending);
                        html! {
                            <li data-testid={format!("group-{}", g.name)}>
                                <h2>{ g.name.clone() }</h2>
                                <p>{ g.description.clone() }</p>
                                <p class="hint">{ format!("{} · {} members{}", policy(g.join_policy), g.members,
                                    if g.managers.is_empty() { String::new() } else {
                                        format!(" · managed by {}", g.managers.iter().map(|m| format!("{} {}", m.given_name, m.family_name)).collect::<Vec<_>>().join(", "))
                                    }) }</p>
                                if g.main {
                                    <p>{ "Every active member is in it." }</p>
                                } else if member {
                                    <Leave group={g.clone()} token={session.token.clone()} person={me.id.to_string()} done={changed.clone()} />
                                } else if pending {
                                    <p>{ "You have applied; a manager decides." }</p>
                                } else if g.join_policy == JoinPolicy::Closed {
                                    <p>{ "Ask one of its managers to add you." }</p>
                                } else {
                                    <Join group={g.clone()} token={session.token.clone()} done={changed.clone()} />
                                }
                                if manages && !g.main {
                                    <Queue group={g.clone()} token={session.token.clone()} admin={admin} done={changed.clone()} />
                                }
                            </li>
                        }
                    }) }</ul>
                },
            } }
            if !mine.is_empty() {
                <h2>{ "My applications" }</h2>
                <ul data-testid="my-applications">{ for mine.iter().map(|a| html! {
                    <li>
                        { format!("{}: {}{}", a.group_name, state(a.state), a.decision_reason.as_ref().map(|r| format!(" — {r}")).unwrap_or_default()) }
                        if a.state == ApplicationState::Pending {
                            <ActionButton label="Withdraw" busy_label="Withdrawing…" testid="withdraw-application"
                                confirm={AttrValue::from(format!("Withdraw your application to {}?", a.group_name))}
                                call={decision(session.token.clone(), a.id.to_string(), "withdraw", None, changed.clone())} />
                        }
                    </li>
                }) }</ul>
            }
            if admin { <NewGroupForm token={session.token.clone()} done={changed.clone()} /> }
        </section>
    }
}

/// A call that approves, rejects (with a reason) or withdraws an application, then reloads.
fn decision(
    token: String,
    id: String,
    step: &'static str,
    reason: Option<UseStateHandle<String>>,
    done: Callback<()>,
) -> Call {
    Call::new(move || {
        let (token, id, done) = (token.clone(), id.clone(), done.clone());
        let reason = reason.as_ref().map(|r| (**r).trim().to_owned());
        async move {
            if reason.as_ref().is_some_and(String::is_empty) {
                return Err(ApiError::refused("Say why, for the applicant."));
            }
            api::decide_group_application(&token, &id, step, reason).await?;
            done.emit(());
            Ok(())
        }
    })
}

#[derive(Properties, PartialEq)]
struct GroupProps {
    group: Group,
    token: String,
    done: Callback<()>,
}

/// Joining an open group, or applying to an approval group with a reason.
#[function_component(Join)]
fn join(props: &GroupProps) -> Html {
    let reason = use_state(String::new);
    let open = props.group.join_policy == JoinPolicy::Open;
    let call = {
        let (token, id, reason, done) = (
            props.token.clone(),
            props.group.id.to_string(),
            reason.clone(),
            props.done.clone(),
        );
        Call::new(move || {
            let (token, id, done, reason) = (
                token.clone(),
                id.clone(),
                done.clone(),
                (*reason).trim().to_owned(),
            );
            async move {
                if !open && reason.is_empty() {
                    return Err(ApiError::refused(
                        "Say why you need the group; its managers read it.",
                    ));
                }
                api::apply_to_group(&token, &id, reason).await?;
                done.emit(());
                Ok(())
            }
        })
    };
    html! {
        <div class="join">
            if !open {
                <Field id={format!("reason_{}", props.group.name)} label="Why you need it" value={(*reason).clone()}
                    oninput={let r = reason.clone(); Callback::from(move |v| r.set(v))} />
            }
            <ActionButton label={if open { "Join" } else { "Apply" }} busy_label="Sending…" {call}
                testid={if open { "join-group" } else { "apply-group" }} secondary={false} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LeaveProps {
    group: Group,
    token: String,
    person: String,
    done: Callback<()>,
}

#[function_component(Leave)]
fn leave(props: &LeaveProps) -> Html {
    let call = {
        let (token, id, person, done) = (
            props.token.clone(),
            props.group.id.to_string(),
            props.person.clone(),
            props.done.clone(),
        );
        Call::new(move || {
            let (token, id, person, done) =
                (token.clone(), id.clone(), person.clone(), done.clone());
            async move {
                api::leave_group(&token, &id, &person).await?;
                done.emit(());
                Ok(())
            }
        })
    };
    let question = match props.group.join_policy {
        JoinPolicy::Open => format!(
            "Leave {}? You can join again at any time.",
            props.group.name
        ),
        JoinPolicy::Approval => format!(
            "Leave {}? Coming back needs a new application.",
            props.group.name
        ),
        JoinPolicy::Closed => format!(
            "Leave {}? Only a manager can add you again.",
            props.group.name
        ),
    };
    html! {
        <p>{ "You are in this group. " }
            <ActionButton label="Leave" busy_label="Leaving…" {call} confirm={AttrValue::from(question)}
                confirm_label="Yes, leave" testid="leave-group" />
        </p>
    }
}

#[derive(Properties, PartialEq)]
struct QueueProps {
    group: Group,
    token: String,
    admin: bool,
    done: Callback<()>,
}

/// The waiting applications of a group its manager decides, and (admins) appointing a manager.
#[function_component(Queue)]
fn queue(props: &QueueProps) -> Html {
    let waiting = use_state(Vec::<GroupApplication>::new);
    let reason = use_state(String::new);
    let manager = use_state(String::new);
    {
        let (waiting, token, id) = (
            waiting.clone(),
            props.token.clone(),
            props.group.id.to_string(),
        );
        use_effect_with((id.clone(), props.group.members), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(page) = api::group_applications(&token, &id).await {
                    waiting.set(page.items);
                }
            });
        });
    }
    let appoint = {
        let (token, id, manager, done) = (
            props.token.clone(),
            props.group.id.to_string(),
            manager.clone(),
            props.done.clone(),
        );
        Call::new(move || {
            let (token, id, done, account) = (
                token.clone(),
                id.clone(),
                done.clone(),
                (*manager).trim().to_lowercase(),
            );
            async move {
                let query =
                    serde_urlencoded::to_string([("q", account.as_str())]).unwrap_or_default();
                let found = api::people(&token, &query).await?;
                let person = found
                    .items
                    .iter()
                    .find(|p| p.account_name.as_deref() == Some(account.as_str()))
                    .ok_or_else(|| ApiError::refused("No member has this account name."))?;
                api::appoint_manager(&token, &id, person.id).await?;
                done.emit(());
                Ok(())
            }
        })
    };
    html! {
        <div class="queue" data-testid={format!("queue-{}", props.group.name)}>
            if waiting.is_empty() {
                <p class="hint">{ "No application waits." }</p>
            }
            <ul>{ for waiting.iter().map(|a| html! {
                <li>
                    { format!("{} {}: {}", a.applicant.given_name, a.applicant.family_name, a.reason) }
                    <ActionButton label="Approve" busy_label="Approving…" testid="approve-application" secondary={false}
                        confirm={AttrValue::from(format!("{} {} joins {} and is told so.", a.applicant.given_name, a.applicant.family_name, a.group_name))}
                        confirm_label="Yes, approve"
                        call={decision(props.token.clone(), a.id.to_string(), "approve", None, props.done.clone())} />
                    <Field id={format!("reject_{}", a.id)} label="Reason for a rejection" value={(*reason).clone()}
                        oninput={let r = reason.clone(); Callback::from(move |v| r.set(v))} />
                    <ActionButton label="Reject" busy_label="Rejecting…" testid="reject-application"
                        confirm={AttrValue::from(format!("Reject the application of {} {}? They are told the reason.", a.applicant.given_name, a.applicant.family_name))}
                        confirm_label="Yes, reject"
                        call={decision(props.token.clone(), a.id.to_string(), "reject", Some(reason.clone()), props.done.clone())} />
                </li>
            }) }</ul>
            if props.admin {
                <Field id={format!("manager_{}", props.group.name)} label="Appoint a manager (account name)" value={(*manager).clone()}
                    oninput={let m = manager.clone(); Callback::from(move |v| m.set(v))} />
                <ActionButton label="Appoint" busy_label="Appointing…" call={appoint} testid="appoint-manager" />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NewGroupProps {
    token: String,
    done: Callback<()>,
}

#[function_component(NewGroupForm)]
fn new_group_form(props: &NewGroupProps) -> Html {
    let name = use_state(String::new);
    let description = use_state(String::new);
    let join = use_state(|| JoinPolicy::Approval.as_str().to_owned());
    let call = {
        let (token, name, description, join, done) = (
            props.token.clone(),
            name.clone(),
            description.clone(),
            join.clone(),
            props.done.clone(),
        );
        Call::new(move || {
            let (token, done) = (token.clone(), done.clone());
            let body = JoinPolicy::parse(&join).map(|join_policy| NewGroup {
                name: (*name).trim().to_owned(),
                description: (*description).trim().to_owned(),
                join_policy,
            });
            async move {
                let body =
                    body.ok_or_else(|| ApiError::refused("Choose how the group is joined."))?;
                api::create_group(&token, &body).await?;
                done.emit(());
                Ok(())
            }
        })
    };
    html! {
        <details class="action-form" data-testid="new-group">
            <summary>{ "Make a group" }</summary>
            <Field id="group_name" label="Name" value={(*name).clone()} oninput={let n = name.clone(); Callback::from(move |v| n.set(v))}
                hint={Some(AttrValue::Static("Letters, digits, - and _, e.g. NAF."))} />
            <Field id="group_description" label="Description" value={(*description).clone()}
                oninput={let d = description.clone(); Callback::from(move |v| d.set(v))} />
            <Choice id="group_policy" label="Joined" value={(*join).clone()}
                options={JoinPolicy::ALL.iter().map(|p| (p.as_str().to_owned(), policy(*p).to_owned())).collect::<Vec<_>>()}
                onchange={let j = join.clone(); Callback::from(move |v| j.set(v))} />
            <ActionButton label="Make the group" busy_label="Making…" {call} testid="create-group" secondary={false} />
        </details>
    }
}
