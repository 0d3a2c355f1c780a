//! What this controller acknowledged, checked against a new primary after a failover.
//!
//! With asynchronous replication a standby may not yet have received the last
//! transactions the primary acknowledged; promoted, it lacks them. Every acknowledged
//! write of the hot paths carries a marker from a monotonic sequence of the database:
//! tickets, check-ins and window actions (calls among them) write an outbox row; a booking
//! writes an appointment row (and no outbox row). The controller keeps the newest of each
//! it acknowledged, in memory (one atomic `fetch_max` per committed batch or transaction,
//! with the ids its inserts return anyway: no extra query), and when the failover watcher
//! finds a new writable host it compares them with that host's newest ids before it moves
//! the pool there. A gap is logged once as an ERROR and counted
//! (`hallq_failover_lost_events_total{table}`); the hall keeps running.
//!
//! Each controller checks only what it acknowledged itself. A reported gap is a real loss;
//! a loss can go unreported: ids the new primary gives out again (its sequence lost its
//! last values too) can hide it once another replica has written there first.

use sqlx::{AnyConnection, Connection};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// A monotonic id that acknowledged writes carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// `outbox.id`: tickets, calls, window and queue changes.
    Outbox,
    /// `appointments.id`: bookings.
    Appointments,
}

impl Marker {
    /// Every marker, in the order of [`Acked`]'s arrays.
    pub const ALL: [Self; 2] = [Self::Outbox, Self::Appointments];

    /// The table whose `id` it is (the metric's `table` label).
    pub fn table(self) -> &'static str {
        match self {
            Self::Outbox => "outbox",
            Self::Appointments => "appointments",
        }
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Outbox => ("事件", "event"),
            Self::Appointments => ("预约", "appointment"),
        }
    }
}

/// The newest marker of each kind this controller acknowledged, and what failovers lost.
#[derive(Debug, Default)]
pub struct Acked {
    newest: [AtomicI64; 2],
    lost: [AtomicU64; 2],
}

/// One marker the new primary lacks: acknowledged up to `acked`, present up to `has`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gap {
    pub(crate) marker: Marker,
    pub(crate) acked: i64,
    pub(crate) has: i64,
}

impl Acked {
    /// Notes a committed write carrying `id` (0 or less: none).
    pub(crate) fn note(&self, marker: Marker, id: i64) {
        if id > 0 {
            self.newest[marker as usize].fetch_max(id, Ordering::Relaxed);
        }
    }

    /// Notes a committed transaction's outbox events.
    pub(crate) fn note_events(&self, ids: &[i64]) {
        self.note(Marker::Outbox, ids.iter().copied().max().unwrap_or(0));
    }

    /// Ids acknowledged but missing after failovers so far, per marker (an upper bound of
    /// the writes lost: a rolled-back transaction also uses up ids).
    pub fn lost(&self) -> [(Marker, u64); 2] {
        Marker::ALL.map(|m| (m, self.lost[m as usize].load(Ordering::Relaxed)))
    }

    /// Compares what this controller acknowledged with `has` (the newest ids of a new
    /// primary, in [`Marker::ALL`] order).
    pub(crate) fn gaps(&self, has: [i64; 2]) -> Vec<Gap> {
        Marker::ALL
            .into_iter()
            .zip(has)
            .filter_map(|(marker, has)| {
                let acked = self.newest[marker as usize].load(Ordering::Relaxed);
                (acked > has).then_some(Gap { marker, acked, has })
            })
            .collect()
    }

    /// Before the pool moves to `url` (a new primary): logs an ERROR once and counts the
    /// gap when that host lacks writes this controller acknowledged.
    pub(crate) async fn check(&self, url: &str, timeout: std::time::Duration) {
        let has = match tokio::time::timeout(timeout, newest_ids(url)).await {
            Ok(Ok(has)) => has,
            Ok(Err(e)) => {
                tracing::warn!("failover: cannot read the new primary's newest ids: {e}");
                return;
            }
            Err(_) => {
                tracing::warn!("failover: the new primary's newest ids took too long");
                return;
            }
        };
        let gaps = self.gaps(has);
        if gaps.is_empty() {
            return;
        }
        for g in &gaps {
            let n = u64::try_from(g.acked - g.has).unwrap_or(0);
            self.lost[g.marker as usize].fetch_add(n, Ordering::Relaxed);
        }
        tracing::error!("{}", loss_message(&gaps));
    }
}

/// The ERROR line of a failover that lost acknowledged writes, Chinese first.
pub(crate) fn loss_message(gaps: &[Gap]) -> String {
    let zh: Vec<String> = gaps
        .iter()
        .map(|g| {
            let (what, _) = g.marker.names();
            format!("本控制器确认到{what} {}，新主库只有到 {}", g.acked, g.has)
        })
        .collect();
    let en: Vec<String> = gaps
        .iter()
        .map(|g| {
            let (_, what) = g.marker.names();
            format!(
                "this controller acknowledged up to {what} {}, the new primary has only up to {}",
                g.acked, g.has
            )
        })
        .collect();
    format!(
        "切换后新主库缺少已确认的写入：{}（异步复制丢失了主库最后确认的事务，号码可能重复） / \
         failover lost acknowledged writes: {} (asynchronous replication lost the last \
         transactions the old primary acknowledged; numbers may be issued twice)",
        zh.join("；"),
        en.join("; ")
    )
}

/// The newest outbox and appointment ids of the database at `url`, one short connection.
async fn newest_ids(url: &str) -> Result<[i64; 2], sqlx::Error> {
    let mut c = AnyConnection::connect(url).await?;
    let (outbox, appointments): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE((SELECT MAX(id) FROM outbox), 0) AS BIGINT), \
         CAST(COALESCE((SELECT MAX(id) FROM appointments), 0) AS BIGINT)",
    )
    .fetch_one(&mut c)
    .await?;
    let _ = c.close().await;
    Ok([outbox, appointments])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_primary_behind_what_was_acknowledged_is_a_gap() {
        let a = Acked::default();
        assert!(a.gaps([0, 0]).is_empty(), "nothing acknowledged yet");
        a.note(Marker::Outbox, 41);
        a.note(Marker::Outbox, 40); // an older batch answered late: the newest stays
        a.note(Marker::Appointments, 7);
        a.note(Marker::Appointments, 0);
        assert!(a.gaps([41, 7]).is_empty());
        assert!(a.gaps([90, 8]).is_empty(), "ahead is fine (other replicas)");
        assert_eq!(
            a.gaps([38, 7]),
            [Gap {
                marker: Marker::Outbox,
                acked: 41,
                has: 38
            }]
        );
        assert_eq!(a.gaps([38, 5]).len(), 2);
        assert_eq!(a.lost(), [(Marker::Outbox, 0), (Marker::Appointments, 0)]);
    }

    #[test]
    fn the_loss_message_names_the_gap_chinese_first() {
        let m = loss_message(&[
            Gap {
                marker: Marker::Outbox,
                acked: 41,
                has: 38,
            },
            Gap {
                marker: Marker::Appointments,
                acked: 7,
                has: 5,
            },
        ]);
        assert!(
            m.starts_with("切换后新主库缺少已确认的写入：本控制器确认到事件 41，新主库只有到 38；本控制器确认到预约 7，新主库只有到 5"),
            "{m}"
        );
        assert!(
            m.contains(" / failover lost acknowledged writes: this controller acknowledged up to event 41, the new primary has only up to 38; this controller acknowledged up to appointment 7"),
            "{m}"
        );
    }
}
