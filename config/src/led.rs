//! LED boards: serial/TCP buses, the boards on them, and what they show.
//!
//! ```toml
//! [led]
//! ack_timeout_ms = 500          # wait this long for a board's ACK, then resend
//! retries = 2                   # resends; then the board is silent and probed every second
//!
//! [led.templates]               # texts per window state; each board may override them
//! calling = "请{number}号"
//! paused = "暂停服务"
//! idle = "欢迎光临"              # or "{window_name}"
//!
//! [[led.buses]]
//! id = "floor1"
//! serial = "/dev/hallq-led-1"  # a udev name or /dev/serial/by-id/…; or tcp = "192.168.1.50:5005"
//! baud = 9600
//!
//! [[led.buses.boards]]
//! address = 1
//! protocol = "bx"
//! window = "1"                  # a window id, or "hall" for a board listing the calls served
//! ```

use serde::Deserialize;

mod validate;
mod warnings;
pub(crate) use validate::validate;
pub use warnings::is_movable_device;
pub(crate) use warnings::warnings;

/// The `[led]` section (no buses = no LED gateway). Keys left out take their default.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct LedSettings {
    /// Texts per window state, for every board (boards may override each).
    pub templates: Templates,
    /// How many tickets a hall board shows (those served now, newest call first).
    pub hall_calls: usize,
    /// Milliseconds to wait for a board's ACK (boards that answer).
    pub ack_timeout_ms: u64,
    /// Resends after a missing ACK or a NACK; then the board counts as silent and is probed
    /// every second until it answers, then given its newest content.
    pub retries: u32,
    /// Milliseconds between two frames to boards that send no ACK (Alpha signs).
    pub frame_gap_ms: u64,
    /// First wait before reopening a lost port, in milliseconds (doubles each failure).
    pub reconnect_min_ms: u64,
    /// Longest wait before reopening a lost port, in milliseconds.
    pub reconnect_max_ms: u64,
    /// Brightness by time of day (optional; not sent yet, see docs/led.md).
    pub brightness: Vec<BrightnessStep>,
    /// MQTT user name of `hallq led --config` (a `gateway` account); `hallq run` needs none.
    pub mqtt_username: Option<String>,
    /// Its password, in clear (keep the file private).
    pub mqtt_password: Option<String>,
    /// Serial lines and TCP controllers, each with its boards.
    pub buses: Vec<Bus>,
}

impl std::fmt::Debug for LedSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedSettings")
            .field("templates", &self.templates)
            .field("hall_calls", &self.hall_calls)
            .field("ack_timeout_ms", &self.ack_timeout_ms)
            .field("retries", &self.retries)
            .field("frame_gap_ms", &self.frame_gap_ms)
            .field("reconnect_min_ms", &self.reconnect_min_ms)
            .field("reconnect_max_ms", &self.reconnect_max_ms)
            .field("brightness", &self.brightness)
            .field("mqtt_username", &self.mqtt_username)
            .field(
                "mqtt_password",
                &self.mqtt_password.as_ref().map(|_| "<redacted>"),
            )
            .field("buses", &self.buses)
            .finish()
    }
}

impl Default for LedSettings {
    fn default() -> Self {
        Self {
            templates: Templates::default(),
            hall_calls: 3,
            ack_timeout_ms: 500,
            retries: 2,
            frame_gap_ms: 100,
            reconnect_min_ms: 500,
            reconnect_max_ms: 30_000,
            brightness: Vec::new(),
            mqtt_username: None,
            mqtt_password: None,
            buses: Vec::new(),
        }
    }
}

