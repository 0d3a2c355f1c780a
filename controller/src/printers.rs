//! What this controller knows of each ticket printer: whether it answers status queries
//! (`DLE EOT`), its state for the admin dashboard (`GET /admin/live`), and its failures
//! summarised in the log.
//!
//! - A printer that did not answer the status query within 0.8 s is printed to unchecked
//!   for 10 minutes, then asked again. One that answered is expected to answer for 10
//!   minutes after its last answer: silence then is a failure (`timed_out`), not a reason
//!   to print into a printer that hangs.
//! - Failures are logged with the printer's id and kiosks through
//!   [`hallq_mqtt::repeats::Repeats`]: the first at once, then once a minute with a count,
//!   and a line when the printer prints again.
//!
//! Pure but for the lock: the caller passes the time.

use hallq_config::printers::PrinterConf;
use hallq_config::Settings;
use hallq_mqtt::repeats::Repeats;
use hallq_ticket::{Checked, PrintError, Problem, Stage};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// How long an answer, or a silence, to the status query is remembered.
pub const REMEMBER: Duration = Duration::from_secs(600);

/// Why a ticket was not printed, as the kiosk's answer and the dashboard name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The printer says it has no paper.
    PaperOut,
    /// The printer says its cover is open.
    CoverOpen,
    /// The printer reports another error (cutter, temperature…).
    Error,
    /// The printer cannot be reached (no connection, no device).
    Offline,
    /// The printer stopped answering (mid-ticket, or its status).
    TimedOut,
    /// Writing to the printer failed otherwise, or the ticket could not be rendered.
    Failed,
}

impl Reason {
    /// Whether the printer answered a status query before `e` happened: its status
    /// stopped the ticket, or it stopped reading after answering.
    pub const fn answered(e: &PrintError) -> bool {
        matches!(
            e,
            PrintError::NotReady { .. }
                | PrintError::Timeout {
                    stage: Stage::Confirm,
                    ..
                }
        )
    }

    /// Classifies a print error.
    pub const fn of(e: &PrintError) -> Self {
        match e {
            PrintError::NotReady { problem, .. } => match problem {
                Problem::PaperOut => Self::PaperOut,
                Problem::CoverOpen => Self::CoverOpen,
                Problem::Error => Self::Error,
            },
            PrintError::Timeout {
                stage: Stage::Open, ..
            }
            | PrintError::Open { .. }
            | PrintError::Serial { .. } => Self::Offline,
            PrintError::Timeout { .. } => Self::TimedOut,
            _ => Self::Failed,
        }
    }

    /// The snake_case name (`paper_out`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PaperOut => "paper_out",
            Self::CoverOpen => "cover_open",
            Self::Error => "error",
            Self::Offline => "offline",
            Self::TimedOut => "timed_out",
            Self::Failed => "failed",
        }
    }

    /// A short label for installers and staff: "缺纸 / out of paper", ….
    pub const fn label(self) -> &'static str {
        match self {
            Self::PaperOut => "缺纸 / out of paper",
            Self::CoverOpen => "打印机盖未关 / cover open",
            Self::Error => "打印机故障 / printer error",
            Self::Offline => "打印机未连接 / printer offline",
            Self::TimedOut => "打印机无响应 / printer not responding",
            Self::Failed => "打印失败 / printing failed",
        }
    }

    /// What the kiosk tells the citizen (Chinese, then English).
    pub const fn message(self) -> &'static str {
        match self {
            Self::PaperOut => "缺纸，请联系工作人员 / Out of paper — please ask staff",
            Self::CoverOpen => "打印机盖未关好，请联系工作人员 / Printer cover open — please ask staff",
            Self::Error => "打印机故障，请联系工作人员 / Printer error — please ask staff",
            Self::Offline => {
                "打印失败：打印机未连接，请联系工作人员 / Printing failed: printer offline — please ask staff"
            }
            Self::TimedOut => {
                "打印失败：打印机无响应，请联系工作人员 / Printing failed: printer not responding — please ask staff"
            }
            Self::Failed => "打印失败，请联系工作人员 / Printing failed — please ask staff",
        }
    }
}

/// Whether a printer answers status queries, as last seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answers {
    Unknown,
    Yes { until: Instant },
    No { until: Instant },
}

#[derive(Debug)]
struct Entry {
    answers: Answers,
    state: &'static str,
    since: i64,
    last_problem: Option<(Reason, i64)>,
    repeats: Arc<Repeats>,
}

impl Default for Entry {
    fn default() -> Self {
        Self {
            answers: Answers::Unknown,
            state: "unknown",
            since: 0,
            last_problem: None,
            repeats: Arc::new(Repeats::per_minute()),
        }
    }
}

/// One row of the dashboard's Printers table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PrinterRow {
    /// The printer's id (`[[printers]] id`).
    pub id: String,
    /// The kiosk credentials that print on it.
    pub kiosks: Vec<String>,
    /// `unknown` (nothing printed since the start), `ok`, `paper_near_end`, or a failure
    /// reason (`paper_out`, `cover_open`, `error`, `offline`, `timed_out`, `failed`).
    pub state: String,
    /// The last failure's reason, if any since the start.
    pub last_problem: Option<String>,
    /// When the last failure happened (ms since the epoch).
    pub last_problem_at: Option<i64>,
    /// Since when the state holds (ms since the epoch; null while `unknown`).
    pub since: Option<i64>,
    /// Whether the printer answers status queries: `yes`, `no`, `unknown` (not asked yet,
    /// or `status = "off"`).
    pub answers_status: String,
}

