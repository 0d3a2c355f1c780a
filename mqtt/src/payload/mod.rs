//! The payloads on a hall's topics, typed: the one place that defines what the controller
//! publishes and what every subscriber accepts (docs/mqtt.md is the contract).
//!
//! - `hall`: what the controller publishes — a call on `calls` ([`Call`], whose
//!   stored part is [`CallBody`]), a window's retained state on `windows/{w}`
//!   ([`WindowState`], with the [`Ticket`] it serves) and a queue's on `queues/{service}`
//!   ([`QueueState`]);
//! - `button`: what a call button publishes on `buttons/{w}` ([`ButtonPress`]);
//! - [`Inbound::parse`]: a message (topic below the root, payload bytes) into one of them,
//!   or a [`PayloadError`] saying why not; [`Dropped`] counts and logs what a consumer
//!   drops, at most one warning per interval.
//!
//! Parsing is strict about what is there: every documented field present with its type,
//! enums closed, ids and ticket numbers from a safe alphabet, texts bounded and free of
//! control characters, times shaped like RFC 3339, the subject in the payload the same as
//! in the topic. Unknown fields are ignored, not refused: the contract may add fields in
//! v1 (a newer controller beside an older screen), and consumers re-serialise what they
//! pass on from these types, so an unknown field never travels further.

mod button;
mod drops;
mod hall;

pub use button::{ButtonAction, ButtonPress, MAX_PRESS_ID};
pub use drops::Dropped;
pub use hall::{
    Call, CallBody, QueueState, Ticket, TicketKind, TicketStatus, WindowState, WindowStatus,
};

use crate::Topic;
use serde::Serialize;

/// Longest payload accepted on any topic, in bytes (a window's state is under 1 KiB).
pub const MAX_PAYLOAD: usize = 16 * 1024;
/// Longest id (window, service), in characters, as the config allows.
pub const MAX_ID: usize = 64;
/// Longest ticket number, in characters.
pub const MAX_NUMBER: usize = 16;
/// Longest text (a name, a pause reason), in characters.
pub const MAX_TEXT: usize = 256;

/// Why a payload was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// Longer than [`MAX_PAYLOAD`].
    #[error("payload of {0} bytes is over the limit")]
    TooLong(usize),
    /// Not the JSON of the type (not JSON, a field missing or of another type, an unknown
    /// enum value).
    #[error("not the contract's JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A field's value is out of its bounds.
    #[error("{field}: {why}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The payload names another window or service than its topic.
    #[error("payload is about {payload:?}, its topic about {topic:?}")]
    Mismatch {
        /// The topic's subject.
        topic: String,
        /// The payload's.
        payload: String,
    },
    /// A topic that carries none of these payloads.
    #[error("no payload is defined for this topic")]
    UnknownTopic,
}

/// A typed payload: parsed from bytes, then checked.
pub trait Payload: Sized + serde::de::DeserializeOwned + Serialize {
    /// Checks the bounds serde cannot express.
    ///
    /// # Errors
    /// [`PayloadError::Invalid`] naming the first field out of bounds.
    fn check(&self) -> Result<(), PayloadError>;

    /// Parses `bytes` (at most [`MAX_PAYLOAD`]) and checks the result.
    ///
    /// # Errors
    /// [`PayloadError`] saying what is wrong.
    fn parse(bytes: &[u8]) -> Result<Self, PayloadError> {
        if bytes.len() > MAX_PAYLOAD {
            return Err(PayloadError::TooLong(bytes.len()));
        }
        let v: Self = serde_json::from_slice(bytes)?;
        v.check()?;
        Ok(v)
    }

    /// The JSON text.
    fn to_json(&self) -> String {
        to_json(self)
    }
}

/// The JSON text of a payload type (plain structs with string keys: serialising cannot
/// fail).
pub fn to_json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A message heard on a hall's topics, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// On `calls`.
    Call(Call),
    /// On `windows/{w}` (boxed: the largest payload).
    Window(Box<WindowState>),
    /// On `queues/{service}`.
    Queue(QueueState),
    /// On `buttons/{w}`.
    Button {
        /// The window of the topic (an id of the safe alphabet).
        window: String,
        /// The press.
        press: ButtonPress,
    },
}

impl Inbound {
    /// Parses a message: `topic` below the hall's root, `payload` as received.
    ///
    /// # Errors
    /// [`PayloadError`]: not the type of its topic, out of bounds, about another subject
    /// than the topic's, or a topic without payloads.
    pub fn parse(topic: &str, payload: &[u8]) -> Result<Self, PayloadError> {
        let same = |t: &str, p: &str| {
            if t == p {
                Ok(())
            } else {
                Err(PayloadError::Mismatch {
                    topic: t.chars().take(MAX_ID).collect(),
                    payload: p.to_string(),
                })
            }
        };
        Ok(match Topic::parse(topic) {
            Topic::Calls => Self::Call(Call::parse(payload)?),
            Topic::Window(w) => {
                let s = WindowState::parse(payload)?;
                same(w, &s.window)?;
                Self::Window(Box::new(s))
            }
            Topic::Queue(q) => {
                let s = QueueState::parse(payload)?;
                same(q, &s.service)?;
                Self::Queue(s)
            }
            Topic::Button(w) => {
                check_id("window", w)?;
                Self::Button {
                    window: w.to_string(),
                    press: ButtonPress::parse(payload)?,
                }
            }
            Topic::Other(_) => return Err(PayloadError::UnknownTopic),
        })
    }
}

fn invalid(field: &'static str, why: &'static str) -> PayloadError {
    PayloadError::Invalid { field, why }
}

/// An id (window, service): 1–64 letters, digits, `-` or `_`, as the config allows.
fn check_id(field: &'static str, s: &str) -> Result<(), PayloadError> {
    let ok = !s.is_empty()
        && s.len() <= MAX_ID
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(())
        .ok_or_else(|| invalid(field, "must be 1-64 letters, digits, '-' or '_'"))
}

/// A ticket number: 1–16 letters, digits or `-`.
fn check_number(field: &'static str, s: &str) -> Result<(), PayloadError> {
    let ok = !s.is_empty()
        && s.len() <= MAX_NUMBER
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then_some(())
        .ok_or_else(|| invalid(field, "must be 1-16 letters, digits or '-'"))
}

/// A text shown to people: at most 256 characters, no control characters. Markup is
/// allowed here (names are the admin's, reasons the clerk's): pages insert text as text.
fn check_text(field: &'static str, s: &str) -> Result<(), PayloadError> {
    let ok = s.chars().count() <= MAX_TEXT && !s.chars().any(char::is_control);
    ok.then_some(())
        .ok_or_else(|| invalid(field, "must be at most 256 characters, none a control"))
}

fn check_opt_text(field: &'static str, s: &Option<String>) -> Result<(), PayloadError> {
    s.as_deref().map_or(Ok(()), |s| check_text(field, s))
}

/// A time as RFC 3339 with an offset (`2026-12-01T09:00:00+08:00`): its shape, not its
/// calendar.
fn check_time(field: &'static str, s: &str) -> Result<(), PayloadError> {
    let b = s.as_bytes();
    let ok = (20..=40).contains(&b.len())
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[10] == b'T'
        && b.iter()
            .all(|c| c.is_ascii_digit() || b"-:.+TZ".contains(c));
    ok.then_some(())
        .ok_or_else(|| invalid(field, "must be an RFC 3339 time"))
}

fn check_count(field: &'static str, n: i64) -> Result<(), PayloadError> {
    (n >= 0)
        .then_some(())
        .ok_or_else(|| invalid(field, "must not be negative"))
}

#[cfg(test)]
mod tests;
