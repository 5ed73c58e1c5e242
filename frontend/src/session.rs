//! Who is signed in. The access token lives only in memory; the refresh token is an HttpOnly
//! cookie the script never sees, used once at start to resume the session.

use b2mms_shared::Role;
use b2mms_shared::api::{Member, TokenResponse};
use yew::prelude::*;
use yew_router::prelude::use_location;

use crate::api;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token: String,
    /// Seconds the token lives; it is refreshed a minute before.
    pub expires_in: i64,
    pub account: String,
    pub roles: Vec<Role>,
    pub must_change_password: bool,
    pub me: Option<Member>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// Trying to resume a session.
    Resuming,
    SignedOut,
    SignedIn(Box<Session>),
}

/// Changes to who is signed in.
pub enum AuthAction {
    /// A sign-in, sign-out or new token: always applies.
    Set(Auth),
    /// The outcome of resuming at start: applies only if nothing happened meanwhile, so that a
    /// slow resume never undoes a sign-in.
    Resumed(Auth),
}

impl Reducible for Auth {
    type Action = AuthAction;

    fn reduce(self: std::rc::Rc<Self>, action: AuthAction) -> std::rc::Rc<Self> {
        match action {
            AuthAction::Set(next) => next.into(),
            AuthAction::Resumed(next) if matches!(*self, Auth::Resuming) => next.into(),
            AuthAction::Resumed(_) => self,
        }
    }
}

/// The shared authentication state: read it like an `Auth`, change it with `set`.
#[derive(Clone, PartialEq)]
pub struct AuthHandle(UseReducerHandle<Auth>);

impl AuthHandle {
    /// A sign-in that loads the staff build (see `builds`) leaves the pages waiting as while
    /// resuming, since the session resumes there.
    pub fn set(&self, next: Auth) {
        let next = if switches_build(&next) {
            Auth::Resuming
        } else {
            next
        };
        self.0.dispatch(AuthAction::Set(next));
    }

    fn resumed(&self, next: Auth) {
        if !switches_build(&next) {
            self.0.dispatch(AuthAction::Resumed(next));
        }
    }
}

/// Whether a sign-in reloads the app into the other build.
fn switches_build(next: &Auth) -> bool {
    matches!(next, Auth::SignedIn(s) if crate::builds::signed_in_as(&s.roles))
}

impl std::ops::Deref for AuthHandle {
    type Target = Auth;

    fn deref(&self) -> &Auth {
        &self.0
    }
}

/// The current authentication state and its setter.
#[hook]
pub fn use_auth() -> AuthHandle {
    use_context::<AuthHandle>().expect("SessionProvider is above every page")
}

/// Builds a session from a token answer, loading the record when the token allows it.
pub async fn establish(token: TokenResponse) -> Result<Session, api::ApiError> {
    let me = if token.must_change_password {
        None
    } else {
        Some(api::me(&token.access_token).await?)
    };
    Ok(Session {
        account: token.account,
        token: token.access_token,
        expires_in: token.expires_in,
        roles: token.roles,
        must_change_password: token.must_change_password,
        me,
    })
}

#[derive(Properties, PartialEq)]
pub struct ProviderProps {
    pub children: Html,
}

#[function_component(SessionProvider)]
pub fn session_provider(props: &ProviderProps) -> Html {
    let auth = AuthHandle(use_reducer(|| Auth::Resuming));
    {
        let auth = auth.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let resumed = match api::refresh().await {
                    Ok(token) => establish(token).await.ok(),
                    Err(_) => None,
                };
                auth.resumed(resumed.map_or(Auth::SignedOut, |s| Auth::SignedIn(Box::new(s))));
            });
        });
    }
    // Keep the session alive: a new access token a minute before the old one expires, from the
    // HttpOnly refresh cookie. If that fails the session has ended.
    {
        let auth = auth.clone();
        let current = match &*auth {
            Auth::SignedIn(s) => Some((s.token.clone(), s.expires_in)),
            _ => None,
        };
        use_effect_with(current, move |current| {
            let alive = std::rc::Rc::new(std::cell::Cell::new(true));
            if let Some((_, expires_in)) = current.clone() {
                let still = alive.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let wait = (expires_in - 60).max(20) as u32 * 1000;
                    gloo_timers::future::TimeoutFuture::new(wait).await;
                    if !still.get() {
                        return;
                    }
                    let Auth::SignedIn(session) = &*auth else {
                        return;
                    };
                    match api::refresh().await {
                        Ok(token) => {
                            let mut next = (**session).clone();
                            next.token = token.access_token;
                            next.expires_in = token.expires_in;
                            next.must_change_password = token.must_change_password;
                            auth.set(Auth::SignedIn(Box::new(next)));
                        }
                        Err(_) => auth.set(Auth::SignedOut),
                    }
                });
            }
            move || alive.set(false)
        });
    }
    html! {
        <ContextProvider<AuthHandle> context={auth}>
            { props.children.clone() }
        </ContextProvider<AuthHandle>>
    }
}

/// An applicant's access to their registration request (from an invitation or certificate
/// login), kept for this browser tab so that a reload does not lose it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Applicant {
    pub token: String,
    pub registration_id: String,
}

const APPLICANT_KEY: &str = "b2mms.applicant";

pub fn load_applicant() -> Option<Applicant> {
    use gloo_storage::Storage;
    gloo_storage::SessionStorage::get(APPLICANT_KEY).ok()
}

pub fn save_applicant(applicant: &Applicant) {
    use gloo_storage::Storage;
    let _ = gloo_storage::SessionStorage::set(APPLICANT_KEY, applicant);
}

pub fn forget_applicant() {
    use gloo_storage::Storage;
    gloo_storage::SessionStorage::delete(APPLICANT_KEY);
}

thread_local! {
    static FLASH: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// A message for the next page to show once (e.g. after submitting the form).
pub fn set_flash(message: String) {
    FLASH.with(|f| *f.borrow_mut() = Some(message));
}

pub fn take_flash() -> Option<String> {
    FLASH.with(|f| f.borrow_mut().take())
}

const RETURN_KEY: &str = "b2mms.return_to";

/// Remembers where to come back to after signing in.
pub fn remember_return(path: &str) {
    use gloo_storage::Storage;
    if path != "/login" {
        let _ = gloo_storage::SessionStorage::set(RETURN_KEY, path);
    }
}

/// Where to go after signing in (and forgets it).
pub fn take_return() -> Option<String> {
    use gloo_storage::Storage;
    let path: Option<String> = gloo_storage::SessionStorage::get(RETURN_KEY).ok();
    gloo_storage::SessionStorage::delete(RETURN_KEY);
    path.filter(|p| p.starts_with('/') && !p.starts_with("//"))
}

/// For pages that need a session: go to sign-in, and come back here afterwards.
#[function_component(SignInFirst)]
pub fn sign_in_first() -> Html {
    let location = use_location();
    if let Some(l) = location {
        remember_return(l.path());
    }
    html! { <yew_router::prelude::Redirect<crate::Route> to={crate::Route::Login} /> }
}