/// How to print on a printer now: ask its status, and whether it must answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Ask the status around the ticket.
    pub ask: bool,
    /// The printer answered lately: silence is a failure.
    pub expect_answer: bool,
}

/// The printers' states (see the module docs). One per controller process.
#[derive(Debug, Default)]
pub struct Printers {
    entries: Mutex<HashMap<String, Entry>>,
    /// One print at a time per printer: kiosks sharing one, or a reprint during a print,
    /// would interleave their bytes and read each other's status answers.
    turns: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Printers {
    /// Waits for `id`'s turn; printing goes on while the guard lives.
    pub async fn turn(&self, id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.turns.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(id.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }

    fn with<T>(&self, id: &str, f: impl FnOnce(&mut Entry) -> T) -> T {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        f(map.entry(id.to_owned()).or_default())
    }

    /// How to print on `conf` at `now`.
    pub fn plan(&self, conf: &PrinterConf, now: Instant) -> Plan {
        if !conf.asks_status() {
            return Plan {
                ask: false,
                expect_answer: false,
            };
        }
        self.with(&conf.id, |e| match e.answers {
            Answers::No { until } if now < until => Plan {
                ask: false,
                expect_answer: false,
            },
            Answers::Yes { until } if now < until => Plan {
                ask: true,
                expect_answer: true,
            },
            _ => Plan {
                ask: true,
                expect_answer: false,
            },
        })
    }

    /// A ticket printed. Returns whether the printer was just found not to answer status
    /// (to log once), and the failures not yet logged when it had been failing (`Some`).
    pub fn printed(&self, id: &str, checked: &Checked, now: Instant, now_ms: i64) -> Printed {
        self.with(id, |e| {
            let mut silent = false;
            if checked.asked {
                if checked.condition.is_some() {
                    e.answers = Answers::Yes {
                        until: now + REMEMBER,
                    };
                } else {
                    silent = !matches!(e.answers, Answers::No { .. });
                    e.answers = Answers::No {
                        until: now + REMEMBER,
                    };
                }
            }
            let near_end = checked.condition.is_some_and(|c| c.paper_near_end);
            set_state(e, if near_end { "paper_near_end" } else { "ok" }, now_ms);
            let recovered = e.repeats.active().then(|| e.repeats.clear());
            Printed { silent, recovered }
        })
    }

    /// A ticket not printed for `reason`; `answered`: the printer answered a status query
    /// on the way (its status stopped the ticket, or it hung after answering). Returns
    /// `Some(n)` when the caller should log now (`n` failures since the last line, this
    /// one included).
    pub fn failed(
        &self,
        id: &str,
        reason: Reason,
        answered: bool,
        now: Instant,
        now_ms: i64,
    ) -> Option<u64> {
        self.with(id, |e| {
            if answered {
                e.answers = Answers::Yes {
                    until: now + REMEMBER,
                };
            }
            set_state(e, reason.as_str(), now_ms);
            e.last_problem = Some((reason, now_ms));
            e.repeats.note_at(now)
        })
    }

    /// The dashboard's rows, in config order.
    pub fn rows(&self, cfg: &Settings, now: Instant) -> Vec<PrinterRow> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        cfg.printers
            .iter()
            .map(|p| {
                let e = map.get(&p.id);
                let answers = match e.map(|e| e.answers) {
                    Some(Answers::Yes { until }) if now < until => "yes",
                    Some(Answers::No { until }) if now < until => "no",
                    _ => "unknown",
                };
                PrinterRow {
                    id: p.id.clone(),
                    kiosks: kiosks_of(cfg, &p.id),
                    state: e.map_or("unknown", |e| e.state).to_owned(),
                    last_problem: e
                        .and_then(|e| e.last_problem)
                        .map(|(r, _)| r.as_str().to_owned()),
                    last_problem_at: e.and_then(|e| e.last_problem).map(|(_, at)| at),
                    since: e.filter(|e| e.state != "unknown").map(|e| e.since),
                    answers_status: answers.to_owned(),
                }
            })
            .collect()
    }
}

/// What [`Printers::printed`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Printed {
    /// The printer was just found not to answer status queries.
    pub silent: bool,
    /// It had been failing: the failures not logged yet.
    pub recovered: Option<u64>,
}

fn set_state(e: &mut Entry, state: &'static str, now_ms: i64) {
    if e.state != state {
        e.state = state;
        e.since = now_ms;
    }
}

/// The kiosk credentials that print on printer `id`, comma-separated in logs.
pub fn kiosks_of(cfg: &Settings, id: &str) -> Vec<String> {
    cfg.credentials
        .iter()
        .filter(|c| c.printer.as_deref() == Some(id))
        .map(|c| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests;
