//! The audit row of a window action, written in the action's transaction.

use super::{Action, Actor, Applied, Tx};

/// Writes the audit row of an applied action (done, or refused with its changes kept)
/// inside `tx`: actor, action name, window id, and as detail a JSON object with the
/// ticket, transfer target, pause reason and whatever the caller adds in `detail`.
#[allow(clippy::too_many_arguments)]
pub(in crate::store) async fn audit(
    tx: &mut Tx,
    hall: &str,
    by: Actor<'_>,
    window: &str,
    action: &Action,
    applied: &Applied,
    mut detail: serde_json::Map<String, serde_json::Value>,
    now: i64,
) -> Result<(), sqlx::Error> {
    use serde_json::Value;
    match applied {
        Ok(out) => {
            if let Some(t) = &out.ticket {
                detail.insert("ticket".into(), Value::from(t.number.as_str()));
            }
        }
        // Call-next with nobody waiting: the held ticket was closed all the same.
        Err(r) => {
            detail.insert("refused".into(), Value::from(format!("{r:?}")));
        }
    }
    match action {
        Action::Call(n) if applied.is_err() => {
            detail.insert("number".into(), Value::from(n.as_str()));
        }
        Action::Pause(Some(reason)) => {
            detail.insert("reason".into(), Value::from(reason.as_str()));
        }
        Action::TransferService(s) => {
            detail.insert("to_service".into(), Value::from(s.as_str()));
        }
        Action::TransferWindow(t) => {
            detail.insert("to_window".into(), Value::from(t.as_str()));
        }
        _ => {}
    }
    let detail = Value::Object(detail).to_string();
    let (name, origin) = (by.name, by.origin);
    crate::store::bans::audit(tx, hall, now, name, action.name(), window, &detail, origin).await
}
