//! What the wait estimator reads of the store's hall at one moment: [`Store::snapshot`]
//! builds a [`hallq_queue::estimate::Snapshot`] in five reads run side by side:
//!
//! - the waiting tickets of the day, every service (as the call order sees them);
//! - every window with its status and the ticket it holds ([`Store::windows`]);
//! - the latest finished durations per service (up to `RECENT` each, one windowed query);
//! - per service counts: walk-ins and green tickets issued in the last hour, the day's
//!   finished and no-show tickets and the clerks' wait on the no-shows;
//! - the day's booked appointments not yet checked in whose slot starts later.

use super::{Store, StoreResult};
use crate::model::{Candidate, Kind, WindowStatus};
use hallq_queue::estimate::{InService, ServiceNow, Snapshot, Upcoming, WindowNow};
use sqlx::Row;
use std::collections::BTreeMap;

/// Finished durations kept per service.
const RECENT: usize = hallq_queue::estimate::RECENT;
/// How far back the arrival rates look (ms).
const RATE_WINDOW_MS: i64 = 3_600_000;

/// Per service counts of the day (one row of the counts query).
type Counts = (String, i64, i64, i64, i64, i64);

impl Store {
    /// The hall as the estimator needs it at `now` on the local day `day`: `windows` are
    /// the config's (a window the store has no row of, or whose row is paused or closed,
    /// is not open), times in ms as stored.
    ///
    /// # Errors
    /// Database errors.
    pub async fn snapshot(
        &self,
        windows: &[hallq_config::Window],
        day: &str,
        now: i64,
    ) -> StoreResult<Snapshot> {
        let (waiting, states, durations, counts, upcoming) = tokio::try_join!(
            self.waiting_candidates(day),
            self.windows(),
            self.recent_durations_all(day),
            self.service_counts(day, now),
            self.upcoming_appointments(day, now),
        )?;
        let windows = windows
            .iter()
            .map(|w| {
                let state = states.iter().find(|s| s.id == w.id);
                WindowNow {
                    id: w.id.clone(),
                    services: w.services.clone(),
                    open: state.is_some_and(|s| s.status == WindowStatus::Open),
                    // A pause's row keeps the time it began until the clerk resumes.
                    paused_since: state
                        .filter(|s| s.status == WindowStatus::Paused)
                        .map(|s| s.updated_at),
                    serving: state.and_then(|s| s.serving.as_ref()).map(|t| InService {
                        service: t.service.clone(),
                        since: t.called_at.unwrap_or(now),
                    }),
                }
            })
            .collect();
        let mut services: BTreeMap<String, ServiceNow> = BTreeMap::new();
        for (service, d) in durations {
            services
                .entry(service)
                .or_default()
                .recent_durations_s
                .push(d);
        }
        let hours = RATE_WINDOW_MS as f64 / 3_600_000.0;
        for (service, walk_ins, green, done, no_shows, no_show_ms) in counts {
            let s = services.entry(service).or_default();
            s.walk_ins_per_hour = walk_ins as f64 / hours;
            s.green_per_hour = green as f64 / hours;
            if done + no_shows > 0 {
                s.no_show_share = no_shows as f64 / (done + no_shows) as f64;
            }
            if no_shows > 0 {
                s.no_show_wait_s = no_show_ms as f64 / 1000.0 / no_shows as f64;
            }
        }
        Ok(Snapshot {
            now,
            windows,
            waiting,
            services,
            upcoming,
            // The hall's usual figures (local midnight, pauses, arrivals by hour) are the
            // caller's: `crate::usual`.
            day_start: 0,
            pause_ms: 0,
        })
    }

    /// Every waiting ticket of `day` in the hall, as the call order sees it.
    async fn waiting_candidates(&self, day: &str) -> StoreResult<Vec<Candidate>> {
        let rows = sqlx::query(
            "SELECT id, service, kind, slot_start, arrived_at, target_window FROM tickets \
             WHERE hall = $1 AND day = $2 AND status = 'waiting' ORDER BY arrived_at, id",
        )
        .bind(self.hall())
        .bind(day)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Candidate {
                    id: r.try_get("id")?,
                    service: r.try_get("service")?,
                    kind: Kind::parse(&r.try_get::<String, _>("kind")?).unwrap_or_default(),
                    slot_start: r.try_get("slot_start")?,
                    arrived_at: r.try_get("arrived_at")?,
                    target_window: r.try_get("target_window")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// (service, call-to-finish seconds) of each service's latest finished tickets of
    /// `day`, newest first within a service, up to [`RECENT`] each.
    async fn recent_durations_all(&self, day: &str) -> StoreResult<Vec<(String, i64)>> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
            "SELECT service, called_at, finished_at FROM (\
               SELECT service, called_at, finished_at, ROW_NUMBER() OVER \
                 (PARTITION BY service ORDER BY finished_at DESC, id DESC) AS n \
               FROM tickets WHERE hall = $1 AND day = $2 AND status = 'done' \
               AND called_at IS NOT NULL AND finished_at IS NOT NULL) AS r \
             WHERE n <= {RECENT} ORDER BY service, finished_at DESC"
        ))
        .bind(self.hall())
        .bind(day)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(s, called, finished)| (s, (finished - called) / 1000))
            .collect())
    }

    /// Per service of `day`: walk-in (green included) and green tickets issued in the
    /// hour before `now`, finished tickets, no-shows, and the ms clerks waited on them.
    async fn service_counts(&self, day: &str, now: i64) -> StoreResult<Vec<Counts>> {
        let rows: Vec<Counts> = sqlx::query_as(
            "SELECT service, \
               COUNT(CASE WHEN kind <> 'appointment' AND issued_at > $3 THEN 1 END), \
               COUNT(CASE WHEN kind = 'green' AND issued_at > $3 THEN 1 END), \
               COUNT(CASE WHEN status = 'done' THEN 1 END), \
               COUNT(CASE WHEN status = 'no_show' THEN 1 END), \
               CAST(COALESCE(SUM(CASE WHEN status = 'no_show' AND called_at IS NOT NULL \
                 AND finished_at >= called_at THEN finished_at - called_at END), 0) AS BIGINT) \
             FROM tickets WHERE hall = $1 AND day = $2 GROUP BY service",
        )
        .bind(self.hall())
        .bind(day)
        .bind(now - RATE_WINDOW_MS)
        .fetch_all(&self.read)
        .await?;
        Ok(rows)
    }

    /// Booked appointments of `day` not yet checked in whose slot starts after `now`.
    async fn upcoming_appointments(&self, day: &str, now: i64) -> StoreResult<Vec<Upcoming>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT service, slot_start FROM appointments WHERE hall = $1 AND day = $2 \
             AND status = 'booked' AND slot_start > $3 ORDER BY slot_start",
        )
        .bind(self.hall())
        .bind(day)
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(service, slot_start)| Upcoming {
                service,
                slot_start,
            })
            .collect())
    }
}
