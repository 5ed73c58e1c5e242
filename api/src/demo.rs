//! `b2mms demo`: a small living collaboration to try b2mms with — institutions with their
//! representatives, an IB chair, members, invitations and registration requests in several
//! states, the computing facility's group, mailing lists and an open Institutional Board vote.
//! People, institutions, invitations and decisions go through the same operations as real
//! work, with their audit events and mail.

use b2mms_shared::api::{ApproveRegistration, NewInvitation, NewMember, RejectRegistration};
use b2mms_shared::{Category, IdentityKind, RegistrationState, Role};
use chrono::Duration;

use crate::auth::caller::Caller;
use crate::auth::passwords::hash_blocking;
use crate::domain::policy::{Acting, Subject};
use crate::error::{AppError, AppResult};
use crate::ops::registrations::open_request;
use crate::ops::{decisions, people};
use crate::services::Services;
use crate::store::audit::{self, Actor, Change};
use crate::store::registrations::Submission;
use crate::store::{self, DbConnection, write_tx};

/// The password of every demo account (each must change it at the first sign-in).
pub const PASSWORD: &str = "Demo-Lantern-Orbit-2026";

const INSTITUTIONS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "High Energy Accelerator Research Organization",
        "KEK",
        "Tsukuba",
        "JP",
        Some("01g5y5k24"),
    ),
    (
        "Deutsches Elektronen-Synchrotron",
        "DESY",
        "Hamburg",
        "DE",
        Some("01js2sh04"),
    ),
    ("Nagoya University", "Nagoya", "Nagoya", "JP", None),
    (
        "INFN Sezione di Napoli",
        "INFN Napoli",
        "Napoli",
        "IT",
        None,
    ),
    ("University of Hawaii", "Hawaii", "Honolulu", "US", None),
];

/// (given, family, account, institution short name, category, roles, representative?)
type DemoPerson = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Category,
    &'static [Role],
    bool,
);

const PEOPLE: &[DemoPerson] = &[
    (
        "Mika",
        "Tanaka",
        "mtanaka",
        "KEK",
        Category::PhysicistPermanent,
        &[Role::Admin],
        false,
    ),
    (
        "Ingrid",
        "Bauer",
        "ibauer",
        "DESY",
        Category::PhysicistPermanent,
        &[Role::IbChair],
        false,
    ),
    (
        "Kenji",
        "Sato",
        "ksato",
        "KEK",
        Category::PhysicistPermanent,
        &[],
        true,
    ),
    (
        "Lena",
        "Hoffmann",
        "lhoffman",
        "DESY",
        Category::PhysicistPermanent,
        &[],
        true,
    ),
    (
        "Giulia",
        "Romano",
        "gromano",
        "INFN Napoli",
        Category::PhysicistPermanent,
        &[],
        true,
    ),
    (
        "Haruto",
        "Suzuki",
        "hsuzuki",
        "Nagoya",
        Category::PhdStudent,
        &[],
        false,
    ),
    (
        "Paul",
        "Kealoha",
        "pkealoha",
        "Hawaii",
        Category::PhysicistTemporary,
        &[],
        false,
    ),
    (
        "Yuki",
        "Watanabe",
        "ywatanab",
        "KEK",
        Category::TechnicalStaff,
        &[],
        false,
    ),
];

/// What the demo created, for the command line to print.
#[derive(Debug, Default)]
pub struct Loaded {
    pub accounts: Vec<(String, String)>,
    pub invitation: Option<(String, String)>,
    pub requests: Vec<(String, RegistrationState)>,
}

fn demo_actor(state: &Services) -> Actor {
    Actor::system(state.clock.now())
}

/// A demo person acting on requests, as the operations see a signed-in one.
fn staff(conn: &mut DbConnection, account_name: &str) -> AppResult<Caller> {
    let (account, _) = store::accounts::find_account(conn, account_name)?
        .ok_or_else(|| AppError::Internal(format!("demo account {account_name} missing")))?;
    let (roles, represents) = store::roles::roles_of(conn, &account.person_id)?;
    Ok(Caller::Staff(Subject {
        acting: Acting {
            person_id: account.person_id,
            account_name: account.account_name,
            request_id: None,
        },
        roles,
        represents,
    }))
}

fn approval() -> ApproveRegistration {
    ApproveRegistration {
        comment: None,
        link_person_id: None,
    }
}

