//! Author lists for papers: created in draft from the records of a day (administrators and
//! the publications role), reviewed by the institutions, each of whose representatives signs
//! their section off, then frozen into a snapshot that later record changes never alter.

use std::collections::HashMap;

use b2mms_shared::api::{
    AuthorList, AuthorListContent, AuthorListDiff, AuthorListSummary, ChangedAuthor,
    MissingAuthorIds, MissingInstitutionIds, NewAuthorList, Readiness, SignOff,
};
use b2mms_shared::links;
use b2mms_shared::rules::required_text;
use b2mms_shared::{AuthorListId, AuthorListState, InstitutionId, PersonId};
use chrono::{DateTime, Utc};

use crate::domain::author_list::{Step, next, takes_sign_offs};
use crate::domain::policy::{AuthorListReader, Publications, RepresentativeOf};
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::store::audit::{self, Actor, Change};
use crate::store::authors::ListRow;
use crate::store::outbox;
use crate::store::persons::PersonRefs;
use crate::store::{self, DbConnection, from_db_time, to_db_time};

fn summary(row: &ListRow, refs: &PersonRefs) -> AuthorListSummary {
    AuthorListSummary {
        id: row.id.uuid(),
        title: row.title.clone(),
        reference: row.reference.clone(),
        date: row.list_date,
        state: row.state,
        created_by: refs.of(&row.created_by),
        created_at: from_db_time(row.created_at),
        frozen_at: row.frozen_at.map(from_db_time),
    }
}

/// The list's authors and institutions: its snapshot once frozen, else from the records now.
pub fn content(conn: &mut DbConnection, row: &ListRow) -> AppResult<AuthorListContent> {
    match &row.snapshot {
        Some(snapshot) => serde_json::from_str(snapshot)
            .map_err(|e| AppError::Internal(format!("author list {} snapshot: {e}", row.id))),
        None => super::content_on(conn, row.list_date),
    }
}

fn whole(conn: &mut DbConnection, row: ListRow) -> AppResult<AuthorList> {
    let content = content(conn, &row)?;
    let signed = store::authors::sign_offs(conn, &row.id)?;
    let mut ids: Vec<PersonId> = signed.iter().map(|(_, p, _)| p.clone()).collect();
    ids.push(row.created_by.clone());
    let refs = store::persons::refs(conn, &ids)?;
    let sign_offs = signed
        .into_iter()
        .map(|(institution, person, at)| SignOff {
            institution_id: institution.uuid(),
            by: refs.of(&person),
            at: from_db_time(at),
        })
        .collect();
    Ok(AuthorList {
        summary: summary(&row, &refs),
        content,
        sign_offs,
    })
}

/// Creates a list in draft, computed from the records as of `date`.
pub fn create(
    conn: &mut DbConnection,
    who: &Publications,
    body: NewAuthorList,
    now: DateTime<Utc>,
) -> AppResult<AuthorList> {
    let mut errors = b2mms_shared::FieldErrors::new();
    let title = errors.check("title", required_text(&body.title, 300, "title"));
    let reference = match body.reference.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => {
            errors.check("reference", required_text(text, 100, "reference"))
        }
        _ => None,
    };
    errors.into_result()?;
    let title = title.ok_or_else(|| AppError::Internal("checked title is present".into()))?;
    let row = ListRow {
        id: store::new_id(),
        title,
        reference,
        list_date: body.date,
        state: AuthorListState::Draft,
        snapshot: None,
        created_by: who.acting().person_id.clone(),
        created_at: to_db_time(now),
        updated_at: to_db_time(now),
        frozen_by: None,
        frozen_at: None,
    };
    store::authors::insert_list(conn, &row)?;
    let created = whole(conn, row)?;
    audit::record::<(), _>(
        conn,
        &Actor::acting(who.acting(), now),
        Change {
            action: audit::Event::AuthorListCreated,
            subject: audit::Subject::AuthorList(&AuthorListId::from(created.summary.id)),
            before: None,
            after: Some(&created.summary),
        },
    )?;
    Ok(created)
}

/// Every list, the newest first, without content.
pub fn all(
    conn: &mut DbConnection,
    _reader: &AuthorListReader,
) -> AppResult<Vec<AuthorListSummary>> {
    let rows = store::authors::lists(conn)?;
    let ids: Vec<PersonId> = rows.iter().map(|r| r.created_by.clone()).collect();
    let refs = store::persons::refs(conn, &ids)?;
    Ok(rows.iter().map(|row| summary(row, &refs)).collect())
}

