//! The texts b2mms sends. Plain text, short, each saying what happened and what to do next.

use chrono::{DateTime, NaiveDate, Utc};

/// A message ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub body: String,
}

const SIGNATURE: &str = "\n-- \nb2mms, the collaboration's membership management\n";

fn mail(subject: String, body: String) -> Mail {
    Mail {
        subject,
        body: format!("{body}{SIGNATURE}"),
    }
}

pub fn invitation(
    institution: &str,
    username: &str,
    password: &str,
    expires_at: DateTime<Utc>,
    portal: &str,
) -> Mail {
    mail(
        format!("Invitation to register with {institution}"),
        format!(
            "You have been invited by the institutional representative of {institution} to register as a member of the collaboration.\n\n\
             Sign in to the registration portal with these temporary login details:\n\n  \
             Portal:   {portal}\n  Username: {username}\n  Password: {password}\n\n\
             They are valid until {} and only for the registration portal: they are not the credentials of your future account.\n",
            expires_at.format("%Y-%m-%d %H:%M UTC")
        ),
    )
}

pub fn submitted_to_ir(applicant: &str, account: &str, category: &str, link: &str) -> Mail {
    mail(
        format!("Registration request of {applicant} awaits your approval"),
        format!(
            "{applicant} asks to become a member of the collaboration with your institution as home.\n\n  \
             Desired account name: {account}\n  Category: {category}\n\n\
             Please approve or reject the request: {link}\n"
        ),
    )
}

pub fn needs_ib(applicant: &str, institution: &str, link: &str) -> Mail {
    mail(
        format!("Registration of {applicant} as permanent physicist awaits the IB"),
        format!(
            "The representative of {institution} approved the registration of {applicant} as \"Physicist – permanent/staff\". \
             This category needs the approval of the Institutional Board.\n\nPlease decide: {link}\n"
        ),
    )
}

pub fn awaiting_ib_to_applicant(account: &str) -> Mail {
    mail(
        "Your registration awaits the Institutional Board".into(),
        format!(
            "Your institutional representative approved your registration (account name {account}). \
             As a permanent physicist you also need the approval of the Institutional Board; you will hear from us.\n"
        ),
    )
}

pub fn approved_to_applicant(account: &str) -> Mail {
    mail(
        "Your registration was approved".into(),
        format!(
            "Your registration was approved (account name {account}). \
             You will receive another message as soon as your account is ready.\n"
        ),
    )
}

pub fn provisioning_failed_to_admins(applicant: &str, error: &str, link: &str) -> Mail {
    mail(
        format!("The account of {applicant} could not be created"),
        format!(
            "The approved registration of {applicant} could not be turned into an account, and \
             retrying will not help: {error}\n\nOpen the request to retry it (possibly linking the \
             existing person) or reject it:\n{link}\n"
        ),
    )
}

pub fn rejected_to_applicant(reason: &str) -> Mail {
    mail(
        "Your registration was not approved".into(),
        format!(
            "Your registration request was rejected for this reason:\n\n  {reason}\n\n\
             If you think this is a mistake, contact the representative of your institution.\n"
        ),
    )
}

pub fn withdrawn_to_ir(applicant: &str) -> Mail {
    mail(
        format!("{applicant} withdrew their registration request"),
        format!(
            "{applicant} withdrew their registration request; nothing more is needed from you.\n"
        ),
    )
}

pub fn account_ready(account: &str, registry_email: &str, login: &str) -> Mail {
    mail(
        "Your account is ready".into(),
        format!(
            "Welcome to the collaboration! Your account has been created.\n\n  \
             Account name: {account}\n  Collaboration address: {registry_email}\n\n\
             Sign in at {login} with your account name and the initial password you chose when registering; \
             you will be asked to set a new password right away.\n"
        ),
    )
}

pub fn reminder_to_ir(applicant: &str, days: i64, link: &str) -> Mail {
    mail(
        format!("Reminder: registration of {applicant} waits for you"),
        format!(
            "The registration request of {applicant} has been waiting for your decision for {days} working days.\n\n\
             Please approve or reject it: {link}\n"
        ),
    )
}

