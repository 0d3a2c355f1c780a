//! Domain types shared by the store, the API and the relay. No IO.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use hallq_queue::model::{Candidate, Kind};

/// A ticket's kind in the MQTT payloads.
pub fn wire_kind(k: Kind) -> hallq_mqtt::payload::TicketKind {
    match k {
        Kind::WalkIn => hallq_mqtt::payload::TicketKind::WalkIn,
        Kind::Green => hallq_mqtt::payload::TicketKind::Green,
        Kind::Appointment => hallq_mqtt::payload::TicketKind::Appointment,
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TicketStatus)]
pub enum Status {
    /// In the queue.
    Waiting,
    /// Called to a window, not yet served.
    Called,
    /// Being served at a window.
    Serving,
    /// Served.
    Done,
    /// Called and did not come.
    NoShow,
    /// Left over from a previous day.
    Expired,
}

impl Status {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Serving => "serving",
            Self::Done => "done",
            Self::NoShow => "no_show",
            Self::Expired => "expired",
        }
    }

    /// Parses the stored form (unknown values read as expired: never shown as active).
    pub fn parse(s: &str) -> Self {
        match s {
            "waiting" => Self::Waiting,
            "called" => Self::Called,
            "serving" => Self::Serving,
            "done" => Self::Done,
            "no_show" => Self::NoShow,
            _ => Self::Expired,
        }
    }

    /// Still in the hall's hands (not finished).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Waiting | Self::Called | Self::Serving)
    }
}

/// A window's state as the contract shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WindowStatusName)]
pub enum WindowStatus {
    /// Calling.
    Open,
    /// Paused by its clerk.
    Paused,
    /// Not staffed.
    Closed,
}

impl WindowStatus {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paused => "paused",
            Self::Closed => "closed",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Self {
        match s {
            "open" => Self::Open,
            "paused" => Self::Paused,
            _ => Self::Closed,
        }
    }
}

/// A ticket row as read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Row id.
    pub id: i64,
    /// Secret token of the status link.
    pub token: String,
    /// Printed number, e.g. A012.
    pub number: String,
    /// Service it currently waits for (changes on transfer).
    pub service: String,
    /// Local day it was issued, `YYYY-MM-DD`.
    pub day: String,
    /// Class.
    pub kind: Kind,
    /// Status.
    pub status: Status,
    /// Window holding it when called or serving.
    pub window: Option<String>,
    /// Window it was transferred to, if any.
    pub target_window: Option<String>,
    /// Appointment slot start (ms since epoch).
    pub slot_start: Option<i64>,
    /// Queue position time (ms since epoch; kept on transfer).
    pub arrived_at: i64,
    /// Issue time (ms since epoch).
    pub issued_at: i64,
    /// Last call time.
    pub called_at: Option<i64>,
    /// Times called (recalls included).
    pub calls: i64,
}

/// A verified citizen, as the rest of the controller may know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    /// HMAC-SHA256 (hex) of the ID number under the hall's current key.
    pub id_hash: String,
    /// The current key's version, stored beside the hash.
    pub key_version: i32,
    /// The hash under the previous key during a key rotation (lookups try both).
    pub id_hash_previous: Option<String>,
    /// Keyed hash (current key) of the normalised name and the phone's last four digits,
    /// for the consult desk's lookup; `None` when unknown.
    pub contact_hash: Option<String>,
    /// `4601**********123X`.
    pub id_masked: String,
    /// `张*三`.
    pub name_masked: String,
    /// `138****0000`.
    pub phone_masked: String,
    /// Channel of the provider that vouched (`wechat-12345`, `city-app`, `dev`).
    pub channel: String,
    /// Verification method (`face`, `mps_eid`, …).
    pub method: String,
    /// Id of the identity provider that vouched (`[[identity.providers]] id`, `dev`).
    pub provider: String,
    /// The citizen's account at that provider (the assertion's `sub`), when given.
    pub subject: Option<String>,
    /// Set when the assertion may be used only once for some purposes.
    pub single_use: Option<SingleUse>,
}

impl Citizen {
    /// The hashes to look this person up by: the current one, then the previous key's
    /// (the current one again when there is none, so that queries bind two values).
    #[must_use]
    pub fn lookup_hashes(&self) -> [&str; 2] {
        [
            &self.id_hash,
            self.id_hash_previous.as_deref().unwrap_or(&self.id_hash),
        ]
    }
}

/// An assertion its provider declared single-use for some purposes (`single_use`),
/// carrying a `jti`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleUse {
    /// `{provider id}:{jti}`.
    pub key: String,
    /// The assertion's expiry, ms (the record of its use is kept until then).
    pub expires_ms: i64,
    /// The purposes (`book`, `cancel`) it may serve once each.
    pub purposes: Vec<String>,
}

impl SingleUse {
    /// Whether `purpose` is one of those.
    #[must_use]
    pub fn covers(&self, purpose: &str) -> bool {
        self.purposes.iter().any(|p| p == purpose)
    }
}

/// Where an appointment is in its life; stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Booked.
    Booked,
    /// A ticket was taken for it.
    CheckedIn,
    /// Cancelled by its holder.
    Cancelled,
    /// Not checked in in time.
    NoShow,
    /// Served.
    Done,
}

impl AppointmentStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::CheckedIn => "checked_in",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
            Self::Done => "done",
        }
    }
}

impl std::fmt::Display for AppointmentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for AppointmentStatus {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        [
            Self::Booked,
            Self::CheckedIn,
            Self::Cancelled,
            Self::NoShow,
            Self::Done,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| format!("unknown appointment status {s:?}"))
    }
}
