//! Mailing lists kept from the records: administrators define them (a name, the list's
//! address, an audience rule, extra and excluded addresses); who is on a list is computed from
//! the records whenever it is asked, never edited by hand. Every change is an audit event.

use std::collections::{BTreeMap, HashMap, HashSet};

use b2mms_shared::api::{
    Audience, ListMembers, ListSubscriber, MailingList, MailingListPatch, MyMailingList,
    NewMailingList,
};
use b2mms_shared::rules::{FieldErrors, RuleViolation, mailing_list, required_text};
use b2mms_shared::{GroupId, InstitutionId, MailingListId, PersonId, SubscribeWith};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::domain::audience::{self, Standing};
use crate::domain::policy::{Admin, MailingListReader, Member};
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, Actor, Change};
use crate::store::models::MailingListRow;
use crate::store::{self, DbConnection, from_db_time, to_db_time};

/// A list's definition as checked: what is stored.
struct Definition {
    name: String,
    address: String,
    description: String,
    audience: Audience,
    extra_addresses: Vec<String>,
    excluded_addresses: Vec<String>,
}

fn json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(format!("encoding JSON: {e}")))
}

fn parsed<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> AppResult<T> {
    serde_json::from_str(text)
        .map_err(|e| AppError::Internal(format!("the stored {what} is not readable: {e}")))
}

/// The stored audience of a list.
pub(crate) fn audience_of(row: &MailingListRow) -> AppResult<Audience> {
    parsed(&row.audience, "audience")
}

fn render(row: &MailingListRow) -> AppResult<MailingList> {
    Ok(MailingList {
        id: row.id.uuid(),
        name: row.name.clone(),
        address: row.address.clone(),
        description: row.description.clone(),
        audience: audience_of(row)?,
        extra_addresses: parsed(&row.extra_addresses, "extra addresses")?,
        excluded_addresses: parsed(&row.excluded_addresses, "excluded addresses")?,
        subscribe_with: row.subscribe_with,
        send_welcome: row.send_welcome,
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
        synced_at: row.synced_at.map(from_db_time),
        sync_error: row.sync_error.clone(),
        sync_failures: row.sync_failures,
    })
}

/// Checks a definition: each field by its rule, the address in the lists' mail domain (when
/// one is configured), the institutions and groups the audience names exist, and no other
/// list has the name or address.
fn check(
    conn: &mut DbConnection,
    definition: Definition,
    except: Option<&MailingListId>,
    domain: Option<&str>,
) -> AppResult<Definition> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", mailing_list::list_name(&definition.name));
    let address = errors.check(
        "address",
        mailing_list::list_address(&definition.address).and_then(|address| match domain {
            Some(domain) if !address.ends_with(&format!("@{}", domain.to_lowercase())) => {
                Err(RuleViolation::new(
                    "address.domain",
                    format!("Lists live at {domain}: use an address there, e.g. b2-all@{domain}."),
                ))
            }
            _ => Ok(address),
        }),
    );
    let description = errors.check(
        "description",
        required_text(&definition.description, 500, "description"),
    );
    let audience = mailing_list::audience(&definition.audience, &mut errors);
    let extra_addresses =
        mailing_list::address_list("extra_addresses", &definition.extra_addresses, &mut errors);
    let excluded_addresses = mailing_list::address_list(
        "excluded_addresses",
        &definition.excluded_addresses,
        &mut errors,
    );
    unknown_records(conn, &audience, &mut errors)?;
    errors.into_result()?;
    let (Some(name), Some(address), Some(description)) = (name, address, description) else {
        return Err(AppError::Internal("checked fields are present".into()));
    };
    if let Some(field) = store::mailing_lists::clash(conn, &name, &address, except)? {
        return Err(AppError::conflict(
            "mailing_list_taken",
            format!("Another mailing list has this {field}; choose another."),
        ));
    }
    Ok(Definition {
        name,
        address,
        description,
        audience,
        extra_addresses,
        excluded_addresses,
    })
}

/// Records an error for each institution or group the audience names that does not exist.
fn unknown_records(
    conn: &mut DbConnection,
    audience: &Audience,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    use crate::store::schema::{collab_groups, institutions};
    if let Some(ids) = &audience.institution_ids {
        let known: HashSet<uuid::Uuid> = institutions::table
            .filter(institutions::id.eq_any(ids.iter().copied().map(InstitutionId::from)))
            .select(institutions::id)
            .load::<InstitutionId>(conn)?
            .iter()
            .map(InstitutionId::uuid)
            .collect();
        report_unknown(ids, &known, "institution_ids", "institution", errors);
    }
    if let Some(ids) = &audience.group_ids {
        let known: HashSet<uuid::Uuid> = collab_groups::table
            .filter(collab_groups::id.eq_any(ids.iter().copied().map(GroupId::from)))
            .select(collab_groups::id)
            .load::<GroupId>(conn)?
            .iter()
            .map(GroupId::uuid)
            .collect();
        report_unknown(ids, &known, "group_ids", "group", errors);
    }
    Ok(())
}

