//! One module per page.

#[cfg(feature = "staff")]
pub mod admin;
#[cfg(feature = "staff")]
pub mod author_lists;
pub mod change_password;
pub mod confirm_email;
pub mod elections;
pub mod groups;
pub mod home;
#[cfg(feature = "staff")]
pub mod invitations;
pub mod login;
#[cfg(feature = "staff")]
pub mod mail_queue;
#[cfg(feature = "staff")]
pub mod mailing_lists;
#[cfg(feature = "staff")]
pub mod member_record;
#[cfg(feature = "staff")]
pub mod members;
pub mod my_authorship;
pub mod my_mailing_lists;
pub mod not_found;
pub mod password_reset;
pub mod register;
pub mod registration_form;
pub mod registration_status;
#[cfg(feature = "staff")]
pub mod requests;
#[cfg(not(feature = "staff"))]
pub mod staff_build;
pub mod statistics;
#[cfg(feature = "staff")]
pub mod transfers;

use yew::prelude::*;

/// Puts a text on the clipboard.
pub fn copy_button(text: String) -> Html {
    let onclick = Callback::from(move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
    });
    html! { <button type="button" class="secondary suggestion" {onclick}>{ "Copy" }</button> }
}

/// A time as people read it in lists: date and minutes, UTC.
pub fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Timelike;
    format!("{} {:02}:{:02} UTC", t.date_naive(), t.hour(), t.minute())
}
