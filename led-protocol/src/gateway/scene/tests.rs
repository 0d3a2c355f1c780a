//! The scene fed with contract payloads.

use super::*;
use std::sync::Arc;

pub(crate) const HALL: &str = r#"
[hall]
id = "h"
name = "测试大厅"

[[sections]]
id = "s"
name = "民政"

[[sections.services]]
id = "marriage"
name = "婚姻登记"
name_en = "Marriage"
prefix = "A"

[[windows]]
id = "1"
name = "1号窗口"
name_en = "Window 1"
services = ["marriage"]

[[windows]]
id = "2"
name = "2号窗口"
services = ["marriage"]

[led]
hall_calls = 2

[[led.buses]]
id = "b"
tcp = "127.0.0.1:5005"

[[led.buses.boards]]
address = 1
window = "1"

[[led.buses.boards]]
address = 2
window = "hall"

[[led.buses.boards]]
address = 3
protocol = "alpha"
window = "1"
templates = { calling = "{number} -> {window_name}", paused = "PAUSED {reason}", idle = "WELCOME", closed = "CLOSED", hall_call = "{number}", hall_idle = "HI" }
"#;

fn scene() -> Scene {
    Scene::new(Arc::new(hallq_config::load_str("h.toml", HALL).unwrap()))
}

fn texts(updates: &[(usize, Content)]) -> Vec<(usize, &str)> {
    updates.iter().map(|(i, c)| (*i, c.text.as_str())).collect()
}

fn call(event_id: i64, number: &str, window: &str) -> Vec<u8> {
    call_at(event_id, number, window, "2026-12-01T09:00:00+08:00")
}

fn call_at(event_id: i64, number: &str, window: &str, at: &str) -> Vec<u8> {
    serde_json::json!({
        "event_id": event_id, "number": number, "service": "marriage", "window": window,
        "window_name": format!("{window}号窗口"), "called_at": at,
        "recall": false, "kind": "walk_in"
    })
    .to_string()
    .into_bytes()
}

fn window(w: &str, status: &str, serving: Option<&str>) -> Vec<u8> {
    serde_json::json!({
        "event_id": 1, "window": w, "status": status, "pause_reason": "lunch",
        "serving": serving.map(|n| serde_json::json!({"id": 1, "number": n, "service": "marriage",
            "service_name": null, "kind": "walk_in", "status": "called", "window": w,
            "window_name": null, "issued_at": "2026-12-01T08:00:00+08:00", "called_at": null})),
        "updated_at": "2026-12-01T09:00:00+08:00"
    })
    .to_string()
    .into_bytes()
}

#[test]
fn boards_start_idle() {
    let mut s = scene();
    assert_eq!(
        texts(&s.all()),
        [(0, "欢迎光临"), (1, "欢迎光临"), (2, "WELCOME")]
    );
    assert_eq!(s.render(1).effect, Effect::Left, "hall boards scroll");
    assert_eq!(s.render(0).effect, Effect::Static);
}

#[test]
fn call_shows_on_window_and_hall_boards_and_dedupes() {
    let mut s = scene();
    s.all();
    let u = s.handle_message("calls", &call(10, "A001", "1")).unwrap();
    assert_eq!(
        texts(&u),
        [
            (0, "请A001号"),
            (1, "请A001号到1号窗口"),
            (2, "A001 -> Window 1")
        ]
    );
    assert!(s
        .handle_message("calls", &call(10, "A001", "1"))
        .unwrap()
        .is_empty());
    // The retained state saying the same changes nothing.
    let u = s
        .handle_message("windows/1", &window("1", "open", Some("A001")))
        .unwrap();
    assert!(u.is_empty(), "{u:?}");
    // A call at window 2 reaches only the hall board: the tickets served now, newest call
    // first (ties: higher number first), at most 2.
    let u = s.handle_message("calls", &call(11, "A002", "2")).unwrap();
    assert_eq!(texts(&u), [(1, "请A002号到2号窗口  请A001号到1号窗口")]);
    // Window 2 moves on to A003: A002 is no longer served.
    s.handle_message(
        "calls",
        &call_at(12, "A003", "2", "2026-12-01T09:01:00+08:00"),
    )
    .unwrap();
    assert_eq!(s.render(1).text, "请A003号到2号窗口  请A001号到1号窗口");
    // A recall (new event id, same text) is sent again, and comes first.
    let u = s
        .handle_message(
            "calls",
            &call_at(13, "A001", "1", "2026-12-01T09:02:00+08:00"),
        )
        .unwrap();
    assert_eq!(u.len(), 3);
    assert_eq!(s.render(1).text, "请A001号到1号窗口  请A003号到2号窗口");
    // A call older than the window's state (a late delivery) changes nothing.
    let mut state = String::from_utf8(window("2", "open", Some("A003"))).unwrap();
    state = state.replace("\"event_id\":1", "\"event_id\":20");
    s.handle_message("windows/2", state.as_bytes()).unwrap();
    assert!(s
        .handle_message("calls", &call(19, "A002", "2"))
        .unwrap()
        .is_empty());
    assert_eq!(s.render(1).text, "请A001号到1号窗口  请A003号到2号窗口");
}

