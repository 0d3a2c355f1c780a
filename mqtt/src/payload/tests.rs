use super::*;
use serde_json::{json, Value};

/// The payloads as the controller publishes them (docs/mqtt.md).
fn call() -> Value {
    json!({"event_id": 42, "number": "A001", "service": "property", "window": "1",
        "window_name": "1号窗口", "called_at": "2026-12-01T09:00:00+08:00",
        "called_at_ms": 1_764_550_800_000_i64, "recall": false, "kind": "walk_in"})
}

fn window() -> Value {
    json!({"event_id": 43, "window": "1", "id": "1", "name": "1号窗口", "name_en": "Window 1",
        "floor": 1, "services": ["property", "tax-housing"], "status": "open",
        "pause_reason": null,
        "serving": {"id": 7, "number": "A001", "service": "property",
            "service_name": "不动产登记", "kind": "walk_in", "status": "called",
            "window": "1", "window_name": "1号窗口",
            "issued_at": "2026-12-01T08:55:00+08:00", "called_at": "2026-12-01T09:00:00+08:00"},
        "updated_at": "2026-12-01T09:00:00+08:00"})
}

fn queue() -> Value {
    json!({"event_id": 44, "service": "property", "waiting": 3,
        "updated_at": "2026-12-01T09:00:00+08:00"})
}

fn bytes(v: &Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

fn with(mut v: Value, path: &[&str], to: Value) -> Value {
    let mut at = &mut v;
    for k in &path[..path.len() - 1] {
        at = &mut at[*k];
    }
    at[path[path.len() - 1]] = to;
    v
}

#[test]
fn the_contracts_payloads_parse_and_serialise_alike() {
    for (topic, v) in [
        ("calls", call()),
        ("windows/1", window()),
        ("queues/property", queue()),
    ] {
        let parsed = Inbound::parse(topic, &bytes(&v)).unwrap_or_else(|e| panic!("{topic}: {e}"));
        let again: Value = match &parsed {
            Inbound::Call(c) => serde_json::from_str(&c.to_json()).unwrap(),
            Inbound::Window(w) => serde_json::from_str(&w.to_json()).unwrap(),
            Inbound::Queue(q) => serde_json::from_str(&q.to_json()).unwrap(),
            Inbound::Button { .. } => unreachable!(),
        };
        assert_eq!(again, v, "{topic}: the same JSON fields and values");
    }
    let Inbound::Call(c) = Inbound::parse("calls", &bytes(&call())).unwrap() else {
        panic!("a call");
    };
    assert_eq!((c.event_id, c.call.number.as_str()), (42, "A001"));
    assert_eq!(c.call.kind, Some(TicketKind::WalkIn));
}

#[test]
fn the_first_form_of_a_call_and_a_window_parse() {
    // DESIGN.md's call: no kind, no called_at_ms; a window with only the documented fields.
    let mut c = call();
    c.as_object_mut().unwrap().remove("kind");
    c.as_object_mut().unwrap().remove("called_at_ms");
    assert!(Call::parse(&bytes(&c)).is_ok());
    let w = json!({"event_id": 1, "window": "2", "name": null, "status": "paused",
        "pause_reason": "午休 <b>", "serving": null, "updated_at": "2026-12-01T12:00:00Z"});
    let w = WindowState::parse(&bytes(&w)).unwrap();
    assert_eq!(w.status, WindowStatus::Paused);
    assert_eq!(
        w.pause_reason.as_deref(),
        Some("午休 <b>"),
        "markup is text"
    );
}

#[test]
fn unknown_fields_are_ignored_and_not_passed_on() {
    let v = with(call(), &["script"], json!("<script>alert(1)</script>"));
    let c = Call::parse(&bytes(&v)).unwrap();
    assert!(!c.to_json().contains("script"));
}

#[test]
fn what_is_not_the_contracts_is_refused() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("calls", b"".to_vec()),
        ("calls", b"not json".to_vec()),
        ("calls", b"[]".to_vec()),
        ("calls", vec![0xff, 0xfe, 0x00]),
        ("calls", bytes(&json!({"event_id": 1, "number": "Z999"}))),
        ("calls", bytes(&with(call(), &["event_id"], json!("1")))),
        ("calls", bytes(&with(call(), &["event_id"], json!(-1)))),
        (
            "calls",
            bytes(&with(
                call(),
                &["number"],
                json!("<img src=x onerror=alert(1)>"),
            )),
        ),
        ("calls", bytes(&with(call(), &["number"], json!("")))),
        ("calls", bytes(&with(call(), &["window"], json!("1/2")))),
        (
            "calls",
            bytes(&with(call(), &["window_name"], json!("a\u{0}b"))),
        ),
        (
            "calls",
            bytes(&with(
                call(),
                &["window_name"],
                json!("窗".repeat(MAX_TEXT + 1)),
            )),
        ),
        ("calls", bytes(&with(call(), &["called_at"], json!("")))),
        (
            "calls",
            bytes(&with(
                call(),
                &["called_at"],
                json!("yesterday, about noon"),
            )),
        ),
        ("calls", bytes(&with(call(), &["recall"], json!("no")))),
        ("calls", bytes(&with(call(), &["kind"], json!("vip")))),
        ("windows/1", bytes(&json!({}))),
        (
            "windows/1",
            bytes(&with(window(), &["status"], json!("exploded"))),
        ),
        (
            "windows/1",
            bytes(&with(window(), &["serving", "number"], json!(5))),
        ),
        (
            "windows/1",
            bytes(&with(window(), &["serving", "status"], json!("gone"))),
        ),
        ("windows/1", bytes(&with(window(), &["id"], json!("2")))),
        ("windows/2", bytes(&window())),
        (
            "queues/property",
            bytes(&with(queue(), &["waiting"], json!(-3))),
        ),
        (
            "queues/property",
            bytes(&with(queue(), &["waiting"], json!(1.5))),
        ),
        ("queues/household", bytes(&queue())),
        (
            "calls",
            format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_PAYLOAD)).into_bytes(),
        ),
        ("status", bytes(&call())),
    ];
    for (topic, payload) in cases {
        assert!(
            Inbound::parse(topic, &payload).is_err(),
            "{topic}: {}",
            String::from_utf8_lossy(&payload)
        );
    }
}

