//! Retention of personal data (PIPL): appointments, tickets' person hashes, ended bans
//! and the per-person counters are deleted `[appointments] retention_days` after they
//! stop mattering (an appointment after its slot, a ticket after it was issued, a ban
//! after it ended or was lifted). Delivered citizens' notifications go after
//! [`NOTICES_KEPT_DAYS`], undelivered ones at the retention cut-off. Run by
//! [`crate::sweep::sweep_forever`] at start and hourly. Bans in force are never touched, and the ban rules' counters keep counting
//! what happened within the period.

use crate::hours::{day_start_ms, local_day};
use crate::state::AppState;
use crate::store::{Purged, StoreResult};
use hallq_config::Settings;

/// One day, ms.
const DAY_MS: i64 = 24 * 3600 * 1000;

/// The cut-off at `now`: data from before this instant (ms) and before this local day
/// goes. The instant is the start of the hall's local day `retention_days` ago, so a
/// purge removes whole days.
#[must_use]
pub fn cutoff(cfg: &Settings, now: i64) -> (i64, String) {
    let tz = cfg.tz();
    let days = i64::from(cfg.appointments.retention_days);
    let day = local_day(tz, now - days * DAY_MS);
    let at = day_start_ms(tz, &day).unwrap_or(now - days * DAY_MS);
    (at, day)
}

/// Purges what is older than the retention period at `now`.
///
/// # Errors
/// Database errors.
pub async fn purge(state: &AppState, now: i64) -> StoreResult<Purged> {
    let (at, day) = cutoff(&state.cfg, now);
    state.store.purge_personal_data(at, &day, now).await
}

/// One purge, logged.
pub async fn purge_logged(state: &AppState) {
    match purge(state, state.now()).await {
        Ok(p) if p.is_empty() => {}
        Ok(p) => tracing::info!(
            appointments = p.appointments,
            ticket_persons = p.ticket_persons,
            bans = p.bans,
            counters = p.counters,
            assertion_uses = p.assertion_uses,
            "retention: personal data older than {} days purged",
            state.cfg.appointments.retention_days
        ),
        Err(e) => tracing::warn!("retention purge: {e}"),
    }
    let now = state.now();
    let (at, _) = cutoff(&state.cfg, now);
    match state
        .store
        .prune_notices(now - NOTICES_KEPT_DAYS * DAY_MS, at)
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!("retention: {n} old notifications pruned"),
        Err(e) => tracing::warn!("notification prune: {e}"),
    }
}

/// Delivered notifications are kept this many days (longer than the longest reminder
/// lead, 7 days, so a reminder's record outlives the time it could be due again).
pub const NOTICES_KEPT_DAYS: i64 = 8;
