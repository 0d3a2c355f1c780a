//! Appointment no-shows: every 30 s, booked appointments whose check-in window has closed
//! ([`crate::slots::checkin_window`]: by default at the slot's start) become no-shows, and
//! the rules' ban follows the limit-th one within the rolling period
//! (`no_show_period_months`); the reminders due (`[appointments] reminders`) are written to
//! the notification outbox; windows nobody works at any more are closed (closing time, an
//! expired session: [`close_unstaffed_windows`]). Also the ban rule the
//! clerks' false-information marks use, and the hourly retention purge
//! ([`crate::retention`]).

use crate::hours::{date_start_ms, day_start_ms, to_local, Timetable};
use crate::state::AppState;
use crate::store::BanRule;
use hallq_config::Settings;

/// The ban rule for `months` from today (local), with its reason.
fn ban_rule(cfg: &Settings, now: i64, limit: u32, months: u32, reason: &str) -> BanRule {
    let tz = cfg.tz();
    let today = to_local(tz, now).date_naive();
    let until = today
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(today);
    let until_day = until.format("%Y-%m-%d").to_string();
    let until_ms = day_start_ms(tz, &until_day).unwrap_or(now);
    BanRule {
        limit: i64::from(limit),
        until: (until_day, until_ms),
        reason: reason.to_string(),
    }
}

/// The ban after `no_show_limit` no-shows, for `no_show_ban_months` from today.
pub fn no_show_rule(cfg: &Settings, now: i64) -> BanRule {
    let r = &cfg.appointments;
    ban_rule(
        cfg,
        now,
        r.no_show_limit,
        r.no_show_ban_months,
        "因多次爽约",
    )
}

/// The ban after `false_info_limit` consecutive false-information marks, for
/// `false_info_ban_months` from today.
pub fn false_info_rule(cfg: &Settings, now: i64) -> BanRule {
    let r = &cfg.appointments;
    ban_rule(
        cfg,
        now,
        r.false_info_limit,
        r.false_info_ban_months,
        "因连续提供虚假信息",
    )
}

/// The start of the rolling period over which no-shows count at `now`: the first
/// instant of the local day `no_show_period_months` before today.
pub fn no_show_since(cfg: &Settings, now: i64) -> i64 {
    let tz = cfg.tz();
    let today = to_local(tz, now).date_naive();
    let months = chrono::Months::new(cfg.appointments.no_show_period_months);
    let from = today.checked_sub_months(months).unwrap_or(today);
    day_start_ms(tz, &from.format("%Y-%m-%d").to_string()).unwrap_or(now)
}

/// Ticks of 30 s between retention purges (one hour).
const PURGE_EVERY: u32 = 120;

/// Bookable services with a slot that began in `(since, now]`: their appointment tickets
/// checked in early move up in the call order then, with no queue event to say so.
pub fn slots_begun(cfg: &Settings, since: i64, now: i64) -> Vec<String> {
    let tz = cfg.tz();
    let today = to_local(tz, now).date_naive();
    cfg.sections
        .iter()
        .flat_map(|sec| &sec.services)
        .filter(|sv| {
            sv.booking.as_ref().is_some_and(|b| {
                crate::slots::slots_of_day(b, &crate::hours::Timetable::of(cfg), today)
                    .iter()
                    .any(|slot| since < slot.start && slot.start <= now)
            })
        })
        .map(|sv| sv.id.clone())
        .collect()
}

/// Runs the window closing, the no-show sweep and the reminders every 30 s, and the retention purge at start and hourly,
/// until the process ends. Each tick also refreshes the status watchers of services whose
/// slots began since the last one (their people ahead changed).
pub async fn sweep_forever(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    let mut ticks = 0u32;
    let mut last = state.now();
    loop {
        tick.tick().await;
        let now = state.now();
        for service in slots_begun(&state.cfg, last, now) {
            state.watchers.refresh_soon(&service);
        }
        last = now;
        if ticks.is_multiple_of(PURGE_EVERY) {
            crate::retention::purge_logged(&state).await;
        }
        ticks = ticks.wrapping_add(1);
        match close_unstaffed_windows(&state).await {
            Ok(closed) if closed.is_empty() => {}
            Ok(closed) => tracing::info!(windows = ?closed, "windows closed: nobody works there"),
            Err(e) => tracing::warn!("closing windows: {e}"),
        }
        match sweep_no_shows(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("{n} appointments marked as no-show"),
            Err(e) => tracing::warn!("no-show sweep: {e}"),
        }
        let leads = state.cfg.reminder_leads();
        match state.store.schedule_reminders(&leads, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("{n} appointment reminders written"),
            Err(e) => tracing::warn!("reminders: {e}"),
        }
    }
}

