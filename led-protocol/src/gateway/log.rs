//! What a bus task says: every line names the bus, the board's address and the window it
//! serves. Failures that repeat (a board that does not answer, noise on the line) are
//! summarised with [`Repeats`]: the first at once, then once a minute with a count, and
//! "answers again" when it recovers. Also keeps the board's entries of the state file.

use std::sync::Arc;

use hallq_mqtt::repeats::Repeats;

use super::driver::Names;
use super::state::{now_ms, Shared};
use crate::bus::{Bus, BusEvent};

/// One bus's log and state reporting.
pub struct BusLog {
    bus: String,
    place: String,
    boards: Vec<String>,
    first: usize,
    silent: Vec<Repeats>,
    refused: Vec<Repeats>,
    noise: Repeats,
    open_failures: Repeats,
    open: bool,
    was_open: bool,
    last_ack: Vec<Option<u64>>,
    state: Option<Arc<Shared>>,
}

impl BusLog {
    /// The log of the bus `names` at `place`, reporting into `state`.
    #[must_use]
    pub fn new(names: &Names, place: &str, state: Option<Arc<Shared>>) -> Self {
        let n = names.boards.len();
        Self {
            bus: names.bus.clone(),
            place: place.to_string(),
            boards: names.boards.clone(),
            first: names.first,
            silent: (0..n).map(|_| Repeats::per_minute()).collect(),
            refused: (0..n).map(|_| Repeats::per_minute()).collect(),
            noise: Repeats::per_minute(),
            open_failures: Repeats::per_minute(),
            open: false,
            was_open: false,
            last_ack: vec![None; n],
            state,
        }
    }

    fn board(&self, i: usize) -> &str {
        self.boards.get(i).map_or("?", String::as_str)
    }

    /// Whether the port was open before (a reopen, not the first open).
    #[must_use]
    pub const fn was_open(&self) -> bool {
        self.was_open
    }

    /// The port opened.
    pub fn opened(&mut self, reopened: bool) {
        let bus = &self.bus;
        // A stable name (udev, by-id) with the device it points at now.
        let place = match std::fs::canonicalize(&self.place) {
            Ok(dev) if self.place.starts_with('/') && dev.as_os_str() != self.place.as_str() => {
                format!("{} → {}", self.place, dev.display())
            }
            _ => self.place.clone(),
        };
        self.open_failures.clear();
        if reopened {
            tracing::info!(bus = %bus, "LED 总线已重新连接 / bus reopened: {bus} ({place})");
        } else {
            tracing::info!(bus = %bus, "LED 总线已连接 / bus open: {bus} ({place})");
        }
        if let Some(alias) = stable_note(&self.place) {
            tracing::warn!(bus = %bus, "{alias}");
        }
        self.open = true;
        self.was_open = true;
    }

    /// The port was lost.
    pub fn lost(&mut self, why: &str) {
        let (bus, place) = (&self.bus, &self.place);
        tracing::warn!(bus = %bus, "LED 总线断开 / bus lost: {bus} ({place}): {why}; reopening with backoff");
        self.open = false;
    }

    /// An open failed (`failures` in a row).
    pub fn open_failed(&mut self, failures: u32, error: &str) {
        let (bus, place) = (&self.bus, &self.place);
        match self.open_failures.note() {
            Some(1) => {
                tracing::warn!(bus = %bus, "LED 总线无法打开 / cannot open bus {bus} ({place}): {error}; retrying quietly with backoff")
            }
            Some(n) => {
                tracing::warn!(bus = %bus, "LED 总线仍无法打开 / bus {bus} ({place}) still cannot be opened: {error} ({n} tries since the last report)")
            }
            None => tracing::debug!(bus = %bus, failures, "cannot open {place}: {error}"),
        }
    }

