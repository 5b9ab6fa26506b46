//! Per-client rate limits on the operations worth automating against us: login,
//! registration, password reset, search, spreadsheet imports and checkout (which a
//! visitor may use without an account, reserving stock).
//!
//! Each is a GraphQL root field, so requests are limited by what they run, not by
//! their URL: the cost guard (`graphql::cost`), which parses every document before
//! anything runs, hands the root fields of each operation to the request's [`Gate`].
//! Every occurrence counts (twenty aliased `login`s are twenty attempts). A refused
//! operation is a top-level `RATE_LIMITED` error and does not run; the HTTP answer is
//! then a 429 with `Retry-After`.
//!
//! Clients are told apart by their address (an IPv6 client by its /64, which one
//! subscriber usually holds whole). Behind a reverse proxy the address is the proxy's,
//! so the client's is read from the header the proxy sets, but only when one is
//! configured: otherwise anyone could pick a fresh "address" per request. The limiter
//! (`governor`, GCRA) allows a burst of the configured number per minute and refills
//! evenly; its memory is one small entry per recent client, pruned as it grows. The
//! per-account login lock (`accounts`) works beside this one.

use std::{
    net::{IpAddr, Ipv6Addr},
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use actix_web::{
    HttpRequest, HttpResponse,
    http::{
        StatusCode,
        header::{self, HeaderName, HeaderValue},
    },
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};

use crate::settings::RateLimitSettings;

/// What is limited per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitedAction {
    Login,
    Registration,
    PasswordReset,
    Search,
    Import,
    Checkout,
}

impl LimitedAction {
    /// The action a root field performs, when it is a limited one.
    pub fn of_root_field(name: &str) -> Option<Self> {
        match name {
            "login" => Some(Self::Login),
            "register" => Some(Self::Registration),
            "search" => Some(Self::Search),
            "productImport" => Some(Self::Import),
            "placeOrder" => Some(Self::Checkout),
            // Requesting a reset and completing one (`passwordReset…`) share a limit.
            name if name.starts_with("passwordReset") => Some(Self::PasswordReset),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Login => "login attempts",
            Self::Registration => "registrations",
            Self::PasswordReset => "password resets",
            Self::Search => "searches",
            Self::Import => "imports",
            Self::Checkout => "checkouts",
        }
    }
}

/// Checks made between two prunings of the limiters' per-client state.
const PRUNE_EVERY: u64 = 4_096;

/// The limiters of one server process, shared by its workers.
pub struct RateLimits {
    limiters: Vec<(LimitedAction, DefaultKeyedRateLimiter<IpAddr>)>,
    trusted_header: Option<HeaderName>,
    checks: AtomicU64,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> anyhow::Result<Self> {
        let trusted_header = settings
            .trusted_proxy_header
            .as_deref()
            .map(HeaderName::try_from)
            .transpose()
            .map_err(|e| anyhow::anyhow!("TRUSTED_PROXY_HEADER is not a header name: {e}"))?;
        let limiters = [
            (LimitedAction::Login, settings.login_per_minute),
            (
                LimitedAction::Registration,
                settings.registration_per_minute,
            ),
            (
                LimitedAction::PasswordReset,
                settings.password_reset_per_minute,
            ),
            (LimitedAction::Search, settings.search_per_minute),
            (LimitedAction::Import, settings.import_per_minute),
            (LimitedAction::Checkout, settings.checkout_per_minute),
        ]
        .into_iter()
        // 0 turns a limit off.
        .filter_map(|(action, per_minute)| {
            NonZeroU32::new(per_minute).map(|n| (action, RateLimiter::keyed(Quota::per_minute(n))))
        })
        .collect();
        Ok(Self {
            limiters,
            trusted_header,
            checks: AtomicU64::new(0),
        })
    }

    /// The client a request counts against.
    pub fn client_of(&self, request: &HttpRequest) -> IpAddr {
        self.client_from(request.headers(), request.peer_addr())
    }

    /// The client of a request known by its headers and peer address (the storefront's
    /// pages hand these to the schema rather than the request itself).
    pub fn client_from(
        &self,
        headers: &actix_web::http::header::HeaderMap,
        peer: Option<std::net::SocketAddr>,
    ) -> IpAddr {
        let forwarded = self.trusted_header.as_ref().and_then(|name| {
            let value = headers.get(name)?.to_str().ok()?;
            // A list (`X-Forwarded-For: client, proxy1`): the last entry is the one our
            // own proxy added; earlier ones are whatever the client sent.
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        let address = forwarded
            .or_else(|| peer.map(|peer| peer.ip()))
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        match address {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
                let prefix = u128::from(v6) & !u128::from(u64::MAX);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            IpAddr::V4(_) => address,
        }
    }

    /// Takes `count` of `action` from `client`'s allowance, or says how long to wait.
    fn admit(&self, client: IpAddr, action: LimitedAction, count: u32) -> Result<(), Duration> {
        let Some((_, limiter)) = self.limiters.iter().find(|(a, _)| *a == action) else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let Some(count) = NonZeroU32::new(count) else {
            return Ok(());
        };
        match limiter.check_key_n(&client, count) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(limiter.clock().now())),
            // More at once than the whole burst: wait for a full window.
            Err(_) => Err(Duration::from_secs(60)),
        }
    }
}