#[test]
fn button_presses_parse_with_their_aliases() {
    let press = |a: &str| {
        let v = json!({"action": a, "press_id": "p1", "battery": 80});
        Inbound::parse("buttons/3", &bytes(&v))
    };
    for (name, want) in [
        ("call_next", ButtonAction::CallNext),
        ("call-next", ButtonAction::CallNext),
        ("recall", ButtonAction::Recall),
        ("no_show", ButtonAction::NoShow),
        ("no-show", ButtonAction::NoShow),
        ("start", ButtonAction::Start),
        ("finish", ButtonAction::Finish),
        ("pause", ButtonAction::Pause),
        ("resume", ButtonAction::Resume),
    ] {
        match press(name).unwrap() {
            Inbound::Button { window, press } => {
                assert_eq!((window.as_str(), press.action), ("3", want));
                assert_eq!(press.press_id, "p1");
            }
            other => panic!("{other:?}"),
        }
    }
    let longest = json!({"action": "recall", "press_id": "x".repeat(MAX_PRESS_ID)});
    assert!(ButtonPress::parse(&bytes(&longest)).is_ok());
    for bad in [
        json!({"press_id": "p1"}),
        json!({"action": "call_next"}),
        json!({"action": "call_next", "press_id": ""}),
        json!({"action": "call_next", "press_id": 7}),
        json!({"action": 7, "press_id": "p1"}),
        json!({"action": "transfer", "press_id": "p1"}),
        json!({"action": "explode", "press_id": "p1"}),
        json!({"action": "recall", "press_id": "x".repeat(MAX_PRESS_ID + 1)}),
        json!(null),
    ] {
        assert!(ButtonPress::parse(&bytes(&bad)).is_err(), "{bad}");
    }
}

#[test]
fn drops_are_counted_and_warned_of_at_most_once_per_interval() {
    let d = Dropped::new("test");
    let t0 = std::time::Instant::now();
    let e = PayloadError::UnknownTopic;
    assert!(d.note_at(t0, "calls", &e), "the first drop is warned of");
    assert!(!d.note_at(t0 + std::time::Duration::from_secs(1), "calls", &e));
    assert!(!d.note_at(t0 + std::time::Duration::from_secs(9), "calls", &e));
    assert!(d.note_at(t0 + std::time::Duration::from_secs(10), "calls", &e));
    assert_eq!(d.count(), 4);
}
