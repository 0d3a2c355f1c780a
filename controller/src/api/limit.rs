//! The rate limits per client address on the routes a flood or a guesser repeats, as one
//! middleware ([`guard`]) on the router: it charges the request to the address's bucket
//! ([`crate::limits`]) before the handler runs, and answers 429 `rate_limited` with
//! `Retry-After` when the bucket is empty — so a refused request costs no password check,
//! no database row and no audit row. A sign-in counts only when it failed (401), a
//! booking or an identity only when made (2xx): otherwise the charge is given back.
//!
//! | route | limit (`[limits]`) | counts |
//! |---|---|---|
//! | POST `/auth/sign-in` | `sign_in_failures` | 401 answers |
//! | GET `/appointments/{code}/qr.png`, DELETE `/appointments/{code}`, POST `/checkins`, POST `/windows/{w}/verify-id` | `code_lookups` | every request |
//! | POST `/appointments` | `bookings` | bookings made (2xx) |
//! | POST `/dev/identity` | `dev_identities` | identities made (2xx) |

use super::error::ApiError;
use super::AppState;
use crate::limits::{Keyed, Limits};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// What a limited request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A staff sign-in (only failures count).
    SignIn,
    /// A lookup by booking code or ID number.
    Lookup,
    /// A booking.
    Booking,
    /// A development identity assertion.
    DevIdentity,
}

/// Every limited route: (method, route template under `/api/v1`, kind).
pub static LIMITED: [(Method, &str, Kind); 7] = [
    (Method::POST, "/auth/sign-in", Kind::SignIn),
    (Method::GET, "/appointments/{code}/qr.png", Kind::Lookup),
    (Method::DELETE, "/appointments/{code}", Kind::Lookup),
    (Method::POST, "/checkins", Kind::Lookup),
    (Method::POST, "/windows/{w}/verify-id", Kind::Lookup),
    (Method::POST, "/appointments", Kind::Booking),
    (Method::POST, "/dev/identity", Kind::DevIdentity),
];

impl Kind {
    /// The kind of a request to the route `template` (as matched, with `/api/v1`).
    pub fn of(method: &Method, template: &str) -> Option<Self> {
        let path = template.strip_prefix("/api/v1")?;
        let method = if *method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        LIMITED
            .iter()
            .find(|(m, p, _)| m == method && *p == path)
            .map(|(_, _, k)| *k)
    }

    fn limiter(self, limits: &Limits) -> &Keyed {
        match self {
            Self::SignIn => &limits.sign_in_failures,
            Self::Lookup => &limits.code_lookups,
            Self::Booking => &limits.bookings,
            Self::DevIdentity => &limits.dev_identities,
        }
    }

    /// Whether a request that got `status` stays counted: failed sign-ins, bookings and
    /// identities made, every lookup (a guess that misses is what is limited).
    fn counts(self, status: StatusCode) -> bool {
        match self {
            Self::SignIn => status == StatusCode::UNAUTHORIZED,
            Self::Booking | Self::DevIdentity => status.is_success(),
            Self::Lookup => true,
        }
    }
}

/// The 429 answer: the contract's error body and `Retry-After` in whole seconds.
pub fn rate_limited(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let mut r = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("请求过于频繁，请 {secs} 秒后再试 / too many requests; try again in {secs} s"),
    )
    .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    r
}

/// Middleware: the rate limits of the routes in [`LIMITED`], per client address (the one
/// the HTTP server put in `ConnectInfo`, see [`crate::http`]).
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let kind = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| Kind::of(req.method(), p.as_str()));
    let Some(kind) = kind else {
        return next.run(req).await;
    };
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let limiter = kind.limiter(&state.limits);
    let charge = match limiter.take(ip) {
        Ok(c) => c,
        Err(wait) => {
            tracing::warn!(kind = ?kind, from = %ip, "rate limited");
            return rate_limited(wait);
        }
    };
    let resp = next.run(req).await;
    if !kind.counts(resp.status()) {
        limiter.give_back(charge);
    }
    resp
}

/// Adds the 429 answer to each limited operation of the OpenAPI document `doc`.
pub fn document(doc: &mut Value) {
    for (method, path, _) in &LIMITED {
        let m = method.as_str().to_ascii_lowercase();
        let op = doc
            .get_mut("paths")
            .and_then(|p| p.get_mut(*path))
            .and_then(|p| p.get_mut(&m))
            .filter(|op| op.is_object());
        // None: a route this hall does not serve (the development provider).
        let Some(op) = op else { continue };
        let answer = &mut op["responses"]["429"];
        let before = answer["description"].as_str().map(str::to_string);
        let what = "rate_limited: too many requests from this address (`[limits]`); `Retry-After` says when to try again";
        answer["description"] = json!(match before {
            Some(b) => format!("{b}; {what}"),
            None => what.to_string(),
        });
        answer["headers"]["Retry-After"] = json!({
            "description": "seconds to wait",
            "schema": {"type": "integer", "minimum": 1}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limited_routes_are_routes_and_only_they_are_limited() {
        let src = include_str!("../../../config/examples/demo-hall.toml");
        let mut cfg = hallq_config::load_str("demo-hall.toml", src).unwrap();
        cfg.identity.dev_provider = true;
        let (_, doc) = super::super::api_routes(&cfg).split_for_parts();
        let mut doc = serde_json::to_value(doc).unwrap();
        for (method, path, _) in &LIMITED {
            let m = method.as_str().to_ascii_lowercase();
            assert!(doc["paths"][*path][&m].is_object(), "{method} {path}");
        }
        document(&mut doc);
        let qr = &doc["paths"]["/appointments/{code}/qr.png"]["get"]["responses"]["429"];
        assert!(qr["description"]
            .as_str()
            .unwrap()
            .starts_with("rate_limited"));
        let sign_in = &doc["paths"]["/auth/sign-in"]["post"]["responses"]["429"];
        assert!(sign_in["description"].as_str().unwrap().contains("locked"));
        assert_eq!(
            Kind::of(&Method::HEAD, "/api/v1/appointments/{code}/qr.png"),
            Some(Kind::Lookup)
        );
        assert_eq!(Kind::of(&Method::GET, "/api/v1/appointments/{code}"), None);
        assert_eq!(Kind::of(&Method::POST, "/api/v1/tickets"), None);
        assert_eq!(Kind::of(&Method::POST, "/auth/sign-in"), None);
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        let r = rate_limited(Duration::from_millis(1500));
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()[header::RETRY_AFTER], "2");
        assert_eq!(
            rate_limited(Duration::ZERO).headers()[header::RETRY_AFTER],
            "1"
        );
    }
}
