//! Applications to join a group: a member applies (an open group is joined at once), the
//! group's managers approve or reject with a reason, the applicant may withdraw; applicants
//! and managers are mailed at each step.

use b2mms_shared::api::{GroupApplication, NewApplication, Page, RejectApplication};
use b2mms_shared::rules::required_text;
use b2mms_shared::{ApplicationState, GroupApplicationId, GroupId, MembershipStatus, links};
use chrono::{DateTime, Utc};

use super::groups::{joined, main_group_fixed, manager};
use crate::domain::calendar;
use crate::domain::group_application::{Admission, Step, admission, next};
use crate::domain::policy::Subject;
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::store::audit::{self, Actor, Change};
use crate::store::models::GroupApplicationRow;
use crate::store::{self, DbConnection, from_db_time, outbox, to_db_time};

fn render_application(listing: store::groups::ApplicationListing) -> GroupApplication {
    let (row, group_name, applicant) = listing;
    GroupApplication {
        id: row.id.uuid(),
        group_id: row.group_id.uuid(),
        group_name,
        applicant,
        state: row.state,
        reason: row.reason,
        decision_reason: row.decision_reason,
        created_at: from_db_time(row.created_at),
        decided_at: row.decided_at.map(from_db_time),
    }
}

fn application_of(conn: &mut DbConnection, id: &GroupApplicationId) -> AppResult<GroupApplication> {
    let row = store::groups::application(conn, id)?;
    let (rows, _) = store::groups::applications(
        conn,
        Some(&row.group_id),
        Some(&row.person_id),
        None,
        500,
        0,
    )?;
    rows.into_iter()
        .find(|(r, ..)| r.id == *id)
        .map(render_application)
        .ok_or(AppError::NotFound {
            what: "application",
        })
}

/// A member asks to join: an open group at once (the application is approved as it is
/// made), an approval group by an application its managers decide, a closed one not at all.
pub fn apply(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &GroupId,
    body: NewApplication,
    main_group: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<GroupApplication> {
    let me = caller.member();
    let group = store::groups::find(conn, id)?;
    if group.name == main_group {
        return Err(main_group_fixed());
    }
    let admitted = admission(group.join_policy);
    if admitted == Admission::Refused {
        return Err(AppError::conflict(
            "group_closed",
            "This group is closed: only its managers add people. Ask one of them.",
        ));
    }
    // Managers read why someone applies; an open group needs no reason.
    let reason = if admitted == Admission::JoinNow && body.reason.trim().is_empty() {
        String::new()
    } else {
        required_text(&body.reason, 1000, "reason").map_err(|v| AppError::invalid("reason", v))?
    };
    if store::groups::is_member(conn, id, me.person())? {
        return Err(AppError::conflict(
            "already_member",
            "You are in this group already.",
        ));
    }
    let row = GroupApplicationRow {
        id: store::new_id(),
        group_id: id.clone(),
        person_id: me.person().clone(),
        state: ApplicationState::Pending,
        reason,
        decision_reason: None,
        created_at: to_db_time(now),
        decided_at: None,
        decided_by: None,
    };
    store::groups::insert_application(conn, &row)?;
    let actor = Actor::acting(me.acting(), now);
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action: audit::Event::GroupApplied,
            subject: audit::Subject::Group(id),
            before: None,
            after: Some(
                &serde_json::json!({ "application_id": row.id, "person_id": row.person_id }),
            ),
        },
    )?;
    let applicant = store::persons::member(conn, me.person())?;
    if admitted == Admission::JoinNow {
        store::groups::decide_application(
            conn,
            &row.id,
            ApplicationState::Approved,
            me.person(),
            None,
            now,
        )?;
        store::groups::join(conn, id, me.person(), calendar::today(now))?;
        joined(conn, &actor, id, me.person())?;
    } else {
        let name = format!("{} {}", applicant.given_name, applicant.family_name);
        let mail = templates::group_application(
            &name,
            &group.name,
            &row.reason,
            &links::absolute(public_url, "/"),
        );
        for manager in store::groups::manager_ids(conn, id)? {
            let address = store::persons::member(conn, &manager)?.email;
            outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
        }
    }
    application_of(conn, &row.id)
}

/// Applications to a group (its managers and administrators), the newest first.
pub fn applications(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &GroupId,
    state: Option<ApplicationState>,
    page: (i64, i64, i64),
) -> AppResult<Page<GroupApplication>> {
    let (page, per_page, offset) = page;
    store::groups::find(conn, id)?;
    manager(conn, caller, id)?;
    let (rows, total) = store::groups::applications(conn, Some(id), None, state, per_page, offset)?;
    Ok(Page {
        items: rows.into_iter().map(render_application).collect(),
        total,
        page,
        per_page,
    })
}

/// The caller's own applications, the newest first.
pub fn my_applications(
    conn: &mut DbConnection,
    caller: &Subject,
) -> AppResult<Vec<GroupApplication>> {
    let me = caller.member();
    let (rows, _) = store::groups::applications(conn, None, Some(me.person()), None, 500, 0)?;
    Ok(rows.into_iter().map(render_application).collect())
}

/// Approves or rejects a pending application (the group's managers, administrators), or
/// withdraws it (the applicant). Approval needs an active applicant.
pub fn decide(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &GroupApplicationId,
    step: Step,
    rejection: Option<RejectApplication>,
    now: DateTime<Utc>,
) -> AppResult<GroupApplication> {
    let row = store::groups::application(conn, id)?;
    let acting = if step == Step::Withdraw {
        if row.person_id != caller.acting.person_id {
            return Err(AppError::forbidden(
                "Only the applicant withdraws an application.",
            ));
        }
        caller.acting.clone()
    } else {
        manager(conn, caller, &row.group_id)?.acting().clone()
    };
    let reason = match (step, rejection) {
        (Step::Reject, Some(r)) => Some(
            required_text(&r.reason, 1000, "reason").map_err(|v| AppError::invalid("reason", v))?,
        ),
        _ => None,
    };
    let Some(state) = next(row.state, step) else {
        return Err(AppError::conflict(
            "application_decided",
            "This application has been decided already.",
        ));
    };
    let applicant = store::persons::member(conn, &row.person_id)?;
    if step == Step::Approve && applicant.status != MembershipStatus::Active {
        return Err(AppError::conflict(
            "membership_not_active",
            "The applicant's membership has ended; a group needs an active member.",
        ));
    }
    if !store::groups::decide_application(
        conn,
        id,
        state,
        &acting.person_id,
        reason.as_deref(),
        now,
    )? {
        return Err(AppError::conflict(
            "application_decided",
            "This application has been decided already.",
        ));
    }
    let actor = Actor::acting(&acting, now);
    let action = match step {
        Step::Approve => audit::Event::GroupApplicationApproved,
        Step::Reject => audit::Event::GroupApplicationRejected,
        Step::Withdraw => audit::Event::GroupApplicationWithdrawn,
    };
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action,
            subject: audit::Subject::Group(&row.group_id),
            before: None,
            after: Some(
                &serde_json::json!({ "application_id": row.id, "person_id": row.person_id, "reason": reason }),
            ),
        },
    )?;
    let group = store::groups::find(conn, &row.group_id)?;
    if step == Step::Approve {
        store::groups::join(conn, &row.group_id, &row.person_id, calendar::today(now))?;
        joined(conn, &actor, &row.group_id, &row.person_id)?;
    }
    if step != Step::Withdraw {
        let mail = templates::group_decided(&group.name, reason.as_deref());
        outbox::enqueue(conn, &applicant.email, &mail.subject, &mail.body, now)?;
    }
    application_of(conn, id)
}
