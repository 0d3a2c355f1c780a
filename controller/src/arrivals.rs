//! Check-in at the kiosk (预约取号), whoever presents it — the kiosk's screen
//! (`POST /checkins`: a booking code, a typed ID number or both) or its ID card reader
//! ([`crate::reader`]): finds today's appointment, asks [`crate::checkin`] whether it may
//! be checked in now, checks it in with its appointment ticket in the store (one
//! transaction, so a racing cancel or second check-in loses), counts the ticket and prints
//! it at the kiosk's printer.
//!
//! At the kiosk, an appointment of today that was already checked in is not refused: the
//! answer is the ticket it got then ("您已取号：A008 / Already checked in: A008",
//! [`CheckedIn::already_checked_in`]), printed again only on request (the reprint route).
//! The consult desk keeps the refusal (`not_booked`).

use crate::checkin::{decide, pick, Decision, Refused};
use crate::hours::local_day;
use crate::identity::IdentityError;
use crate::model::{AppointmentStatus, Kind};
use crate::principal::Principal;
use crate::printing::{print, printer_of};
use crate::state::AppState;
use crate::store::{Actor, Appointment, NewTicket, StoreError};
use crate::views::{AppointmentView, IssuedTicket};
use serde::Serialize;
use serde_json::{json, Value};

/// What the kiosk was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented<'a> {
    /// A booking code.
    Code(&'a str),
    /// An ID number, typed or read from the card.
    IdNumber(&'a str),
    /// Both: they must belong to the same appointment.
    Both {
        /// The booking code.
        code: &'a str,
        /// The ID number.
        id_number: &'a str,
    },
}

impl<'a> Presented<'a> {
    /// The booking code, if one was given.
    pub fn code(self) -> Option<&'a str> {
        match self {
            Self::Code(code) | Self::Both { code, .. } => Some(code),
            Self::IdNumber(_) => None,
        }
    }

    /// The ID number, if one was given.
    pub fn id_number(self) -> Option<&'a str> {
        match self {
            Self::IdNumber(id_number) | Self::Both { id_number, .. } => Some(id_number),
            Self::Code(_) => None,
        }
    }
}

/// A checked-in appointment, as the kiosk is shown it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedIn {
    /// The appointment ticket.
    pub ticket: IssuedTicket,
    /// The appointment, now `checked_in`.
    pub appointment: AppointmentView,
    /// What became of printing the ticket at the kiosk's printer (`none` when it had
    /// already been checked in: nothing is printed again unasked).
    pub print: Value,
    /// The appointment had been checked in before (today): `ticket` is the one it got
    /// then.
    pub already_checked_in: bool,
    /// What the kiosk says, when it is not the plain ticket: "您已取号：A008 / Already
    /// checked in: A008".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Why a check-in did not happen; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum CheckInError {
    /// The ID number given is not one (or ID numbers cannot be hashed here).
    #[error("{0}")]
    InvalidIdNumber(IdentityError),
    /// No appointment with that code, or none booked today by that ID number.
    #[error("没有找到今日的预约 / no appointment for today")]
    NotFound,
    /// The check-in rules refuse it now.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The store refused (it was checked in or cancelled meanwhile, the daily cap) or
    /// failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CheckInError {
    /// The contract's error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidIdNumber(_) => "invalid_id_number",
            Self::NotFound => "appointment_not_found",
            Self::Refused(r) => r.code(),
            Self::Store(e) => e.code(),
        }
    }

    /// What the person at the kiosk is told (a database failure's cause stays in the log).
    pub fn message(&self) -> String {
        match self {
            Self::Store(e) => e.user_message(),
            e => e.to_string(),
        }
    }
}