/// The instant at `now` before which a window nobody has used is left for the day: the
/// day's closing time ([`Timetable::day_closes`]) once it has passed, else the day's start
/// (local midnight), so that a window used after closing time (clerks calling the rest of
/// the queue) is closed again by the next day.
pub fn windows_idle_since(cfg: &Settings, now: i64) -> i64 {
    let tz = cfg.tz();
    let today = to_local(tz, now).date_naive();
    let start = date_start_ms(tz, today).unwrap_or(now);
    match Timetable::of(cfg).day_closes(today) {
        Some(closes) if closes <= now => closes.max(start),
        _ => start,
    }
}

/// Closes, at `state.now()`, the windows nobody works at any more: those not used since
/// [`windows_idle_since`] (closing time), and those whose clerk's session expired with no
/// other session live there. Returns the windows closed.
///
/// # Errors
/// Database errors.
pub async fn close_unstaffed_windows(state: &AppState) -> crate::store::StoreResult<Vec<String>> {
    let now = state.now();
    let since = windows_idle_since(&state.cfg, now);
    state.store.close_unstaffed_windows(since, now).await
}

/// One no-show sweep at `state.now()`: every booked appointment whose check-in window
/// ([`crate::slots::checkin_window`]) has closed becomes a no-show, and the ban rule
/// follows. Returns how many were marked.
///
/// # Errors
/// Database errors.
pub async fn sweep_no_shows(state: &AppState) -> crate::store::StoreResult<usize> {
    let now = state.now();
    let rule = no_show_rule(&state.cfg, now);
    let closes = crate::slots::checkin_closes_after_start_ms(&state.cfg.appointments);
    let since = no_show_since(&state.cfg, now);
    state.store.sweep_no_shows(closes, since, &rule, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn windows_are_left_for_the_day_at_closing_time_else_at_midnight() {
        let cfg = hallq_config::load_str(
            "t",
            "[hall]\nid='h'\nname='厅'\n[hall.hours]\nperiods=['09:00-12:00','14:30-17:30']\n\
             [calendar]\nholidays=['2026-12-03']\n\
             [[sections]]\nid='s'\nname='s'\n[[sections.services]]\nid='a'\nname='a'\nprefix='A'\n",
        )
        .unwrap();
        let midnight = ms("2026-12-02T00:00:00+08:00");
        let closes = ms("2026-12-02T17:30:00+08:00");
        // Wednesday: the lunch break is no closing time; 17:30 is.
        assert_eq!(
            windows_idle_since(&cfg, ms("2026-12-02T12:35:00+08:00")),
            midnight
        );
        assert_eq!(windows_idle_since(&cfg, closes - 1), midnight);
        assert_eq!(windows_idle_since(&cfg, closes), closes);
        assert_eq!(
            windows_idle_since(&cfg, ms("2026-12-02T23:59:00+08:00")),
            closes
        );
        // Thursday is a holiday: nothing closes but the day's start.
        assert_eq!(
            windows_idle_since(&cfg, ms("2026-12-03T18:00:00+08:00")),
            ms("2026-12-03T00:00:00+08:00")
        );
    }

    #[test]
    fn a_service_is_named_when_one_of_its_slots_began_in_the_interval() {
        let cfg = hallq_config::load_str(
            "t",
            "[hall]\nid='h'\nname='厅'\n[[sections]]\nid='s'\nname='s'\n\
             [[sections.services]]\nid='a'\nname='a'\nprefix='A'\n\
             [sections.services.booking]\ndays=['mon','tue','wed','thu','fri']\nopen='09:00'\nslot_minutes=30\n\
             [[sections.services]]\nid='b'\nname='b'\nprefix='B'\n[identity]\nid_hash_key='k'\ndev_provider=true\n",
        )
        .unwrap();
        let nine = ms("2026-12-01T09:00:00+08:00");
        assert_eq!(
            slots_begun(&cfg, nine - 30_000, nine),
            vec!["a".to_string()]
        );
        assert!(slots_begun(&cfg, nine, nine + 30_000).is_empty());
        assert!(slots_begun(&cfg, nine + 60_000, nine + 90_000).is_empty());
        assert_eq!(
            slots_begun(&cfg, nine + 1_799_999, nine + 1_800_000),
            vec!["a".to_string()]
        );
    }
}