/// An error under `audience.<part>[i]` for each id of `ids` not `known`.
fn report_unknown(
    ids: &[uuid::Uuid],
    known: &HashSet<uuid::Uuid>,
    part: &str,
    what: &str,
    errors: &mut FieldErrors,
) {
    for (i, id) in ids.iter().enumerate() {
        if !known.contains(id) {
            errors.add(
                &format!("audience.{part}[{i}]"),
                RuleViolation::new(
                    &format!("{what}.unknown"),
                    format!("No {what} has this id."),
                ),
            );
        }
    }
}

/// Every list, by name.
pub fn list(conn: &mut DbConnection, _reader: &MailingListReader) -> AppResult<Vec<MailingList>> {
    store::mailing_lists::all(conn)?
        .iter()
        .map(render)
        .collect()
}

/// One list.
pub fn get(
    conn: &mut DbConnection,
    _reader: &MailingListReader,
    id: &MailingListId,
) -> AppResult<MailingList> {
    render(&store::mailing_lists::find(conn, id)?)
}

/// Defines a list (administrators).
pub fn create(
    conn: &mut DbConnection,
    admin: &Admin,
    body: NewMailingList,
    domain: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<MailingList> {
    let checked = check(
        conn,
        Definition {
            name: body.name,
            address: body.address,
            description: body.description,
            audience: body.audience,
            extra_addresses: body.extra_addresses,
            excluded_addresses: body.excluded_addresses,
        },
        None,
        domain,
    )?;
    let at = to_db_time(now);
    let row = MailingListRow {
        id: store::new_id(),
        name: checked.name,
        address: checked.address,
        description: checked.description,
        audience: json(&checked.audience)?,
        extra_addresses: json(&checked.extra_addresses)?,
        excluded_addresses: json(&checked.excluded_addresses)?,
        subscribe_with: body.subscribe_with.unwrap_or(SubscribeWith::ContactEmail),
        send_welcome: body.send_welcome,
        created_at: at,
        updated_at: at,
        synced_at: None,
        sync_error: None,
        sync_failures: 0,
        next_sync_at: None,
    };
    store::mailing_lists::insert(conn, &row)?;
    let list = render(&row)?;
    audit::record::<(), _>(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::MailingListCreated,
            subject: audit::Subject::MailingList(&row.id),
            before: None,
            after: Some(&list),
        },
    )?;
    Ok(list)
}

