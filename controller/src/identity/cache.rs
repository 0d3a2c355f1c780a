//! Assertions already verified: a citizen's phone sends the same assertion with every
//! request (slots, booking, 我的预约, cancel), and checking an Ed25519 / ECDSA / RSA
//! signature costs far more than the rest of a booking. An accepted assertion is
//! remembered by its SHA-256 until its expiry (with the same leeway the full check
//! allows); anything else — unknown, expired, a clock that went back — takes the full
//! check. Refusals are never remembered.

use super::claims::LEEWAY_S;
use super::Citizen;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Most assertions remembered; the map starts afresh when full.
const CAPACITY: usize = 50_000;

struct Accepted {
    citizen: Citizen,
    /// First accepted at (s): an earlier `now` means the clock went back.
    at_s: i64,
    /// The assertion's `exp` (s).
    exp_s: i64,
}

/// Verified assertions by SHA-256.
#[derive(Default)]
pub(super) struct Verified(Mutex<HashMap<[u8; 32], Accepted>>);

pub(super) fn key(assertion: &str) -> [u8; 32] {
    Sha256::digest(assertion.as_bytes()).into()
}

impl Verified {
    /// The citizen of an assertion accepted before and still unexpired at `now_s`.
    pub(super) fn get(&self, key: &[u8; 32], now_s: i64) -> Option<Citizen> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|a| now_s >= a.at_s && now_s <= a.exp_s.saturating_add(LEEWAY_S))
            .map(|a| a.citizen.clone())
    }

    /// Remembers an assertion the full check accepted at `now_s`.
    pub(super) fn put(&self, key: [u8; 32], citizen: &Citizen, now_s: i64, exp_s: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(
            key,
            Accepted {
                citizen: citizen.clone(),
                at_s: now_s,
                exp_s,
            },
        );
    }
}