/// Mailing lists for everyone and for the representatives (kept in Mailman when it is
/// configured), and an Institutional Board vote that is open now, prepared by the IB chair.
fn lists_and_a_vote(
    conn: &mut DbConnection,
    state: &Services,
    admin: &crate::domain::policy::Admin,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let domain = state.config.mailman_domain.as_deref();
    let at = domain.unwrap_or("lists.example.org");
    for (name, description, audience) in [
        (
            "b2-all",
            "Everyone in the collaboration",
            b2mms_shared::api::Audience::default(),
        ),
        (
            "b2-irs",
            "The institutional representatives",
            b2mms_shared::api::Audience {
                roles: Some(vec![b2mms_shared::AudienceRole::Ir]),
                ..Default::default()
            },
        ),
    ] {
        crate::ops::mailing_lists::create(
            conn,
            admin,
            b2mms_shared::api::NewMailingList {
                name: name.into(),
                address: format!("{name}@{at}"),
                description: description.into(),
                audience,
                extra_addresses: Vec::new(),
                excluded_addresses: Vec::new(),
                subscribe_with: None,
                send_welcome: false,
            },
            domain,
            now,
        )?;
    }
    let Caller::Staff(chair) = staff(conn, "ibauer")? else {
        return Err(AppError::Internal("the demo IB chair is staff".into()));
    };
    let vote = crate::ops::elections::create(
        conn,
        &chair.election_officer()?,
        b2mms_shared::api::NewElection {
            title: "Rules of the Institutional Board".into(),
            description: "Adopt the revised rules of procedure? One ballot per institution, cast by one of its representatives.".into(),
            options: vec!["Adopt".into(), "Reject".into(), "Abstain".into()],
            max_choices: 1,
            electorate: b2mms_shared::api::ElectorateRule::Institutions {
                weight: b2mms_shared::InstitutionWeight::Equal,
            },
            opens_at: now,
            closes_at: now + Duration::days(14),
            quorum: Some(0.5),
        },
        now,
    )?;
    crate::ops::elections::advance(conn, &b2mms_shared::ElectionId::from(vote.id), now)?;
    Ok(())
}