/// Changes what the patch names (administrators); the next sync follows the new definition.
pub fn update(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &MailingListId,
    patch: MailingListPatch,
    domain: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<MailingList> {
    let row = store::mailing_lists::find(conn, id)?;
    let before = render(&row)?;
    let checked = check(
        conn,
        Definition {
            name: patch.name.unwrap_or_else(|| before.name.clone()),
            address: patch.address.unwrap_or_else(|| before.address.clone()),
            description: patch
                .description
                .unwrap_or_else(|| before.description.clone()),
            audience: patch.audience.unwrap_or_else(|| before.audience.clone()),
            extra_addresses: patch
                .extra_addresses
                .unwrap_or_else(|| before.extra_addresses.clone()),
            excluded_addresses: patch
                .excluded_addresses
                .unwrap_or_else(|| before.excluded_addresses.clone()),
        },
        Some(id),
        domain,
    )?;
    let row = MailingListRow {
        name: checked.name,
        address: checked.address,
        description: checked.description,
        audience: json(&checked.audience)?,
        extra_addresses: json(&checked.extra_addresses)?,
        excluded_addresses: json(&checked.excluded_addresses)?,
        subscribe_with: patch.subscribe_with.unwrap_or(row.subscribe_with),
        send_welcome: patch.send_welcome.unwrap_or(row.send_welcome),
        updated_at: to_db_time(now),
        // A changed definition is synced in the next round, even after failures.
        next_sync_at: None,
        ..row
    };
    store::mailing_lists::save(conn, &row)?;
    let after = render(&row)?;
    audit::record(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::MailingListUpdated,
            subject: audit::Subject::MailingList(id),
            before: Some(&before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

/// Removes a list's definition (administrators): b2mms stops keeping it; the list in Mailman
/// stays as it is.
pub fn delete(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &MailingListId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let before = render(&store::mailing_lists::find(conn, id)?)?;
    store::mailing_lists::delete(conn, id)?;
    audit::record::<_, ()>(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::MailingListDeleted,
            subject: audit::Subject::MailingList(id),
            before: Some(&before),
            after: None,
        },
    )?;
    Ok(())
}

/// Everyone on the list today, by address.
pub fn members(
    conn: &mut DbConnection,
    _reader: &MailingListReader,
    id: &MailingListId,
    today: NaiveDate,
) -> AppResult<ListMembers> {
    let row = store::mailing_lists::find(conn, id)?;
    let subscribers = subscribers(conn, &row, today)?;
    Ok(ListMembers {
        list_id: row.id.uuid(),
        address: row.address,
        total: i64::try_from(subscribers.len()).unwrap_or(i64::MAX),
        subscribers,
    })
}

/// The lists the caller is on today, with the address each reaches them at.
pub fn mine(
    conn: &mut DbConnection,
    member: &Member,
    today: NaiveDate,
) -> AppResult<Vec<MyMailingList>> {
    let mut out = Vec::new();
    for row in store::mailing_lists::all(conn)? {
        let audience = audience_of(&row)?;
        let found = admitted(conn, &audience, Some(member.person()), today)?;
        let Some(person) = found.first() else {
            continue;
        };
        let address = address_of(person, row.subscribe_with);
        if parsed::<Vec<String>>(&row.excluded_addresses, "excluded addresses")?.contains(&address)
        {
            continue;
        }
        out.push(MyMailingList {
            id: row.id.uuid(),
            name: row.name,
            address: row.address,
            description: row.description,
            subscribed_as: address,
        });
    }
    Ok(out)
}

/// The address a list reaches a person at, lower-case.
fn address_of(person: &store::audience::Candidate, with: SubscribeWith) -> String {
    match (with, &person.registry_email) {
        (SubscribeWith::RegistryEmail, Some(registry)) => registry.to_lowercase(),
        _ => person.email.to_lowercase(),
    }
}

/// The people `audience` admits today (only `person`, when given).
fn admitted(
    conn: &mut DbConnection,
    audience: &Audience,
    person: Option<&PersonId>,
    today: NaiveDate,
) -> AppResult<Vec<store::audience::Candidate>> {
    let candidates = store::audience::candidates(conn, &audience::statuses(audience), person)?;
    if candidates.is_empty() {
        return Ok(candidates);
    }
    let groups = match &audience.group_ids {
        Some(ids) => {
            let ids: Vec<GroupId> = ids.iter().copied().map(GroupId::from).collect();
            store::audience::groups_of(conn, &ids, person)?
        }
        None => HashMap::new(),
    };
    let roles = match audience.roles {
        Some(_) => store::audience::roles(conn)?,
        None => HashMap::new(),
    };
    let authors = match audience.authors {
        Some(_) => crate::ops::authors::authors_on(conn, today)?,
        None => HashSet::new(),
    };
    let no_groups = HashSet::new();
    Ok(candidates
        .into_iter()
        .filter(|c| {
            audience::admits(
                audience,
                &Standing {
                    status: c.status,
                    category: c.category,
                    institution: &c.institution_id,
                    country: &c.country,
                    groups: groups.get(&c.id).unwrap_or(&no_groups),
                    roles: roles.get(&c.id).map(Vec::as_slice).unwrap_or_default(),
                    author: authors.contains(&c.id),
                },
            )
        })
        .collect())
}

/// Who is on the list today: the audience at the address the list asks for, and the extra
/// addresses, less the excluded ones; each address once, in order.
pub(crate) fn subscribers(
    conn: &mut DbConnection,
    row: &MailingListRow,
    today: NaiveDate,
) -> AppResult<Vec<ListSubscriber>> {
    let audience = audience_of(row)?;
    let excluded: HashSet<String> =
        parsed::<Vec<String>>(&row.excluded_addresses, "excluded addresses")?
            .into_iter()
            .collect();
    let mut by_address: BTreeMap<String, ListSubscriber> = BTreeMap::new();
    for person in admitted(conn, &audience, None, today)? {
        let address = address_of(&person, row.subscribe_with);
        if excluded.contains(&address) {
            continue;
        }
        by_address
            .entry(address.clone())
            .or_insert_with(|| ListSubscriber {
                address,
                person: Some(store::persons::person_ref((
                    person.id,
                    person.given_name,
                    person.family_name,
                    person.account_name,
                ))),
            });
    }
    for address in parsed::<Vec<String>>(&row.extra_addresses, "extra addresses")? {
        if !excluded.contains(&address) {
            by_address.entry(address.clone()).or_insert(ListSubscriber {
                address,
                person: None,
            });
        }
    }
    Ok(by_address.into_values().collect())
}