pub fn reminder_to_admins(applicant: &str, institution: &str, days: i64, link: &str) -> Mail {
    mail(
        format!("Registration of {applicant} stuck for {days} working days"),
        format!(
            "The registration request of {applicant} (home: {institution}) has waited {days} working days without a decision.\n\n\
             Please look into it: {link}\n"
        ),
    )
}

pub fn password_reset(account: &str, link: &str) -> Mail {
    mail(
        "Reset your password".into(),
        format!(
            "Someone (hopefully you) asked to reset the password of the account {account}.\n\n\
             Set a new password here within the next hour: {link}\n\n\
             If you did not ask for this, ignore this message; your password stays as it is.\n"
        ),
    )
}

/// The first password of an account made by an import.
pub fn set_password(account: &str, link: &str, days: i64) -> Mail {
    mail(
        "Choose the password of your collaboration account".into(),
        format!(
            "Your membership of the collaboration is now kept in b2mms, with the account {account}.\n\n\
             Choose its password here within {days} days: {link}\n\n\
             If the link has expired, ask for a new one with \"Lost password\" on the sign-in page.\n"
        ),
    )
}

pub fn confirm_email(account: &str, link: &str) -> Mail {
    mail(
        "Confirm your new contact address".into(),
        format!(
            "The account {account} asked to use this address as its contact address.\n\n\
             Confirm it here within a day: {link}\n\n\
             If you did not ask for this, ignore this message; nothing changes.\n"
        ),
    )
}

pub fn email_changed(account: &str, new_address: &str) -> Mail {
    mail(
        "Your contact address was changed".into(),
        format!(
            "The contact address of the account {account} is now {new_address}; mail from the \
             collaboration goes there from now on.\n\n\
             If you did not do this, tell the secretariat at once.\n"
        ),
    )
}

pub fn password_expires(account: &str, days: i64, expires: DateTime<Utc>, link: &str) -> Mail {
    mail(
        format!("Your password expires in {days} day(s)"),
        format!(
            "The password of your account {account} expires on {}. \
             Set a new one before then: {link}\n\nAfter it expires, signing in only lets you set a new password.\n",
            expires.format("%Y-%m-%d")
        ),
    )
}

/// A membership's end is near (`days` left; 0 on the day) — to the member and their IRs.
pub fn membership_ends(
    person: &str,
    institution: &str,
    days: i64,
    end: NaiveDate,
    account_closes: NaiveDate,
    link: &str,
) -> Mail {
    let when = match days {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        n => format!("in {n} days"),
    };
    mail(
        format!("The membership of {person} ends {when}"),
        format!(
            "The membership of {person} at {institution} ends on {end}. \
             The account stays open until {account_closes} and is then disabled.\n\n\
             To continue the membership, a representative of {institution} extends its end \
             date before then: {link}\n"
        ),
    )
}

/// A person leaves (or has left) the collaboration — to the person.
pub fn leaving(account: &str, date: NaiveDate, account_closes: NaiveDate) -> Mail {
    mail(
        "Your membership ends".into(),
        format!(
            "Your membership in the collaboration ends on {date}, as recorded by your institution. \
             Your account {account} stays open until {account_closes} and is then disabled; \
             your record is kept. Should you return, your institution's representative \
             reactivates it — please never register again.\n"
        ),
    )
}

/// A membership is active again — to the person.
pub fn reactivated(account: &str, institution: &str, password_change: bool, link: &str) -> Mail {
    let password = if password_change {
        " Your password is older than the collaboration allows: set a new one when you sign in."
    } else {
        ""
    };
    mail(
        "Your membership is active again".into(),
        format!(
            "Your membership at {institution} is active again, with your account {account}.{password}\n\nSign in: {link}\n"
        ),
    )
}