/// Checks in today's appointment that `presented` names, at the kiosk `kiosk`: its
/// appointment ticket, printed at the kiosk's printer if it has one. `on_behalf`: staff at
/// the consult desk checking the person in — the audit row (`desk_checkin`) is written in
/// the check-in's transaction, and nothing is printed.
///
/// # Errors
/// [`CheckInError`]: the ID number is invalid, no appointment is found, the rules refuse,
/// the store refuses or fails.
pub async fn check_in(
    state: &AppState,
    kiosk: &Principal,
    presented: Presented<'_>,
    on_behalf: Option<&Actor<'_>>,
) -> Result<CheckedIn, CheckInError> {
    let cfg = &state.cfg;
    let now = state.now();
    let tz = cfg.tz();
    let today = local_day(tz, now);
    let holder = presented
        .id_number()
        .map(|n| state.identity.hash_id_all(n))
        .transpose()
        .map_err(CheckInError::InvalidIdNumber)?;
    let hashes = holder.as_ref().map(|[a, b]| [a.as_str(), b.as_str()]);
    let a = match (presented.code(), hashes) {
        (Some(code), _) => state.store.appointment(code.trim()).await?,
        (None, Some(p)) => {
            let booked = state.store.booked_of_day(p, &today).await?;
            match pick(&booked, |a| a.slot_start, cfg, now) {
                Some(a) => Some(a.clone()),
                None if on_behalf.is_none() => checked_in_today(state, p, &today).await?,
                None => None,
            }
        }
        (None, None) => None,
    }
    .ok_or(CheckInError::NotFound)?;
    if let Decision::Refuse(r) = decide(cfg, now, &a.facts(), hashes.as_ref().map(|h| &h[..])) {
        let again = on_behalf.is_none()
            && a.day == today
            && r == Refused::NotBooked(AppointmentStatus::CheckedIn);
        if again {
            if let Some(done) = earlier_ticket(state, &a, now).await? {
                return Ok(done);
            }
        }
        return Err(r.into());
    }
    let service = cfg.service(&a.service).ok_or(CheckInError::NotFound)?;
    let ticket = NewTicket {
        service: service.id.clone(),
        prefix: service.prefix.clone(),
        width: service.width as usize,
        cap: service.effective_cap(),
        kind: Kind::Appointment,
        slot_start: Some(a.slot_start),
        day: today,
        token: hex::encode(rand::random::<[u8; 16]>()),
        now,
        person: Some(a.person.clone()),
        person_key_version: Some(a.key_version),
    };
    let issued = state.store.check_in(&a, ticket, on_behalf).await?;
    state.metrics.ticket_issued(&issued.ticket.service);
    crate::api::estimates::record_soon(state, issued.ticket.id, &issued.ticket.token);
    let printer = on_behalf.map_or_else(|| printer_of(cfg, kiosk), |_| None);
    let print = match printer {
        Some(p) => print(state, &issued.ticket, issued.people_ahead, p).await,
        None => json!({"status": "none"}),
    };
    let a = Appointment {
        status: AppointmentStatus::CheckedIn,
        ..a
    };
    Ok(CheckedIn {
        ticket: IssuedTicket::of(cfg, &issued.ticket, issued.people_ahead),
        appointment: AppointmentView::of(cfg, &a),
        print,
        already_checked_in: false,
        message: None,
    })
}

/// The person's appointment of `today` that was already checked in (the latest slot), if
/// any.
async fn checked_in_today(
    state: &AppState,
    persons: [&str; 2],
    today: &str,
) -> Result<Option<Appointment>, StoreError> {
    let mine = state.store.appointments_of(persons).await?;
    Ok(mine.into_iter().find(|a| {
        a.day == today && a.status == AppointmentStatus::CheckedIn && a.ticket_id.is_some()
    }))
}

/// The answer for an appointment checked in before: the ticket it got then, as it stands
/// now; `None` when that ticket cannot be found (the refusal stands).
async fn earlier_ticket(
    state: &AppState,
    a: &Appointment,
    now: i64,
) -> Result<Option<CheckedIn>, StoreError> {
    let Some(id) = a.ticket_id else {
        return Ok(None);
    };
    let Some(t) = state.store.tickets_by_ids(&[id]).await?.into_iter().next() else {
        return Ok(None);
    };
    let ahead = state.store.people_ahead(&t, now).await?;
    let cfg = &state.cfg;
    Ok(Some(CheckedIn {
        message: Some(already_message(&t.number)),
        ticket: IssuedTicket::of(cfg, &t, ahead),
        appointment: AppointmentView::of(cfg, a),
        print: json!({"status": "none"}),
        already_checked_in: true,
    }))
}

/// "您已取号：A008 / Already checked in: A008".
pub fn already_message(number: &str) -> String {
    format!("您已取号：{number} / Already checked in: {number}")
}
