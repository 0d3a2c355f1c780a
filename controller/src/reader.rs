//! The kiosks' ID card readers (`[[id_readers]]`): each is driven for as long as the
//! process runs; a card laid on it checks its holder's appointment in on the server
//! ([`crate::arrivals`], the number never travels to the browser), and the kiosk's screen
//! is told the ticket, or the reason, over its live channel ([`crate::kiosks`]).

use crate::arrivals::{check_in, CheckInError, CheckedIn, Presented};
use crate::principal::Principal;
use crate::state::AppState;
use crate::store::StoreError;
use hallq_config::printers::IdReaderConf;
use hallq_config::Role;
use hallq_idcard::{Event, ReaderError};
use hallq_mqtt::repeats::Repeats;
use serde::Serialize;
use std::time::Duration;
use tokio::sync::mpsc;

/// What a kiosk's screen is told of a card read at its reader.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KioskEvent {
    /// Checked in: `{type: "checkin", ticket, appointment, print}`.
    Checkin(Box<CheckedIn>),
    /// Not checked in: `{type: "checkin_error", error, message}`.
    CheckinError {
        /// The contract's error code.
        error: &'static str,
        /// Why, in plain words.
        message: String,
    },
}

impl From<Result<CheckedIn, CheckInError>> for KioskEvent {
    fn from(r: Result<CheckedIn, CheckInError>) -> Self {
        match r {
            Ok(v) => Self::Checkin(Box::new(v)),
            Err(e) => {
                if let CheckInError::Store(StoreError::Db(cause)) = &e {
                    tracing::error!("database error: {cause}");
                }
                Self::CheckinError {
                    error: e.code(),
                    message: e.message(),
                }
            }
        }
    }
}

/// Drives one reader for as long as the process runs: opens the port (again with backoff
/// when it fails or the adapter is unplugged), and checks each presented card in.
///
/// Every log line names the port and the kiosk. Failures that repeat (the port cannot be
/// opened, the reader does not answer) are logged at once, then once a minute with their
/// count ([`Repeats`]); a reader that answers again after that says so once.
pub async fn run(state: AppState, conf: IdReaderConf) {
    let kiosk = Principal {
        name: conf.kiosk.clone(),
        role: Role::Kiosk,
        window: None,
        display: conf.kiosk.clone(),
        session: None,
        city_wide: false,
    };
    let (port, at) = (conf.port.as_str(), conf.kiosk.as_str());
    let unopened = Repeats::per_minute();
    let health = Health::default();
    let mut backoff = Duration::from_millis(500);
    loop {
        match hallq_idcard::open_serial(port, conf.baud) {
            Ok(serial) => {
                backoff = Duration::from_millis(500);
                unopened.clear();
                tracing::info!(
                    port,
                    kiosk = at,
                    baud = conf.baud,
                    "身份证阅读器已打开 / ID card reader open"
                );
                let (tx, mut rx) = mpsc::channel(4);
                let opts = hallq_idcard::ReaderOptions::default();
                let driver = tokio::spawn(hallq_idcard::drive(serial, opts, tx));
                while let Some(event) = rx.recv().await {
                    let Event::CardRead(card) = event else {
                        health.note(port, at, event);
                        continue;
                    };
                    tracing::info!(port, kiosk = at, "身份证已读取 / ID card read");
                    let presented = Presented::IdNumber(&card.id_number);
                    let event = KioskEvent::from(check_in(&state, &kiosk, presented, None).await);
                    match serde_json::to_value(&event) {
                        Ok(msg) => state.kiosks.send(at, msg),
                        Err(e) => tracing::error!(kiosk = at, "kiosk event: {e}"),
                    }
                }
                if let Ok(Err(e)) = driver.await {
                    tracing::warn!(
                        port,
                        kiosk = at,
                        "身份证阅读器断开，重新打开 / ID card reader lost: {e}; reopening"
                    );
                }
            }
            Err(e) => {
                if let Some(n) = unopened.note() {
                    tracing::warn!(
                        port,
                        kiosk = at,
                        "无法打开身份证阅读器 / cannot open the ID card reader: {e}{}",
                        times(n)
                    );
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

/// " (N 次 / N times in the last minute)" for a summary, nothing for a first report.
fn times(n: u64) -> String {
    if n > 1 {
        format!("（一分钟内 {n} 次 / {n} times in the last minute）")
    } else {
        String::new()
    }
}

/// What the log says of a reader besides its cards: whether it answers, and its faults.
#[derive(Debug)]
struct Health {
    /// Requests that went unanswered, since the reader last answered.
    silent: Repeats,
    /// Other faults (bad frames, error statuses), in a row.
    faults: Repeats,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            silent: Repeats::per_minute(),
            faults: Repeats::per_minute(),
        }
    }
}

impl Health {
    fn note(&self, port: &str, kiosk: &str, event: Event) {
        match event {
            Event::CardRead(_) => {}
            Event::CardRemoved => tracing::debug!(port, kiosk, "身份证已取走 / ID card removed"),
            Event::Answering if self.silent.active() => {
                self.silent.clear();
                tracing::info!(
                    port,
                    kiosk,
                    "身份证阅读器恢复应答 / ID card reader answers again"
                );
            }
            Event::Answering => {
                tracing::info!(port, kiosk, "身份证阅读器已应答 / ID card reader answers");
            }
            Event::Error(e @ ReaderError::Timeout { .. }) => {
                if let Some(n) = self.silent.note() {
                    tracing::warn!(port, kiosk, "{e}{}", times(n));
                }
            }
            Event::Error(e) => {
                if let Some(n) = self.faults.note() {
                    tracing::warn!(port, kiosk, "{e}{}", times(n));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkin::Refused;

    #[test]
    fn a_refusal_reaches_the_kiosk_as_its_code_and_plain_words() {
        let event = KioskEvent::from(Err(CheckInError::Refused(Refused::Closed)));
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({
                "type": "checkin_error",
                "error": "checkin_closed",
                "message": "已超过取号时间，预约已失效 / the check-in time has passed",
            })
        );
        let event = KioskEvent::from(Err(CheckInError::NotFound));
        let v = serde_json::to_value(&event).unwrap();
        assert_eq!(v["error"], "appointment_not_found");
        assert_eq!(
            v["message"],
            "没有找到今日的预约 / no appointment for today"
        );
    }

    #[test]
    fn a_database_failure_is_told_without_its_cause() {
        let e = CheckInError::Store(StoreError::Db(sqlx::Error::PoolTimedOut));
        let v = serde_json::to_value(KioskEvent::from(Err(e))).unwrap();
        assert_eq!(v["error"], "storage_unavailable");
        assert_eq!(v["message"], crate::store::UNAVAILABLE);
    }
}