/// One request's view of the limits: its client, and whether any of its operations
/// was refused (and for how long, in milliseconds; 0 while none was).
pub struct Gate {
    limits: std::sync::Arc<RateLimits>,
    client: IpAddr,
    refused_for_ms: AtomicU64,
}

impl Gate {
    pub fn new(limits: std::sync::Arc<RateLimits>, request: &HttpRequest) -> Self {
        let client = limits.client_of(request);
        Self::for_client(limits, client)
    }

    /// The gate of a known client.
    pub fn for_client(limits: std::sync::Arc<RateLimits>, client: IpAddr) -> Self {
        Self {
            limits,
            client,
            refused_for_ms: AtomicU64::new(0),
        }
    }

    /// Admits an operation with these root fields, or refuses it with a message for
    /// the client; a refusal is remembered for [`Gate::answer`].
    pub fn admit<'a>(&self, root_fields: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
        let mut counts: Vec<(LimitedAction, u32)> = Vec::new();
        for action in root_fields
            .into_iter()
            .filter_map(LimitedAction::of_root_field)
        {
            match counts.iter_mut().find(|(a, _)| *a == action) {
                Some((_, n)) => *n = n.saturating_add(1),
                None => counts.push((action, 1)),
            }
        }
        for (action, count) in counts {
            if let Err(wait) = self.limits.admit(self.client, action, count) {
                let seconds = retry_after_seconds(wait);
                let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
                self.refused_for_ms.fetch_max(ms, Ordering::Relaxed);
                return Err(format!(
                    "too many {} from this address; retry in {seconds} s",
                    action.describe()
                ));
            }
        }
        Ok(())
    }

    /// The response as it stands, or, when an operation was refused, the same body as
    /// a 429 with `Retry-After`.
    pub fn answer(&self, mut response: HttpResponse) -> HttpResponse {
        let ms = self.refused_for_ms.load(Ordering::Relaxed);
        if ms > 0 {
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            let seconds = retry_after_seconds(Duration::from_millis(ms));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Whole seconds, rounded up and at least one (`Retry-After: 0` invites a retry storm).
fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs();
    let rounded = if wait.subsec_nanos() > 0 {
        whole.saturating_add(1)
    } else {
        whole
    };
    rounded.max(1)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn limits(login: u32, header: Option<&str>) -> std::sync::Arc<RateLimits> {
        let settings = RateLimitSettings {
            login_per_minute: login,
            registration_per_minute: 0,
            password_reset_per_minute: 0,
            search_per_minute: 0,
            import_per_minute: 0,
            checkout_per_minute: 0,
            trusted_proxy_header: header.map(str::to_owned),
        };
        std::sync::Arc::new(RateLimits::new(&settings).unwrap())
    }

    #[test]
    fn root_fields_name_their_actions() {
        assert_eq!(
            LimitedAction::of_root_field("login"),
            Some(LimitedAction::Login)
        );
        assert_eq!(
            LimitedAction::of_root_field("passwordResetRequest"),
            Some(LimitedAction::PasswordReset)
        );
        assert_eq!(LimitedAction::of_root_field("products"), None);
    }

    #[test]
    fn every_occurrence_counts_and_the_refusal_says_how_long() {
        let limits = limits(3, None);
        let request = TestRequest::default()
            .peer_addr("192.0.2.1:5000".parse().unwrap())
            .to_http_request();
        let gate = Gate::new(limits.clone(), &request);
        assert!(gate.admit(["login", "login", "products"]).is_ok());
        assert!(gate.admit(["login"]).is_ok());
        let refusal = gate.admit(["login"]).unwrap_err();
        assert!(refusal.contains("login attempts"), "{refusal}");
        let answer = gate.answer(HttpResponse::Ok().finish());
        assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = answer
            .headers()
            .get(header::RETRY_AFTER)
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=20).contains(&retry), "{retry}");
        // Another client has its own allowance.
        let other = TestRequest::default()
            .peer_addr("192.0.2.2:5000".parse().unwrap())
            .to_http_request();
        assert!(Gate::new(limits, &other).admit(["login"]).is_ok());
    }

    #[test]
    fn the_proxy_header_counts_only_when_configured() {
        let request = TestRequest::default()
            .peer_addr("10.0.0.1:5000".parse().unwrap())
            .insert_header(("X-Forwarded-For", "203.0.113.9, 198.51.100.7"))
            .to_http_request();
        assert_eq!(
            limits(1, None).client_of(&request),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            limits(1, Some("X-Forwarded-For")).client_of(&request),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        let v6 = TestRequest::default()
            .peer_addr("[2001:db8:1:2:3:4:5:6]:5000".parse().unwrap())
            .to_http_request();
        assert_eq!(
            limits(1, None).client_of(&v6),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
    }
}
