//! One window action, whoever asks — a clerk's (or admin's) HTTP request or a call button's
//! press: the action in the store (with its audit row and outbox events, in one
//! transaction), then the phones watching the queues it changed, then the metrics.

use crate::hours::local_day;
use crate::state::AppState;
use crate::store::{Action, ActionOutcome, Actor, Press, StoreResult, WindowInfo};

/// Applies `action` at the configured window `conf` for `by`. A call button's press
/// carries its `press_id`: a press already handled at this window does nothing and
/// answers `None`.
///
/// # Errors
/// The rules' refusal (nothing changed); database errors.
pub async fn at_window(
    state: &AppState,
    conf: &hallq_config::Window,
    action: &Action,
    by: Actor<'_>,
    press_id: Option<&str>,
) -> StoreResult<Option<ActionOutcome>> {
    let info = WindowInfo {
        id: &conf.id,
        name: &conf.name,
        services: &conf.services,
        start_on_call: state.cfg.hall.start_on_call,
    };
    let now = state.now();
    let tz = state.cfg.tz();
    let day = local_day(tz, now);
    let store = &state.store;
    let out = match press_id {
        None => store.window_action(info, action, by, &day, now, tz).await?,
        Some(id) => match store
            .button_action(info, id, action, by, &day, now, tz)
            .await?
        {
            Press::Done(out) => *out,
            Press::Refused(r) => return Err(r.into()),
            Press::Repeated => return Ok(None),
        },
    };
    state
        .watchers
        .after_action(&state.cfg, &conf.services, &out, &day);
    state
        .metrics
        .window_action(&conf.id, action, out.ticket.as_ref());
    Ok(Some(out))
}
