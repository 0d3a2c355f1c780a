//! What each board should show, from the hall's MQTT messages. Pure: messages in, changed
//! board contents out.
//!
//! - A window board shows its window: `paused` or `closed` when the window is, else
//!   `calling` while a ticket is called or served there (from `calls` and the retained
//!   `windows/{w}`), else `idle`.
//! - A hall board shows the last `hall_calls` calls, newest first, joined into one line
//!   (`hall_call` each; `hall_idle` before the first call).
//! - A call or recall re-sends the window's content even when the text is unchanged, so the
//!   board shows it anew; a repeated delivery (same `event_id`) changes nothing.
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Ticket {
    number: String,
    service: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    ticket: Ticket,
    window: String,
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
    calls: VecDeque<Call>,
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
            calls: VecDeque::new(),
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
                self.refresh(|b| b.window == window, false)
            }
            Inbound::Queue(_) | Inbound::Button { .. } => Vec::new(),
        })
    }

    /// Takes a call; `None` for a repeated delivery.
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
        let ticket = Ticket {
            number: c.call.number,
            service: c.call.service,
        };
        self.windows.entry(window.clone()).or_default().serving = Some(ticket.clone());
        self.calls
            .retain(|c| !(c.ticket.number == ticket.number && c.window == window));
        self.calls.push_front(Call {
            ticket,
            window: window.clone(),
        });
        self.calls.truncate(self.cfg.led.hall_calls.max(1));
        Some(window)
    }

    fn on_window(&mut self, w: WindowState) {
        let view = self.windows.entry(w.window).or_default();
        view.status = Some(w.status);
        view.reason = w.pause_reason.unwrap_or_default();
        view.serving = w.serving.map(|t| Ticket {
            number: t.number,
            service: t.service,
        });
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
            if self.calls.is_empty() {
                self.fill(view, TemplateKind::HallIdle, None, "", "")
            } else {
                self.calls
                    .iter()
                    .map(|c| {
                        self.fill(view, TemplateKind::HallCall, Some(&c.ticket), &c.window, "")
                    })
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

/// The English name on ASCII-only boards, when there is one.
fn pick<'a>(ascii: bool, name: &'a str, name_en: &'a Option<String>) -> &'a str {
    match name_en {
        Some(en) if ascii => en,
        _ => name,
    }
}

#[cfg(test)]
mod tests;