/// One list with its content and sign-offs.
pub fn get(
    conn: &mut DbConnection,
    _reader: &AuthorListReader,
    id: &AuthorListId,
) -> AppResult<AuthorList> {
    let row = store::authors::list(conn, id)?;
    whole(conn, row)
}

/// The list's content, for the exports.
pub fn content_of(
    conn: &mut DbConnection,
    _reader: &AuthorListReader,
    id: &AuthorListId,
) -> AppResult<(AuthorListSummary, AuthorListContent)> {
    let row = store::authors::list(conn, id)?;
    let content = content(conn, &row)?;
    let refs = store::persons::refs(conn, std::slice::from_ref(&row.created_by))?;
    Ok((summary(&row, &refs), content))
}

fn cannot(state: AuthorListState, what: &str) -> AppError {
    AppError::conflict(
        "invalid_transition",
        format!("A list in {state} cannot {what}."),
    )
}

/// Moves a list on: review (each institution's representatives are mailed a link to sign its
/// section off), back to draft (dropping sign-offs), or frozen. Freezing before every
/// institution of the list has signed off needs `confirm`.
pub fn step(
    conn: &mut DbConnection,
    who: &Publications,
    id: &AuthorListId,
    (step, confirm): (Step, bool),
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<AuthorList> {
    let row = store::authors::list(conn, id)?;
    let what = match step {
        Step::StartReview => "go to review (only a draft can)",
        Step::Reopen => "go back to draft (only a list under review can)",
        Step::Freeze => "be frozen (only a list under review can)",
    };
    let Some(to) = next(row.state, step) else {
        return Err(cannot(row.state, what));
    };
    let at = to_db_time(now);
    let (moved, action) = match step {
        Step::Freeze => {
            let content = content(conn, &row)?;
            let signed: Vec<InstitutionId> = store::authors::sign_offs(conn, id)?
                .into_iter()
                .map(|(institution, ..)| institution)
                .collect();
            let missing: Vec<&str> = content
                .institutions
                .iter()
                .filter(|i| !signed.contains(&InstitutionId::from(i.institution_id)))
                .map(|i| i.short_name.as_str())
                .collect();
            if !missing.is_empty() && !confirm {
                return Err(AppError::conflict(
                    "sign_offs_missing",
                    format!(
                        "Not every institution has signed off its section yet (missing: {}). Freeze with `confirm=true` to freeze anyway.",
                        missing.join(", ")
                    ),
                ));
            }
            let snapshot = serde_json::to_string(&content)
                .map_err(|e| AppError::Internal(format!("author list snapshot: {e}")))?;
            (
                store::authors::freeze(conn, id, &snapshot, &who.acting().person_id, at)?,
                audit::Event::AuthorListFrozen,
            )
        }
        Step::StartReview => {
            let moved = store::authors::set_state(conn, id, row.state, to, at)?;
            if moved {
                ask_for_sign_offs(conn, &row, public_url, now)?;
            }
            (moved, audit::Event::AuthorListReviewStarted)
        }
        Step::Reopen => {
            store::authors::clear_sign_offs(conn, id)?;
            (
                store::authors::set_state(conn, id, row.state, to, at)?,
                audit::Event::AuthorListReopened,
            )
        }
    };
    if !moved {
        let now_state = store::authors::list(conn, id)?.state;
        return Err(cannot(now_state, what));
    }
    audit::record(
        conn,
        &Actor::acting(who.acting(), now),
        Change {
            action,
            subject: audit::Subject::AuthorList(id),
            before: Some(&serde_json::json!({ "state": row.state })),
            after: Some(&serde_json::json!({ "state": to })),
        },
    )?;
    let row = store::authors::list(conn, id)?;
    whole(conn, row)
}

/// Mails each institution of the list's representatives: its section waits for their sign-off.
fn ask_for_sign_offs(
    conn: &mut DbConnection,
    row: &ListRow,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let content = content(conn, row)?;
    let link = links::absolute(public_url, &links::author_list(&row.id));
    for institution in &content.institutions {
        let authors = content.authors_at(institution.number).count();
        let mail =
            templates::author_list_review(&row.title, &institution.short_name, authors, &link);
        let id = InstitutionId::from(institution.institution_id);
        for address in store::roles::representative_emails(conn, &id)? {
            outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
        }
    }
    Ok(())
}

/// An institution's representative confirms its section of a list under review.
pub fn sign_off(
    conn: &mut DbConnection,
    representative: &RepresentativeOf,
    id: &AuthorListId,
    now: DateTime<Utc>,
) -> AppResult<AuthorList> {
    let row = store::authors::list(conn, id)?;
    if !takes_sign_offs(row.state) {
        return Err(AppError::conflict(
            "invalid_transition",
            format!(
                "Sections are signed off while the list is under review; this one is in {}.",
                row.state
            ),
        ));
    }
    let institution = representative.institution();
    let content = content(conn, &row)?;
    if !content
        .institutions
        .iter()
        .any(|i| InstitutionId::from(i.institution_id) == *institution)
    {
        return Err(AppError::conflict(
            "not_in_list",
            "This institution has no authors on the list, so it has no section to sign off.",
        ));
    }
    let at = to_db_time(now);
    if store::authors::sign_off(
        conn,
        id,
        institution,
        &representative.acting().person_id,
        at,
    )? {
        audit::record::<(), _>(
            conn,
            &Actor::acting(representative.acting(), now),
            Change {
                action: audit::Event::AuthorListSignedOff,
                subject: audit::Subject::AuthorList(id),
                before: None,
                after: Some(&serde_json::json!({
                    "institution_id": institution,
                    "as_admin": representative.as_admin(),
                })),
            },
        )?;
    }
    whole(conn, row)
}

/// What changed from `against` to the list `id`: authors added and removed, and authors
/// whose printed name or affiliations differ.
pub fn diff(
    conn: &mut DbConnection,
    _reader: &AuthorListReader,
    id: &AuthorListId,
    against: &AuthorListId,
) -> AppResult<AuthorListDiff> {
    let this_row = store::authors::list(conn, id)?;
    let this = content(conn, &this_row)?;
    let other_row = store::authors::list(conn, against)?;
    let other = content(conn, &other_row)?;
    let mut out = AuthorListDiff {
        list_id: id.uuid(),
        against: against.uuid(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    for author in &this.authors {
        match other
            .authors
            .iter()
            .find(|a| a.person_id == author.person_id)
        {
            None => out.added.push(author.clone()),
            Some(before) => {
                let before_affiliations = other.printed_affiliations(before);
                let after_affiliations = this.printed_affiliations(author);
                if before.paper_name != author.paper_name
                    || before_affiliations != after_affiliations
                {
                    out.changed.push(ChangedAuthor {
                        person_id: author.person_id,
                        before_paper_name: before.paper_name.clone(),
                        after_paper_name: author.paper_name.clone(),
                        before_affiliations,
                        after_affiliations,
                    });
                }
            }
        }
    }
    out.removed = other
        .authors
        .iter()
        .filter(|a| this.authors.iter().all(|b| b.person_id != a.person_id))
        .cloned()
        .collect();
    Ok(out)
}

/// Authors and institutions of a list that lack an identifier or printed detail.
pub fn readiness(
    conn: &mut DbConnection,
    _reader: &AuthorListReader,
    id: &AuthorListId,
) -> AppResult<Readiness> {
    let row = store::authors::list(conn, id)?;
    let content = content(conn, &row)?;
    let own_names: HashMap<PersonId, bool> = store::authors::paper_names_set(
        conn,
        &content
            .authors
            .iter()
            .map(|a| PersonId::from(a.person_id))
            .collect::<Vec<_>>(),
    )?;
    let authors = content
        .authors
        .iter()
        .filter_map(|a| {
            let mut missing = Vec::new();
            if a.orcid.is_none() {
                missing.push("orcid".to_owned());
            }
            if a.inspire_id.is_none() {
                missing.push("inspire_id".to_owned());
            }
            if !own_names
                .get(&PersonId::from(a.person_id))
                .copied()
                .unwrap_or(true)
            {
                missing.push("paper_name".to_owned());
            }
            (!missing.is_empty()).then(|| MissingAuthorIds {
                person_id: a.person_id,
                name: format!("{} {}", a.given_name, a.family_name),
                missing,
            })
        })
        .collect();
    let institutions = content
        .institutions
        .iter()
        .filter_map(|i| {
            let missing: Vec<String> = [
                ("ror_id", i.ror_id.is_none()),
                ("inspire_id", i.inspire_id.is_none()),
                ("address", i.address.is_none()),
            ]
            .into_iter()
            .filter(|(_, absent)| *absent)
            .map(|(field, _)| field.to_owned())
            .collect();
            (!missing.is_empty()).then(|| MissingInstitutionIds {
                institution_id: i.institution_id,
                short_name: i.short_name.clone(),
                missing,
            })
        })
        .collect();
    Ok(Readiness {
        authors,
        institutions,
    })
}
