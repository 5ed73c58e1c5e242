//! The web app's addresses that b2mms mails to people, written once: the server builds the
//! links in its mails with these paths and the web app's routes answer them (a browser test
//! opens every mailed link).

use std::fmt::Display;

/// Where an invitee signs in with the temporary credentials of the invitation mail.
pub const REGISTER_WITH_INVITATION: &str = "/register/invitation";

/// The sign-in page.
pub const SIGN_IN: &str = "/login";

/// Where a signed-in person sets a new password.
pub const CHANGE_PASSWORD: &str = "/password";

/// Where a person sets a new password with the one-time token of a reset mail.
pub const RESET_PASSWORD: &str = "/reset-password";

/// Where a person confirms a new contact address with the token mailed to it.
pub const CONFIRM_EMAIL: &str = "/email/confirm";

/// The confirmation page with its one-time token.
pub fn confirm_email(token: &str) -> String {
    format!("{CONFIRM_EMAIL}?token={token}")
}

/// One registration request, as those who decide on it see it.
pub fn request(id: impl Display) -> String {
    format!("/requests/{id}")
}

/// Changes of institution waiting for a decision, for the representatives who decide.
pub const TRANSFERS: &str = "/transfers";

/// One person's record, with its membership periods, affiliations and changes of institution.
pub fn member(id: impl Display) -> String {
    format!("/members/{id}")
}

/// One election, where its electors vote.
pub fn election(id: impl Display) -> String {
    format!("/elections/{id}")
}

/// One author list, where representatives sign their institutions' sections off.
pub fn author_list(id: impl Display) -> String {
    format!("/author-lists/{id}")
}

/// The reset page with its one-time token.
pub fn reset_password(token: &str) -> String {
    format!("{RESET_PASSWORD}?token={token}")
}

/// A path of the web app as an absolute link under the public base address.
pub fn absolute(public_url: &str, path: &str) -> String {
    format!("{}{path}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_join_the_base_without_doubled_slashes() {
        assert_eq!(
            absolute("https://b2mms.example/", &request("abc")),
            "https://b2mms.example/requests/abc"
        );
        assert_eq!(
            absolute("https://b2mms.example", &reset_password("t0k")),
            "https://b2mms.example/reset-password?token=t0k"
        );
    }
}
