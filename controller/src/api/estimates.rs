//! How right the wait estimates are: the first estimate shown for a new ticket is recorded
//! off the answer's path ([`record_soon`]), and `GET /admin/estimates?day=` compares it
//! with the actual wait of the day's called tickets, per service and overall. Parts: the
//! recorder, the query parameter, the answer's shapes, the pure aggregation
//! ([`accuracy`]), the handler.

use super::auth::Principal;
use super::body::ApiQuery;
use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::hours::local_day;
use crate::model::Kind;
use crate::store::EstimateRow;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use hallq_config::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

use hallq_queue::estimate::{TOLERANCE_MIN_S, TOLERANCE_SHARE};

/// Records, in a task of its own (the answer does not wait for it), the wait the new
/// ticket's status shows now as the ticket's first estimate, with what the former
/// estimator says of the same snapshot. A ticket shown no estimate (no window serving its
/// service is open or paused) gets none; failures are logged.
pub fn record_soon(state: &AppState, ticket_id: i64, token: &str) {
    let (state, token) = (state.clone(), token.to_string());
    tokio::spawn(async move {
        if let Err(e) = record(&state, ticket_id, &token).await {
            tracing::warn!(ticket_id, "estimate not recorded: {e}");
        }
    });
}

async fn record(
    state: &AppState,
    ticket_id: i64,
    token: &str,
) -> Result<(), crate::store::StoreError> {
    let Some(t) = state.store.ticket_by_token(token).await? else {
        return Ok(());
    };
    let now = state.now();
    let today = local_day(state.cfg.tz(), now);
    if t.status != crate::model::Status::Waiting || t.day != today {
        return Ok(());
    }
    let play = state.hall_waits(&today).await?;
    let Some(estimate) = play.estimates.get(&t.id).copied() else {
        return Ok(());
    };
    let baseline = play
        .snapshot
        .waiting
        .iter()
        .find(|c| c.id == t.id)
        .and_then(|c| hallq_queue::estimate::baseline_of(&play.snapshot, c));
    state
        .store
        .record_estimate(ticket_id, estimate.wait_s, baseline)
        .await?;
    Ok(())
}

/// `?day=YYYY-MM-DD` (default: the hall's today).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayParam {
    /// The local day the tickets were issued (YYYY-MM-DD); empty or absent: today.
    #[param(schema_with = super::schema::date_or_empty)]
    pub day: Option<String>,
}

/// GET /admin/estimates answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EstimateAccuracy)]
pub struct Accuracy {
    /// The day.
    #[schema(format = Date)]
    pub day: String,
    /// Within tolerance means |predicted − actual| ≤ max(`share` × actual, `min_s`).
    pub tolerance: Tolerance,
    /// Every service together.
    pub overall: Summary,
    /// Per configured service, in config order (services without tickets included).
    pub services: Vec<ServiceAccuracy>,
}

/// The tolerance of [`Accuracy`].
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EstimateTolerance)]
pub struct Tolerance {
    /// Share of the actual wait (0.2).
    pub share: f64,
    /// Seconds (180).
    pub min_s: i64,
}

/// Count and errors of a set of estimates.
#[derive(Debug, Default, Serialize, ToSchema, PartialEq)]
#[schema(as = EstimateSummary)]
pub struct Summary {
    /// Called tickets with a recorded estimate.
    pub count: i64,
    /// Mean absolute error (seconds); null without tickets.
    pub mae_s: Option<f64>,
    /// How many were within tolerance.
    pub within: i64,
    /// Share within tolerance (0–1); null without tickets.
    pub within_share: Option<f64>,
    /// The former estimator's mean absolute error on the same tickets (those it answered
    /// for); null without any.
    pub mae_s_baseline: Option<f64>,
    /// The former estimator's share within tolerance; null without any.
    pub within_share_baseline: Option<f64>,
}

/// One service's estimates.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ServiceEstimates)]
pub struct ServiceAccuracy {
    /// Service id.
    pub service: String,
    /// Service name.
    pub name: String,
    /// Count and errors.
    #[serde(flatten)]
    pub summary: Summary,
    /// Each ticket, in issue order.
    pub tickets: Vec<Point>,
}

