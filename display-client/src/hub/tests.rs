use super::*;
use serde_json::{json, Value};

fn call(event_id: i64, number: &str) -> Vec<u8> {
    json!({"event_id": event_id, "number": number, "service": "property", "window": "1",
        "window_name": "1号窗口", "called_at": "2026-12-01T09:00:00+08:00", "recall": false,
        "kind": "walk_in"})
    .to_string()
    .into_bytes()
}

fn window(w: &str, status: &str) -> Vec<u8> {
    json!({"event_id": 5, "window": w, "id": w, "name": format!("{w}号窗口"),
        "status": status, "pause_reason": null, "serving": null,
        "updated_at": "2026-12-01T09:00:00+08:00"})
    .to_string()
    .into_bytes()
}

fn frames(rx: &mut broadcast::Receiver<Frame>) -> Vec<Value> {
    let mut out = Vec::new();
    while let Ok(f) = rx.try_recv() {
        out.push(serde_json::from_str(f.as_str()).unwrap());
    }
    out
}

#[test]
fn dedupes_calls_and_keeps_latest_state() {
    let hub = Hub::new();
    let mut rx = hub.subscribe();
    hub.apply("calls", &call(1, "A001"));
    hub.apply("calls", &call(1, "A001"));
    hub.apply("windows/1", &window("1", "open"));
    hub.apply("windows/1", &window("1", "paused"));
    hub.apply("other", b"{}");
    let snap: Value = serde_json::from_str(&hub.snapshot()).unwrap();
    assert_eq!(snap["type"], "snapshot");
    assert_eq!(snap["calls"].as_array().unwrap().len(), 1);
    assert_eq!(snap["calls"][0]["number"], "A001");
    assert_eq!(snap["windows"][0]["status"], "paused");
    let kinds: Vec<Value> = frames(&mut rx)
        .into_iter()
        .map(|f| f["type"].clone())
        .collect();
    assert_eq!(kinds, ["call", "window", "window"]);
}

#[test]
fn what_does_not_parse_never_reaches_a_screen() {
    let hub = Hub::new();
    let mut rx = hub.subscribe();
    let forged: Vec<(&str, Vec<u8>)> = vec![
        ("calls", b"not json".to_vec()),
        ("calls", br#"{"event_id":9,"number":"Z999"}"#.to_vec()),
        (
            "calls",
            String::from_utf8(call(9, "A001"))
                .unwrap()
                .replace("A001", "<img src=x onerror=alert(1)>")
                .into_bytes(),
        ),
        ("windows/1", window("2", "open")),
        ("windows/1", window("1", "on fire")),
        ("queues/property", br#"{"event_id":1,"service":"property","waiting":-1,"updated_at":"2026-12-01T09:00:00+08:00"}"#.to_vec()),
        ("buttons/1", b"{}".to_vec()),
    ];
    let n = forged.len() as u64;
    for (topic, payload) in forged {
        hub.apply(topic, &payload);
    }
    assert!(frames(&mut rx).is_empty(), "nothing sent to screens");
    let snap: Value = serde_json::from_str(&hub.snapshot()).unwrap();
    assert_eq!(snap["calls"], json!([]));
    assert_eq!(snap["windows"], json!([]));
    assert_eq!(snap["queues"], json!([]));
    assert_eq!(hub.dropped(), n);
}

#[test]
fn screens_get_only_the_contracts_fields() {
    let hub = Hub::new();
    let mut rx = hub.subscribe();
    let mut v: Value = serde_json::from_slice(&call(3, "A003")).unwrap();
    v["html"] = json!("<script>alert(1)</script>");
    hub.apply("calls", v.to_string().as_bytes());
    let f = frames(&mut rx);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["number"], "A003");
    assert!(f[0].get("html").is_none(), "{}", f[0]);
}
