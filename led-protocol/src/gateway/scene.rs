//! What each board should show, from the hall's MQTT messages. Pure: messages in, changed
//! board contents out.
//!
//! - A window board shows its window: `paused` or `closed` when the window is, else
//!   `calling` while a ticket is called or served there (from `calls` and the retained
//!   `windows/{w}`), else `idle`.
//! - A hall board shows the tickets the windows serve now, newest call first (by
//!   `called_at`, ties by ticket number, higher first), at most `hall_calls`, joined into one
//!   line (`hall_call` each; `hall_idle` when no window serves a ticket). It is rebuilt from
//!   the retained window states alone, so after a restart it reads as before.
//! - A call marks its window open and serving the ticket (a call older than the window's
//!   state, by `event_id`, changes nothing); it re-sends the window's content even when the
//!   text is unchanged, so the board shows it anew; a repeated delivery (same `event_id`)
//!   changes nothing. A window state is the truth and always replaces what was known.
//! - Messages are parsed into `hallq_mqtt`'s payload types; one that does not parse changes
//!   nothing (the caller drops it).

use std::collections::{HashMap, HashSet, VecDeque};

use hallq_config::led::{parse_template, Board, Piece, TemplateKind};
use hallq_config::Settings;
use hallq_mqtt::payload::{Call as CallEvent, WindowState, WindowStatus};
use hallq_mqtt::{Inbound, PayloadError};

use crate::show::{Colour, Content, Effect};

