//! The consult desk (咨询台, step 1 of the hall's check-in process), for the `desk`,
//! `clerk` and `admin` roles:
//!
//! - `GET /desk/appointments?code=…` | `?id_number=…` | `?phone_last4=…&name=…`: the
//!   bookings found (masked personal data only), by code with the person's other
//!   bookings; ID numbers and name + phone's last 4 are compared by keyed hash (current
//!   and previous key), never in clear.
//! - `POST /desk/checkins`: checks a person in on their behalf through the kiosk's
//!   check-in service ([`crate::arrivals`]), so the same rules and refusals apply; audited.
//! - `GET /desk/day?date=…[&service=…]`: a day's bookings per service and slot.
//!
//! Query parameters that are missing, unknown, mixed or malformed answer 400.

use super::auth::Principal;
use super::body::{ApiQuery, LaterJson};
use super::checkin::{CheckIn, CheckInBody, CheckedIn};
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::arrivals;
use crate::hours::rfc3339;
use crate::slots;
use crate::store::{Actor, Appointment};
use crate::views::AppointmentView;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use chrono::NaiveDate;
use hallq_config::Role;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use utoipa::{IntoParams, ToSchema};

/// Who may use the desk.
pub const DESK_ROLES: [Role; 3] = [Role::Desk, Role::Clerk, Role::Admin];

/// GET /desk/appointments answer.
#[derive(Serialize, ToSchema)]
pub struct DeskAppointments {
    /// What the search used: `code`, `id_number` or `phone_last4_name`.
    pub found_by: &'static str,
    /// Found by code: that booking first, then the person's other bookings; otherwise the
    /// person's bookings, newest slot first. Empty when nothing matches.
    pub appointments: Vec<AppointmentView>,
}

/// GET /desk/appointments query: exactly one of `code`, `id_number`, or `phone_last4`
/// with `name`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DeskSearch {
    /// A booking code.
    code: Option<String>,
    /// An ID number (typed, or from the card reader).
    #[param(value_type = Option<super::schema::IdNumber>)]
    id_number: Option<String>,
    /// The last 4 digits of the phone booked with (with `name`).
    #[param(pattern = "^[0-9]{4}$")]
    phone_last4: Option<String>,
    /// The name booked with (with `phone_last4`).
    name: Option<String>,
}

fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// The search the query asks for.
#[derive(Debug, PartialEq, Eq)]
enum Search<'a> {
    Code(&'a str),
    IdNumber(&'a str),
    Contact { phone_last4: &'a str, name: &'a str },
}

fn search(q: &HashMap<String, String>) -> ApiResult<Search<'_>> {
    const KEYS: [&str; 4] = ["code", "id_number", "phone_last4", "name"];
    if let Some(k) = q.keys().find(|k| !KEYS.contains(&k.as_str())) {
        let k: String = k.chars().take(32).collect();
        return Err(bad(
            "invalid_query",
            format!("未知的查询参数 / unknown parameter {k:?}: use code, id_number, or phone_last4 with name"),
        ));
    }
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    match (get("code"), get("id_number"), get("phone_last4"), get("name")) {
        (Some(code), None, None, None) => {
            if code.len() > 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad(
                    "invalid_code",
                    "预约码应为字母或数字 / a booking code is letters and digits (at most 16)",
                ));
            }
            Ok(Search::Code(code))
        }
        (None, Some(id), None, None) => Ok(Search::IdNumber(id)),
        (None, None, Some(phone_last4), Some(name)) => Ok(Search::Contact { phone_last4, name }),
        (None, None, None, None) => Err(bad(
            "invalid_query",
            "请输入预约码、身份证号或手机后四位加姓名 / give code, id_number, or phone_last4 with name",
        )),
        _ => Err(bad(
            "invalid_query",
            "只能按一种方式查询：预约码、身份证号或手机后四位加姓名 / one search at a time: code, id_number, or phone_last4 with name",
        )),
    }
}

/// GET /desk/appointments: find bookings by code, ID number, or phone's last 4 + name.
#[utoipa::path(get, path = "/desk/appointments", operation_id = "desk_appointments", tag = "desk",
    summary = "find bookings by code, ID number, or phone's last 4 + name (desk, clerk, admin)",
    security(("device_token" = []), ("staff_session" = [])),
    params(DeskSearch),
    responses((status = 200, description = "the bookings found (masked)", body = DeskAppointments),
        (status = 400, description = "invalid_query (none, unknown or mixed parameters), invalid_code, invalid_id_number, invalid_contact"),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not desk, clerk or admin"),
        (status = 503, description = "storage_unavailable")))]
