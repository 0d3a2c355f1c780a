//! Checks of the `[led]` section: ports, boards, templates and brightness steps, each
//! problem named by its key path.

use super::{
    parse_template, Board, Bus, LedSettings, Piece, TemplateKind, Templates, PLACEHOLDERS,
};
use crate::locate::Seg;
use crate::schema::Settings;
use std::collections::HashMap;

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
            "set serial = \"/dev/hallq-led-1\" (a stable device name) or tcp = \"HOST:PORT\""
                .into(),
        )),
        (Some(_), Some(_)) => p.push((at("tcp"), "set either serial or tcp, not both".into())),
        (Some(dev), None) if dev.trim().is_empty() => p.push((
            at("serial"),
            "must be a device path such as \"/dev/serial/by-id/usb-…\" or \"/dev/hallq-led-1\""
                .into(),
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
            format!(
                "{} (a window id, or \"hall\")",
                crate::suggest::unknown_window(s, &b.window)
            )
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
