//! LED boards: serial/TCP buses, the boards on them, and what they show.
//!
//! ```toml
//! [led]
//! ack_timeout_ms = 500          # wait this long for a board's ACK, then resend
//! retries = 2                   # resends before giving up on a frame (tried again later)
//!
//! [led.templates]               # texts per window state; each board may override them
//! calling = "请{number}号"
//! paused = "暂停服务"
//! idle = "欢迎光临"              # or "{window_name}"
//!
//! [[led.buses]]
//! id = "floor1"
//! serial = "/dev/ttyUSB0"       # or tcp = "192.168.1.50:5005"
//! baud = 9600
//!
//! [[led.buses.boards]]
//! address = 1
//! protocol = "bx"
//! window = "1"                  # a window id, or "hall" for a board listing the last calls
//! ```

use crate::locate::Seg;
use crate::schema::Settings;
use serde::Deserialize;
use std::collections::HashMap;

/// The `[led]` section (no buses = no LED gateway). Keys left out take their default.
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct LedSettings {
    /// Texts per window state, for every board (boards may override each).
    pub templates: Templates,
    /// How many of the latest calls a hall board shows.
    pub hall_calls: usize,
    /// Milliseconds to wait for a board's ACK (boards that answer).
    pub ack_timeout_ms: u64,
    /// Resends after a missing ACK or a NACK; then the frame is given up and the board is
    /// tried again after `reconnect_max_ms`.
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
    /// Serial device, e.g. `/dev/ttyUSB0` (or set `tcp`).
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
    /// The window whose state it shows, or `hall` for the last calls of the hall.
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

const PROTOCOLS: [&str; 2] = ["bx", "alpha"];
const EFFECTS: [&str; 6] = ["static", "type-on", "left", "right", "up", "down"];
const COLOURS: [&str; 3] = ["red", "green", "yellow"];
const UNITS: [&str; 3] = ["columns8", "pixels", "flagged-pixels"];
const PARITIES: [&str; 3] = ["none", "even", "odd"];

type Problems = Vec<(Vec<Seg>, String)>;

fn id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn k(s: &str) -> Seg {
    Seg::Key(s.to_string())
}

fn one_of(value: &str, allowed: &[&str]) -> Option<String> {
    (!allowed.contains(&value))
        .then(|| format!("unknown value {value:?}: use {}", allowed.join(", ")))
}

/// Rule violations in `[led]`, with their key paths.
pub(crate) fn validate(s: &Settings, p: &mut Problems) {
    let led = &s.led;
    let at = |key: &str| vec![k("led"), k(key)];
    if !(1..=20).contains(&led.hall_calls) {
        p.push((at("hall_calls"), "must be between 1 and 20".into()));
    }
    if !(20..=10_000).contains(&led.ack_timeout_ms) {
        p.push((at("ack_timeout_ms"), "must be between 20 and 10000".into()));
    }
    if led.retries > 10 {
        p.push((at("retries"), "must be at most 10".into()));
    }
    if led.frame_gap_ms > 10_000 {
        p.push((at("frame_gap_ms"), "must be at most 10000".into()));
    }
    if led.reconnect_min_ms < 50 {
        p.push((at("reconnect_min_ms"), "must be at least 50".into()));
    }
    if led.reconnect_max_ms < led.reconnect_min_ms {
        p.push((
            at("reconnect_max_ms"),
            "must not be less than reconnect_min_ms".into(),
        ));
    }
    if led.mqtt_username.is_some() != led.mqtt_password.is_some() {
        p.push((
            at("mqtt_password"),
            "set both mqtt_username and mqtt_password, or neither".into(),
        ));
    }
    templates(&led.templates, &at("templates"), p);
    brightness(led, p);
    let mut ports: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (bi, bus) in led.buses.iter().enumerate() {
        let path = vec![k("led"), k("buses"), Seg::Index(bi)];
        let at = |key: &str| [path.clone(), vec![k(key)]].concat();
        if !id_ok(&bus.id) {
            p.push((
                at("id"),
                "must be 1-64 characters of letters, digits, '-' or '_'".into(),
            ));
        } else if let Some(prev) = ids.insert(&bus.id, bi) {
            p.push((
                at("id"),
                format!("duplicate bus id {:?} (also led.buses[{prev}])", bus.id),
            ));
        }
        port(bus, &path, p);
        if let Some(port) = bus.serial.as_ref().or(bus.tcp.as_ref()) {
            if let Some(prev) = ports.insert(port.clone(), bi) {
                let key = if bus.serial.is_some() {
                    "serial"
                } else {
                    "tcp"
                };
                p.push((
                    at(key),
                    format!("{port:?} is already led.buses[{prev}]: one bus per port"),
                ));
            }
        }
        if bus.boards.is_empty() {
            p.push((at("boards"), "a bus needs at least one board".into()));
        }
        let mut addresses: HashMap<u16, usize> = HashMap::new();
        for (n, board) in bus.boards.iter().enumerate() {
            let bpath = [path.clone(), vec![k("boards"), Seg::Index(n)]].concat();
            self::board(s, board, &bpath, p);
            if let Some(prev) = addresses.insert(board.address, n) {
                p.push((
                    [bpath.clone(), vec![k("address")]].concat(),
                    format!("address {} is also boards[{prev}] on this bus: replies could not be told apart", board.address),
                ));
            }
        }
    }
}

fn port(bus: &Bus, path: &[Seg], p: &mut Problems) {
    let at = |key: &str| [path.to_vec(), vec![k(key)]].concat();
    match (&bus.serial, &bus.tcp) {
        (None, None) => p.push((
            path.to_vec(),
            "set serial = \"/dev/ttyUSB0\" or tcp = \"HOST:PORT\"".into(),
        )),
        (Some(_), Some(_)) => p.push((at("tcp"), "set either serial or tcp, not both".into())),
        (Some(dev), None) if dev.trim().is_empty() => p.push((
            at("serial"),
            "must be a device path such as \"/dev/ttyUSB0\"".into(),
        )),
        (None, Some(addr)) => {
            let ok = addr
                .rsplit_once(':')
                .is_some_and(|(h, port)| !h.is_empty() && port.parse::<u16>().is_ok_and(|n| n > 0));
            if !ok {
                p.push((
                    at("tcp"),
                    "must be HOST:PORT, e.g. \"192.168.1.50:5005\"".into(),
                ));
            }
        }
        (Some(_), None) => {}
    }
    if bus.serial.is_some() {
        if !(300..=4_000_000).contains(&bus.baud) {
            p.push((
                at("baud"),
                "must be between 300 and 4000000 (9600 and 57600 are common)".into(),
            ));
        }
        if !(5..=8).contains(&bus.data_bits) {
            p.push((at("data_bits"), "must be 5, 6, 7 or 8".into()));
        }
        if !matches!(bus.stop_bits, 1 | 2) {
            p.push((at("stop_bits"), "must be 1 or 2".into()));
        }
        if let Some(m) = one_of(&bus.parity, &PARITIES) {
            p.push((at("parity"), m));
        }
    }
}

fn board(s: &Settings, b: &Board, path: &[Seg], p: &mut Problems) {
    let at = |key: &str| [path.to_vec(), vec![k(key)]].concat();
    if !b.is_hall() && s.window(&b.window).is_none() {
        let msg = if b.window.is_empty() {
            "set the window this board shows, or \"hall\" for the hall's last calls".to_string()
        } else {
            format!("unknown window {:?} (a window id, or \"hall\")", b.window)
        };
        p.push((at("window"), msg));
    }
    if let Some(m) = one_of(&b.protocol, &PROTOCOLS) {
        p.push((at("protocol"), m));
    }
    let alpha = b.protocol == "alpha";
    match (alpha, b.address) {
        (false, 0) => p.push((
            at("address"),
            "BX addresses start at 1 (0xFFFE = every controller)".into(),
        )),
        (true, 256..) => p.push((
            at("address"),
            "Alpha addresses are 0-255 (0 = every sign)".into(),
        )),
        _ => {}
    }
    if b.width == 0 || b.height == 0 {
        p.push((
            at(if b.width == 0 { "width" } else { "height" }),
            "must be at least 1 pixel".into(),
        ));
    }
    if let Some(m) = one_of(&b.unit, &UNITS) {
        p.push((at("unit"), m));
    } else if b.unit == "columns8" && (!b.x.is_multiple_of(8) || !b.width.is_multiple_of(8)) {
        let key = if !b.x.is_multiple_of(8) { "x" } else { "width" };
        p.push((
            at(key),
            "must be a multiple of 8 with unit \"columns8\"".into(),
        ));
    }
    if let Some(m) = one_of(b.mode_name(), &EFFECTS) {
        p.push((at("mode"), m));
    }
    if let Some(m) = one_of(&b.colour, &COLOURS) {
        p.push((at("colour"), m));
    }
    if b.label.len() != 1 || !b.label.bytes().all(|c| c.is_ascii_graphic()) {
        p.push((
            at("label"),
            "must be one printable ASCII character (0 = priority file)".into(),
        ));
    }
    let tpath = at("templates");
    templates(&b.templates, &tpath, p);
    if alpha {
        for (kind, key) in TemplateKind::ALL {
            if b.templates.get(kind).is_none() && !b.template(&s.led, kind).is_ascii() {
                p.push((
                    [tpath.clone(), vec![k(key)]].concat(),
                    "Alpha signs show ASCII only: set an ASCII text for this board".into(),
                ));
            }
        }
    }
}

fn templates(t: &Templates, path: &[Seg], p: &mut Problems) {
    for (kind, key) in TemplateKind::ALL {
        let Some(text) = t.get(kind) else { continue };
        let at = [path.to_vec(), vec![k(key)]].concat();
        match parse_template(text) {
            Err(e) => p.push((at, e)),
            Ok(pieces) => {
                for piece in pieces {
                    if let Piece::Field(f) = piece {
                        if !PLACEHOLDERS.contains(&f) {
                            p.push((
                                at.clone(),
                                format!(
                                    "unknown placeholder {{{f}}}: use {}",
                                    PLACEHOLDERS.map(|x| format!("{{{x}}}")).join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn brightness(led: &LedSettings, p: &mut Problems) {
    let mut last = None;
    for (n, step) in led.brightness.iter().enumerate() {
        let at = |key: &str| vec![k("led"), k("brightness"), Seg::Index(n), k(key)];
        match crate::validate::parse_hhmm(&step.from) {
            None => p.push((at("from"), "must be a time HH:MM, e.g. \"08:00\"".into())),
            Some(m) if last.is_some_and(|l| m <= l) => {
                p.push((at("from"), "steps must be in increasing time order".into()))
            }
            Some(m) => last = Some(m),
        }
        if !(1..=16).contains(&step.level) {
            p.push((at("level"), "must be between 1 and 16".into()));
        }
    }
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