pub async fn appointments(
    State(state): State<AppState>,
    who: Principal,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<DeskAppointments>> {
    who.require(&DESK_ROLES)?;
    let cfg = &state.cfg;
    let (found_by, list) = match search(&q)? {
        Search::Code(code) => {
            let mut list = Vec::new();
            if let Some(a) = state.store.appointment(code).await? {
                let others = state
                    .store
                    .appointments_of([a.person.as_str(), a.person.as_str()])
                    .await?;
                list.extend(others.into_iter().filter(|o| o.id != a.id));
                list.insert(0, a);
            }
            ("code", list)
        }
        Search::IdNumber(id) => {
            let h = state
                .identity
                .hash_id_all(id)
                .map_err(|e| bad("invalid_id_number", e.to_string()))?;
            (
                "id_number",
                state.store.appointments_of([&h[0], &h[1]]).await?,
            )
        }
        Search::Contact { phone_last4, name } => {
            let h = state
                .identity
                .hash_contact_all(name, phone_last4)
                .map_err(|e| bad("invalid_contact", e.to_string()))?;
            (
                "phone_last4_name",
                state.store.appointments_by_contact([&h[0], &h[1]]).await?,
            )
        }
    };
    // Who looked whom up is audited; what they searched for (a code, an ID number, a name)
    // is not written anywhere.
    let origin = super::windows::origin(peer.map(|Extension(ConnectInfo(a))| a), &headers);
    let by = Actor {
        name: &who.name,
        origin: &origin,
    };
    let detail = serde_json::json!({"found": list.len()}).to_string();
    let now = state.now();
    (state
        .store
        .record(by, "desk_lookup", found_by, &detail, now))
    .await?;
    Ok(Json(DeskAppointments {
        found_by,
        appointments: list.iter().map(|a| AppointmentView::of(cfg, a)).collect(),
    }))
}

/// POST /desk/checkins: check a person in on their behalf (the kiosk's rules apply).
#[utoipa::path(post, path = "/desk/checkins", operation_id = "desk_check_in", tag = "desk",
    summary = "check a person in on their behalf, by code or ID number (desk, clerk, admin)",
    security(("device_token" = []), ("staff_session" = [])),
    request_body = CheckInBody,
    responses((status = 201, description = "checked in (audited)", body = CheckedIn),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not desk, clerk or admin; or the ID number is not the holder's"),
        (status = 404, description = "appointment_not_found"),
        (status = 409, description = "not_booked, not_today, too_early, checkin_closed, daily_cap_reached"),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body, invalid_id_number"),
        (status = 503, description = "storage_unavailable, busy")))]
pub async fn check_in(
    State(state): State<AppState>,
    who: Principal,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: LaterJson,
) -> ApiResult<(StatusCode, Json<CheckedIn>)> {
    who.require(&DESK_ROLES)?;
    let body: CheckIn = body.parse()?;
    let origin = super::windows::origin(peer.map(|Extension(ConnectInfo(a))| a), &headers);
    let by = Actor {
        name: &who.name,
        origin: &origin,
    };
    let done = arrivals::check_in(&state, &who, body.presented()?, Some(&by)).await?;
    Ok((
        StatusCode::CREATED,
        Json(CheckedIn {
            ticket: done.ticket,
            appointment: done.appointment,
            print: done.print,
            already_checked_in: done.already_checked_in,
            message: done.message,
        }),
    ))
}

/// GET /desk/day query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DayQuery {
    /// The day, YYYY-MM-DD.
    #[param(value_type = String, format = Date, example = "2026-12-01")]
    date: String,
    /// One service (default: every bookable service).
    #[param(value_type = Option<super::schema::BookableServiceId>)]
    service: Option<String>,
}

/// A slot of the day at the desk.
#[derive(Serialize, ToSchema)]
pub struct DeskSlot {
    /// Start, RFC 3339 (hall time).
    #[schema(format = DateTime)]
    pub slot_start: String,
    /// End.
    #[schema(format = DateTime)]
    pub slot_end: String,
    /// Bookings the slot takes.
    pub capacity: i64,
    /// Bookings not cancelled (booked, checked in, done, no-show).
    pub active: i64,
    /// Of those, still to check in.
    pub booked: i64,
    /// Cancelled (by their holders or by a closure).
    pub cancelled: i64,
    /// Closed by the hall.
    pub closed: bool,
    /// The slot's appointments (masked).
    pub appointments: Vec<AppointmentView>,
}

/// A service's day at the desk.
#[derive(Serialize, ToSchema)]
pub struct DeskService {
    /// Service id.
    pub service: String,
    /// Service name.
    pub service_name: String,
    /// Its slots that day (the calendar's, and any other with bookings), by start.
    pub slots: Vec<DeskSlot>,
}

