//! What the controller publishes: calls, and the retained state of windows and queues.

use super::{
    check_count, check_id, check_number, check_opt_text, check_text, check_time, invalid, Payload,
    PayloadError,
};
use serde::{Deserialize, Serialize};

/// How a ticket was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    /// Walked in.
    WalkIn,
    /// Green channel (绿色通道).
    Green,
    /// Checked in for an appointment.
    Appointment,
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// In the queue.
    Waiting,
    /// Called to a window.
    Called,
    /// Being served.
    Serving,
    /// Served.
    Done,
    /// Called and did not come.
    NoShow,
    /// Left over from an earlier day.
    Expired,
}

/// A window's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    /// Calling.
    Open,
    /// Paused by its clerk.
    Paused,
    /// Not staffed.
    Closed,
}

/// A call as the store records it with its outbox event: the call event without its
/// event id (known once the row is written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallBody {
    /// Ticket number (`A001`).
    pub number: String,
    /// Service id.
    pub service: String,
    /// Window id.
    pub window: String,
    /// Window name ("3号窗口").
    pub window_name: String,
    /// When, RFC 3339 with the hall's offset.
    pub called_at: String,
    /// When, in ms since the epoch (absent in events stored by older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called_at_ms: Option<i64>,
    /// A recall of a ticket already called.
    pub recall: bool,
    /// How the ticket was taken (absent in the contract's first form of the call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TicketKind>,
}

impl CallBody {
    /// Checks the bounds serde cannot express.
    ///
    /// # Errors
    /// [`PayloadError::Invalid`] naming the first field out of bounds.
    pub fn check(&self) -> Result<(), PayloadError> {
        check_number("number", &self.number)?;
        check_id("service", &self.service)?;
        check_id("window", &self.window)?;
        check_text("window_name", &self.window_name)?;
        check_time("called_at", &self.called_at)?;
        if let Some(ms) = self.called_at_ms {
            check_count("called_at_ms", ms)?;
        }
        Ok(())
    }
}

/// `calls`: a ticket called (or recalled) to a window. Not retained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// The hall event's id: subscribers dedupe by it.
    pub event_id: i64,
    /// The call.
    #[serde(flatten)]
    pub call: CallBody,
}

impl Payload for Call {
    fn check(&self) -> Result<(), PayloadError> {
        check_count("event_id", self.event_id)?;
        self.call.check()
    }
}

/// A ticket as screens show it (no token): the ticket a window serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Database id.
    pub id: i64,
    /// Ticket number (`A001`).
    pub number: String,
    /// Service id.
    pub service: String,
    /// Service name.
    pub service_name: Option<String>,
    /// How it was taken.
    pub kind: TicketKind,
    /// Where it is in its life.
    pub status: TicketStatus,
    /// The window that called it.
    pub window: Option<String>,
    /// That window's name.
    pub window_name: Option<String>,
    /// When it was issued, RFC 3339.
    pub issued_at: String,
    /// When it was (last) called, RFC 3339.
    pub called_at: Option<String>,
}

impl Ticket {
    fn check(&self) -> Result<(), PayloadError> {
        check_count("serving.id", self.id)?;
        check_number("serving.number", &self.number)?;
        check_id("serving.service", &self.service)?;
        check_opt_text("serving.service_name", &self.service_name)?;
        if let Some(w) = &self.window {
            check_id("serving.window", w)?;
        }
        check_opt_text("serving.window_name", &self.window_name)?;
        check_time("serving.issued_at", &self.issued_at)?;
        if let Some(c) = &self.called_at {
            check_time("serving.called_at", c)?;
        }
        Ok(())
    }
}

/// `windows/{w}`: a window's state. Retained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    /// The newest hall event this state includes.
    pub event_id: i64,
    /// Window id (the topic's).
    pub window: String,
    /// Window id again (the snapshot's window shape).
    #[serde(default)]
    pub id: String,
    /// Name from the config (null for a window no longer configured).
    pub name: Option<String>,
    /// English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Floor.
    #[serde(default)]
    pub floor: Option<i32>,
    /// Services, highest priority first.
    #[serde(default)]
    pub services: Vec<String>,
    /// Open, paused or closed.
    pub status: WindowStatus,
    /// Why it is paused.
    pub pause_reason: Option<String>,
    /// The ticket at the window.
    pub serving: Option<Ticket>,
    /// RFC 3339.
    pub updated_at: String,
}

impl Payload for WindowState {
    fn check(&self) -> Result<(), PayloadError> {
        check_count("event_id", self.event_id)?;
        check_id("window", &self.window)?;
        if !self.id.is_empty() && self.id != self.window {
            return Err(invalid("id", "must be the window's id"));
        }
        check_opt_text("name", &self.name)?;
        check_opt_text("name_en", &self.name_en)?;
        if self.services.len() > 64 {
            return Err(invalid("services", "must be at most 64"));
        }
        for s in &self.services {
            check_id("services", s)?;
        }
        check_opt_text("pause_reason", &self.pause_reason)?;
        if let Some(t) = &self.serving {
            t.check()?;
        }
        check_time("updated_at", &self.updated_at)
    }
}

/// `queues/{service}`: how many wait for a service today. Retained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueState {
    /// The newest hall event this state includes.
    pub event_id: i64,
    /// Service id (the topic's).
    pub service: String,
    /// Tickets waiting.
    pub waiting: i64,
    /// RFC 3339.
    pub updated_at: String,
}

impl Payload for QueueState {
    fn check(&self) -> Result<(), PayloadError> {
        check_count("event_id", self.event_id)?;
        check_id("service", &self.service)?;
        check_count("waiting", self.waiting)?;
        check_time("updated_at", &self.updated_at)
    }
}