/// Texts per state. Placeholders: `{number}`, `{window}` (id), `{window_name}`,
/// `{service}` (id), `{service_name}`, `{reason}` (pause reason). Unset keys fall back to
/// `[led.templates]`, then to the defaults below.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Templates {
    /// A ticket is called or served at the window (default `请{number}号`).
    pub calling: Option<String>,
    /// The window is paused (default `暂停服务`).
    pub paused: Option<String>,
    /// The window is open with nobody called (default `欢迎光临`).
    pub idle: Option<String>,
    /// The window is closed (default `暂停服务`).
    pub closed: Option<String>,
    /// One call on a hall board (default `请{number}号到{window_name}`).
    pub hall_call: Option<String>,
    /// A hall board with no call yet (default `欢迎光临`).
    pub hall_idle: Option<String>,
}

/// Which text a board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// `calling`
    Calling,
    /// `paused`
    Paused,
    /// `idle`
    Idle,
    /// `closed`
    Closed,
    /// `hall_call`
    HallCall,
    /// `hall_idle`
    HallIdle,
}

impl TemplateKind {
    /// Every kind with its key.
    pub const ALL: [(Self, &'static str); 6] = [
        (Self::Calling, "calling"),
        (Self::Paused, "paused"),
        (Self::Idle, "idle"),
        (Self::Closed, "closed"),
        (Self::HallCall, "hall_call"),
        (Self::HallIdle, "hall_idle"),
    ];

    const fn default_text(self) -> &'static str {
        match self {
            Self::Calling => "请{number}号",
            Self::Paused | Self::Closed => "暂停服务",
            Self::Idle | Self::HallIdle => "欢迎光临",
            Self::HallCall => "请{number}号到{window_name}",
        }
    }
}

impl Templates {
    /// The template of `kind` set here, if any.
    pub fn get(&self, kind: TemplateKind) -> Option<&str> {
        match kind {
            TemplateKind::Calling => self.calling.as_deref(),
            TemplateKind::Paused => self.paused.as_deref(),
            TemplateKind::Idle => self.idle.as_deref(),
            TemplateKind::Closed => self.closed.as_deref(),
            TemplateKind::HallCall => self.hall_call.as_deref(),
            TemplateKind::HallIdle => self.hall_idle.as_deref(),
        }
    }
}

/// Placeholders a template may use.
pub const PLACEHOLDERS: [&str; 6] = [
    "number",
    "window",
    "window_name",
    "service",
    "service_name",
    "reason",
];

/// One `[[led.brightness]]` step: from this time of day on, this level.
#[derive(Debug, Clone, Deserialize)]
pub struct BrightnessStep {
    /// Local time `HH:MM`.
    pub from: String,
    /// 1 (dimmest) to 16 (brightest).
    pub level: u8,
}

/// One serial line or TCP controller (`[[led.buses]]`). Keys left out take their default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Bus {
    /// Id, for logs: letters, digits, `-`, `_`.
    pub id: String,
    /// Serial device, by a stable name: `/dev/serial/by-id/usb-…` or a udev name such as
    /// `/dev/hallq-led-1` (`/dev/ttyUSB0` can move; `config check` warns). Or set `tcp`.
    pub serial: Option<String>,
    /// TCP controller `HOST:PORT` (BX controllers listen on 5005).
    pub tcp: Option<String>,
    /// Serial speed.
    pub baud: u32,
    /// 5 to 8 (Alpha signs: 7).
    pub data_bits: u8,
    /// `none`, `even` or `odd` (Alpha signs: even).
    pub parity: String,
    /// 1 or 2.
    pub stop_bits: u8,
    /// The boards on this line; one frame at a time goes out.
    pub boards: Vec<Board>,
}

impl Default for Bus {
    fn default() -> Self {
        Self {
            id: String::new(),
            serial: None,
            tcp: None,
            baud: 9600,
            data_bits: 8,
            parity: "none".into(),
            stop_bits: 1,
            boards: Vec::new(),
        }
    }
}

