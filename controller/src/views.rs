//! What the hall shows of its tickets, windows and appointments: the public shapes that
//! screens, phones, MQTT subscribers and the HTTP API all see, built from the model, the
//! store's read models and the config. Each shape is a typed struct (its OpenAPI schema is
//! derived from it); the MQTT shapes are `hallq_mqtt::payload`'s, built here from the same
//! views.

use crate::hours::rfc3339;
use crate::model::{AppointmentStatus, Kind, Status, Ticket, WindowStatus};
use crate::store::{Appointment, WindowState};
use hallq_config::Settings;
use hallq_mqtt::payload as wire;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A wait estimate: the point and its range (seconds).
pub use hallq_queue::estimate::Estimate;

/// A ticket as screens and the snapshot show it: no token.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTicket {
    /// Database id.
    pub id: i64,
    /// The number on the paper, e.g. `A001`.
    #[schema(example = "A001")]
    pub number: String,
    /// Service id.
    #[schema(example = "property")]
    pub service: String,
    /// Service name.
    pub service_name: Option<String>,
    /// How the ticket was taken.
    pub kind: Kind,
    /// Where the ticket is in its life.
    pub status: Status,
    /// The window that called it.
    pub window: Option<String>,
    /// That window's name.
    pub window_name: Option<String>,
    /// RFC 3339 with the hall's offset.
    #[schema(format = DateTime, example = "2026-12-01T09:00:00+08:00")]
    pub issued_at: String,
    /// When it was (last) called.
    #[schema(format = DateTime)]
    pub called_at: Option<String>,
    /// Where to wait: the windows serving its service ("请到 3、4号窗口附近等候"); null
    /// when no window serves it.
    #[schema(example = "请到 3、4号窗口附近等候")]
    pub wait_hint: Option<String>,
}

impl PublicTicket {
    /// The shape of `t`.
    pub fn of(cfg: &Settings, t: &Ticket) -> Self {
        let tz = cfg.tz();
        Self {
            id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            service_name: cfg.service(&t.service).map(|s| s.name.clone()),
            kind: t.kind,
            status: t.status,
            window: t.window.clone(),
            window_name: t
                .window
                .as_deref()
                .and_then(|w| cfg.window(w))
                .map(|w| w.name.clone()),
            issued_at: rfc3339(tz, t.issued_at),
            called_at: t.called_at.map(|c| rfc3339(tz, c)),
            wait_hint: wait_hint(cfg, &t.service),
        }
    }
}

/// Where a ticket of `service` waits: "请到 3、4号窗口附近等候", from the windows whose
/// services include it (in the config's order; "N号窗口" names share one "号窗口"),
/// None when no window serves it.
#[must_use]
pub fn wait_hint(cfg: &Settings, service: &str) -> Option<String> {
    let names: Vec<&str> = cfg
        .windows
        .iter()
        .filter(|w| w.services.iter().any(|s| s == service))
        .map(|w| w.name.as_str())
        .collect();
    if names.is_empty() {
        return None;
    }
    let stems: Option<Vec<&str>> = names.iter().map(|n| n.strip_suffix("号窗口")).collect();
    let place = match stems {
        Some(stems) if stems.iter().all(|x| !x.is_empty()) => {
            format!("{}号窗口", stems.join("、"))
        }
        _ => names.join("、"),
    };
    Some(format!("请到 {place}附近等候"))
}

/// A ticket as the kiosk gets it: with its secret token and status link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedTicket {
    /// The public part.
    #[serde(flatten)]
    pub ticket: PublicTicket,
    /// The ticket's secret (128 bits, hex): the key of its status and renderings.
    #[schema(example = "3f2a9c0e8b7d4a1f9e6c5b4a3d2e1f00")]
    pub token: String,
    /// `{public_base_url}/t/{token}`, printed as a QR code.
    pub status_url: String,
    /// Tickets ahead in the queue when issued.
    pub people_ahead: i64,
}

impl IssuedTicket {
    /// The shape of `t`.
    pub fn of(cfg: &Settings, t: &Ticket, people_ahead: i64) -> Self {
        Self {
            ticket: PublicTicket::of(cfg, t),
            token: t.token.clone(),
            status_url: status_url(cfg, &t.token),
            people_ahead,
        }
    }
}

