//! One watched ticket: its latest status as a ready WebSocket frame, the phones' sockets
//! and the Server-Sent Events stream, and how a new position is rendered and sent — from
//! the typed status ([`WaitingState`]) with serde, the unchanging public part built once.

use super::Positions;
use crate::live::{frame, Sock};
use crate::model::{Status, Ticket};
use crate::views::{Estimate, PublicTicket, WaitingState};
use bytes::Bytes;
use std::cell::RefCell;
use std::sync::Arc;
use tokio::sync::watch;

thread_local! {
    /// Where each thread renders a status before framing it (reused: no allocation per
    /// watcher once it has grown).
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

pub(super) struct Entry {
    /// The ticket as last read (number, kind, times never change while it waits).
    pub(super) ticket: Ticket,
    /// Its public part while waiting (all of its status but the two fields that change
    /// with every call, people ahead and estimate): built once, not per call.
    pub(super) waiting: Option<PublicTicket>,
    /// (people ahead, estimate) the status last sent shows, whoever rendered it: an
    /// unchanged pair is not rendered or sent again (several hall events of one action
    /// each ask for a refresh, and a phone that just opened its stream has it already).
    pub(super) last: Option<(i64, Option<Estimate>)>,
    /// Version of `frame`: a socket never takes an older one after a newer.
    pub(super) version: u64,
    /// The status as a whole WebSocket text frame (its payload is the JSON).
    pub(super) frame: Bytes,
    /// Server-Sent Events streams, once one opened.
    pub(super) sse: Option<watch::Sender<Bytes>>,
    /// Phones' sockets.
    pub(super) socks: Vec<Arc<Sock>>,
}

impl Entry {
    pub(super) fn new(ticket: &Ticket) -> Self {
        Self {
            ticket: ticket.clone(),
            waiting: None,
            last: None,
            version: 0,
            frame: Bytes::new(),
            sse: None,
            socks: Vec::new(),
        }
    }

    /// The status JSON now (the frame's payload).
    pub(super) fn json(&self) -> Bytes {
        let n = frame::payload_of(&self.frame).len();
        self.frame.slice(self.frame.len() - n..)
    }

    /// Makes the concatenation of `parts` (JSON) the status and sends it to every socket
    /// and stream, dropping closed sockets. The frame is written into the last one's
    /// buffer when no socket holds that any more: a refresh of thousands allocates nothing.
    pub(super) fn set(&mut self, parts: &[&[u8]]) {
        self.version += 1;
        let len = parts.iter().map(|p| p.len()).sum();
        let (head, n) = frame::header(frame::TEXT, len);
        let mut buf = std::mem::take(&mut self.frame)
            .try_into_mut()
            .unwrap_or_default();
        buf.clear();
        buf.reserve(n + len);
        buf.extend_from_slice(&head[..n]);
        parts.iter().for_each(|p| buf.extend_from_slice(p));
        self.frame = buf.freeze();
        if let Some(tx) = self.sse.as_ref().filter(|tx| tx.receiver_count() > 0) {
            tx.send_replace(self.json());
        }
        let (version, frame) = (self.version, &self.frame);
        self.socks.retain(|s| s.send_status(version, frame));
    }

    /// Sends a waiting ticket its new position (its status rendered with serde from the
    /// cached public part), unless the position and estimate it shows are unchanged.
    /// `wait` gives a ticket's estimate by its id.
    pub(super) fn advance(&mut self, pos: &Positions, wait: &impl Fn(i64) -> Option<Estimate>) {
        let Some(&ahead) = pos.get(&self.ticket.id) else {
            return;
        };
        let Some(public) = self.waiting.take() else {
            return;
        };
        let est = wait(self.ticket.id);
        if self.last == Some((ahead, est)) {
            self.drop_closed();
        } else {
            // `last` is the position the current value shows, so this one differs from it.
            let state = WaitingState {
                ticket: &public,
                people_ahead: ahead,
                estimated_wait_s: est.map(|e| e.wait_s),
                estimated_wait_low_s: est.map(|e| e.low_s),
                estimated_wait_high_s: est.map(|e| e.high_s),
            };
            SCRATCH.with_borrow_mut(|buf| {
                buf.clear();
                // Writing plain structs into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *buf, &state);
                self.set(&[buf]);
            });
            self.last = Some((ahead, est));
        }
        self.waiting = Some(public);
    }

    /// Takes `status` (just read) as the ticket's, for `ticket` as read with it.
    pub(super) fn reset(
        &mut self,
        cfg: &hallq_config::Settings,
        ticket: &Ticket,
        status: &serde_json::Value,
    ) {
        self.ticket = ticket.clone();
        self.waiting = (ticket.status == Status::Waiting).then(|| PublicTicket::of(cfg, ticket));
        // The position the phone was just given: the next refresh sends only a change.
        self.last = position(&self.waiting, status);
        if self.shows(status) {
            self.drop_closed();
        } else {
            self.set(&[status.to_string().as_bytes()]);
        }
    }

    /// Whether the status now is `status` (compared as JSON: the refresh renders the
    /// fields in another order than a full rendering).
    pub(super) fn shows(&self, status: &serde_json::Value) -> bool {
        serde_json::from_slice::<serde_json::Value>(&self.json()).is_ok_and(|v| v == *status)
    }

    /// Whether anybody still watches; drops closed sockets.
    pub(super) fn watched(&mut self) -> bool {
        self.drop_closed();
        self.has_watchers()
    }

    /// Drops closed sockets (those written to are dropped by [`Entry::set`]).
    pub(super) fn drop_closed(&mut self) {
        self.socks.retain(|s| !s.is_closed());
    }

    /// Whether anybody may still watch: sockets not known to be closed, or streams.
    pub(super) fn has_watchers(&self) -> bool {
        !self.socks.is_empty() || self.sse.as_ref().is_some_and(|t| t.receiver_count() > 0)
    }
}

/// The (people ahead, estimate) a waiting ticket's status JSON shows; None when the ticket
/// is not waiting (no public part cached) or the status has no position.
fn position(
    waiting: &Option<PublicTicket>,
    status: &serde_json::Value,
) -> Option<(i64, Option<Estimate>)> {
    waiting.as_ref()?;
    let field = |f: &str| status[f].as_i64();
    let est = (|| {
        Some(Estimate {
            wait_s: field("estimated_wait_s")?,
            low_s: field("estimated_wait_low_s")?,
            high_s: field("estimated_wait_high_s")?,
        })
    })();
    Some((field("people_ahead")?, est))
}
