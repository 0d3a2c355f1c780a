//! `[limits]`: how much one client address may ask of the controller (failed sign-ins,
//! code lookups, bookings, development identities) and how many phones' status sockets
//! it holds. Every default is far above what a real hall's desks, kiosks and citizens do;
//! each is there so that a flood is answered 429 instead of being served.

use crate::locate::Seg;
use crate::schema::Settings;
use serde::Deserialize;
use std::num::{NonZeroU32, NonZeroU64};

/// At most `max` requests per `per_secs` seconds from one client address, in a bucket
/// that refills evenly (`max` at once after a quiet `per_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Rate {
    /// Requests allowed in the window (at least 1).
    pub max: NonZeroU32,
    /// The window, in seconds (at least 1).
    pub per_secs: NonZeroU64,
}

impl Rate {
    /// `max` per `per_secs` (both at least 1; 0 is taken as 1).
    pub fn new(max: u32, per_secs: u64) -> Self {
        Self {
            max: NonZeroU32::new(max).unwrap_or(NonZeroU32::MIN),
            per_secs: NonZeroU64::new(per_secs).unwrap_or(NonZeroU64::MIN),
        }
    }
}

/// The `[limits]` section. Keys left out take their default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Failed staff sign-ins (wrong username or password) per client address (default
    /// 10 per 300 s). Over it, sign-ins from that address are answered 429 before any
    /// password check, and leave no attempt or audit row.
    pub sign_in_failures: Rate,
    /// Lookups by booking code or ID number per client address (default 30 per 60 s):
    /// an appointment's QR code, cancelling by code, check-in, a clerk's ID check.
    pub code_lookups: Rate,
    /// Bookings made per client address (default 20 per 3600 s); a refused booking
    /// does not count.
    pub bookings: Rate,
    /// Identity assertions minted by the development provider per client address
    /// (default 30 per 60 s; refusals do not count).
    pub dev_identities: Rate,
    /// Client addresses each limit remembers at most (default 65536); past it, addresses
    /// not yet seen share one bucket, so a flood from many addresses cannot grow memory.
    pub tracked_addresses: usize,
    /// Phones' status sockets (`GET /tickets/{token}/ws`) open at once for one ticket
    /// (default 8); the next is answered 429.
    pub status_sockets_per_ticket: usize,
    /// Phones' status sockets open at once in all (default 20000).
    pub status_sockets: usize,
    /// The server pings each status socket this often, in seconds (default 25).
    pub status_ping_secs: NonZeroU64,
    /// A status socket from which nothing (not even a pong) arrived for this many
    /// seconds is closed (default 60).
    pub status_idle_secs: NonZeroU64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_failures: Rate::new(10, 300),
            code_lookups: Rate::new(30, 60),
            bookings: Rate::new(20, 3600),
            dev_identities: Rate::new(30, 60),
            tracked_addresses: 65_536,
            status_sockets_per_ticket: 8,
            status_sockets: 20_000,
            status_ping_secs: NonZeroU64::new(25).unwrap_or(NonZeroU64::MIN),
            status_idle_secs: NonZeroU64::new(60).unwrap_or(NonZeroU64::MIN),
        }
    }
}

/// The rules of `[limits]` and of the server's timeouts and connection cap.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    let at = |a: &str, b: &str| vec![Seg::Key(a.into()), Seg::Key(b.into())];
    let sv = &s.server;
    if !(1..=30).contains(&sv.header_timeout_secs) {
        p.push((
            at("server", "header_timeout_secs"),
            "must be 1–30 seconds".into(),
        ));
    }
    if sv.idle_timeout_secs == 0 {
        p.push((
            at("server", "idle_timeout_secs"),
            "must be at least 1".into(),
        ));
    }
    if sv.max_connections == 0 {
        p.push((at("server", "max_connections"), "must be at least 1".into()));
    }
    let l = &s.limits;
    if l.tracked_addresses < 16 {
        p.push((
            at("limits", "tracked_addresses"),
            "must be at least 16".into(),
        ));
    }
    for (key, n) in [
        ("status_sockets_per_ticket", l.status_sockets_per_ticket),
        ("status_sockets", l.status_sockets),
    ] {
        if n == 0 {
            p.push((at("limits", key), "must be at least 1".into()));
        }
    }
    if l.status_idle_secs <= l.status_ping_secs {
        p.push((
            at("limits", "status_idle_secs"),
            "must be longer than status_ping_secs (a phone needs a ping to answer)".into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_partial_section() {
        let l: Limits = toml::from_str("").unwrap();
        assert_eq!(l.sign_in_failures, Rate::new(10, 300));
        assert_eq!(l.status_sockets, 20_000);
        let l: Limits =
            toml::from_str("bookings = { max = 3, per_secs = 60 }\nstatus_idle_secs = 2\n")
                .unwrap();
        assert_eq!(l.bookings, Rate::new(3, 60));
        assert_eq!(l.status_idle_secs.get(), 2);
        assert_eq!(l.code_lookups, Rate::new(30, 60));
        assert!(toml::from_str::<Limits>("bookings = { max = 0, per_secs = 60 }").is_err());
        assert!(toml::from_str::<Limits>("status_ping_secs = 0").is_err());
    }
}