/// How many event ids are remembered for deduplication.
const SEEN_EVENTS: usize = 4096;
/// Separator between calls on a hall board.
const HALL_SEPARATOR: &str = "  ";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct WindowView {
    /// None before the window's state was heard.
    status: Option<WindowStatus>,
    reason: String,
    serving: Option<Ticket>,
    /// The newest event this view includes.
    event_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Ticket {
    number: String,
    service: String,
    /// When it was (last) called, seconds since the epoch.
    called_at: Option<i64>,
}

#[derive(Debug)]
struct BoardView {
    board: Board,
    ascii: bool,
    effect: Effect,
    colour: Colour,
    shown: Option<Content>,
}

/// The hall as the boards see it.
#[derive(Debug)]
pub struct Scene {
    cfg: std::sync::Arc<Settings>,
    boards: Vec<BoardView>,
    windows: HashMap<String, WindowView>,
    seen: HashSet<i64>,
    seen_order: VecDeque<i64>,
}

/// A message the scene could not use.
#[derive(Debug, thiserror::Error)]
#[error("{topic}: {reason}")]
pub struct SceneError {
    /// Topic after the hall's root.
    pub topic: String,
    /// What was wrong.
    #[source]
    pub reason: PayloadError,
}

impl Scene {
    /// Every board of the config, in bus order then board order (the global board index).
    #[must_use]
    pub fn new(cfg: std::sync::Arc<Settings>) -> Self {
        let boards = cfg
            .led
            .buses
            .iter()
            .flat_map(|b| b.boards.iter())
            .map(|b| BoardView {
                ascii: b.protocol == "alpha",
                effect: Effect::from_name(b.mode_name()).unwrap_or(Effect::Static),
                colour: Colour::from_name(&b.colour).unwrap_or(Colour::Red),
                board: b.clone(),
                shown: None,
            })
            .collect();
        Self {
            cfg,
            boards,
            windows: HashMap::new(),
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
        }
    }

    /// Number of boards.
    #[must_use]
    pub fn len(&self) -> usize {
        self.boards.len()
    }

    /// Whether there are no boards.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.boards.is_empty()
    }

    /// The configured windows' ids (whose retained state the gateway waits for).
    #[must_use]
    pub fn windows(&self) -> Vec<String> {
        self.cfg.windows.iter().map(|w| w.id.clone()).collect()
    }

    /// Every board's content (what to show at start and after a reopen), recorded as shown.
    pub fn all(&mut self) -> Vec<(usize, Content)> {
        (0..self.boards.len())
            .map(|i| {
                let c = self.render(i);
                self.boards[i].shown = Some(c.clone());
                (i, c)
            })
            .collect()
    }

    /// A message on `topic` (after the hall's root: `calls`, `windows/{w}`, …). Returns the
    /// boards whose content must be sent.
    ///
    /// # Errors
    /// [`SceneError`] for a payload that is not the contract's; nothing changes then.
    pub fn handle_message(
        &mut self,
        topic: &str,
        payload: &[u8],
    ) -> Result<Vec<(usize, Content)>, SceneError> {
        let msg = Inbound::parse(topic, payload).map_err(|reason| SceneError {
            topic: topic.to_string(),
            reason,
        })?;
        Ok(match msg {
            Inbound::Call(c) => match self.on_call(c) {
                Some(window) => self.refresh(|b| b.is_hall() || b.window == window, true),
                None => Vec::new(),
            },
            Inbound::Window(w) => {
                let window = w.window.clone();
                self.on_window(*w);
                self.refresh(|b| b.is_hall() || b.window == window, false)
            }
            Inbound::Queue(_) | Inbound::Button { .. } => Vec::new(),
        })
    }

    /// Takes a call; `None` for a repeated delivery or one older than the window's state.
    fn on_call(&mut self, c: CallEvent) -> Option<String> {
        if !self.seen.insert(c.event_id) {
            return None;
        }
        self.seen_order.push_back(c.event_id);
        if self.seen_order.len() > SEEN_EVENTS {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
        let window = c.call.window;
        if !self.known(&window) {
            return None;
        }
        let view = self.windows.entry(window.clone()).or_default();
        if c.event_id <= view.event_id {
            return None;
        }
        view.event_id = c.event_id;
        view.status = Some(WindowStatus::Open);
        view.reason.clear();
        view.serving = Some(Ticket {
            number: c.call.number,
            service: c.call.service,
            called_at: rfc3339_seconds(&c.call.called_at),
        });
        Some(window)
    }

    /// Whether `window` is in the config: a retained state of a window removed since (kept
    /// by an external broker) must not show on the hall board, nor grow the map.
    fn known(&self, window: &str) -> bool {
        self.cfg.windows.iter().any(|w| w.id == window)
    }

    fn on_window(&mut self, w: WindowState) {
        if !self.known(&w.window) {
            return;
        }
        let view = self.windows.entry(w.window).or_default();
        let before = view.serving.take();
        view.status = Some(w.status);
        view.reason = w.pause_reason.unwrap_or_default();
        view.event_id = w.event_id;
        view.serving = w.serving.map(|t| {
            // A state without the call time keeps the one its call brought.
            let called_at = t
                .called_at
                .as_deref()
                .and_then(rfc3339_seconds)
                .or_else(|| {
                    before
                        .as_ref()
                        .filter(|b| b.number == t.number)
                        .and_then(|b| b.called_at)
                });
            Ticket {
                number: t.number,
                service: t.service,
                called_at,
            }
        });
    }

    /// The tickets served now, newest call first (ties: higher number first), at most
    /// `hall_calls`: (ticket, window).
    fn hall_calls(&self) -> Vec<(&Ticket, &str)> {
        let mut calls: Vec<(&Ticket, &str)> = self
            .windows
            .iter()
            .filter_map(|(w, v)| v.serving.as_ref().map(|t| (t, w.as_str())))
            .collect();
        calls.sort_by(|(a, wa), (b, wb)| {
            b.called_at
                .cmp(&a.called_at)
                .then_with(|| b.number.cmp(&a.number))
                .then_with(|| wa.cmp(wb))
        });
        calls.truncate(self.cfg.led.hall_calls.max(1));
        calls
    }

    fn refresh(&mut self, which: impl Fn(&Board) -> bool, force: bool) -> Vec<(usize, Content)> {
        let mut out = Vec::new();
        for i in 0..self.boards.len() {
            if !which(&self.boards[i].board) {
                continue;
            }
            let content = self.render(i);
            if force || self.boards[i].shown.as_ref() != Some(&content) {
                self.boards[i].shown = Some(content.clone());
                out.push((i, content));
            }
        }
        out
    }

    /// The content board `i` should show now.
    #[must_use]
    pub fn render(&self, i: usize) -> Content {
        let view = &self.boards[i];
        let b = &view.board;
        let text = if b.is_hall() {
            let calls = self.hall_calls();
            if calls.is_empty() {
                self.fill(view, TemplateKind::HallIdle, None, "", "")
            } else {
                calls
                    .iter()
                    .map(|(t, w)| self.fill(view, TemplateKind::HallCall, Some(t), w, ""))
                    .collect::<Vec<_>>()
                    .join(HALL_SEPARATOR)
            }
        } else {
            let w = self.windows.get(&b.window).cloned().unwrap_or_default();
            // A pause or close outranks a ticket still held at the window.
            let kind = match (w.status, &w.serving) {
                (Some(WindowStatus::Paused), _) => TemplateKind::Paused,
                (Some(WindowStatus::Closed), _) => TemplateKind::Closed,
                (_, Some(_)) => TemplateKind::Calling,
                (_, None) => TemplateKind::Idle,
            };
            self.fill(view, kind, w.serving.as_ref(), &b.window, &w.reason)
        };
        Content {
            text,
            effect: view.effect,
            colour: Some(view.colour),
        }
    }

    fn fill(
        &self,
        view: &BoardView,
        kind: TemplateKind,
        ticket: Option<&Ticket>,
        window: &str,
        reason: &str,
    ) -> String {
        let template = view.board.template(&self.cfg.led, kind);
        let Ok(pieces) = parse_template(template) else {
            return template.to_string();
        };
        let win = self.cfg.window(window);
        let service = ticket.and_then(|t| self.cfg.service(&t.service));
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(f) => out.push_str(match f {
                    "number" => ticket.map_or("", |t| t.number.as_str()),
                    "window" => window,
                    "window_name" => win.map_or(window, |w| pick(view.ascii, &w.name, &w.name_en)),
                    "service" => ticket.map_or("", |t| t.service.as_str()),
                    "service_name" => service.map_or("", |s| pick(view.ascii, &s.name, &s.name_en)),
                    "reason" => reason,
                    _ => "",
                }),
            }
        }
        if view.ascii {
            out = out
                .chars()
                .map(|c| if c.is_ascii() && c >= ' ' { c } else { '?' })
                .collect();
        }
        out
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` as seconds since the epoch (None when it is not
/// that shape: such a ticket sorts after every timed one).
fn rfc3339_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |c: &u8| i64::from(*c) - i64::from(b'0');
            let off = (digit(h1) * 10 + digit(h2)) * 3600 + (digit(m1) * 10 + digit(m2)) * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss - offset)
}

/// The English name on ASCII-only boards, when there is one.
fn pick<'a>(ascii: bool, name: &'a str, name_en: &'a Option<String>) -> &'a str {
    match name_en {
        Some(en) if ascii => en,
        _ => name,
    }
}

#[cfg(test)]
mod tests;
