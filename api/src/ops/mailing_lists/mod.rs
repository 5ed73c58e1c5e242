//! Mailing lists kept from the records: administrators define them (a name, the list's
//! address, an audience rule, extra and excluded addresses); who is on a list is computed from
//! the records whenever it is asked, never edited by hand (`subscribers`). Every change is an
//! audit event.

mod subscribers;

pub(crate) use subscribers::subscribers;
pub use subscribers::{members, mine};

use std::collections::HashSet;

use b2mms_shared::api::{Audience, MailingList, MailingListPatch, NewMailingList};
use b2mms_shared::rules::{FieldErrors, RuleViolation, mailing_list, required_text};
use b2mms_shared::{GroupId, InstitutionId, MailingListId, SubscribeWith};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::domain::policy::{Admin, MailingListReader};
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

/// The list as the API shows it; the number of its subscribers only where given (the audit
/// trail records definitions, not who is on a list on a day).
fn render(row: &MailingListRow) -> AppResult<MailingList> {
    Ok(MailingList {
        subscribers: None,
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
        let known: Vec<InstitutionId> = institutions::table
            .filter(institutions::id.eq_any(ids.iter().copied().map(InstitutionId::from)))
            .select(institutions::id)
            .load(conn)?;
        let known = known.iter().map(InstitutionId::uuid).collect();
        report_unknown(ids, &known, "institution_ids", "institution", errors);
    }
    if let Some(ids) = &audience.group_ids {
        let known: Vec<GroupId> = collab_groups::table
            .filter(collab_groups::id.eq_any(ids.iter().copied().map(GroupId::from)))
            .select(collab_groups::id)
            .load(conn)?;
        let known = known.iter().map(GroupId::uuid).collect();
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

/// Every list, by name, with how many addresses it has today.
pub fn list(
    conn: &mut DbConnection,
    _reader: &MailingListReader,
    today: NaiveDate,
) -> AppResult<Vec<MailingList>> {
    let rows = store::mailing_lists::all(conn)?;
    let counts = subscribers::counts(conn, &rows, today)?;
    rows.iter()
        .map(|row| {
            Ok(MailingList {
                subscribers: counts.get(&row.id).copied(),
                ..render(row)?
            })
        })
        .collect()
}

/// One list, with how many addresses it has today.
pub fn get(
    conn: &mut DbConnection,
    _reader: &MailingListReader,
    id: &MailingListId,
    today: NaiveDate,
) -> AppResult<MailingList> {
    let row = store::mailing_lists::find(conn, id)?;
    let count = subscribers::counts(conn, std::slice::from_ref(&row), today)?;
    Ok(MailingList {
        subscribers: count.get(&row.id).copied(),
        ..render(&row)?
    })
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