/// One board (`[[led.buses.boards]]`). Keys left out take their default.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Board {
    /// Screen address (BX 1-65535, usually 1; Alpha 0-255, 0 = every sign).
    pub address: u16,
    /// `bx` (Onbon BX-5/BX-6) or `alpha`.
    pub protocol: String,
    /// The window whose state it shows, or `hall` for the tickets the windows serve now.
    pub window: String,
    /// Area left edge in pixels (BX).
    pub x: u16,
    /// Area top edge in pixels (BX).
    pub y: u16,
    /// Area width in pixels (BX).
    pub width: u16,
    /// Area height in pixels (BX).
    pub height: u16,
    /// How x and width go on the wire (BX): `columns8` (5K-class controllers), `pixels`,
    /// `flagged-pixels`.
    pub unit: String,
    /// Entry effect: `static`, `type-on`, `left`, `right`, `up`, `down` (default: `static`,
    /// `left` on hall boards).
    pub mode: Option<String>,
    /// `red`, `green` or `yellow`.
    pub colour: String,
    /// Wait for an ACK after each frame (default: yes for BX, no for Alpha).
    pub ack: Option<bool>,
    /// Alpha file label (`0` = priority file).
    pub label: String,
    /// Texts for this board (unset ones come from `[led.templates]`).
    pub templates: Templates,
}

impl Default for Board {
    fn default() -> Self {
        Self {
            address: 1,
            protocol: "bx".into(),
            window: String::new(),
            x: 0,
            y: 0,
            width: 64,
            height: 16,
            unit: "columns8".into(),
            mode: None,
            colour: "red".into(),
            ack: None,
            label: "0".into(),
            templates: Templates::default(),
        }
    }
}

/// `window` value of a hall board.
pub const HALL: &str = "hall";

impl Board {
    /// Whether this board lists the hall's calls rather than one window's state.
    pub fn is_hall(&self) -> bool {
        self.window == HALL
    }

    /// Whether the gateway waits for an ACK after each frame.
    pub fn wants_ack(&self) -> bool {
        self.ack.unwrap_or(self.protocol == "bx")
    }

    /// The effect name in force.
    pub fn mode_name(&self) -> &str {
        match &self.mode {
            Some(m) => m,
            None if self.is_hall() => "left",
            None => "static",
        }
    }

    /// The template of `kind` in force: this board's, else `[led.templates]`, else the
    /// default.
    pub fn template<'a>(&'a self, led: &'a LedSettings, kind: TemplateKind) -> &'a str {
        self.templates
            .get(kind)
            .or_else(|| led.templates.get(kind))
            .unwrap_or_else(|| kind.default_text())
    }
}

/// The pieces of a template: literal text and placeholder names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text shown as is.
    Text(&'a str),
    /// `{name}`.
    Field(&'a str),
}

/// Splits a template into pieces.
///
/// # Errors
/// A message for an unclosed `{` or a stray `}`.
pub fn parse_template(t: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                out.push(Piece::Text(rest));
                break;
            }
            Some(i) if rest.as_bytes()[i] == b'}' => {
                return Err(format!("stray '}}' in template {t:?}"))
            }
            Some(i) => {
                if i > 0 {
                    out.push(Piece::Text(&rest[..i]));
                }
                let close = rest[i..]
                    .find('}')
                    .ok_or_else(|| format!("unclosed '{{' in template {t:?}"))?;
                out.push(Piece::Field(&rest[i + 1..i + close]));
                rest = &rest[i + close + 1..];
            }
        }
    }
    Ok(out)
}

/// The brightness level in force at `minute` of the day (0-1439), if steps are set: the
/// last step at or before it, else the last of the day (it carries over midnight).
pub fn brightness_at(led: &LedSettings, minute: u32) -> Option<u8> {
    let steps: Vec<(u32, u8)> = led
        .brightness
        .iter()
        .filter_map(|s| Some((crate::validate::parse_hhmm(&s.from)?, s.level)))
        .collect();
    steps
        .iter()
        .rev()
        .find(|(from, _)| *from <= minute)
        .or(steps.last())
        .map(|&(_, level)| level)
}