/// Someone asks to move a person to an institution — to that institution's IRs.
pub fn transfer_requested(person: &str, from: &str, to: &str, date: NaiveDate, link: &str) -> Mail {
    mail(
        format!("{person} asks to move to {to}"),
        format!(
            "{person}, now at {from}, is to move to {to} on {date}. As a representative of {to}, \
             approve or reject it: {link}\n"
        ),
    )
}

/// A change of institution was decided — to the person, whoever asked and the old IRs.
pub fn transfer_decided(
    person: &str,
    from: &str,
    to: &str,
    date: NaiveDate,
    rejected_because: Option<&str>,
) -> Mail {
    match rejected_because {
        None => mail(
            format!("{person} moves to {to}"),
            format!(
                "The move of {person} from {from} to {to} was approved: from {date} on, {to} is \
                 the home institution. The history keeps the period at {from}.\n"
            ),
        ),
        Some(reason) => mail(
            format!("The move of {person} to {to} was rejected"),
            format!(
                "The move of {person} from {from} to {to} on {date} was rejected by {to}: \
                 {reason}\n"
            ),
        ),
    }
}

/// An expired or departed person asks to be a member again — to the IRs of their last
/// institution.
pub fn reactivation_asked(person: &str, account: &str, institution: &str, link: &str) -> Mail {
    mail(
        format!("{person} asks to be reactivated"),
        format!(
            "{person} (account {account}), whose membership at {institution} has ended, asks to \
             be a member again. A representative of the new home institution reactivates the \
             record — no new registration is needed: {link}\n"
        ),
    )
}

/// Someone applies to a group — to its managers.
pub fn group_application(applicant: &str, group: &str, reason: &str, link: &str) -> Mail {
    mail(
        format!("{applicant} applies to join {group}"),
        format!(
            "{applicant} applies to join the group {group}:\n\n  {reason}\n\nAs a manager of \
             {group}, approve or reject the application in b2mms: {link}\n"
        ),
    )
}

/// An application was decided — to the applicant.
pub fn group_decided(group: &str, rejected_because: Option<&str>) -> Mail {
    match rejected_because {
        None => mail(
            format!("You are now in {group}"),
            format!("Your application to join the group {group} was approved.\n"),
        ),
        Some(reason) => mail(
            format!("Your application to {group} was rejected"),
            format!("Your application to join the group {group} was rejected: {reason}\n"),
        ),
    }
}

/// A manager added or removed someone — to that person.
pub fn group_changed(group: &str, added: bool) -> Mail {
    if added {
        mail(
            format!("You are now in {group}"),
            format!("A manager of the group {group} added you to it.\n"),
        )
    } else {
        mail(
            format!("You are no longer in {group}"),
            format!("A manager of the group {group} removed you from it.\n"),
        )
    }
}

/// An author list went to review — to the representatives of each institution on it.
pub fn author_list_review(title: &str, institution: &str, authors: usize, link: &str) -> Mail {
    mail(
        format!("Author list for review: {title}"),
        format!(
            "The author list of the paper \"{title}\" is under review. {institution} has \
             {authors} authors on it. As a representative of {institution}, check its section \
             (names as printed, affiliations, name and address of the institution) and sign it \
             off, or correct the records (the list follows them until it is frozen): {link}\n"
        ),
    )
}

/// To an elector who has not voted, a day before the vote closes.
pub fn election_reminder(title: &str, closes_at: DateTime<Utc>, link: &str) -> Mail {
    mail(
        format!("Your vote is still open: {title}"),
        format!(
            "The vote \"{title}\" closes at {} (UTC) and no ballot has been cast for you yet. \
             Vote here: {link}\n",
            closes_at.format("%Y-%m-%d %H:%M")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_names_everything_needed() {
        let m = invitation(
            "KEK",
            "inv-abc",
            "s3cret",
            Utc::now(),
            "https://b2mms.example/register/invitation",
        );
        assert!(m.subject.contains("KEK"));
        for part in [
            "inv-abc",
            "s3cret",
            "https://b2mms.example/register/invitation",
        ] {
            assert!(m.body.contains(part), "{part}");
        }
    }
}
