//! Who is on a mailing list today: the records its audience rule asks about are loaded once
//! for all the lists in question (people with their standing, groups, roles, authorship),
//! then each list's rule picks its people and its extra and excluded addresses apply.

use std::collections::{BTreeMap, HashMap, HashSet};

use b2mms_shared::api::{Audience, ListMembers, ListSubscriber, MyMailingList};
use b2mms_shared::{AudienceRole, GroupId, MailingListId, PersonId, SubscribeWith};
use chrono::NaiveDate;

use super::{audience_of, parsed};
use crate::domain::audience::{self, Standing};
use crate::domain::policy::{MailingListReader, Member};
use crate::error::AppResult;
use crate::store::audience::Candidate;
use crate::store::models::MailingListRow;
use crate::store::{self, DbConnection};

/// The records that the audiences of some lists ask about, each part loaded once.
pub(crate) struct Records {
    candidates: Vec<Candidate>,
    groups: HashMap<PersonId, HashSet<GroupId>>,
    roles: HashMap<PersonId, Vec<AudienceRole>>,
    authors: HashSet<PersonId>,
    /// The groups of someone in none.
    no_groups: HashSet<GroupId>,
}

impl Records {
    /// What `audiences` ask about on `today` (only `person`, when given).
    pub(crate) fn load<'a>(
        conn: &mut DbConnection,
        audiences: impl IntoIterator<Item = &'a Audience>,
        person: Option<&PersonId>,
        today: NaiveDate,
    ) -> AppResult<Self> {
        let mut statuses = Vec::new();
        let mut group_ids: Vec<GroupId> = Vec::new();
        let (mut roles, mut authors) = (false, false);
        for audience in audiences {
            for status in audience::statuses(audience) {
                if !statuses.contains(&status) {
                    statuses.push(status);
                }
            }
            group_ids.extend(
                audience
                    .group_ids
                    .iter()
                    .flatten()
                    .map(|g| GroupId::from(*g)),
            );
            roles |= audience.roles.is_some();
            authors |= audience.authors.is_some();
        }
        let candidates = if statuses.is_empty() {
            Vec::new()
        } else {
            store::audience::candidates(conn, &statuses, person)?
        };
        let asks = !candidates.is_empty();
        Ok(Self {
            groups: if asks && !group_ids.is_empty() {
                store::audience::groups_of(conn, &group_ids, person)?
            } else {
                HashMap::new()
            },
            roles: if asks && roles {
                store::audience::roles(conn)?
            } else {
                HashMap::new()
            },
            authors: if asks && authors {
                crate::ops::authors::authors_on(conn, today)?
            } else {
                HashSet::new()
            },
            candidates,
            no_groups: HashSet::new(),
        })
    }

    /// The people `audience` admits, by id.
    fn admitted<'a>(&'a self, audience: &'a Audience) -> impl Iterator<Item = &'a Candidate> {
        self.candidates.iter().filter(move |c| {
            audience::admits(
                audience,
                &Standing {
                    status: c.status,
                    category: c.category,
                    institution: &c.institution_id,
                    country: &c.country,
                    groups: self.groups.get(&c.id).unwrap_or(&self.no_groups),
                    roles: self.roles.get(&c.id).map(Vec::as_slice).unwrap_or_default(),
                    author: self.authors.contains(&c.id),
                },
            )
        })
    }

    /// Who is on `row` today: the audience at the address the list asks for, and the extra
    /// addresses, less the excluded ones; each address once, in order.
    pub(crate) fn subscribers(&self, row: &MailingListRow) -> AppResult<Vec<ListSubscriber>> {
        let audience = audience_of(row)?;
        let excluded: HashSet<String> =
            parsed::<Vec<String>>(&row.excluded_addresses, "excluded addresses")?
                .into_iter()
                .collect();
        let mut by_address: BTreeMap<String, ListSubscriber> = BTreeMap::new();
        for person in self.admitted(&audience) {
            let address = address_of(person, row.subscribe_with);
            if excluded.contains(&address) {
                continue;
            }
            by_address
                .entry(address.clone())
                .or_insert_with(|| ListSubscriber {
                    address,
                    person: Some(store::persons::person_ref((
                        person.id.clone(),
                        person.given_name.clone(),
                        person.family_name.clone(),
                        person.account_name.clone(),
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
}

/// The address a list reaches a person at, lower-case.
fn address_of(person: &Candidate, with: SubscribeWith) -> String {
    match (with, &person.registry_email) {
        (SubscribeWith::RegistryEmail, Some(registry)) => registry.to_lowercase(),
        _ => person.email.to_lowercase(),
    }
}

/// Who is on one list today.
pub(crate) fn subscribers(
    conn: &mut DbConnection,
    row: &MailingListRow,
    today: NaiveDate,
) -> AppResult<Vec<ListSubscriber>> {
    let audience = audience_of(row)?;
    Records::load(conn, [&audience], None, today)?.subscribers(row)
}

/// How many addresses each of `rows` has today, by list.
pub(crate) fn counts(
    conn: &mut DbConnection,
    rows: &[MailingListRow],
    today: NaiveDate,
) -> AppResult<HashMap<MailingListId, i64>> {
    let audiences = rows
        .iter()
        .map(audience_of)
        .collect::<AppResult<Vec<_>>>()?;
    let records = Records::load(conn, &audiences, None, today)?;
    rows.iter()
        .map(|row| {
            let count = records.subscribers(row)?.len();
            Ok((row.id.clone(), i64::try_from(count).unwrap_or(i64::MAX)))
        })
        .collect()
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
    let rows = store::mailing_lists::all(conn)?;
    let audiences = rows
        .iter()
        .map(audience_of)
        .collect::<AppResult<Vec<_>>>()?;
    let records = Records::load(conn, &audiences, Some(member.person()), today)?;
    let mut out = Vec::new();
    for (row, audience) in rows.into_iter().zip(&audiences) {
        let Some(person) = records.admitted(audience).next() else {
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
