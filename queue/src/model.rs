//! The two types the call order reads: a ticket's [`Kind`] and a waiting [`Candidate`].

use serde::{Deserialize, Serialize};

/// How a ticket was issued; decides its class in the call order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", schema(as = TicketKind))]
pub enum Kind {
    /// Walked in and took a ticket.
    #[default]
    WalkIn,
    /// Green channel (绿色通道): elderly, disabled, urgent cases.
    Green,
    /// Checked in for a booked appointment.
    Appointment,
}

impl Kind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WalkIn => "walk_in",
            Self::Green => "green",
            Self::Appointment => "appointment",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "walk_in" => Self::WalkIn,
            "green" => Self::Green,
            "appointment" => Self::Appointment,
            _ => return None,
        })
    }

    /// Class rank used for "people ahead": appointment 0, green 1, walk-in 2.
    pub fn prio(self) -> i64 {
        match self {
            Self::Appointment => 0,
            Self::Green => 1,
            Self::WalkIn => 2,
        }
    }
}

/// What the call-next policy needs to know about a waiting ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Row id.
    pub id: i64,
    /// Service it waits for.
    pub service: String,
    /// Class.
    pub kind: Kind,
    /// Appointment slot start (ms).
    pub slot_start: Option<i64>,
    /// Queue position time (ms).
    pub arrived_at: i64,
    /// Only this window may call it.
    pub target_window: Option<String>,
}
