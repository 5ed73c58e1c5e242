//! Service tokens for collaboration tools: issued by an administrator with a name, scopes and
//! an optional expiry, shown once, stored hashed, listed without their secrets, revoked at
//! once.

use b2mms_shared::api::{CreatedServiceToken, NewServiceToken, ServiceToken};
use b2mms_shared::rules::{FieldErrors, RuleViolation, required_text};
use uuid::Uuid;

use crate::auth::{SERVICE_TOKEN_PREFIX, random_secret, secret_hash};
use crate::domain::policy::Admin;
use crate::error::AppResult;
use crate::services::Services;
use crate::store::audit::{self, Change};
use crate::store::{self, new_text_id};

/// Issues a token; its secret is in this answer only.
pub async fn issue(
    state: &Services,
    admin: &Admin,
    body: NewServiceToken,
) -> AppResult<CreatedServiceToken> {
    let now = state.clock.now();
    let mut errors = FieldErrors::new();
    let name = errors.check("name", required_text(&body.name, 100, "name"));
    if body.scopes.is_empty() {
        errors.add(
            "scopes",
            RuleViolation::new(
                "scopes.required",
                "Give the token at least one scope, e.g. “members:read”.",
            ),
        );
    }
    if body.expires_at.is_some_and(|e| e <= now) {
        errors.add(
            "expires_at",
            RuleViolation::new("expires_at.past", "The expiry must lie in the future."),
        );
    }
    let Some(name) = name else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let mut scopes = body.scopes;
    scopes.sort();
    scopes.dedup();
    let token = format!("{SERVICE_TOKEN_PREFIX}{}", random_secret());
    let hash = secret_hash(&token);
    let id = new_text_id();
    let actor = audit::Actor::acting(admin.acting(), now);
    let issuer = admin.acting().person_id.clone();
    let (row_id, row_name, row_scopes, expires) =
        (id.clone(), name.clone(), scopes.clone(), body.expires_at);
    state
        .db
        .write(move |conn| {
            store::service_tokens::insert(
                conn,
                &row_id,
                &row_name,
                &hash,
                &row_scopes,
                issuer.as_str(),
                now,
                expires,
            )?;
            audit::record::<(), _>(
                conn,
                &actor,
                Change {
                    action: audit::Event::ServiceTokenCreated,
                    subject: audit::Subject::ServiceToken(&row_id),
                    before: None,
                    after: Some(&serde_json::json!({
                        "name": row_name,
                        "scopes": row_scopes,
                        "expires_at": expires,
                    })),
                },
            )
        })
        .await?;
    Ok(CreatedServiceToken {
        id: store::parse_uuid(&id)?,
        token,
        name,
        scopes,
        expires_at: body.expires_at,
    })
}

/// Every token, without the secrets.
pub async fn list(state: &Services, _admin: &Admin) -> AppResult<Vec<ServiceToken>> {
    state.db.run(store::service_tokens::list).await
}

/// Revokes an active token; it stops working with the next request.
pub async fn revoke(state: &Services, admin: &Admin, id: Uuid) -> AppResult<()> {
    let id = id.to_string();
    let now = state.clock.now();
    let actor = audit::Actor::acting(admin.acting(), now);
    state
        .db
        .write(move |conn| {
            store::service_tokens::revoke(conn, &id, now)?;
            audit::record_plain(
                conn,
                &actor,
                audit::Event::ServiceTokenRevoked,
                audit::Subject::ServiceToken(&id),
            )
        })
        .await
}
