//! What the day's clients saw, kept for the per-minute figures and the rule checks: every
//! answer (when, what, how long, status), every acknowledged ticket, call and booking, the
//! calls that reached the broker's subscriber, and counters of the sockets' frames.

use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ticket,
    Call,
    Clerk,
    Booking,
    Checkin,
}

/// One answer (status 0: no answer, the connection failed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer {
    pub(crate) at_s: f64,
    pub(crate) kind: Kind,
    pub(crate) took: Duration,
    pub(crate) status: u16,
}

/// An acknowledged ticket.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub(crate) number: String,
    pub(crate) token: String,
    /// The hall's day it was issued on (numbers restart every day).
    pub(crate) day: String,
}

/// An acknowledged booking.
#[derive(Debug, Clone)]
pub(crate) struct Booking {
    pub(crate) person: usize,
    pub(crate) code: String,
    /// `service@slot_start`.
    pub(crate) slot: String,
}

#[derive(Default)]
pub(crate) struct Record {
    answers: Mutex<Vec<Answer>>,
    pub(crate) tickets: Mutex<Vec<Ticket>>,
    /// Acknowledged calls, (window, number), in the order of their answers per window.
    pub(crate) calls: Mutex<Vec<(String, String)>>,
    /// Calls as the broker's subscriber received them, (window, number).
    pub(crate) heard: Mutex<Vec<(String, String)>>,
    pub(crate) bookings: Mutex<Vec<Booking>>,
    /// Booking attempts past the daily limit that were refused 409 `daily_limit`.
    pub(crate) limit_refused: AtomicU64,
    pub(crate) checkins: AtomicU64,
    pub(crate) status_frames: AtomicU64,
    pub(crate) screen_frames: AtomicU64,
    pub(crate) socket_opens: AtomicU64,
    /// Requests never answered (other than 503) within their time.
    pub(crate) gave_up: AtomicU64,
    /// Tokens of the newest tickets, for the phones that open their status page.
    recent: Mutex<VecDeque<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Record {
    pub(crate) fn answer(&self, started: Instant, kind: Kind, took: Duration, status: u16) {
        let at_s = started.elapsed().as_secs_f64();
        lock(&self.answers).push(Answer {
            at_s,
            kind,
            took,
            status,
        });
    }

    pub(crate) fn answers(&self) -> Vec<Answer> {
        lock(&self.answers).clone()
    }

    pub(crate) fn ticket(&self, t: Ticket) {
        let mut recent = lock(&self.recent);
        recent.push_back(t.token.clone());
        if recent.len() > 400 {
            recent.pop_front();
        }
        drop(recent);
        lock(&self.tickets).push(t);
    }

    /// A token of one of the newest tickets (`pick` chooses among them).
    pub(crate) fn recent_token(&self, pick: usize) -> Option<String> {
        let recent = lock(&self.recent);
        (!recent.is_empty()).then(|| recent[pick % recent.len()].clone())
    }

    pub(crate) fn call(&self, window: &str, number: &str) {
        lock(&self.calls).push((window.into(), number.into()));
    }

    pub(crate) fn heard(&self, payload: &[u8]) {
        let v: Value = serde_json::from_slice(payload).unwrap_or_default();
        if v["recall"] == true {
            return;
        }
        if let (Some(w), Some(n)) = (v["window"].as_str(), v["number"].as_str()) {
            lock(&self.heard).push((w.into(), n.into()));
        }
    }

    pub(crate) fn booking(&self, b: Booking) {
        lock(&self.bookings).push(b);
    }

    pub(crate) fn count(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }

    pub(crate) fn snapshot<T: Clone>(m: &Mutex<Vec<T>>) -> Vec<T> {
        lock(m).clone()
    }
}

/// Sends the request `make` builds until it is answered with anything but 503 or `give_up`
/// passes (a citizen pressing again while the hall restarts); every answer is recorded.
/// Returns the status and the body (Null when not JSON), or None when never answered.
pub(crate) async fn send(
    rec: &Record,
    started: Instant,
    kind: Kind,
    give_up: Duration,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Option<(u16, Value)> {
    let until = Instant::now() + give_up;
    loop {
        let t0 = Instant::now();
        let r = make().timeout(Duration::from_secs(10)).send().await;
        match r {
            Ok(r) => {
                let status = r.status().as_u16();
                let body = r.json::<Value>().await.unwrap_or_default();
                rec.answer(started, kind, t0.elapsed(), status);
                if status != 503 {
                    return Some((status, body));
                }
            }
            Err(_) => rec.answer(started, kind, t0.elapsed(), 0),
        }
        if Instant::now() >= until {
            Record::count(&rec.gave_up);
            return None;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