/// A ticket's predicted and actual wait.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(as = EstimatePoint)]
pub struct Point {
    /// Printed number.
    pub number: String,
    /// Class.
    pub kind: Kind,
    /// The wait first shown (seconds).
    pub predicted_s: i64,
    /// What the former estimator said at the same moment (seconds).
    pub baseline_s: Option<i64>,
    /// Called minus issued (seconds, rounded down).
    pub actual_s: i64,
}

/// Whether `predicted_s` is within tolerance of `actual_s`.
pub fn within_tolerance(predicted_s: i64, actual_s: i64) -> bool {
    hallq_queue::estimate::within_tolerance(predicted_s as f64, actual_s as f64)
}

fn summary(points: &[&Point]) -> Summary {
    let count = points.len() as i64;
    if count == 0 {
        return Summary::default();
    }
    let err: i64 = points
        .iter()
        .map(|p| (p.predicted_s - p.actual_s).abs())
        .sum();
    let within = points
        .iter()
        .filter(|p| within_tolerance(p.predicted_s, p.actual_s))
        .count() as i64;
    let base: Vec<(i64, i64)> = points
        .iter()
        .filter_map(|p| Some((p.baseline_s?, p.actual_s)))
        .collect();
    let n = base.len() as f64;
    let some = |x: f64| (n > 0.0).then_some(x / n);
    Summary {
        count,
        mae_s: Some(err as f64 / count as f64),
        within,
        within_share: Some(within as f64 / count as f64),
        mae_s_baseline: some(base.iter().map(|(b, a)| (b - a).abs() as f64).sum()),
        within_share_baseline: some(
            base.iter()
                .filter(|(b, a)| within_tolerance(*b, *a))
                .count() as f64,
        ),
    }
}

/// The accuracy of `rows` per service of `services` (id, name; in that order; rows of
/// other services count in `overall` only) and overall.
pub fn accuracy(day: &str, rows: &[EstimateRow], services: &[(String, String)]) -> Accuracy {
    let points: Vec<(&str, Point)> = rows
        .iter()
        .map(|r| {
            let point = Point {
                number: r.number.clone(),
                kind: Kind::parse(&r.kind).unwrap_or_default(),
                predicted_s: r.estimate_s,
                baseline_s: r.estimate_baseline_s,
                actual_s: (r.called_at - r.issued_at).max(0) / 1000,
            };
            (r.service.as_str(), point)
        })
        .collect();
    let all: Vec<&Point> = points.iter().map(|(_, p)| p).collect();
    let services = services
        .iter()
        .map(|(id, name)| {
            let mine: Vec<&Point> = points
                .iter()
                .filter(|(s, _)| s == id)
                .map(|(_, p)| p)
                .collect();
            ServiceAccuracy {
                service: id.clone(),
                name: name.clone(),
                summary: summary(&mine),
                tickets: mine.into_iter().cloned().collect(),
            }
        })
        .collect();
    Accuracy {
        day: day.to_string(),
        tolerance: Tolerance {
            share: TOLERANCE_SHARE,
            min_s: TOLERANCE_MIN_S as i64,
        },
        overall: summary(&all),
        services,
    }
}

fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// The day a query asks for: only `day`, a real date written `YYYY-MM-DD`; absent or empty
/// is `today`.
pub fn parse_day(q: &HashMap<String, String>, today: &str) -> Result<String, ApiError> {
    if let Some(k) = q.keys().find(|k| k.as_str() != "day") {
        let k: String = k.chars().take(32).collect();
        return Err(bad(
            "invalid_query",
            format!("未知的查询参数 / unknown parameter {k:?}: use day"),
        ));
    }
    let Some(s) = q.get("day").filter(|s| !s.is_empty()) else {
        return Ok(today.to_string());
    };
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .filter(|d| d == s)
        .ok_or_else(|| {
            let s: String = s.chars().take(32).collect();
            bad(
                "invalid_date",
                format!("日期格式应为 YYYY-MM-DD / day must be YYYY-MM-DD, got {s:?}"),
            )
        })
}

