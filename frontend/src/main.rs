//! The b2mms web frontend: a single-page app that talks only to the public API and explains
//! the collaboration's rules live with the same code the server enforces them with.

mod api;
mod forms;
mod labels;
mod pages;
mod session;

use b2mms_shared::access;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::pages::admin::{AdminAudit, AdminInstitutions, AdminPeople, AdminTokens};
use crate::pages::invitations::Invitations;
use crate::pages::members::InstitutionMembers;
use crate::pages::password_reset::{ForgotPassword, ResetPassword};
use crate::pages::register::{RegisterCertificate, RegisterInvitation};
use crate::pages::registration_form::RegistrationForm;
use crate::pages::registration_status::RegistrationStatus;
use crate::pages::requests::{RequestDetail, Requests};
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
    #[at("/admin/institutions")]
    AdminInstitutions,
    #[at("/admin/people")]
    AdminPeople,
    #[at("/admin/tokens")]
    AdminTokens,
    #[at("/admin/mail")]
    AdminMail,
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
        Route::RegisterInvitation => html! { <RegisterInvitation /> },
        Route::RegisterCertificate => html! { <RegisterCertificate /> },
        Route::RegisterForm => html! { <RegistrationForm /> },
        Route::RegistrationStatus => html! { <RegistrationStatus /> },
        Route::Requests => html! { <Requests /> },
        Route::Request { id } => html! { <RequestDetail {id} /> },
        Route::Invitations => html! { <Invitations /> },
        Route::Members => html! { <InstitutionMembers /> },
        Route::AdminInstitutions => html! { <AdminInstitutions /> },
        Route::AdminPeople => html! { <AdminPeople /> },
        Route::AdminTokens => html! { <AdminTokens /> },
        Route::AdminMail => html! { <crate::pages::mail_queue::MailQueue /> },
        Route::Audit { id } => html! { <AdminAudit {id} /> },
        Route::NotFound => html! { <NotFound /> },
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
                        if decides { <Link<Route> to={Route::Requests}>{ "Requests" }</Link<Route>> }
                        if invites { <Link<Route> to={Route::Invitations}>{ "Invitations" }</Link<Route>> }
                        if access::manages_members(roles) { <Link<Route> to={Route::Members}>{ "Members" }</Link<Route>> }
                        if access::administers(roles) {
                            <Link<Route> to={Route::AdminInstitutions}>{ "Institutions" }</Link<Route>>
                            <Link<Route> to={Route::AdminPeople}>{ "People" }</Link<Route>>
                            <Link<Route> to={Route::AdminTokens}>{ "Tokens" }</Link<Route>>
                            <Link<Route> to={Route::AdminMail}>{ "Mail queue" }</Link<Route>>
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
                <Header />
                <main id="main">
                    <Switch<Route> render={switch} />
                </main>
            </SessionProvider>
        </BrowserRouter>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
