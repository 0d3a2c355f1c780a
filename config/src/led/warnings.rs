//! Warnings about the LED boards: serial device names that can move to another adapter,
//! and Alpha boards whose templates can put non-ASCII text on the sign (shown as "??").

use super::{parse_template, Board, Piece, TemplateKind};
use crate::locate::Seg;
use crate::schema::Settings;

fn k(x: &str) -> Seg {
    Seg::Key(x.to_string())
}

/// Whether `path` is a name the kernel hands out in plug order (`/dev/ttyUSB0`,
/// `/dev/ttyACM0`).
#[must_use]
pub fn is_movable_device(path: &str) -> bool {
    ["/dev/ttyUSB", "/dev/ttyACM"]
        .iter()
        .any(|p| path.strip_prefix(p).is_some_and(|n| !n.is_empty()))
}

/// Every LED warning, with its key path.
pub(crate) fn warnings(s: &Settings) -> Vec<(Vec<Seg>, String)> {
    let mut w = Vec::new();
    for (n, bus) in s.led.buses.iter().enumerate() {
        let at = |key: &str| vec![k("led"), k("buses"), Seg::Index(n), k(key)];
        if let Some(path) = bus.serial.as_deref().filter(|p| is_movable_device(p)) {
            w.push((
                at("serial"),
                format!(
                    "{path} 按插入顺序分配，重新插拔或重启后可能指向别的设备 / is handed out in plug \
                     order: after a re-plug or a reboot it can name another adapter: use its \
                     /dev/serial/by-id/… name or a udev name such as /dev/hallq-led-1 \
                     (docs/operations.md, device guide)"
                ),
            ));
        }
        for (m, board) in bus.boards.iter().enumerate() {
            if board.protocol != "alpha" {
                continue;
            }
            for (kind, key) in TemplateKind::ALL {
                if let Some(why) = non_ascii(s, board, kind) {
                    let path = vec![
                        k("led"),
                        k("buses"),
                        Seg::Index(n),
                        k("boards"),
                        Seg::Index(m),
                        k("window"),
                    ];
                    w.push((
                        path,
                        format!(
                            "Alpha 屏只显示 ASCII，模板 {key} 会显示 \"??\" / this Alpha board shows \
                             ASCII only, and its `{key}` template can render non-ASCII text ({why}), \
                             shown as \"??\": give the names an English name_en, or set an ASCII \
                             template for this board"
                        ),
                    ));
                }
            }
        }
    }
    w
}

/// Why the template of `kind` can render non-ASCII on `board`, if it can.
fn non_ascii(s: &Settings, board: &Board, kind: TemplateKind) -> Option<String> {
    // Templates that never apply to this board.
    let hall_kinds = matches!(kind, TemplateKind::HallCall | TemplateKind::HallIdle);
    if hall_kinds != board.is_hall() {
        return None;
    }
    let pieces = parse_template(board.template(&s.led, kind)).ok()?;
    let windows: Vec<_> = s
        .windows
        .iter()
        .filter(|w| board.is_hall() || w.id == board.window)
        .collect();
    let ascii_name = |name: &str, en: &Option<String>| name.is_ascii() || en.is_some();
    for piece in pieces {
        match piece {
            Piece::Text(t) if !t.is_ascii() => return Some(format!("the text {t:?}")),
            Piece::Field("reason") => {
                return Some("{reason}: the pause reason a clerk types".into());
            }
            Piece::Field("window_name") => {
                if let Some(w) = windows.iter().find(|w| !ascii_name(&w.name, &w.name_en)) {
                    return Some(format!("{{window_name}} of window {}: {:?}", w.id, w.name));
                }
            }
            Piece::Field("service_name") => {
                let bad = s.services().find(|v| {
                    windows.iter().any(|w| w.services.contains(&v.id))
                        && !ascii_name(&v.name, &v.name_en)
                });
                if let Some(v) = bad {
                    return Some(format!(
                        "{{service_name}} of service {}: {:?}",
                        v.id, v.name
                    ));
                }
            }
            _ => {}
        }
    }
    None
}
