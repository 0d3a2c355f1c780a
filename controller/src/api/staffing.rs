//! `GET /admin/staffing`: staffing advice from the hall's own history (admins only).
//!
//! - [`StaffingQuery`]: the target, the days of history, the what-if and the format, each
//!   parsed or refused with the contract's error body (`invalid_target`, `invalid_what_if`,
//!   `invalid_query`);
//! - [`staffing`]: the history read, the advice computed off the async threads
//!   ([`crate::planning`]), answered as JSON ([`Advice`]) or as CSV for a spreadsheet.

use super::auth::Principal;
use super::body::ApiQuery;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::local_day;
use crate::planning::{self, Advice};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Days, NaiveDate};
use hallq_config::Role;
use hallq_queue::plan::{Target, WhatIf};
use hallq_queue::sim::HallModel;
use serde::Deserialize;
use utoipa::IntoParams;

/// Days of history read when `days` is not given.
pub const DEFAULT_DAYS: u64 = 28;
/// Most days of history one request may read.
pub const MAX_DAYS: u64 = 366;
/// The target when `target` is not given.
pub const DEFAULT_TARGET: &str = "80% within 15m";

/// `?target=80%25%20within%2015m&days=28&what_if=2@09:00-11:00&format=csv`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffingQuery {
    /// "80% within 15m" (also "80%/15m", "0.8 within 900s", "80% within 1h"): the share of
    /// tickets to call within the wait; empty or absent: "80% within 15m".
    #[param(example = "80% within 15m")]
    target: Option<String>,
    /// Days of history, ending today (1–366, default 28).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 366)]
    days: Option<String>,
    /// "2@09:00-11:00" or "2@09:00-11:00:property,household": that many more windows in
    /// those hours (calling those services, or every one), simulated against the hall now.
    #[param(example = "2@09:00-11:00")]
    what_if: Option<String>,
    /// `json` (default) or `csv`.
    #[param(value_type = Option<String>, pattern = "^(json|csv)?$")]
    format: Option<String>,
}

/// The query, parsed.
struct Asked {
    target: Target,
    days: u64,
    what_if: Option<WhatIf>,
    csv: bool,
}

fn nonempty(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl StaffingQuery {
    /// Each value parsed, or the contract's 422 naming it.
    fn parse(&self, services: &[String]) -> Result<Asked, ApiError> {
        let target = nonempty(&self.target)
            .unwrap_or(DEFAULT_TARGET)
            .parse::<Target>()
            .map_err(|m| ApiError::unprocessable("invalid_target", m))?;
        let days = match nonempty(&self.days) {
            None => DEFAULT_DAYS,
            Some(s) => s
                .parse::<u64>()
                .ok()
                .filter(|d| (1..=MAX_DAYS).contains(d))
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "invalid_query",
                        format!("days 应为 1–{MAX_DAYS} / days must be 1–{MAX_DAYS}"),
                    )
                })?,
        };
        let what_if = match nonempty(&self.what_if) {
            None => None,
            Some(s) => {
                let w = s
                    .parse::<WhatIf>()
                    .map_err(|m| ApiError::unprocessable("invalid_what_if", m))?;
                if let Some(bad) = w.services.iter().find(|x| !services.contains(x)) {
                    return Err(ApiError::unprocessable(
                        "invalid_what_if",
                        format!("没有这项业务 / no such service: {bad:?}"),
                    ));
                }
                Some(w)
            }
        };
        let csv = match nonempty(&self.format) {
            None | Some("json") => false,
            Some("csv") => true,
            Some(_) => {
                return Err(ApiError::unprocessable(
                    "invalid_query",
                    "format 应为 json 或 csv / format must be json or csv",
                ))
            }
        };
        Ok(Asked {
            target,
            days,
            what_if,
            csv,
        })
    }
}

/// GET /admin/staffing?target=&days=&what_if=&format=: per weekday, hour and service of
/// the last `days` days of history (today included), the forecast arrivals, the windows
/// needed to meet the target (Erlang C per service) and suggested appointments per
/// 30-minute slot; per weekday and hour the hall's windows simulated under that demand;
/// the what-if's p90 wait before and after. No history: empty `rows` and `hours`.
/// `format=csv`: the rows as CSV (UTF-8 with a BOM), an attachment `staffing.csv`.
#[utoipa::path(get, path = "/admin/staffing", tag = "admin", summary = "staffing advice from the hall's history",
    security(("device_token" = []), ("staff_session" = [])),
    params(StaffingQuery),
    responses((status = 200, description = "the advice (JSON), or its rows as CSV with `format=csv`",
            content((Advice = "application/json"), (String = "text/csv"))),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 422, description = "invalid_target, invalid_what_if, invalid_query"),
        (status = 503, description = "storage_unavailable")))]
pub async fn staffing(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<StaffingQuery>,
) -> ApiResult<Response> {
    who.require(&[Role::Admin])?;
    let hall = HallModel::of(&state.cfg);
    let asked = q.parse(&hall.services)?;
    let tz = state.cfg.tz();
    let today = local_day(tz, state.now());
    let to = NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap_or_default();
    let from = to.checked_sub_days(Days::new(asked.days - 1)).unwrap_or(to);
    let rows = state
        .store
        .stat_rows(&from.format("%Y-%m-%d").to_string(), &today)
        .await?;
    let records = planning::records(&rows, tz);
    let (target, what_if) = (asked.target, asked.what_if);
    // A second or two of simulation: off the threads that serve requests.
    let (advice, csv) = tokio::task::spawn_blocking(move || {
        let (plan, advice) = planning::advise(&hall, &records, target, what_if.as_ref());
        let csv = asked.csv.then(|| hallq_queue::plan::to_csv(&plan));
        (advice, csv)
    })
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "内部错误 / internal error",
        )
    })?;
    Ok(match csv {
        Some(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"staffing.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        None => Json(advice).into_response(),
    })
}
