//! The admin dashboard's reads: statistics of a day range (JSON and CSV), the audit log,
//! and live extras for the dashboard (longest waits, serving times). Admin token only.

use super::auth::Principal;
use super::body::ApiQuery;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::{local_day, rfc3339};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use hallq_config::Role;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Longest day range one statistics request may cover.
pub const MAX_RANGE_DAYS: i64 = 366;

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` (both default to today; `to` defaults to `from`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// First day (YYYY-MM-DD); empty or absent: today.
    #[param(schema_with = super::schema::date_or_empty)]
    from: Option<String>,
    /// Last day (YYYY-MM-DD), not before `from` and at most 365 days after it; empty or
    /// absent: `from`.
    #[param(schema_with = super::schema::date_or_empty)]
    to: Option<String>,
}

/// GET /admin/stats answer: the statistics of the range with the names pages show.
#[derive(Serialize, ToSchema)]
pub struct StatsView {
    /// Totals, per day, hour, service, window and clerk, waits, no-shows, punctuality.
    #[serde(flatten)]
    pub stats: crate::stats::Stats,
    /// First day.
    #[schema(format = Date)]
    pub from: String,
    /// Last day.
    #[schema(format = Date)]
    pub to: String,
    /// Names of the ids in the statistics.
    pub names: Names,
}

/// Names of services, windows (with their clerk credentials) and staff.
#[derive(Serialize, ToSchema)]
pub struct Names {
    /// Service id → name.
    pub services: BTreeMap<String, String>,
    /// Window id → name and the clerk credentials of that window.
    pub windows: BTreeMap<String, WindowNames>,
    /// Staff username → display name.
    pub clerks: BTreeMap<String, String>,
}

/// A window's name and clerk credentials.
#[derive(Serialize, ToSchema)]
pub struct WindowNames {
    /// Name.
    pub name: String,
    /// Clerk credentials of the window.
    pub clerks: Vec<String>,
}

/// Any JSON object.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(value_type = Object)]
pub struct Object(serde_json::Map<String, Value>);

/// GET /admin/audit answer.
#[derive(Serialize, ToSchema)]
pub struct Audit {
    /// Newest first: who, what, when (`at`, RFC 3339), from where.
    #[schema(value_type = Vec<Object>)]
    pub audit: Vec<Value>,
}

/// GET /admin/live answer.
#[derive(Serialize, ToSchema)]
pub struct Live {
    /// The server's clock (ms since the epoch).
    pub now: i64,
    /// Per service: the oldest waiting ticket's issue time (ms since the epoch).
    pub oldest_waiting_at: BTreeMap<String, i64>,
    /// Per window holding a ticket: `{called_at, started_at}` (ms since the epoch, or null).
    pub windows: BTreeMap<String, HeldTimes>,
    /// The ticket printers, in config order: kiosks, state, last problem, since when.
    pub printers: Vec<crate::printers::PrinterRow>,
}

/// When the ticket held at a window was called and started.
#[derive(Serialize, ToSchema)]
pub struct HeldTimes {
    /// Called (ms since the epoch).
    pub called_at: Option<i64>,
    /// Started (ms since the epoch).
    pub started_at: Option<i64>,
}

impl Range {
    /// The validated range as local day strings.
    fn days(&self, today: &str) -> Result<(String, String), ApiError> {
        let parse = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                ApiError::unprocessable(
                    "invalid_date",
                    format!("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD, got {s:?}"),
                )
            })
        };
        let nonempty =
            |o: &Option<String>| o.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
        let from = nonempty(&self.from).unwrap_or_else(|| today.to_string());
        let to = nonempty(&self.to).unwrap_or_else(|| from.clone());
        let (f, t) = (parse(&from)?, parse(&to)?);
        if t < f {
            return Err(ApiError::unprocessable(
                "invalid_range",
                "结束日期早于开始日期 / `to` is before `from`",
            ));
        }
        if (t - f).num_days() >= MAX_RANGE_DAYS {
            return Err(ApiError::unprocessable(
                "invalid_range",
                format!("最多查询 {MAX_RANGE_DAYS} 天 / at most {MAX_RANGE_DAYS} days at once"),
            ));
        }
        Ok((
            f.format("%Y-%m-%d").to_string(),
            t.format("%Y-%m-%d").to_string(),
        ))
    }
}

async fn compute(state: &AppState, q: &Range) -> ApiResult<(String, String, crate::stats::Stats)> {
    let today = local_day(state.cfg.tz(), state.now());
    let (from, to) = q.days(&today)?;
    let rows = state.store.stat_rows(&from, &to).await?;
    let order: Vec<String> = state.cfg.services().map(|s| s.id.clone()).collect();
    Ok((
        from,
        to,
        crate::stats::aggregate(&rows, &order, state.cfg.tz()),
    ))
}

/// GET /admin/stats?from=&to=: statistics of the range (see [`crate::stats::Stats`]),
/// with service and window names, the clerk credentials of each window and the staff's
/// display names (`names.clerks`, by username).
#[utoipa::path(get, path = "/admin/stats", tag = "admin", summary = "statistics of a day range",
    security(("device_token" = []), ("staff_session" = [])),
    params(Range),
    responses((status = 200, description = "statistics", body = StatsView),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 422, description = "invalid_date, invalid_range, invalid_query"),
        (status = 503, description = "storage_unavailable")))]
pub async fn stats(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<Range>,
) -> ApiResult<Json<StatsView>> {
    who.require(&[Role::Admin])?;
    let (from, to, stats) = compute(&state, &q).await?;
    let cfg = &state.cfg;
    let windows = cfg
        .windows
        .iter()
        .map(|w| {
            let clerks = cfg
                .credentials
                .iter()
                .filter(|c| c.role == Role::Clerk && c.window.as_deref() == Some(&w.id))
                .map(|c| c.name.clone())
                .collect();
            let names = WindowNames {
                name: w.name.clone(),
                clerks,
            };
            (w.id.clone(), names)
        })
        .collect();
    let names = Names {
        services: cfg
            .services()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        windows,
        clerks: cfg
            .staff
            .iter()
            .map(|u| (u.username.clone(), u.display_name().to_string()))
            .collect(),
    };
    Ok(Json(StatsView {
        stats,
        from,
        to,
        names,
    }))
}

/// GET /admin/stats.csv?from=&to=: the same as CSV for Excel (see [`crate::stats::csv`]).
#[utoipa::path(get, path = "/admin/stats.csv", tag = "admin", summary = "statistics of a day range as CSV",
    security(("device_token" = []), ("staff_session" = [])),
    params(Range),
    responses((status = 200, description = "CSV (UTF-8, with a BOM for Excel) as an attachment",
            body = String, content_type = "text/csv"),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 422, description = "invalid_date, invalid_range, invalid_query"),
        (status = 503, description = "storage_unavailable")))]
pub async fn stats_csv(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<Range>,
) -> ApiResult<Response> {
    who.require(&[Role::Admin])?;
    let (from, to, s) = compute(&state, &q).await?;
    let cfg = state.cfg.clone();
    let name = move |id: &str| cfg.service(id).map(|s| s.name.clone()).unwrap_or_default();
    let body = crate::stats::csv(&s, &from, &to, &name);
    let disposition = format!("attachment; filename=\"hallq-stats-{from}_{to}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

/// `?limit=` of the audit log (default 50, at most 1000).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// How many rows (1–1000, default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

/// GET /admin/audit?limit=: the newest audit rows (who, what, when, from where).
#[utoipa::path(get, path = "/admin/audit", tag = "admin", summary = "the newest audit rows",
    security(("device_token" = []), ("staff_session" = [])),
    params(AuditQuery),
    responses((status = 200, description = "audit rows", body = Audit),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 422, description = "invalid_limit, invalid_query"),
        (status = 503, description = "storage_unavailable")))]
pub async fn audit(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Audit>> {
    who.require(&[Role::Admin])?;
    let limit = match q.limit.as_deref().filter(|s| !s.is_empty()) {
        None => 50,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                ApiError::unprocessable("invalid_limit", "limit 应为 1–1000 / limit must be 1–1000")
            })?,
    };
    let tz = state.cfg.tz();
    let rows: Vec<Value> = state
        .store
        .audit_log(limit)
        .await?
        .into_iter()
        .map(|mut r| {
            if let Some(at) = r["at"].as_i64() {
                r["at"] = json!(rfc3339(tz, at));
            }
            r
        })
        .collect();
    Ok(Json(Audit { audit: rows }))
}

/// GET /admin/live: what the snapshot lacks for the dashboard: per queue the oldest
/// waiting ticket's issue time, per window holding a ticket its call and start times
/// (ms since the epoch), the printers' states, and the server's clock.
#[utoipa::path(get, path = "/admin/live", tag = "admin", summary = "live extras for the dashboard",
    security(("device_token" = []), ("staff_session" = [])),
    responses((status = 200, description = "oldest waits and serving times", body = Live),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 503, description = "storage_unavailable")))]
pub async fn live(State(state): State<AppState>, who: Principal) -> ApiResult<Json<Live>> {
    who.require(&[Role::Admin])?;
    let now = state.now();
    let day = local_day(state.cfg.tz(), now);
    let oldest_waiting_at = state
        .store
        .oldest_waiting(&day)
        .await?
        .into_iter()
        .collect();
    let windows = state
        .store
        .held_times()
        .await?
        .into_iter()
        .map(|(w, called_at, started_at)| {
            let times = HeldTimes {
                called_at,
                started_at,
            };
            (w, times)
        })
        .collect();
    let printers = state.printers.rows(&state.cfg, std::time::Instant::now());
    Ok(Json(Live {
        now,
        oldest_waiting_at,
        windows,
        printers,
    }))
}
