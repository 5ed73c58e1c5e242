//! Throttling of sign-in attempts per source address (429 with `Retry-After`). The quota is
//! generous: a whole collaboration meeting behind one NAT signs in without noticing, while
//! password guessing from one address is slowed to a crawl (accounts lock on their own).

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::app::AppState;
use crate::error::AppError;

pub struct Throttle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl Throttle {
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// `Err(seconds to wait)` when the address is over its quota.
    pub fn check(&self, address: IpAddr) -> Result<(), i64> {
        self.limiter.check_key(&address).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            i64::try_from(wait.as_secs()).unwrap_or(i64::MAX).max(1)
        })
    }

    /// Forgets addresses that have not been seen lately.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

/// The client's address: the TCP peer, or for a trusted proxy the last address it forwarded.
pub fn client_address(req: &ServiceRequest, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    req.headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|list| list.rsplit(',').map(str::trim).find_map(|a| a.parse().ok()))
        .or(Some(peer))
}

/// Applies the throttle to the sign-in endpoints (`POST /api/v1/auth/…`) and to the
/// account-name check, which could otherwise be used to list names.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let guarded = (req.method() == actix_web::http::Method::POST
        && req.path().starts_with("/api/v1/auth/"))
        || (req.method() == actix_web::http::Method::GET
            && req.path().starts_with("/api/v1/account-names/"));
    if guarded && let Some(state) = req.app_data::<web::Data<AppState>>() {
        let address = client_address(&req, &state.config.trusted_proxies);
        if let Some(address) = address
            && let Err(retry_after) = state.throttle.check(address)
        {
            tracing::warn!(%address, "sign-in attempts throttled");
            return Err(AppError::Throttled { retry_after }.into());
        }
    }
    next.call(req).await
}
