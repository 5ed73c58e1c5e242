//! Keeping a mailing list in Mailman equal to its audience: what the next sync would change
//! (a dry run for administrators and tools), and the sync itself (the background job). Only
//! the lists b2mms defines are read or changed; a list missing in Mailman is created, under
//! its domain (created too when missing).

use b2mms_shared::MailingListId;
use b2mms_shared::api::SyncPlan;

use crate::domain::calendar;
use crate::domain::list_sync;
use crate::domain::policy::MailingListReader;
use crate::error::{AppError, AppResult};
use crate::mailman::{ListInfo, Mailman, MailmanError, Subscriber};
use crate::ops::mailing_lists;
use crate::services::Services;
use crate::store;

/// Why a sync did not finish.
#[derive(Debug)]
pub enum SyncFailure {
    /// Mailman failed or refused: recorded on the list and retried later.
    Mailman(MailmanError),
    /// The database failed: the list is tried again when its claim runs out.
    Records(AppError),
}

impl From<MailmanError> for SyncFailure {
    fn from(e: MailmanError) -> Self {
        Self::Mailman(e)
    }
}

impl From<AppError> for SyncFailure {
    fn from(e: AppError) -> Self {
        Self::Records(e)
    }
}

/// A list's addresses today and what Mailman has.
struct Survey {
    address: String,
    send_welcome: bool,
    /// Mailman's list, when it has it.
    list: Option<ListInfo>,
    present: Vec<Subscriber>,
    subscribe: Vec<String>,
    /// Indexes into `present`.
    unsubscribe: Vec<usize>,
}

/// Reads the list's audience today and, from Mailman, the list and its subscribers.
async fn survey(
    services: &Services,
    mailman: &Mailman,
    id: &MailingListId,
) -> Result<Survey, SyncFailure> {
    let today = calendar::today(services.clock.now());
    let id = id.clone();
    let (row, wanted) = services
        .db
        .run(move |conn| {
            let row = store::mailing_lists::find(conn, &id)?;
            let wanted: Vec<String> = mailing_lists::subscribers(conn, &row, today)?
                .into_iter()
                .map(|s| s.address)
                .collect();
            Ok((row, wanted))
        })
        .await?;
    let list = mailman.list(&row.address).await?;
    let present = match &list {
        Some(list) => mailman.subscribers(&list.list_id).await?,
        None => Vec::new(),
    };
    let emails: Vec<&str> = present.iter().map(|s| s.email.as_str()).collect();
    let (subscribe, unsubscribe) = list_sync::changes(&wanted, &emails);
    Ok(Survey {
        address: row.address,
        send_welcome: row.send_welcome,
        list,
        present,
        subscribe,
        unsubscribe,
    })
}

/// What the next sync of the list would change in Mailman.
pub async fn plan(
    services: &Services,
    _reader: &MailingListReader,
    id: &MailingListId,
) -> AppResult<SyncPlan> {
    let Some(mailman) = Mailman::from_config(&services.config, &services.http) else {
        return Err(AppError::conflict(
            "mailman_not_configured",
            "No Mailman is configured (`mailman_url`), so no list is synced; the list's members are what it would have.",
        ));
    };
    let survey = survey(services, &mailman, id)
        .await
        .map_err(|failure| match failure {
            SyncFailure::Mailman(e) => AppError::Upstream {
                code: "mailman_unavailable",
                detail: format!("{e}. Try again when Mailman answers."),
            },
            SyncFailure::Records(e) => e,
        })?;
    let unchanged = survey.present.len() - survey.unsubscribe.len();
    Ok(SyncPlan {
        list_id: id.uuid(),
        address: survey.address,
        create_list: survey.list.is_none(),
        subscribe: survey.subscribe,
        unsubscribe: survey
            .unsubscribe
            .iter()
            .map(|i| survey.present[*i].email.clone())
            .collect(),
        unchanged: i64::try_from(unchanged).unwrap_or(i64::MAX),
    })
}

/// What one sync changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Synced {
    pub subscribed: usize,
    pub unsubscribed: usize,
}

/// Makes the list's subscribers in Mailman equal its audience today: creates the domain and
/// the list when missing, sets whether newcomers are welcomed, subscribes (verified,
/// confirmed and approved already) and unsubscribes.
pub async fn sync(
    services: &Services,
    mailman: &Mailman,
    id: &MailingListId,
) -> Result<Synced, SyncFailure> {
    let survey = survey(services, mailman, id).await?;
    let list = match survey.list {
        Some(list) => list,
        None => {
            let domain = survey
                .address
                .rsplit_once('@')
                .map_or("", |(_, domain)| domain);
            mailman.ensure_domain(domain).await?;
            mailman.create_list(&survey.address).await?
        }
    };
    mailman
        .set_welcome(&list.list_id, survey.send_welcome)
        .await?;
    for address in &survey.subscribe {
        mailman
            .subscribe(&list.list_id, address, survey.send_welcome)
            .await?;
    }
    for i in &survey.unsubscribe {
        mailman.unsubscribe(&survey.present[*i]).await?;
    }
    Ok(Synced {
        subscribed: survey.subscribe.len(),
        unsubscribed: survey.unsubscribe.len(),
    })
}
