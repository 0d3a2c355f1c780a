//! `POST /checkins`: check-in at the kiosk (预约取号) over HTTP — the body parsed into
//! what it presents, the check-in service ([`crate::arrivals`]) asked, its answer or
//! refusal mapped to the contract.

use super::auth::Principal;
use super::body::LaterJson;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::arrivals::{self, CheckInError, Presented};
use crate::checkin::Refused;
use crate::views::{AppointmentView, IssuedTicket};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hallq_config::Role;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// POST /checkins body: a booking code, a typed ID number, or both (then they must belong
/// together).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// Booking code.
    #[serde(default)]
    pub code: Option<String>,
    /// ID number (typed, or read from the card).
    #[serde(default)]
    pub id_number: Option<String>,
}

/// POST /checkins body as documented: a code, an ID number, or both.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CheckInBody {
    /// By booking code.
    #[schema(title = "by code")]
    Code(ByCode),
    /// By ID number (typed, or read from the card).
    #[schema(title = "by ID number")]
    IdNumber(ById),
    /// Both: they must belong to the same appointment.
    #[schema(title = "by code and ID number")]
    Both(ByCodeAndId),
}

/// Check-in by booking code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "K7Q2M9"}))]
#[allow(dead_code)]
pub struct ByCode {
    /// Booking code.
    code: String,
}

/// Check-in by ID number.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ById {
    /// ID number.
    #[schema(value_type = super::schema::IdNumber)]
    id_number: String,
}

/// Check-in by booking code and ID number.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ByCodeAndId {
    /// Booking code.
    code: String,
    /// ID number.
    #[schema(value_type = super::schema::IdNumber)]
    id_number: String,
}

/// POST /checkins answer.
#[derive(Serialize, ToSchema)]
pub struct CheckedIn {
    /// The appointment ticket.
    pub ticket: IssuedTicket,
    /// The appointment, now `checked_in`.
    pub appointment: AppointmentView,
    /// Printing at the kiosk's printer (`none` when it was checked in before).
    #[schema(value_type = super::schema::PrintOutcome)]
    pub print: Value,
    /// It had been checked in before, today (answer 200): `ticket` is the one it got then;
    /// nothing was printed (`POST /tickets/{token}/reprint` prints it again).
    pub already_checked_in: bool,
    /// With `already_checked_in`: "您已取号：A008 / Already checked in: A008".
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "您已取号：A008 / Already checked in: A008")]
    pub message: Option<String>,
}

/// POST /checkins: at the kiosk, turn today's appointment into an appointment ticket.
#[utoipa::path(post, path = "/checkins", tag = "appointments",
    summary = "check in today's appointment at the kiosk: an appointment ticket",
    security(("device_token" = [])),
    request_body = CheckInBody,
    responses((status = 201, description = "checked in", body = CheckedIn),
        (status = 200, description = "checked in before, today: the ticket it got then (`already_checked_in`)", body = CheckedIn),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: not a kiosk, or the ID card does not match the appointment"),
        (status = 404, description = "appointment_not_found"),
        (status = 409, description = "not_booked, not_today, too_early, checkin_closed, daily_cap_reached"),
        super::schema::BodyRefusals,
        (status = 422, description = "invalid_body, invalid_id_number"),
        (status = 503, description = "storage_unavailable, busy")))]
pub async fn check_in(
    State(state): State<AppState>,
    who: Principal,
    body: LaterJson,
) -> ApiResult<(StatusCode, Json<CheckedIn>)> {
    who.require(&[Role::Kiosk, Role::Admin])?;
    let body: CheckIn = body.parse()?;
    let done = arrivals::check_in(&state, &who, body.presented()?, None).await?;
    let status = if done.already_checked_in {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(CheckedIn {
            ticket: done.ticket,
            appointment: done.appointment,
            print: done.print,
            already_checked_in: done.already_checked_in,
            message: done.message,
        }),
    ))
}

impl CheckIn {
    /// What the body presents, or 422 `invalid_body` when it gives neither.
    pub(super) fn presented(&self) -> ApiResult<Presented<'_>> {
        match (self.code.as_deref(), self.id_number.as_deref()) {
            (Some(code), Some(id_number)) => Ok(Presented::Both { code, id_number }),
            (Some(code), None) => Ok(Presented::Code(code)),
            (None, Some(id_number)) => Ok(Presented::IdNumber(id_number)),
            (None, None) => Err(ApiError::unprocessable(
                "invalid_body",
                "请输入预约码或刷身份证 / give a code or an ID number",
            )),
        }
    }
}

impl From<CheckInError> for ApiError {
    fn from(e: CheckInError) -> Self {
        let status = match e {
            CheckInError::Store(e) => return e.into(),
            CheckInError::InvalidIdNumber(_) => StatusCode::UNPROCESSABLE_ENTITY,
            CheckInError::NotFound => StatusCode::NOT_FOUND,
            CheckInError::Refused(Refused::NotTheHolder) => StatusCode::FORBIDDEN,
            CheckInError::Refused(_) => StatusCode::CONFLICT,
        };
        Self::new(status, e.code(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AppointmentStatus;

    fn answer(e: CheckInError) -> (u16, &'static str) {
        let e = ApiError::from(e);
        (e.status.as_u16(), e.code)
    }

    #[test]
    fn each_refusal_keeps_its_status_and_code() {
        let at_nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let cases = [
            (CheckInError::NotFound, (404, "appointment_not_found")),
            (Refused::NotTheHolder.into(), (403, "forbidden")),
            (
                Refused::NotBooked(AppointmentStatus::Cancelled).into(),
                (409, "not_booked"),
            ),
            (
                Refused::NotToday("2026-12-02".into()).into(),
                (409, "not_today"),
            ),
            (Refused::TooEarly(at_nine).into(), (409, "too_early")),
            (Refused::Closed.into(), (409, "checkin_closed")),
            (
                CheckInError::InvalidIdNumber(crate::identity::IdentityError::BadData(
                    "check digit".into(),
                )),
                (422, "invalid_id_number"),
            ),
        ];
        for (e, want) in cases {
            assert_eq!(answer(e), want);
        }
    }

    #[test]
    fn a_body_must_present_something() {
        let e = CheckIn::default().presented().unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (422, "invalid_body"));
        let both = CheckIn {
            code: Some("12345678".into()),
            id_number: Some("46010619900103123X".into()),
        };
        assert_eq!(
            both.presented().unwrap(),
            Presented::Both {
                code: "12345678",
                id_number: "46010619900103123X"
            }
        );
    }
}