/// GET /desk/day answer.
#[derive(Serialize, ToSchema)]
pub struct DeskDay {
    /// The day.
    #[schema(format = Date)]
    pub date: String,
    /// Every bookable service (or the one asked for).
    pub services: Vec<DeskService>,
}

/// GET /desk/day: a day's bookings per service and slot, with counts.
#[utoipa::path(get, path = "/desk/day", operation_id = "desk_day", tag = "desk",
    summary = "a day's bookings per service and slot (desk, clerk, admin)",
    security(("device_token" = []), ("staff_session" = [])),
    params(DayQuery),
    responses((status = 200, description = "the day", body = DeskDay),
        (status = 400, description = "invalid_query (unknown parameter, no date), invalid_date, unknown_service, not_bookable"),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not desk, clerk or admin"),
        (status = 503, description = "storage_unavailable")))]
pub async fn day(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<DeskDay>> {
    who.require(&DESK_ROLES)?;
    let cfg = &state.cfg;
    if let Some(k) = q
        .keys()
        .find(|k| !["date", "service"].contains(&k.as_str()))
    {
        let k: String = k.chars().take(32).collect();
        return Err(bad(
            "invalid_query",
            format!("未知的查询参数 / unknown parameter {k:?}: use date and service"),
        ));
    }
    let date_s = q.get("date").map(|d| d.trim()).unwrap_or_default();
    let date = NaiveDate::parse_from_str(date_s, "%Y-%m-%d").map_err(|_| {
        bad(
            "invalid_date",
            "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD",
        )
    })?;
    let services = super::appointments::bookable_services(
        cfg,
        q.get("service").map(|s| s.trim()),
        StatusCode::BAD_REQUEST,
    )?;
    let day = date.format("%Y-%m-%d").to_string();
    let all = state.store.appointments_of_day(&day, None).await?;
    let tz = cfg.tz();
    let mut out = Vec::new();
    for s in services {
        let Some(b) = s.booking.as_ref() else {
            continue;
        };
        let cap = i64::from(b.capacity);
        let mut by_slot: BTreeMap<i64, (i64, Vec<&Appointment>)> =
            slots::slots_of_day(b, &crate::hours::Timetable::of(cfg), date)
                .into_iter()
                .map(|sl| (sl.start, (sl.end, Vec::new())))
                .collect();
        for a in all.iter().filter(|a| a.service == s.id) {
            by_slot
                .entry(a.slot_start)
                .or_insert((a.slot_end, Vec::new()))
                .1
                .push(a);
        }
        let (from, to) = match (by_slot.keys().next(), by_slot.keys().last()) {
            (Some(f), Some(l)) => (*f, *l + 1),
            _ => (0, 0),
        };
        let closed = state.store.closed_slots(&s.id, from, to).await?;
        let slots = by_slot
            .into_iter()
            .map(|(start, (end, list))| {
                use crate::model::AppointmentStatus as St;
                let count = |f: &dyn Fn(St) -> bool| {
                    i64::try_from(list.iter().filter(|a| f(a.status)).count()).unwrap_or(0)
                };
                DeskSlot {
                    slot_start: rfc3339(tz, start),
                    slot_end: rfc3339(tz, end),
                    capacity: cap,
                    active: count(&|st| st != St::Cancelled),
                    booked: count(&|st| st == St::Booked),
                    cancelled: count(&|st| st == St::Cancelled),
                    closed: closed.contains(&start),
                    appointments: list.iter().map(|a| AppointmentView::of(cfg, a)).collect(),
                }
            })
            .collect();
        out.push(DeskService {
            service: s.id.clone(),
            service_name: s.name.clone(),
            slots,
        });
    }
    Ok(Json(DeskDay {
        date: day,
        services: out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn one_search_at_a_time() {
        assert_eq!(
            search(&q(&[("code", " 12345678 ")])).unwrap(),
            Search::Code("12345678")
        );
        assert_eq!(
            search(&q(&[("phone_last4", "0000"), ("name", "张三")])).unwrap(),
            Search::Contact {
                phone_last4: "0000",
                name: "张三"
            }
        );
        for (bad_q, code) in [
            (q(&[]), "invalid_query"),
            (q(&[("code", "")]), "invalid_query"),
            (q(&[("code", "1"), ("id_number", "2")]), "invalid_query"),
            (q(&[("phone_last4", "0000")]), "invalid_query"),
            (q(&[("name", "张三")]), "invalid_query"),
            (q(&[("what", "x")]), "invalid_query"),
            (q(&[("code", "<b>1</b>")]), "invalid_code"),
        ] {
            let e = search(&bad_q).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (400, code), "{bad_q:?}");
        }
    }
}