/// An appointment as its holder sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppointmentView {
    /// The booking code (typed at the kiosk).
    #[schema(example = "K7Q2M9")]
    pub code: String,
    /// Service id.
    pub service: String,
    /// Service name.
    pub service_name: Option<String>,
    /// Slot start, RFC 3339 with the hall's offset.
    #[schema(format = DateTime, example = "2026-12-01T09:00:00+08:00")]
    pub slot_start: String,
    /// Slot end.
    #[schema(format = DateTime, example = "2026-12-01T09:30:00+08:00")]
    pub slot_end: String,
    /// Where it is in its life.
    pub status: AppointmentStatus,
    /// Check-in (预约取号) opens: RFC 3339 with the hall's offset (by default the hall's
    /// opening on the slot's day).
    #[schema(format = DateTime, example = "2026-12-01T08:30:00+08:00")]
    pub checkin_from: String,
    /// Check-in closes (this moment excluded; by default the slot's start): not checked
    /// in by then, the appointment becomes a no-show.
    #[schema(format = DateTime, example = "2026-12-01T09:00:00+08:00")]
    pub checkin_until: String,
    /// The holder's name, masked (`张*三`).
    pub name_masked: String,
    /// The holder's ID number, masked (`4601**********123X`).
    pub id_masked: String,
    /// The holder's phone, masked.
    pub phone_masked: String,
    /// The channel that verified the holder.
    pub channel: String,
    /// The verification method.
    pub method: String,
    /// When it was booked.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Why the hall cancelled it (a closure of its slot or day); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
}

impl AppointmentView {
    /// The shape of `a`.
    pub fn of(cfg: &Settings, a: &Appointment) -> Self {
        let tz = cfg.tz();
        let (from, until) = crate::slots::checkin_window(cfg, a.slot_start);
        Self {
            code: a.code.clone(),
            service: a.service.clone(),
            service_name: cfg.service(&a.service).map(|s| s.name.clone()),
            slot_start: rfc3339(tz, a.slot_start),
            slot_end: rfc3339(tz, a.slot_end),
            status: a.status,
            checkin_from: rfc3339(tz, from),
            checkin_until: rfc3339(tz, until),
            name_masked: a.name_masked.clone(),
            id_masked: a.id_masked.clone(),
            phone_masked: a.phone_masked.clone(),
            channel: a.channel.clone(),
            method: a.method.clone(),
            created_at: rfc3339(tz, a.created_at),
            cancel_reason: a.cancel_reason.clone(),
        }
    }
}

/// A window in the snapshot.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WindowView {
    /// Window id.
    pub id: String,
    /// Name from the config.
    pub name: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Floor.
    pub floor: Option<i32>,
    /// Services it serves, highest priority first.
    pub services: Vec<String>,
    /// Open, paused or closed.
    pub status: WindowStatus,
    /// Why it is paused.
    pub pause_reason: Option<String>,
    /// The ticket at the window.
    pub serving: Option<PublicTicket>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl WindowView {
    /// The shape of `w`.
    pub fn of(cfg: &Settings, w: &WindowState) -> Self {
        let conf = cfg.window(&w.id);
        Self {
            id: w.id.clone(),
            name: conf.map(|c| c.name.clone()),
            name_en: conf.and_then(|c| c.name_en.clone()),
            floor: conf.map(|c| c.floor),
            services: conf.map(|c| c.services.clone()).unwrap_or_default(),
            status: w.status,
            pause_reason: w.pause_reason.clone(),
            serving: w.serving.as_ref().map(|t| PublicTicket::of(cfg, t)),
            updated_at: rfc3339(cfg.tz(), w.updated_at),
        }
    }
}

/// The link printed as a QR code on the ticket.
pub fn status_url(cfg: &Settings, token: &str) -> String {
    format!("{}/t/{token}", cfg.public_base_url())
}

