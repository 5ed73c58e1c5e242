//! The app ships as two builds of this crate: the member build (applicants and members; small,
//! what every visitor loads first) and the staff build (feature `staff`: every page, for people
//! who hold a role). The start script loads the build a flag in local storage names; the member
//! build sets that flag and reloads when someone with a role signs in or a staff page is opened,
//! and the staff build clears it when someone without a role signs in.

use b2mms_shared::{Role, access};

/// Whether this is the staff build.
pub const STAFF: bool = cfg!(feature = "staff");

/// The local-storage key the start script reads (see `xtask`).
const KEY: &str = "b2mms.build";

/// Names the build to load next time, as the plain string the start script compares; false
/// when the browser keeps no local storage.
fn remember(staff: bool) -> bool {
    let value = if staff { "staff" } else { "member" };
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return false;
    };
    storage.set_item(KEY, value).is_ok()
        && storage.get_item(KEY).ok().flatten().as_deref() == Some(value)
}

/// Replaces the member build by the staff build at the address the app shows once the current
/// event is handled (a sign-in first moves to the page it leads to). False (and nothing
/// happens) when the browser keeps no local storage, so that a reload can never repeat.
pub fn load_staff() -> bool {
    if STAFF || !remember(true) {
        return false;
    }
    gloo_timers::callback::Timeout::new(0, || {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    })
    .forget();
    true
}

/// Called as someone signs in: true when this build is about to be replaced by the staff build
/// (the session resumes there from the refresh cookie), so nothing should render meanwhile.
pub fn signed_in_as(roles: &[Role]) -> bool {
    match (STAFF, access::holds_an_office(roles)) {
        (false, true) => load_staff(),
        (true, false) => {
            remember(false);
            false
        }
        _ => false,
    }
}
