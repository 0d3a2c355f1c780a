//! The body every notifier sends: one JSON object per event, rendered from the stored
//! facts ([`Notice`]) and the config (hall id, service name, the hall's time zone).
//! Masked personal data only; the citizen is named by provider and account.

use crate::hours::rfc3339;
use crate::store::notices::{Notice, NoticeRow};
use hallq_config::Settings;
use serde::Serialize;

/// A service as named in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRef {
    /// Service id.
    pub id: String,
    /// Its Chinese name from the config (the id when it is no longer configured).
    pub name: String,
}

/// Whom the event is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citizen {
    /// Identity provider id (`dev` for the development provider), if known.
    pub provider: Option<String>,
    /// The citizen's account at that provider (the assertion's `sub`), if known.
    pub subject: Option<String>,
    /// Masked name.
    pub name: String,
    /// Masked phone.
    pub phone: String,
    /// Masked ID number (never in clear).
    pub id_number: String,
}

/// The JSON body of one event (docs/notifications.md). Every key is always present;
/// those that do not apply to the type are `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// `{hall}-{n}`: unique per hall, the same on every retry (receivers dedupe by it).
    pub event_id: String,
    /// `booking_confirmed`, `reminder`, `cancelled_by_hall`, `no_show` or `banned`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Hall id.
    pub hall: String,
    /// The booking code (`banned`: the booking that caused it, if any).
    pub code: Option<String>,
    /// The booked service.
    pub service: Option<ServiceRef>,
    /// Slot start, RFC 3339 in the hall's zone.
    pub slot_start: Option<String>,
    /// Slot end, RFC 3339 in the hall's zone.
    pub slot_end: Option<String>,
    /// Whom to notify.
    pub citizen: Citizen,
    /// `reminder`: minutes before the slot.
    pub lead_minutes: Option<u32>,
    /// `banned`: the day online booking works again (`YYYY-MM-DD`).
    pub until: Option<String>,
    /// `banned`, `cancelled_by_hall`: why, in plain words.
    pub reason: Option<String>,
    /// When the change happened, RFC 3339 in the hall's zone.
    pub occurred_at: String,
}

impl Event {
    /// The event of outbox row `row` in hall `cfg`.
    #[must_use]
    pub fn of(cfg: &Settings, row: &NoticeRow) -> Self {
        let tz = cfg.tz();
        let n: &Notice = &row.notice;
        Self {
            event_id: format!("{}-{}", cfg.hall.id, row.id),
            kind: n.kind.as_str(),
            hall: cfg.hall.id.clone(),
            code: n.code.clone(),
            service: n.service.as_ref().map(|id| ServiceRef {
                id: id.clone(),
                name: cfg
                    .service(id)
                    .map_or_else(|| id.clone(), |s| s.name.clone()),
            }),
            slot_start: n.slot.map(|(s, _)| rfc3339(tz, s)),
            slot_end: n.slot.map(|(_, e)| rfc3339(tz, e)),
            citizen: Citizen {
                provider: n.citizen.provider.clone(),
                subject: n.citizen.subject.clone(),
                name: n.citizen.name_masked.clone(),
                phone: n.citizen.phone_masked.clone(),
                id_number: n.citizen.id_masked.clone(),
            },
            lead_minutes: n.lead_minutes,
            until: n.until_day.clone(),
            reason: n.reason.clone(),
            occurred_at: rfc3339(tz, row.created_at),
        }
    }
}
