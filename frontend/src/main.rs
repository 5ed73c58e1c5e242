//! The b2mms web frontend: a single-page app that talks only to the public API and explains
//! the collaboration's rules live with the same code the server enforces them with. It is
//! built twice (see `builds`); the member build leaves out the staff pages, and with them code
//! only they use, so there dead code is expected and the staff build is the one linted for it.
#![cfg_attr(not(feature = "staff"), allow(dead_code))]

mod action;
mod api;
mod builds;
#[cfg(feature = "staff")]
mod download;
mod forms;
mod labels;
mod membership;
mod page_focus;
#[cfg(feature = "staff")]
mod pager;
mod pages;
#[cfg(feature = "staff")]
mod people_list;
mod record_editor;
mod session;

use b2mms_shared::access;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::pages::password_reset::{ForgotPassword, ResetPassword};
use crate::pages::register::{RegisterCertificate, RegisterInvitation};
use crate::pages::registration_form::RegistrationForm;
use crate::pages::registration_status::RegistrationStatus;
use crate::pages::{home::Home, login::Login, not_found::NotFound};
use crate::session::{Auth, SessionProvider, use_auth};

/// Every page of the app.
#[derive(Clone, Routable, PartialEq, Debug)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/login")]
    Login,
    #[at("/forgot-password")]
    ForgotPassword,
    #[at("/reset-password")]
    ResetPassword,
    #[at("/password")]
    ChangePassword,
    #[at("/email/confirm")]
    ConfirmEmail,
    #[at("/register/invitation")]
    RegisterInvitation,
    #[at("/register/certificate")]
    RegisterCertificate,
    #[at("/register")]
    RegisterForm,
    #[at("/registration")]
    RegistrationStatus,
    #[at("/requests")]
    Requests,
    #[at("/requests/:id")]
    Request { id: String },
    #[at("/invitations")]
    Invitations,
    #[at("/members")]
    Members,
    #[at("/members/:id")]
    Member { id: String },
    #[at("/transfers")]
    Transfers,
    #[at("/groups")]
    Groups,
    #[at("/statistics")]
    Statistics,
    #[at("/elections")]
    Elections,
    #[at("/elections/:id")]
    Election { id: String },
    #[at("/author-lists")]
    AuthorLists,
    #[at("/author-lists/forecast")]
    AuthorForecast,
    #[at("/author-lists/:id")]
    AuthorList { id: String },
    #[at("/mailing-lists")]
    MailingLists,
    #[at("/mailing-lists/:id")]
    MailingList { id: String },
    #[at("/admin/institutions")]
    AdminInstitutions,
    #[at("/admin/people")]
    AdminPeople,
    #[at("/admin/tokens")]
    AdminTokens,
    #[at("/admin/mail")]
    AdminMail,
    #[at("/admin/audit")]
    AuditTrail,
    #[at("/admin/audit/:id")]
    Audit { id: String },
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Home /> },
        Route::Login => html! { <Login /> },
        Route::ForgotPassword => html! { <ForgotPassword /> },
        Route::ResetPassword => html! { <ResetPassword /> },
        Route::ChangePassword => html! { <crate::pages::change_password::MyPassword /> },
        Route::ConfirmEmail => html! { <crate::pages::confirm_email::ConfirmEmail /> },
        Route::RegisterInvitation => html! { <RegisterInvitation /> },
        Route::RegisterCertificate => html! { <RegisterCertificate /> },
        Route::RegisterForm => html! { <RegistrationForm /> },
        Route::RegistrationStatus => html! { <RegistrationStatus /> },
        Route::Groups => html! { <crate::pages::groups::Groups /> },
        Route::Statistics => html! { <crate::pages::statistics::StatisticsPage /> },
        Route::Elections => html! { <crate::pages::elections::Elections /> },
        Route::Election { id } => html! { <crate::pages::elections::ElectionPage {id} /> },
        Route::NotFound => html! { <NotFound /> },
        staff => staff_page(staff),
    }
}

/// The pages for people who hold a role, in the staff build.
#[cfg(feature = "staff")]
fn staff_page(route: Route) -> Html {
    use crate::pages::admin::{AdminAudit, AdminInstitutions, AdminPeople, AdminTokens};
    use crate::pages::author_lists::{AuthorForecastPage, AuthorListPage, AuthorLists};
    use crate::pages::invitations::Invitations;
    use crate::pages::members::InstitutionMembers;
    use crate::pages::requests::{RequestDetail, Requests};
    match route {
        Route::Requests => html! { <Requests /> },
        Route::Request { id } => html! { <RequestDetail {id} /> },
        Route::Invitations => html! { <Invitations /> },
        Route::Members => html! { <InstitutionMembers /> },
        Route::Member { id } => html! { <crate::pages::member_record::MemberRecord id={id} /> },
        Route::Transfers => html! { <crate::pages::transfers::Transfers /> },
        Route::AdminInstitutions => html! { <AdminInstitutions /> },
        Route::AdminPeople => html! { <AdminPeople /> },
        Route::AdminTokens => html! { <AdminTokens /> },
        Route::AdminMail => html! { <crate::pages::mail_queue::MailQueue /> },
        Route::AuditTrail => html! { <AdminAudit /> },
        Route::Audit { id } => html! { <AdminAudit id={Some(id)} /> },
        Route::AuthorLists => html! { <AuthorLists /> },
        Route::AuthorForecast => html! { <AuthorForecastPage /> },
        Route::AuthorList { id } => html! { <AuthorListPage id={id} /> },
        Route::MailingLists => html! { <crate::pages::mailing_lists::MailingLists /> },
        Route::MailingList { id } => {
            html! { <crate::pages::mailing_lists::MailingListPage {id} /> }
        }
        _ => html! { <NotFound /> },
    }
}

