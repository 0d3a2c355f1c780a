//! The plain ticket input and the paper widths.

use serde::{Deserialize, Serialize};

/// Everything printed on a ticket, already formatted by the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    /// Name of the hall, e.g. "市民服务中心".
    pub hall_name: String,
    /// The ticket number as called, e.g. "A001".
    pub number: String,
    /// Service name in Chinese, e.g. "不动产登记".
    pub service_name: String,
    /// Tickets of the same service waiting before this one.
    pub people_ahead: u32,
    /// Where to wait, e.g. "请到 3、4号窗口附近等候" (the windows serving the ticket's
    /// service), printed under the people ahead.
    #[serde(default)]
    pub wait_hint: Option<String>,
    /// Issue time, already formatted in local time, e.g. "2025-03-04 09:15".
    pub issued_at: String,
    /// URL of the live status page; encoded into the QR code.
    pub status_url: String,
    /// Optional short notice printed at the bottom (wrapped).
    #[serde(default)]
    pub notice: Option<String>,
    /// A reprint: when it is printed, already formatted (e.g. "2025-03-04 10:02"); the
    /// ESC/POS ticket then carries "补打 / reprint" and this time under the issue time.
    #[serde(default)]
    pub reprinted_at: Option<String>,
}

impl TicketView {
    /// The "people ahead" line: `前面还有 N 人等候`.
    pub fn people_ahead_line(&self) -> String {
        format!("前面还有 {} 人等候", self.people_ahead)
    }

    /// The reprint line, `补打 / reprint 2025-03-04 10:02`, for a reprint.
    pub fn reprint_line(&self) -> Option<String> {
        self.reprinted_at
            .as_ref()
            .map(|at| format!("补打 / reprint {at}"))
    }
}

/// Thermal paper width. Both are printed at 203 dpi (8 dots per mm).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Paper {
    /// 58 mm paper: 384 printable dots, 32 columns of 12-dot font A.
    #[default]
    #[serde(rename = "58mm")]
    Mm58,
    /// 80 mm paper: 576 printable dots, 48 columns of 12-dot font A.
    #[serde(rename = "80mm")]
    Mm80,
}

impl Paper {
    /// Printable width in dots (= PNG width in pixels).
    pub const fn width_dots(self) -> u32 {
        match self {
            Self::Mm58 => 384,
            Self::Mm80 => 576,
        }
    }

    /// Columns of the printer's 12×24 font A at normal size; a Chinese
    /// character takes two.
    pub const fn columns(self) -> usize {
        (self.width_dots() / 12) as usize
    }
}
