//! Rows as stored. Conversions to wire types live next to the queries that need them.

use b2mms_shared::{
    AccountStatus, AffiliationId, AffiliationKind, ApplicationState, Category, ElectionId,
    ElectionState, GroupApplicationId, GroupId, IdentityKind, InstitutionId, InstitutionStatus,
    InvitationId, InvitationStatus, JoinPolicy, MailStatus, MailingListId, MembershipStatus,
    PeriodEnd, PersonId, RegistrationId, RegistrationState, SubscribeWith, TransferId,
    TransferState,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = institutions)]
pub struct InstitutionRow {
    pub id: InstitutionId,
    pub name: String,
    pub short_name: String,
    pub city: String,
    pub country: String,
    pub ror_id: Option<String>,
    pub inspire_id: Option<String>,
    pub status: InstitutionStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The name as printed in author lists; none means the name.
    pub paper_name: Option<String>,
    /// The postal address as printed in author lists.
    pub address: Option<String>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = persons)]
pub struct PersonRow {
    pub id: PersonId,
    pub given_name: String,
    pub middle_name: Option<String>,
    pub family_name: String,
    pub email: String,
    pub registry_email: Option<String>,
    pub orcid: Option<String>,
    pub category: Category,
    pub institution_id: InstitutionId,
    pub status: MembershipStatus,
    pub membership_start: Option<NaiveDate>,
    pub membership_end: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Where the grace period before the account is disabled starts counting: the end of the
    /// membership, or the day a backdated end was recorded.
    pub grace_from: Option<NaiveDate>,
    /// The name as printed in papers, e.g. "T. Iijima"; none means it is made from the names.
    pub paper_name: Option<String>,
    /// What the directory's search looks in (`store::persons::refresh_search_key`).
    pub search_key: String,
    /// The INSPIRE author id.
    pub inspire_id: Option<String>,
}

/// One affiliation: a membership period at the home institution (`primary`) or an additional
/// institution (`secondary`). Periods are half-open: the membership ends on `end_date`.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = affiliations)]
pub struct AffiliationRow {
    pub id: AffiliationId,
    pub person_id: PersonId,
    pub institution_id: InstitutionId,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub kind: AffiliationKind,
    /// The category of a membership period; none for a secondary affiliation.
    pub category: Option<Category>,
    pub end_reason: Option<PeriodEnd>,
    /// Why the person left, as told.
    pub end_note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub person_id: PersonId,
    pub account_name: String,
    pub password_hash: String,
    pub password_set_at: NaiveDateTime,
    pub password_expires_at: NaiveDateTime,
    pub must_change_password: bool,
    pub status: AccountStatus,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PersonRow {
    /// What the directory's search looks in for this person with this account name.
    pub fn search_key_with(&self, account: Option<&str>) -> String {
        b2mms_shared::rules::search_key(
            [
                Some(self.given_name.as_str()),
                self.middle_name.as_deref(),
                Some(self.family_name.as_str()),
                self.paper_name.as_deref(),
                account,
                self.registry_email.as_deref(),
            ]
            .into_iter()
            .flatten(),
        )
    }
}

impl AffiliationRow {
    /// The membership period a person's record describes now.
    pub fn period_of(person: &PersonRow, start_date: NaiveDate) -> Self {
        Self {
            id: super::new_id(),
            person_id: person.id.clone(),
            institution_id: person.institution_id.clone(),
            start_date,
            end_date: person.membership_end,
            kind: AffiliationKind::Primary,
            category: Some(person.category),
            end_reason: None,
            end_note: None,
        }
    }
}

impl AccountRow {
    /// A new active account whose initial password must be changed at the first sign-in.
    pub fn initial(
        person_id: PersonId,
        account_name: String,
        password_hash: String,
        at: NaiveDateTime,
        password_expires_at: NaiveDateTime,
    ) -> Self {
        Self {
            person_id,
            account_name,
            password_hash,
            password_set_at: at,
            password_expires_at,
            must_change_password: true,
            status: AccountStatus::Active,
            failed_logins: 0,
            locked_until: None,
            created_at: at,
            updated_at: at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub person_id: PersonId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub token_hash: String,
    pub session_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub kid: String,
    pub algorithm: String,
    pub private_key: String,
    pub public_key: String,
    pub created_at: NaiveDateTime,
    pub retired_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<PersonId>,
    pub actor: String,
    pub action: b2mms_shared::AuditAction,
    pub subject_type: String,
    pub subject_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub institution_id: InstitutionId,
    pub email: String,
    pub category: Option<Category>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub username: String,
    pub password_hash: String,
    pub status: InvitationStatus,
    pub created_by: PersonId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = registrations)]
pub struct RegistrationRow {
    pub id: RegistrationId,
    pub state: RegistrationState,
    pub identity: IdentityKind,
    pub invitation_id: Option<InvitationId>,
    pub certificate_dn: Option<String>,
    pub institution_id: Option<InstitutionId>,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub middle_name: Option<String>,
    pub family_name: Option<String>,
    pub account_name: Option<String>,
    pub password_hash: Option<String>,
    pub category: Option<Category>,
    pub orcid: Option<String>,
    pub existing_account: Option<String>,
    pub comment: Option<String>,
    pub link_person_id: Option<PersonId>,
    pub person_id: Option<PersonId>,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
    pub ir_reminded_at: Option<NaiveDateTime>,
    pub admins_reminded_at: Option<NaiveDateTime>,
    pub provision_attempts: i32,
    pub provision_next_at: Option<NaiveDateTime>,
    pub provision_error: Option<String>,
    /// The instance working on the request's provisioning, while its lease runs.
    pub claimed_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxRow {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    /// The instance delivering the message, while its lease runs.
    pub claimed_by: Option<String>,
}

/// A change of institution.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = transfers)]
pub struct TransferRow {
    pub id: TransferId,
    pub person_id: PersonId,
    pub from_institution_id: InstitutionId,
    pub to_institution_id: InstitutionId,
    pub effective_date: NaiveDate,
    pub category: Option<Category>,
    pub state: TransferState,
    pub requested_by: PersonId,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<PersonId>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub completed_at: Option<NaiveDateTime>,
}

/// A group of people.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = collab_groups)]
pub struct GroupRow {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub join_policy: JoinPolicy,
}

/// An application to join a group.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = group_applications)]
pub struct GroupApplicationRow {
    pub id: GroupApplicationId,
    pub group_id: GroupId,
    pub person_id: PersonId,
    pub state: ApplicationState,
    pub reason: String,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<PersonId>,
}

/// A mailing list: its definition (audience and addresses as JSON) and how its last sync went.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset)]
#[diesel(table_name = mailing_lists)]
#[diesel(treat_none_as_null = true)]
pub struct MailingListRow {
    pub id: MailingListId,
    pub name: String,
    pub address: String,
    pub description: String,
    pub audience: String,
    pub extra_addresses: String,
    pub excluded_addresses: String,
    pub subscribe_with: SubscribeWith,
    pub send_welcome: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub synced_at: Option<NaiveDateTime>,
    pub sync_error: Option<String>,
    pub sync_failures: i32,
    pub next_sync_at: Option<NaiveDateTime>,
}

/// An election: its definition (options and electorate rule as JSON) and state.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = elections)]
pub struct ElectionRow {
    pub id: ElectionId,
    pub title: String,
    pub description: String,
    pub options: String,
    pub max_choices: i32,
    pub electorate: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub quorum: Option<f64>,
    pub state: ElectionState,
    pub created_by: PersonId,
    pub created_at: NaiveDateTime,
    pub reminded: bool,
}
