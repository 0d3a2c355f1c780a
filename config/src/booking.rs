//! Appointments: per-service booking slots, the hall's calendar, the booking rules, and
//! the identity providers whose signed assertions prove who is booking.

use crate::locate::Seg;
use crate::schema::Settings;
use serde::Deserialize;

/// `[sections.services.booking]`: when and how a service can be booked (absent = not
/// bookable online).
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceBooking {
    /// Weekdays with slots (`mon` … `sun`); the calendar's holidays and make-up days apply.
    #[serde(default = "weekdays")]
    pub days: Vec<String>,
    /// First slot starts at, `HH:MM`.
    #[serde(default = "default_open")]
    pub open: String,
    /// Last slot ends by, `HH:MM`.
    #[serde(default = "default_close")]
    pub close: String,
    /// Slot length in minutes.
    #[serde(default = "default_slot")]
    pub slot_minutes: u32,
    /// Bookings per slot.
    #[serde(default = "default_capacity")]
    pub capacity: u32,
    /// How many days ahead one may book (today included when the slot has not started).
    #[serde(default = "default_horizon")]
    pub horizon_days: u32,
    /// Booking closes this many minutes before the slot starts.
    #[serde(default)]
    pub cutoff_minutes: u32,
    /// The booking notice (预约须知) shown before confirming.
    #[serde(default)]
    pub notice: Option<String>,
    /// Prerequisites shown in the notice (e.g. "先到税务窗口完税").
    #[serde(default)]
    pub prerequisites: Vec<String>,
}

fn weekdays() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"]
        .map(String::from)
        .to_vec()
}
fn default_open() -> String {
    "09:00".into()
}
fn default_close() -> String {
    "17:00".into()
}
fn default_slot() -> u32 {
    30
}
fn default_capacity() -> u32 {
    10
}
fn default_horizon() -> u32 {
    7
}

/// `[calendar]`: public holidays and make-up working days (调休), `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Calendar {
    /// Closed although a weekday.
    pub holidays: Vec<String>,
    /// Open although a weekend (make-up working days).
    pub workdays: Vec<String>,
}

impl Calendar {
    /// What the calendar says of `date`, the one precedence every part uses: a make-up
    /// working day (调休) is worked as an ordinary working day — `Some(true)` — even when
    /// also listed as a holiday (which `config check` refuses); a holiday is closed —
    /// `Some(false)`; any other date follows the week's plan — `None`.
    pub fn override_of(&self, date: chrono::NaiveDate) -> Option<bool> {
        let iso = date.format("%Y-%m-%d").to_string();
        if self.workdays.contains(&iso) {
            Some(true)
        } else if self.holidays.contains(&iso) {
            Some(false)
        } else {
            None
        }
    }
}

/// `[appointments]`: the booking rules (defaults are the hall's published rules).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// Bookings one person may make per calendar day (the hall's time zone) of the
    /// booking moment, cancelled ones included ("同一用户每天只能预约2次").
    pub daily_limit: u32,
    /// Active (booked or checked-in) appointments one person may hold on any one
    /// appointment day.
    pub active_per_day: u32,
    /// No-shows that lead to a ban.
    pub no_show_limit: u32,
    /// No-shows count over this many months back from today (rolling); those spent on
    /// an earlier ban never count again.
    pub no_show_period_months: u32,
    /// Ban length after too many no-shows, in months.
    pub no_show_ban_months: u32,
    /// Consecutive false-information marks that lead to a ban.
    pub false_info_limit: u32,
    /// Ban length after false information, in months.
    pub false_info_ban_months: u32,
    /// Where `daily_limit` and `active_per_day` count: `"city"` (every hall of the
    /// deployment, default) or `"hall"`.
    pub daily_limit_scope: Scope,
    /// Where no-shows count and their ban applies: `"city"` (default) or `"hall"`.
    pub no_show_scope: Scope,
    /// Where false-information marks count and their ban applies: `"city"` (default) or
    /// `"hall"`.
    pub false_info_scope: Scope,
    /// When check-in (预约取号) opens on the slot's day: at the hall's opening (default)
    /// or this many minutes before the slot starts.
    pub checkin_opens: CheckinOpens,
    /// Check-in closes this many minutes after the slot starts (0, the default: at the
    /// start, "请在预约时间段前领取预约号"); the no-show follows at that moment.
    pub checkin_closes_after_start_minutes: u32,
    /// Replaced by `checkin_opens`; refused by the config check with a pointer to it.
    pub checkin_before_minutes: Option<u32>,
    /// Replaced by `checkin_closes_after_start_minutes`; refused likewise.
    pub checkin_grace_minutes: Option<u32>,
    /// The hall-wide booking notice (预约须知), one point per entry, with `{daily_limit}`,
    /// `{no_show_limit}`, `{no_show_ban_months}`, `{false_info_limit}` and
    /// `{false_info_ban_months}` replaced by the rule values (see [`crate::notice`]).
    /// Default: the eight points of the hall's published rules.
    pub notice: Vec<String>,
    /// Personal data is kept this many days: older appointments, tickets' person hashes
    /// and ended bans are purged by the retention sweep.
    pub retention_days: u32,
    /// Reminders before each booked slot: lead times `N` + `d`/`h`/`m`, 5m to 7d
    /// (default `["1d", "1h"]`; `[]` = none). See [`crate::notifiers::parse_lead`].
    pub reminders: Vec<String>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            daily_limit: 2,
            active_per_day: 2,
            no_show_limit: 3,
            no_show_period_months: 6,
            no_show_ban_months: 3,
            false_info_limit: 3,
            false_info_ban_months: 1,
            daily_limit_scope: Scope::City,
            no_show_scope: Scope::City,
            false_info_scope: Scope::City,
            checkin_opens: CheckinOpens::HallOpen,
            checkin_closes_after_start_minutes: 0,
            checkin_before_minutes: None,
            checkin_grace_minutes: None,
            notice: crate::notice::default_points(),
            retention_days: 180,
            reminders: crate::notifiers::default_reminders(),
        }
    }
}

