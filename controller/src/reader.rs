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
pub async fn run(state: AppState, conf: IdReaderConf) {
    let kiosk = Principal {
        name: conf.kiosk.clone(),
        role: Role::Kiosk,
        window: None,
        display: conf.kiosk.clone(),
        session: None,
    };
    let mut backoff = Duration::from_millis(500);
    loop {
        match hallq_idcard::open_serial(&conf.port, conf.baud) {
            Ok(port) => {
                backoff = Duration::from_millis(500);
                tracing::info!(port = %conf.port, kiosk = %conf.kiosk, "ID card reader open");
                let (tx, mut rx) = mpsc::channel(4);
                let driver = tokio::spawn(hallq_idcard::run(
                    port,
                    hallq_idcard::ReaderOptions::default(),
                    tx,
                ));
                while let Some(card) = rx.recv().await {
                    let presented = Presented::IdNumber(&card.id_number);
                    let event = KioskEvent::from(check_in(&state, &kiosk, presented, None).await);
                    match serde_json::to_value(&event) {
                        Ok(msg) => state.kiosks.send(&conf.kiosk, msg),
                        Err(e) => tracing::error!("kiosk event: {e}"),
                    }
                }
                if let Ok(Err(e)) = driver.await {
                    tracing::warn!(port = %conf.port, "ID card reader: {e}; reopening");
                }
            }
            Err(e) => tracing::debug!(port = %conf.port, "cannot open ID card reader: {e}"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
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
