//! JSON shapes of the contract, built from store types and the config.

use crate::hours::rfc3339;
use crate::model::Ticket;
use crate::store::WindowState;
use hallq_config::Settings;
use serde_json::{json, Value};

/// A ticket as the kiosk gets it (with its secret token and status link).
pub fn ticket(cfg: &Settings, t: &Ticket, people_ahead: i64) -> Value {
    let mut v = public_ticket(cfg, t);
    v["token"] = json!(t.token);
    v["status_url"] = json!(status_url(cfg, &t.token));
    v["people_ahead"] = json!(people_ahead);
    v
}

/// The link printed as a QR code on the ticket.
pub fn status_url(cfg: &Settings, token: &str) -> String {
    format!("{}/t/{token}", cfg.public_base_url())
}

/// A ticket as screens and the snapshot show it: no token.
pub fn public_ticket(cfg: &Settings, t: &Ticket) -> Value {
    let tz = cfg.tz();
    json!({
        "id": t.id,
        "number": t.number,
        "service": t.service,
        "service_name": cfg.service(&t.service).map(|s| s.name.as_str()),
        "kind": t.kind,
        "status": t.status,
        "window": t.window,
        "window_name": t.window.as_deref().and_then(|w| cfg.window(w)).map(|w| w.name.as_str()),
        "issued_at": rfc3339(tz, t.issued_at),
        "called_at": t.called_at.map(|c| rfc3339(tz, c)),
    })
}

/// A window in the snapshot.
pub fn window(cfg: &Settings, w: &WindowState) -> Value {
    let conf = cfg.window(&w.id);
    json!({
        "id": w.id,
        "name": conf.map(|c| c.name.as_str()),
        "name_en": conf.and_then(|c| c.name_en.as_deref()),
        "floor": conf.map(|c| c.floor),
        "services": conf.map(|c| c.services.clone()).unwrap_or_default(),
        "status": w.status,
        "pause_reason": w.pause_reason,
        "serving": w.serving.as_ref().map(|t| public_ticket(cfg, t)),
        "updated_at": rfc3339(cfg.tz(), w.updated_at),
    })
}

/// The retained `windows/{w}` event.
pub fn window_event(cfg: &Settings, w: &WindowState, event_id: i64, at: &str) -> Value {
    let mut v = window(cfg, w);
    v["window"] = json!(w.id);
    v["event_id"] = json!(event_id);
    v["updated_at"] = json!(at);
    v
}