/// Where a booking rule counts in a deployment of several halls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every hall of the deployment (the booking system's rules: the default).
    #[default]
    City,
    /// Each hall on its own.
    Hall,
}

/// `checkin_opens`: `"hall_open"` or a number of minutes before the slot's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckinOpens {
    /// At the hall's opening time (`[hall.hours] open`) on the slot's day.
    #[default]
    HallOpen,
    /// This many minutes before the slot starts (on the slot's day only).
    MinutesBefore(u32),
}

/// Most minutes before a slot `checkin_opens` may name (a day).
pub const CHECKIN_OPENS_MAX: u32 = 1440;

impl<'de> Deserialize<'de> for CheckinOpens {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = CheckinOpens;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(
                    f,
                    "\"hall_open\" or minutes before the slot starts (0 to {CHECKIN_OPENS_MAX})"
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v == "hall_open" {
                    Ok(CheckinOpens::HallOpen)
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                match u32::try_from(v) {
                    Ok(m) if m <= CHECKIN_OPENS_MAX => Ok(CheckinOpens::MinutesBefore(m)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        d.deserialize_any(V)
    }
}

pub use crate::identity::{Identity, Provider};

/// Known verification methods.
pub const METHODS: [&str; 7] = [
    "face",
    "id_photo_review",
    "alipay_face",
    "alipay_account",
    "mps_eid",
    "unionpay",
    "tencent_faceid",
];

/// Rule violations of the booking sections.
pub(crate) fn validate(s: &Settings, p: &mut Vec<(Vec<Seg>, String)>) {
    let k = |x: &str| Seg::Key(x.to_string());
    for (si, sec) in s.sections.iter().enumerate() {
        for (vi, sv) in sec.services.iter().enumerate() {
            let Some(b) = &sv.booking else { continue };
            let at = |key: &str| {
                vec![
                    k("sections"),
                    Seg::Index(si),
                    k("services"),
                    Seg::Index(vi),
                    k("booking"),
                    k(key),
                ]
            };
            if s.identity.providers.is_empty() && !s.identity.dev_provider {
                let table = vec![
                    k("sections"),
                    Seg::Index(si),
                    k("services"),
                    Seg::Index(vi),
                    k("booking"),
                ];
                p.push((
                    table,
                    "bookable, but [identity] has no identity provider, so nobody can ever \
                     book: add an [[identity.providers]] entry (the app that vouches for \
                     citizens; docs/appointments.md), or dev_provider = true in a demo — \
                     or remove this booking table"
                        .into(),
                ));
            }
            let (o, c) = (crate::parse_hhmm(&b.open), crate::parse_hhmm(&b.close));
            if o.is_none() {
                p.push((at("open"), "must be a time HH:MM".into()));
            }
            if c.is_none() {
                p.push((at("close"), "must be a time HH:MM".into()));
            }
            if let (Some(o), Some(c)) = (o, c) {
                if o >= c {
                    p.push((at("close"), "must be later than open".into()));
                }
            }
            if !(5..=480).contains(&b.slot_minutes) {
                p.push((at("slot_minutes"), "must be 5 to 480 minutes".into()));
            }
            if b.capacity == 0 {
                p.push((at("capacity"), "must be at least 1".into()));
            }
            if b.horizon_days == 0 || b.horizon_days > 90 {
                p.push((at("horizon_days"), "must be 1 to 90 days".into()));
            }
            for (n, d) in b.days.iter().enumerate() {
                if crate::weekday(d).is_none() {
                    let mut path = at("days");
                    path.push(Seg::Index(n));
                    p.push((path, format!("unknown day {d:?}")));
                }
            }
        }
    }
    for (key, list) in [
        ("holidays", &s.calendar.holidays),
        ("workdays", &s.calendar.workdays),
    ] {
        for (n, d) in list.iter().enumerate() {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                p.push((
                    vec![k("calendar"), k(key), Seg::Index(n)],
                    format!("{d:?} is not a date YYYY-MM-DD"),
                ));
            }
        }
    }
    for (n, d) in s.calendar.workdays.iter().enumerate() {
        if s.calendar.holidays.contains(d) {
            p.push((
                vec![k("calendar"), k("workdays"), Seg::Index(n)],
                format!(
                    "{d} is listed both as a holiday and as a working day: keep it in one list"
                ),
            ));
        }
    }
    crate::booking_hours::validate(s, p);
    crate::identity::validate(s, p);
    crate::rules_check::validate(s, p);
}