/// Loads the demo into an empty database (refuses when institutions exist).
pub fn load(conn: &mut DbConnection, state: &Services) -> AppResult<Loaded> {
    let (existing, _) = store::institutions::list(conn, 0, 1)?;
    if !existing.is_empty() {
        return Err(AppError::conflict(
            "not_empty",
            "The database already holds institutions; the demo loads only into an empty one (use a new B2MMS_DATABASE_URL).",
        ));
    }
    let now = state.clock.now();
    let mut loaded = Loaded::default();
    let mut ids = std::collections::HashMap::new();
    write_tx(conn, |conn| {
        for (name, short, city, country, ror) in INSTITUTIONS {
            let body = b2mms_shared::api::NewInstitution {
                name: (*name).into(),
                short_name: (*short).into(),
                city: (*city).into(),
                country: (*country).into(),
                ror_id: ror.map(str::to_owned),
                inspire_id: None,
                paper_name: None,
                address: None,
            };
            let created = crate::ops::institutions::create_by_operator(conn, body, now)?;
            ids.insert(*short, b2mms_shared::InstitutionId::from(created.id));
        }
        Ok(())
    })?;
    let institution = |short: &str| -> AppResult<uuid::Uuid> {
        let id = ids
            .get(short)
            .ok_or_else(|| AppError::Internal(format!("demo institution {short}")))?;
        Ok(id.uuid())
    };

    for (given, family, account, short, category, roles, ir) in PEOPLE {
        let body = NewMember {
            given_name: (*given).into(),
            middle_name: None,
            family_name: (*family).into(),
            email: format!(
                "{}.{}@{}.example.org",
                given.to_lowercase(),
                family.to_lowercase(),
                short.to_lowercase().replace(' ', "-")
            ),
            account_name: (*account).into(),
            initial_password: PASSWORD.into(),
            institution_id: institution(short)?,
            category: *category,
        };
        let member = people::create_blocking(conn, state, &body, roles)?;
        if *ir {
            let person = b2mms_shared::PersonId::from(member.id);
            store::institutions::add_representative(conn, &ids[short], &person, now)?;
            audit::record_plain(
                conn,
                &demo_actor(state),
                audit::Event::PersonBecameRepresentative,
                audit::Subject::Person(&person),
            )?;
        }
        let label = match (roles.first(), ir) {
            (Some(Role::Admin), _) => format!("administrator ({short})"),
            (Some(Role::IbChair), _) => format!("IB chair ({short})"),
            (_, true) => format!("IR of {short}"),
            _ => format!("member ({short}, {})", category.label()),
        };
        loaded.accounts.push(((*account).to_owned(), label));
    }

    // The computing facility's group: joined by application, decided by its manager.
    let Caller::Staff(secretariat) = staff(conn, "mtanaka")? else {
        return Err(AppError::Internal("the demo administrator is staff".into()));
    };
    let admin = secretariat.admin()?;
    let naf = crate::ops::groups::create(
        conn,
        &admin,
        b2mms_shared::api::NewGroup {
            name: "NAF".into(),
            description:
                "The National Analysis Facility: apply to use it; active membership is mandatory."
                    .into(),
            join_policy: b2mms_shared::JoinPolicy::Approval,
        },
        &state.config.main_group,
        now,
    )?;
    let manager = store::accounts::find_account(conn, "lhoffman")?
        .map(|(a, _)| a.person_id)
        .ok_or_else(|| AppError::Internal("demo group manager missing".into()))?;
    crate::ops::groups::add_manager(
        conn,
        &admin,
        &b2mms_shared::GroupId::from(naf.id),
        &manager,
        &state.config.main_group,
        now,
    )?;

    // An invitation nobody has used yet, made by KEK's representative (its mail waits in
    // the outbox).
    let username = "inv-demo0001".to_owned();
    let password = "Invite-Demo-Kite-77".to_owned();
    let Caller::Staff(kek_ir) = staff(conn, "ksato")? else {
        return Err(AppError::Internal("the demo IR is staff".into()));
    };
    let draft = crate::ops::invitations::check(
        state,
        &NewInvitation {
            email: "new.colleague@kek.example.org".into(),
            category: Some(Category::PhdStudent),
            given_name: None,
            family_name: None,
            institution_id: ids["KEK"].uuid(),
        },
    )?;
    let credentials = crate::ops::invitations::Credentials {
        username: username.clone(),
        password: password.clone(),
        password_hash: hash_blocking(&password)?,
    };
    write_tx(conn, |conn| {
        crate::ops::invitations::create(
            conn,
            state,
            &kek_ir.representative_of(&ids["KEK"])?,
            draft,
            &credentials,
            now,
        )
    })?;
    loaded.invitation = Some((username, password));

    lists_and_a_vote(conn, state, &admin, now)?;

    // Requests on their way: waiting for the IR, waiting for the IB, rejected, provisioned.
    let applicants: &[(&str, &str, &str, &str, Category, RegistrationState)] = &[
        (
            "Sofia",
            "Esposito",
            "sesposit",
            "INFN Napoli",
            Category::PhdStudent,
            RegistrationState::AwaitingIr,
        ),
        (
            "Takumi",
            "Ito",
            "tito",
            "KEK",
            Category::PhysicistPermanent,
            RegistrationState::AwaitingIb,
        ),
        (
            "Jonas",
            "Becker",
            "jbecker",
            "DESY",
            Category::Student,
            RegistrationState::Rejected,
        ),
        (
            "Aiko",
            "Yamamoto",
            "ayamamot",
            "Nagoya",
            Category::PhdStudent,
            RegistrationState::Provisioned,
        ),
        // Resembles Haruto Suzuki of Nagoya: the IR sees the possible duplicate.
        (
            "Haruto",
            "Suzuki",
            "hsuzuki2",
            "KEK",
            Category::PhdStudent,
            RegistrationState::AwaitingIr,
        ),
    ];
    let hash = hash_blocking(PASSWORD)?;
    for (given, family, account, short, category, target) in applicants {
        let email = format!(
            "{}.{}@{}.example.org",
            given.to_lowercase(),
            family.to_lowercase(),
            short.to_lowercase().replace(' ', "-")
        );
        let home = ids[short].clone();
        let id = write_tx(conn, |conn| {
            let row = open_request(
                conn,
                IdentityKind::Certificate,
                |r| {
                    r.certificate_dn = Some(format!("C=XX, O=Demo Grid, CN={given} {family}"));
                },
                now,
            )?;
            store::registrations::reserve_account_name(conn, account, &row.id, now)?;
            store::registrations::submit(
                conn,
                &row.id,
                &Submission {
                    institution_id: home.clone(),
                    email: email.clone(),
                    given_name: (*given).into(),
                    middle_name: None,
                    family_name: (*family).into(),
                    account_name: (*account).into(),
                    password_hash: hash.clone(),
                    category: *category,
                    orcid: None,
                    existing_account: None,
                    comment: Some("Loaded by b2mms demo".into()),
                },
                now,
            )?;
            audit::record::<(), _>(
                conn,
                &demo_actor(state),
                Change {
                    action: audit::Event::RegistrationSubmitted,
                    subject: audit::Subject::Registration(&row.id),
                    before: None,
                    after: Some(&serde_json::json!({"state": RegistrationState::AwaitingIr})),
                },
            )?;
            // The decisions are taken as the people who take them: the home IR, or an
            // administrator where the institution has no IR.
            match target {
                RegistrationState::AwaitingIb => {
                    let ir = staff(conn, "ksato")?;
                    decisions::approve(conn, state, &ir, &row.id, approval(), now)?;
                }
                RegistrationState::Rejected => {
                    let ir = staff(conn, "lhoffman")?;
                    let reason = "Please register with the institution you work at.".into();
                    decisions::reject(
                        conn,
                        state,
                        &ir,
                        &row.id,
                        RejectRegistration { reason },
                        now,
                    )?;
                }
                RegistrationState::Provisioned => {
                    let admin = staff(conn, "mtanaka")?;
                    decisions::approve(conn, state, &admin, &row.id, approval(), now)?;
                    crate::ops::provisioning::provision(conn, &state.config, &row.id, now)?;
                }
                _ => {}
            }
            Ok(row.id)
        })?;
        loaded.requests.push((
            format!("{given} {family} ({account}) -> {short}: {id}"),
            *target,
        ));
    }
    Ok(loaded)
}
