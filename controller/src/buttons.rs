//! Physical call buttons: a device publishes `{action, press_id}` to
//! `hallq/v1/{hall}/buttons/{w}` and the controller acts as that window's clerk would.
//!
//! Each press runs through [`Store::button_action`](crate::store::Store::button_action),
//! which records the press id in the same transaction as the action: a repeated press id
//! (QoS 1 redelivery, a device retrying, two replicas subscribed to the same broker) acts
//! once. Bad payloads, unknown actions and unknown windows are logged and ignored.

use crate::state::AppState;
use crate::store::{Action, Actor};
use hallq_config::Role;
use tokio::sync::mpsc;

/// Longest press id accepted, in characters.
pub const MAX_PRESS_ID: usize = 64;

/// One valid press, as parsed from a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonPress {
    /// What to do.
    pub action: Action,
    /// The device's id for this press (repeats are ignored).
    pub press_id: String,
}

/// Parses a button payload `{"action": …, "press_id": …}` (other fields are ignored).
/// Actions: `call_next` (or `call-next`), `recall`, `no_show`, `start`, `finish`,
/// `pause`, `resume`.
///
/// # Errors
/// A message saying what is wrong with the payload.
pub fn parse(payload: &[u8]) -> Result<ButtonPress, String> {
    let v: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| format!("not JSON: {e}"))?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let action = match obj.get("action").and_then(|a| a.as_str()) {
        Some(a) => parse_action(a).ok_or_else(|| format!("unknown action {a:?}"))?,
        None => return Err("missing string field action".into()),
    };
    let press_id = obj
        .get("press_id")
        .and_then(|p| p.as_str())
        .ok_or("missing string field press_id")?;
    if press_id.is_empty() || press_id.chars().count() > MAX_PRESS_ID {
        return Err(format!(
            "press_id must be 1 to {MAX_PRESS_ID} characters, got {}",
            press_id.chars().count()
        ));
    }
    Ok(ButtonPress {
        action,
        press_id: press_id.to_string(),
    })
}

fn parse_action(name: &str) -> Option<Action> {
    Some(match name.replace('-', "_").as_str() {
        "call_next" => Action::CallNext,
        "recall" => Action::Recall,
        "no_show" => Action::NoShow,
        "start" => Action::Start,
        "finish" => Action::Finish,
        "pause" => Action::Pause(None),
        "resume" => Action::Resume,
        _ => return None,
    })
}

/// Who pressed, for the audit log: the embedded broker's button account of window `w`
/// (the broker lets only that account publish there), else `button-{w}`.
fn device_name(state: &AppState, w: &str) -> String {
    let mut buttons = state
        .cfg
        .broker
        .accounts
        .iter()
        .filter(|a| a.role == Role::Button && a.window.as_deref() == Some(w));
    match (buttons.next(), buttons.next()) {
        (Some(a), None) => a.username.clone(),
        _ => format!("button-{w}"),
    }
}

/// Handles one message on `buttons/{w}`.
async fn handle(state: &AppState, w: &str, payload: &[u8]) {
    let Some(conf) = state.cfg.window(w) else {
        tracing::warn!(window = %w, "button press for an unknown window ignored");
        return;
    };
    let press = match parse(payload) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(window = %w, "button press ignored: {e}");
            return;
        }
    };
    let name = device_name(state, w);
    let by = Actor {
        name: &name,
        origin: "mqtt",
    };
    let (action, press_id) = (&press.action, &press.press_id);
    match crate::acts::at_window(state, conf, action, by, Some(press_id)).await {
        Ok(Some(out)) => {
            let ticket = out.ticket.as_ref().map_or("-", |t| t.number.as_str());
            tracing::info!(window = %w, ?action, %press_id, outcome = "done", %ticket, "button press");
        }
        Ok(None) => {
            tracing::info!(window = %w, ?action, %press_id, outcome = "repeated press id, ignored", "button press");
        }
        Err(crate::store::StoreError::Refused(r)) => {
            let code = r.code();
            tracing::info!(window = %w, ?action, %press_id, outcome = "refused", %code, "button press");
        }
        Err(e) => {
            tracing::warn!(window = %w, ?action, %press_id, "button press failed: {e}");
        }
    }
}

/// Subscribes to the hall's `buttons/+` with the controller's own broker login and acts
/// on each press in arrival order; reconnects after broker outages. Runs until aborted.
pub async fn run(state: AppState, mqtt: hallq_mqtt::Endpoint) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, Vec<u8>)>();
    // Polling and acting run in this one task, so aborting it stops both; acting apart
    // from polling keeps the connection alive while the database works.
    let sub = hallq_mqtt::Subscriber {
        options: mqtt.options("hallq-buttons"),
        root: hallq_mqtt::topic_root(&state.cfg.hall.id),
        filters: vec!["buttons/+".into()],
        label: "call buttons",
    };
    let poll = sub.run(std::future::pending(), move |feed| {
        if let hallq_mqtt::Feed::Message { topic, payload } = feed {
            if let hallq_mqtt::Topic::Button(w) = hallq_mqtt::Topic::parse(topic) {
                let _ = tx.send((w.to_string(), payload.to_vec()));
            }
        }
    });
    let act = async {
        while let Some((w, payload)) = rx.recv().await {
            handle(&state, &w, &payload).await;
        }
    };
    tokio::select! {
        () = poll => {}
        () = act => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_actions_and_press_ids() {
        let p = parse(br#"{"action":"call_next","press_id":"p1"}"#).unwrap();
        assert_eq!(p.action, Action::CallNext);
        assert_eq!(p.press_id, "p1");
        let p = parse(br#"{"action":"call-next","press_id":"x","battery":80}"#).unwrap();
        assert_eq!(p.action, Action::CallNext);
        for (name, a) in [
            ("recall", Action::Recall),
            ("no_show", Action::NoShow),
            ("start", Action::Start),
            ("finish", Action::Finish),
            ("pause", Action::Pause(None)),
            ("resume", Action::Resume),
        ] {
            let json = format!(r#"{{"action":"{name}","press_id":"p"}}"#);
            assert_eq!(parse(json.as_bytes()).unwrap().action, a);
        }
        let long = "x".repeat(MAX_PRESS_ID);
        let json = format!(r#"{{"action":"recall","press_id":"{long}"}}"#);
        assert!(parse(json.as_bytes()).is_ok());
    }

    #[test]
    fn refuses_bad_payloads() {
        let too_long = format!(
            r#"{{"action":"recall","press_id":"{}"}}"#,
            "x".repeat(MAX_PRESS_ID + 1)
        );
        for bad in [
            &b""[..],
            b"not json",
            b"{\"action\":\"call_next\"",
            b"[]",
            b"null",
            br#"{"press_id":"p1"}"#,
            br#"{"action":"call_next"}"#,
            br#"{"action":"call_next","press_id":""}"#,
            br#"{"action":"call_next","press_id":7}"#,
            br#"{"action":7,"press_id":"p1"}"#,
            br#"{"action":"transfer","press_id":"p1"}"#,
            br#"{"action":"explode","press_id":"p1"}"#,
            too_long.as_bytes(),
            &[0xff, 0xfe, 0x00],
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
