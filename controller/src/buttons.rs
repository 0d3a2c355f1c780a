//! Physical call buttons: a device publishes `{action, press_id}` to
//! `hallq/v1/{hall}/buttons/{w}` and the controller acts as that window's clerk would.
//!
//! Each press runs through [`Store::button_action`](crate::store::Store::button_action),
//! which records the press id in the same transaction as the action: a repeated press id
//! (QoS 1 redelivery, a device retrying, two replicas subscribed to the same broker) acts
//! once. A payload is parsed into `hallq_mqtt::payload::ButtonPress`; one that does not
//! parse (bad JSON, an unknown action, a press id out of bounds) is dropped and counted,
//! and presses for unknown windows are logged and ignored.

use crate::state::AppState;
use crate::store::{Action, Actor};
use hallq_config::Role;
use hallq_mqtt::payload::{ButtonAction, ButtonPress};
use hallq_mqtt::{Dropped, Inbound};
use tokio::sync::mpsc;

/// Messages on `buttons/+` that were not a press (counted, warned of now and then).
static DROPPED: Dropped = Dropped::new("call buttons");

/// The window action a press asks for.
pub fn action(a: ButtonAction) -> Action {
    match a {
        ButtonAction::CallNext => Action::CallNext,
        ButtonAction::Recall => Action::Recall,
        ButtonAction::NoShow => Action::NoShow,
        ButtonAction::Start => Action::Start,
        ButtonAction::Finish => Action::Finish,
        ButtonAction::Pause => Action::Pause(None),
        ButtonAction::Resume => Action::Resume,
    }
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

/// Handles one press on `buttons/{w}`.
async fn handle(state: &AppState, w: &str, press: ButtonPress) {
    let Some(conf) = state.cfg.window(w) else {
        tracing::warn!(window = %w, "button press for an unknown window ignored");
        return;
    };
    let name = device_name(state, w);
    let by = Actor {
        name: &name,
        origin: "mqtt",
    };
    let (action, press_id) = (&action(press.action), &press.press_id);
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
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, ButtonPress)>();
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
            match Inbound::parse(topic, payload) {
                Ok(Inbound::Button { window, press }) => {
                    let _ = tx.send((window, press));
                }
                Ok(_) => {}
                Err(e) => DROPPED.note(topic, &e),
            }
        }
    });
    let act = async {
        while let Some((w, press)) = rx.recv().await {
            handle(&state, &w, press).await;
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
    use hallq_mqtt::Payload;

    #[test]
    fn presses_ask_for_their_window_actions() {
        for (name, a) in [
            ("call_next", Action::CallNext),
            ("call-next", Action::CallNext),
            ("recall", Action::Recall),
            ("no_show", Action::NoShow),
            ("start", Action::Start),
            ("finish", Action::Finish),
            ("pause", Action::Pause(None)),
            ("resume", Action::Resume),
        ] {
            let json = format!(r#"{{"action":"{name}","press_id":"p"}}"#);
            let press = ButtonPress::parse(json.as_bytes()).unwrap();
            assert_eq!(action(press.action), a);
        }
    }
}
