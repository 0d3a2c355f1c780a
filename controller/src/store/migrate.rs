//! Schema migrations: numbered SQL files per backend, applied once each, in order.

use super::{Backend, StoreResult};
use sqlx::AnyPool;

const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/sqlite/0002_print_status.sql"),
    ),
    (
        3,
        include_str!("../../migrations/sqlite/0003_appointments.sql"),
    ),
    (
        4,
        include_str!("../../migrations/sqlite/0004_button_presses.sql"),
    ),
    (
        5,
        include_str!("../../migrations/sqlite/0005_staff_sessions.sql"),
    ),
    (
        6,
        include_str!("../../migrations/sqlite/0006_waiting_counts.sql"),
    ),
    (
        7,
        include_str!("../../migrations/sqlite/0007_personal_data.sql"),
    ),
    (
        8,
        include_str!("../../migrations/sqlite/0008_booking_acts.sql"),
    ),
    (9, include_str!("../../migrations/sqlite/0009_no_shows.sql")),
    (10, include_str!("../../migrations/sqlite/0010_notices.sql")),
    (11, include_str!("../../migrations/sqlite/0011_desk.sql")),
    (
        12,
        include_str!("../../migrations/sqlite/0012_transfers.sql"),
    ),
    (13, include_str!("../../migrations/sqlite/0013_halls.sql")),
    (
        14,
        include_str!("../../migrations/sqlite/0014_estimates.sql"),
    ),
];
const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/postgres/0002_print_status.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_appointments.sql"),
    ),
    (
        4,
        include_str!("../../migrations/postgres/0004_button_presses.sql"),
    ),
    (
        5,
        include_str!("../../migrations/postgres/0005_staff_sessions.sql"),
    ),
    (
        6,
        include_str!("../../migrations/postgres/0006_waiting_counts.sql"),
    ),
    (
        7,
        include_str!("../../migrations/postgres/0007_personal_data.sql"),
    ),
    (
        8,
        include_str!("../../migrations/postgres/0008_booking_acts.sql"),
    ),
    (
        9,
        include_str!("../../migrations/postgres/0009_no_shows.sql"),
    ),
    (
        10,
        include_str!("../../migrations/postgres/0010_notices.sql"),
    ),
    (11, include_str!("../../migrations/postgres/0011_desk.sql")),
    (
        12,
        include_str!("../../migrations/postgres/0012_transfers.sql"),
    ),
    (13, include_str!("../../migrations/postgres/0013_halls.sql")),
    (
        14,
        include_str!("../../migrations/postgres/0014_estimates.sql"),
    ),
];

/// Applies the migrations not yet applied. On PostgreSQL an advisory lock keeps two
/// controllers starting together from racing.
pub(super) async fn run(pool: &AnyPool, backend: Backend) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    let steps = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => {
            sqlx::query("SELECT pg_advisory_xact_lock(7316001)")
                .execute(&mut *tx)
                .await?;
            POSTGRES
        }
    };
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let done: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *tx)
        .await?;
    for (version, sql) in steps {
        if done.contains(version) {
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, CURRENT_TIMESTAMP)",
        )
        .bind(*version)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