/// GET /admin/estimates?day=: per service, the day's called tickets with the wait first
/// shown (predicted) and the actual wait (called − issued), with the mean absolute error
/// and the share within tolerance, per service and overall.
#[utoipa::path(get, path = "/admin/estimates", operation_id = "admin_estimates", tag = "admin",
    summary = "estimate accuracy: predicted vs actual waits of a day",
    security(("device_token" = []), ("staff_session" = [])),
    params(DayParam),
    responses((status = 200, description = "predicted and actual waits", body = Accuracy),
        (status = 400, description = "invalid_query (unknown parameter), invalid_date"),
        (status = 401, description = "unauthorized"),
        (status = 403, description = "forbidden: admins only"),
        (status = 503, description = "storage_unavailable")))]
pub async fn estimates(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Accuracy>> {
    who.require(&[Role::Admin])?;
    let today = local_day(state.cfg.tz(), state.now());
    let day = parse_day(&q, &today)?;
    let rows = state.store.estimate_rows(&day).await?;
    let services: Vec<(String, String)> = state
        .cfg
        .services()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    Ok(Json(accuracy(&day, &rows, &services)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(service: &str, number: &str, predicted_s: i64, actual_ms: i64) -> EstimateRow {
        EstimateRow {
            service: service.into(),
            number: number.into(),
            kind: "walk_in".into(),
            issued_at: 1_000_000,
            called_at: 1_000_000 + actual_ms,
            estimate_s: predicted_s,
            // The former estimator five minutes longer, every time.
            estimate_baseline_s: Some(predicted_s + 300),
        }
    }

    #[test]
    fn tolerance_is_a_fifth_or_three_minutes() {
        // Short waits: three minutes either way.
        assert!(within_tolerance(0, 180));
        assert!(within_tolerance(360, 180));
        assert!(!within_tolerance(361, 180));
        // Long waits: a fifth of the actual wait (20 % of 1800 s is 360 s).
        assert!(within_tolerance(2160, 1800));
        assert!(within_tolerance(1440, 1800));
        assert!(!within_tolerance(1439, 1800));
        assert!(!within_tolerance(2161, 1800));
    }

    #[test]
    fn per_service_and_overall() {
        let services = vec![
            ("a".to_string(), "甲".to_string()),
            ("b".to_string(), "乙".to_string()),
            ("c".to_string(), "丙".to_string()),
        ];
        let rows = vec![
            row("a", "A001", 600, 600_999),   // exact (rounded down to 600 s)
            row("a", "A002", 600, 1_200_000), // off by 600 s of 1200: outside
            row("b", "B001", 0, 100_000),     // off by 100 s: within 3 minutes
        ];
        let a = accuracy("2026-03-02", &rows, &services);
        assert_eq!(a.services.len(), 3);
        let sa = &a.services[0];
        assert_eq!((sa.service.as_str(), sa.name.as_str()), ("a", "甲"));
        assert_eq!(sa.tickets[0].actual_s, 600);
        assert_eq!(
            sa.summary,
            Summary {
                count: 2,
                mae_s: Some(300.0),
                within: 1,
                within_share: Some(0.5),
                // 900 s against 600 s and 1200 s: both off by 300 s, outside tolerance.
                mae_s_baseline: Some(300.0),
                within_share_baseline: Some(0.0),
            }
        );
        assert_eq!(a.services[1].summary.within, 1);
        assert_eq!(a.services[2].summary, Summary::default());
        assert!(a.services[2].tickets.is_empty());
        assert_eq!(a.overall.count, 3);
        assert_eq!(a.overall.mae_s, Some(700.0 / 3.0));
        assert_eq!(a.overall.within_share, Some(2.0 / 3.0));
    }

    #[test]
    fn day_is_parsed_strictly() {
        let q = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let today = "2026-03-02";
        assert_eq!(parse_day(&q(&[]), today).unwrap(), today);
        assert_eq!(parse_day(&q(&[("day", "")]), today).unwrap(), today);
        assert_eq!(
            parse_day(&q(&[("day", "2026-02-28")]), today).unwrap(),
            "2026-02-28"
        );
        for bad_day in [
            "2026-02-30",
            "2026-2-28",
            "26-02-28",
            "2026-02-28 ",
            "+2026-02-28",
            "2026/02/28",
            "today",
            "<script>",
        ] {
            let e = parse_day(&q(&[("day", bad_day)]), today).unwrap_err();
            assert_eq!(
                (e.status.as_u16(), e.code),
                (400, "invalid_date"),
                "{bad_day:?}"
            );
        }
        let e = parse_day(&q(&[("date", "2026-02-28")]), today).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, "invalid_query"));
    }
}