#[test]
fn hall_board_is_rebuilt_from_retained_window_states() {
    // A gateway that starts after the calls hears only the retained states: the same
    // boards as one that heard the calls.
    let serving = |w: &str, n: &str, at: &str| {
        serde_json::json!({
            "event_id": 5, "window": w, "status": "open", "pause_reason": null,
            "serving": {"id": 1, "number": n, "service": "marriage", "service_name": null,
                "kind": "walk_in", "status": "called", "window": w, "window_name": null,
                "issued_at": "2026-12-01T08:00:00+08:00", "called_at": at},
            "updated_at": at
        })
        .to_string()
        .into_bytes()
    };
    let mut heard = scene();
    heard
        .handle_message(
            "calls",
            &call_at(3, "A005", "1", "2026-12-01T09:00:00+08:00"),
        )
        .unwrap();
    heard
        .handle_message(
            "calls",
            &call_at(4, "A007", "2", "2026-12-01T09:00:00+08:00"),
        )
        .unwrap();
    let mut fresh = scene();
    // Retained states arrive in any order; the same second: the higher number first.
    fresh
        .handle_message("windows/2", &serving("2", "A007", "2026-12-01T01:00:00Z"))
        .unwrap();
    fresh
        .handle_message(
            "windows/1",
            &serving("1", "A005", "2026-12-01T09:00:00+08:00"),
        )
        .unwrap();
    assert_eq!(fresh.render(1).text, "请A007号到2号窗口  请A005号到1号窗口");
    assert_eq!(fresh.render(1).text, heard.render(1).text);
    assert_eq!(fresh.render(0).text, "请A005号");
    assert_eq!(texts(&fresh.all()), texts(&heard.all()));
    // Windows without a ticket: the welcome.
    fresh
        .handle_message("windows/1", &window("1", "open", None))
        .unwrap();
    fresh
        .handle_message("windows/2", &window("2", "closed", None))
        .unwrap();
    assert_eq!(fresh.render(1).text, "欢迎光临");
}

#[test]
fn call_times_compare_across_offsets() {
    assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(rfc3339_seconds("1970-01-01T08:00:00+08:00"), Some(0));
    assert_eq!(
        rfc3339_seconds("2026-12-01T09:00:00.250+08:00"),
        rfc3339_seconds("2026-12-01T01:00:00Z")
    );
    assert_eq!(rfc3339_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
    assert_eq!(rfc3339_seconds("2026-12-01 09:00"), None);
    assert_eq!(rfc3339_seconds("2026-12-01T09:00:00+0800"), None);
    assert_eq!(rfc3339_seconds("２026-12-01T09:00:00Z"), None);
}

#[test]
fn window_states_pick_their_template() {
    let mut s = scene();
    s.all();
    let u = s
        .handle_message("windows/1", &window("1", "paused", None))
        .unwrap();
    assert_eq!(texts(&u), [(0, "暂停服务"), (2, "PAUSED lunch")]);
    let u = s
        .handle_message("windows/1", &window("1", "closed", None))
        .unwrap();
    // Paused and closed read the same on board 0: nothing to resend there.
    assert_eq!(texts(&u), [(2, "CLOSED")]);
    let u = s
        .handle_message("windows/1", &window("1", "open", None))
        .unwrap();
    assert_eq!(texts(&u), [(0, "欢迎光临"), (2, "WELCOME")]);
    // Paused while a ticket is still held: the pause shows; resuming shows the ticket.
    s.handle_message("windows/1", &window("1", "paused", Some("A007")))
        .unwrap();
    assert_eq!(s.render(0).text, "暂停服务");
    s.handle_message("windows/1", &window("1", "open", Some("A007")))
        .unwrap();
    assert_eq!(s.render(0).text, "请A007号");
    assert!(s
        .handle_message("windows/2", &window("2", "paused", None))
        .unwrap()
        .is_empty());
}

#[test]
fn malformed_messages_change_nothing() {
    let mut s = scene();
    s.all();
    assert!(s.handle_message("calls", b"not json").is_err());
    assert!(s.handle_message("calls", b"{\"number\": 5}").is_err());
    assert!(s.handle_message("windows/1", b"{}").is_err());
    assert!(s.handle_message("queues/marriage", b"{}").is_err());
    // A forged call with markup for a number, and a window state for another window.
    let forged = String::from_utf8(call(99, "A001", "1"))
        .unwrap()
        .replace("A001", "<b>Z999</b>");
    assert!(s.handle_message("calls", forged.as_bytes()).is_err());
    assert!(s
        .handle_message("windows/1", &window("2", "open", Some("Z999")))
        .is_err());
    let queue = br#"{"event_id":3,"service":"marriage","waiting":2,"updated_at":"2026-12-01T09:00:00+08:00"}"#;
    assert!(s
        .handle_message("queues/marriage", queue)
        .unwrap()
        .is_empty());
    assert_eq!(s.render(0).text, "欢迎光临");
}