/// The retained `windows/{w}` event: the window's view, with the event id and `at` as
/// its time.
pub fn window_event(cfg: &Settings, w: &WindowState, event_id: i64, at: &str) -> wire::WindowState {
    let v = WindowView::of(cfg, w);
    wire::WindowState {
        event_id,
        window: w.id.clone(),
        id: v.id,
        name: v.name,
        name_en: v.name_en,
        floor: v.floor,
        services: v.services,
        status: v.status.into(),
        pause_reason: v.pause_reason,
        serving: v.serving.map(PublicTicket::into_wire),
        updated_at: at.to_string(),
    }
}

/// The retained `queues/{service}` event.
pub fn queue_event(service: &str, waiting: i64, event_id: i64, at: &str) -> wire::QueueState {
    wire::QueueState {
        event_id,
        service: service.to_string(),
        waiting,
        updated_at: at.to_string(),
    }
}

impl PublicTicket {
    /// The same ticket as MQTT payloads carry it.
    pub fn into_wire(self) -> wire::Ticket {
        wire::Ticket {
            id: self.id,
            number: self.number,
            service: self.service,
            service_name: self.service_name,
            kind: crate::model::wire_kind(self.kind),
            status: self.status.into(),
            window: self.window,
            window_name: self.window_name,
            issued_at: self.issued_at,
            called_at: self.called_at,
        }
    }
}

impl From<Status> for wire::TicketStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Waiting => Self::Waiting,
            Status::Called => Self::Called,
            Status::Serving => Self::Serving,
            Status::Done => Self::Done,
            Status::NoShow => Self::NoShow,
            Status::Expired => Self::Expired,
        }
    }
}

impl From<WindowStatus> for wire::WindowStatus {
    fn from(s: WindowStatus) -> Self {
        match s {
            WindowStatus::Open => Self::Open,
            WindowStatus::Paused => Self::Paused,
            WindowStatus::Closed => Self::Closed,
        }
    }
}

/// A ticket's status (GET /tickets/{token}, its live feeds).
#[derive(Serialize, ToSchema)]
pub struct TicketState {
    /// The public part.
    #[serde(flatten)]
    pub ticket: PublicTicket,
    /// Tickets ahead while waiting, else 0.
    pub people_ahead: i64,
    /// Estimated wait in seconds while waiting; null when not waiting, and while no
    /// window serving the ticket's service is open (nobody is calling: "暂无窗口办理").
    pub estimated_wait_s: Option<i64>,
    /// Lower end (s) of the range the estimate can stand behind; null with no estimate.
    pub estimated_wait_low_s: Option<i64>,
    /// Upper end (s) of that range; null with no estimate.
    pub estimated_wait_high_s: Option<i64>,
}

/// A waiting ticket's status, its unchanging public part borrowed: the shape of
/// [`TicketState`] while waiting (the status watchers render every new position from it).
#[derive(Serialize)]
pub struct WaitingState<'a> {
    /// The public part.
    #[serde(flatten)]
    pub ticket: &'a PublicTicket,
    /// Tickets ahead.
    pub people_ahead: i64,
    /// Estimated wait in seconds (null while no window serving the service is open).
    pub estimated_wait_s: Option<i64>,
    /// Lower end (s) of the estimate's range (null with no estimate).
    pub estimated_wait_low_s: Option<i64>,
    /// Upper end (s) of the estimate's range (null with no estimate).
    pub estimated_wait_high_s: Option<i64>,
}

/// The status shape of one ticket: people ahead and the estimate only while waiting; a
/// ticket left active from an earlier day reads as expired.
pub fn status_value(
    cfg: &Settings,
    t: &Ticket,
    today: &str,
    ahead: i64,
    wait: Option<Estimate>,
) -> Value {
    let mut t = t.clone();
    if t.day != today && t.status.is_active() {
        t.status = Status::Expired;
    }
    let waiting = t.status == Status::Waiting;
    let state = TicketState {
        ticket: PublicTicket::of(cfg, &t),
        people_ahead: if waiting { ahead } else { 0 },
        estimated_wait_s: wait.filter(|_| waiting).map(|e| e.wait_s),
        estimated_wait_low_s: wait.filter(|_| waiting).map(|e| e.low_s),
        estimated_wait_high_s: wait.filter(|_| waiting).map(|e| e.high_s),
    };
    serde_json::to_value(state).unwrap_or_default()
}