/// In the member build a staff page loads the staff build at the same address.
#[cfg(not(feature = "staff"))]
fn staff_page(_: Route) -> Html {
    html! { <crate::pages::staff_build::LoadStaffBuild /> }
}

/// The requests waiting for the signed-in person, counted afresh on every page.
#[function_component(WaitingCount)]
fn waiting_count() -> Html {
    let auth = use_auth();
    let path = use_location().map(|l| l.path().to_owned());
    let count = use_state(|| 0i64);
    let token = match &*auth {
        Auth::SignedIn(s) if !s.must_change_password => Some(s.token.clone()),
        _ => None,
    };
    {
        let count = count.clone();
        use_effect_with((token, path), move |(token, _)| {
            if let Some(token) = token.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(n) = api::waiting_for_me(&token).await {
                        count.set(n);
                    }
                });
            }
        });
    }
    if *count == 0 {
        return html! {};
    }
    html! {
        <span class="count" data-testid="waiting-count">
            { count.to_string() }<span class="visually-hidden">{ " waiting for you" }</span>
        </span>
    }
}

#[function_component(Header)]
fn header() -> Html {
    let auth = use_auth();
    let navigator = use_navigator();
    let who = match &*auth {
        Auth::SignedIn(session) => {
            let on_logout = {
                let auth = auth.clone();
                let token = session.token.clone();
                Callback::from(move |_| {
                    let (auth, token, navigator) = (auth.clone(), token.clone(), navigator.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        api::logout(&token).await;
                        auth.set(Auth::SignedOut);
                        if let Some(nav) = navigator {
                            nav.push(&Route::Login);
                        }
                    });
                })
            };
            let roles = &session.roles;
            let decides = access::sees_requests(roles);
            let invites = access::invites(roles);
            html! {
                <nav class="who" aria-label="Main">
                    if !session.must_change_password {
                        <Link<Route> to={Route::Home}>{ "My record" }</Link<Route>>
                        if session.me.as_ref().is_none_or(|m| m.status == b2mms_shared::MembershipStatus::Active) {
                            <Link<Route> to={Route::Groups}>{ "Groups" }</Link<Route>>
                            <Link<Route> to={Route::Statistics}>{ "Statistics" }</Link<Route>>
                            <Link<Route> to={Route::Elections}>{ "Votes" }</Link<Route>>
                        }
                        if decides { <Link<Route> to={Route::Requests}>{ "Requests" }<WaitingCount /></Link<Route>> }
                        if invites { <Link<Route> to={Route::Invitations}>{ "Invitations" }</Link<Route>> }
                        if access::manages_members(roles) {
                            <Link<Route> to={Route::Members}>{ "Members" }</Link<Route>>
                            <Link<Route> to={Route::Transfers}>{ "Transfers" }</Link<Route>>
                        }
                        if access::reads_author_lists(roles) {
                            <Link<Route> to={Route::AuthorLists}>{ "Author lists" }</Link<Route>>
                        }
                        if access::administers(roles) {
                            <Link<Route> to={Route::AdminInstitutions}>{ "Institutions" }</Link<Route>>
                            <Link<Route> to={Route::AdminPeople}>{ "People" }</Link<Route>>
                            <Link<Route> to={Route::MailingLists}>{ "Mailing lists" }</Link<Route>>
                            <Link<Route> to={Route::AdminTokens}>{ "Tokens" }</Link<Route>>
                            <Link<Route> to={Route::AdminMail}>{ "Mail queue" }</Link<Route>>
                            <Link<Route> to={Route::AuditTrail}>{ "Audit trail" }</Link<Route>>
                        }
                    }
                    <span data-testid="account">{ session.account.clone() }</span>
                    <button class="secondary" onclick={on_logout}>{ "Sign out" }</button>
                </nav>
            }
        }
        _ => html! {},
    };
    html! {
        <header class="bar">
            <Link<Route> to={Route::Home} classes="brand">{ "b2mms" }</Link<Route>>
            { who }
        </header>
    }
}

#[function_component(App)]
fn app() -> Html {
    html! {
        <BrowserRouter>
            <SessionProvider>
                <a class="skip-link" href="#main" onclick={skip_to_main()}>{ "Skip to content" }</a>
                <Header />
                <main id="main" tabindex="-1">
                    <Switch<Route> render={switch} />
                </main>
                <page_focus::PageFocus />
            </SessionProvider>
        </BrowserRouter>
    }
}

/// The skip link moves the focus into the page without changing the route.
fn skip_to_main() -> Callback<MouseEvent> {
    Callback::from(|e: MouseEvent| {
        e.prevent_default();
        forms::focus("main");
    })
}

fn main() {
    // The placeholder `index.html` shows while the WebAssembly starts.
    if let Some(placeholder) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("loading"))
    {
        placeholder.remove();
    }
    yew::Renderer::<App>::new().render();
}
