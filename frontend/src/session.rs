//! Who is signed in. The access token lives only in memory; the refresh token is an HttpOnly
//! cookie the script never sees, used once at start to resume the session.

use b2mms_shared::Role;
use b2mms_shared::api::{Member, TokenResponse};
use yew::prelude::*;

use crate::api;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token: String,
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

pub type AuthHandle = UseStateHandle<Auth>;

/// The current authentication state and its setter.
#[hook]
pub fn use_auth() -> AuthHandle {
    use_context::<AuthHandle>().expect("SessionProvider is above every page")
}

/// Builds a session from a token answer, loading the record when the token allows it.
pub async fn establish(account: String, token: TokenResponse) -> Result<Session, api::ApiError> {
    let me = if token.must_change_password {
        None
    } else {
        Some(api::me(&token.access_token).await?)
    };
    Ok(Session {
        account: me
            .as_ref()
            .and_then(|m| m.account_name.clone())
            .unwrap_or(account),
        token: token.access_token,
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
    let auth = use_state(|| Auth::Resuming);
    {
        let auth = auth.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let resumed = match api::refresh().await {
                    Ok(token) => establish(String::new(), token).await.ok(),
                    Err(_) => None,
                };
                auth.set(resumed.map_or(Auth::SignedOut, |s| Auth::SignedIn(Box::new(s))));
            });
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