    /// Logs the bus's events.
    pub fn events(&mut self, bus: &mut Bus) {
        let events: Vec<_> = std::iter::from_fn(|| bus.poll_event()).collect();
        for event in events {
            let acks = match &event {
                BusEvent::Delivered { board, .. } => bus.answering(*board).is_some(),
                _ => false,
            };
            self.event(event, acks);
        }
    }

    fn event(&mut self, event: BusEvent, acks: bool) {
        let id = self.bus.clone();
        match event {
            BusEvent::Delivered { board, attempts } => {
                if acks {
                    self.last_ack[board] = Some(now_ms());
                }
                self.refused[board].clear();
                tracing::debug!(bus = %id, "{} {}: frame delivered ({attempts} sends)", id, self.board(board));
            }
            BusEvent::TimedOut { board, attempts } => {
                tracing::debug!(bus = %id, "{} {}: no ACK after send {attempts}; resending", id, self.board(board));
            }
            BusEvent::Nacked { board, code } => {
                if let Some(n) = self.refused[board].note() {
                    tracing::warn!(bus = %id, "LED 屏拒收 / bus {id} board {} refused the frame (NACK {code:#04x}; {n} since the last report)", self.board(board));
                }
            }
            BusEvent::GaveUp { board } | BusEvent::StillSilent { board } => {
                match self.silent[board].note() {
                    Some(1) => {
                        tracing::warn!(bus = %id, "LED 屏无应答 / bus {id} board {} does not answer; asking it again every second", self.board(board))
                    }
                    Some(n) => {
                        tracing::warn!(bus = %id, "LED 屏仍无应答 / bus {id} board {} still does not answer ({n} unanswered sends since the last report)", self.board(board))
                    }
                    None => tracing::debug!(bus = %id, "{id} {}: still silent", self.board(board)),
                }
            }
            BusEvent::AnswersAgain { board } => {
                self.last_ack[board] = Some(now_ms());
                let missed = self.silent[board].clear();
                tracing::info!(bus = %id, "LED 屏恢复应答 / bus {id} board {} answers again (after {missed} more unanswered sends); sending what it should show now", self.board(board));
            }
            BusEvent::BadReply { reason } => match self.noise.note() {
                Some(n) => {
                    tracing::warn!(bus = %id, "LED 总线收到无效字节 / bus {id} ({}): bytes that are no reply ({reason}; {n} since the last report)", self.place)
                }
                None => tracing::debug!(bus = %id, "bad reply ignored: {reason}"),
            },
            BusEvent::Unexpected { reason } => {
                tracing::debug!(bus = %id, "reply ignored: {reason}");
            }
        }
    }

    /// Puts this bus's boards into the state file.
    pub fn report(&self, bus: &Bus) {
        let Some(state) = &self.state else { return };
        state.update(|doc| {
            for i in 0..self.boards.len() {
                let Some(b) = doc.boards.get_mut(self.first + i) else {
                    continue;
                };
                b.bus_open = self.open;
                b.text = bus.shown(i).map(String::from);
                b.pending = bus.pending(i).map(String::from);
                b.answering = bus.answering(i);
                b.last_ack_ms = self.last_ack[i];
            }
        });
    }
}

/// For a movable device name (`/dev/ttyUSB0`): its stable alias and the advice to use it.
fn stable_note(place: &str) -> Option<String> {
    if !super::transport::is_movable_name(place) {
        return None;
    }
    let by_id =
        super::transport::stable_alias(place, std::path::Path::new(super::transport::BY_ID));
    Some(match by_id {
        Some(alias) => format!(
            "{place} 是按插入顺序分配的名称，可能变成别的设备 / is a name that can move to another adapter; \
             this adapter's stable name is {alias}: put that (or a udev name such as /dev/hallq-led-1) \
             in the config (docs/operations.md)"
        ),
        None => format!(
            "{place} 是按插入顺序分配的名称，可能变成别的设备 / is a name that can move to another adapter, \
             and no stable name under {} points at it: use a udev name such as /dev/hallq-led-1 \
             (docs/operations.md)",
            super::transport::BY_ID
        ),
    })
}
