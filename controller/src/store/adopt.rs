//! Giving the rows of a database made before halls existed (hall `''`) to the first hall,
//! once: `meta` remembers it, so later starts cost one indexed read, and the city-wide
//! rows made afterwards with hall `''` (city-wide bans) are never moved. The per-person
//! counters (`people`, `person_days`, `booking_acts`) have no hall: their scope key `''`
//! means "over the city" and stays.

use super::{Store, StoreResult};

/// The `meta` key that records the adoption (its value: the hall that adopted).
const ADOPTED: &str = "adopted_unowned";

/// Tables whose rows simply take the hall.
const PLAIN: [&str; 9] = [
    "tickets",
    "outbox",
    "appointments",
    "bans",
    "audit",
    "no_shows",
    "notices",
    "closures",
    "staff_sessions",
];

/// Tables keyed by hall: a row moves unless the hall already has its key (a window or a
/// counter the hall made before adopting); the columns after the hall in the key.
const KEYED: [(&str, &[&str]); 4] = [
    ("windows", &["id"]),
    ("counters", &["service", "day"]),
    ("slots", &["service", "slot_start"]),
    ("button_presses", &["window_id", "press_id"]),
];

pub(super) async fn adopt_unowned(store: &Store, hall: &str) -> StoreResult<u64> {
    if hall.is_empty() {
        return Ok(0);
    }
    let done: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(ADOPTED)
        .fetch_optional(&store.read)
        .await?;
    if done.is_some() {
        return Ok(0);
    }
    let mut tx = store.begin_write().await?;
    // Claimed in the transaction: of two controllers starting together one adopts.
    let claimed: Option<String> = sqlx::query_scalar(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key",
    )
    .bind(ADOPTED)
    .bind(hall)
    .fetch_optional(&mut *tx)
    .await?;
    if claimed.is_none() {
        return Ok(0);
    }
    let mut moved = 0;
    // A counter both had: the hall's numbering continues after the higher one.
    sqlx::query(
        "UPDATE counters SET last = (SELECT o.last FROM counters o WHERE o.hall = '' \
         AND o.service = counters.service AND o.day = counters.day) \
         WHERE hall = $1 AND EXISTS (SELECT 1 FROM counters o WHERE o.hall = '' \
         AND o.service = counters.service AND o.day = counters.day AND o.last > counters.last)",
    )
    .bind(hall)
    .execute(&mut *tx)
    .await?;
    for (table, key) in KEYED {
        let same: Vec<String> = key.iter().map(|k| format!("o.{k} = {table}.{k}")).collect();
        moved += sqlx::query(&format!(
            "UPDATE {table} SET hall = $1 WHERE hall = '' AND NOT EXISTS \
             (SELECT 1 FROM {table} o WHERE o.hall = $1 AND {})",
            same.join(" AND ")
        ))
        .bind(hall)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    // Windows the hall had already: the old row of the same id goes.
    sqlx::query("DELETE FROM windows WHERE hall = ''")
        .execute(&mut *tx)
        .await?;
    for table in PLAIN {
        // Moving waiting tickets moves their counts too (the waiting_counts triggers).
        moved += sqlx::query(&format!("UPDATE {table} SET hall = $1 WHERE hall = ''"))
            .bind(hall)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    sqlx::query("DELETE FROM waiting_counts WHERE hall = '' AND n = 0")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if moved > 0 {
        tracing::info!("{moved} 行旧数据归入大厅 {hall} / {moved} rows of the single-hall database now belong to hall {hall}");
    }
    Ok(moved)
}
