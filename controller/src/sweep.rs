//! Appointment no-shows: every 30 s, booked appointments whose check-in window has passed
//! become no-shows, and the rules' ban follows the limit-th one; the reminders due
//! (`[appointments] reminders`) are written to the notification outbox. Also the ban rule the
//! clerks' false-information marks use, and the hourly retention purge
//! ([`crate::retention`]).

use crate::hours::{day_start_ms, to_local};
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

/// Ticks of 30 s between retention purges (one hour).
const PURGE_EVERY: u32 = 120;

/// Runs the no-show sweep and the reminders every 30 s, and the retention purge at start and hourly,
/// until the process ends.
pub async fn sweep_forever(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    let mut ticks = 0u32;
    loop {
        tick.tick().await;
        if ticks.is_multiple_of(PURGE_EVERY) {
            crate::retention::purge_logged(&state).await;
        }
        ticks = ticks.wrapping_add(1);
        let r = &state.cfg.appointments;
        let now = state.now();
        let rule = no_show_rule(&state.cfg, now);
        let grace = i64::from(r.checkin_grace_minutes) * 60_000;
        match state.store.sweep_no_shows(grace, &rule, now).await {
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
