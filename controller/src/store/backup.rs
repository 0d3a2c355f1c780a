//! Backups of a SQLite hall: an online, consistent copy (`VACUUM INTO`, taken inside one
//! read transaction while the hall runs) and a checked restore into a data dir. PostgreSQL
//! halls use `pg_dump` / `pg_restore` (docs/operations.md).

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::path::Path;
use std::str::FromStr;

/// Why a backup or restore did not happen; the text is for the admin.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is not SQLite.
    #[error("PostgreSQL：请用 pg_dump / use pg_dump for PostgreSQL (docs/operations.md)")]
    NotSqlite,
    /// The file is not a hallq database, or a damaged one.
    #[error("不是可用的 hallq 数据库 / not a usable hallq database: {0}")]
    NotAHall(String),
    /// The target exists.
    #[error("{0} 已存在（加 --force 覆盖）/ {0} exists (--force replaces it)")]
    Exists(String),
    /// A hall has the target open.
    #[error("{0} 正在使用：先停止 hallq / {0} is in use: stop hallq first")]
    InUse(String),
    /// SQLite said no.
    #[error("{0}")]
    Sqlite(#[from] sqlx::Error),
    /// The file system said no.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What a backup file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// The newest migration applied.
    pub schema_version: i64,
    /// Tickets in it (all days).
    pub tickets: i64,
    /// Bookings in it.
    pub appointments: i64,
}

fn sqlite_path(url: &str) -> Result<&str, BackupError> {
    super::sqlite_file(url).ok_or(BackupError::NotSqlite)
}

async fn open(path: &Path, read_only: bool) -> Result<SqliteConnection, BackupError> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .read_only(read_only)
        .create_if_missing(false)
        .busy_timeout(std::time::Duration::from_secs(5));
    Ok(opts.connect().await?)
}

/// Checks that `path` is an intact hallq database and says what it holds.
///
/// # Errors
/// [`BackupError::NotAHall`] when it is damaged or not hallq's.
pub async fn inspect(path: &Path) -> Result<Summary, BackupError> {
    let mut c = open(path, true)
        .await
        .map_err(|e| BackupError::NotAHall(e.to_string()))?;
    let bad = |e: sqlx::Error| BackupError::NotAHall(e.to_string());
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .map_err(bad)?;
    if check != "ok" {
        return Err(BackupError::NotAHall(check));
    }
    let schema_version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut c)
        .await
        .map_err(bad)?;
    let tickets = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut c)
        .await
        .map_err(bad)?;
    let appointments = sqlx::query_scalar("SELECT COUNT(*) FROM appointments")
        .fetch_one(&mut c)
        .await
        .map_err(bad)?;
    c.close().await?;
    Ok(Summary {
        schema_version,
        tickets,
        appointments,
    })
}

/// Copies the hall's SQLite database `url` to `out` while the hall may be running: one
/// consistent snapshot (every acknowledged commit before it, none half), synced to disk.
///
/// # Errors
/// When the database is not SQLite, `out` exists, or SQLite or the disk refuses.
pub async fn backup(url: &str, out: &Path) -> Result<Summary, BackupError> {
    let src = Path::new(sqlite_path(url)?);
    if out.exists() {
        return Err(BackupError::Exists(out.display().to_string()));
    }
    let mut c = open(src, true).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(out.display().to_string())
        .execute(&mut c)
        .await?;
    c.close().await?;
    std::fs::File::open(out)?.sync_all()?;
    inspect(out).await
}

/// Whether another connection (a running hall) has `path` open: leaving WAL mode needs
/// the database to itself, and the file is about to be replaced anyway.
async fn in_use(path: &Path) -> bool {
    let Ok(mut c) = open(path, false).await else {
        return true;
    };
    let _ = sqlx::query("PRAGMA busy_timeout = 0").execute(&mut c).await;
    let mode: Result<String, _> = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut c)
        .await;
    let _ = c.close().await;
    !matches!(mode.as_deref(), Ok("delete"))
}

/// Puts the backup `from` in place as the database of `url` (the hall must be stopped);
/// refuses a damaged file, and an existing database unless `force`.
///
/// # Errors
/// When `from` is not an intact hallq database, the target exists without `force`, or the
/// disk refuses.
pub async fn restore(url: &str, from: &Path, force: bool) -> Result<Summary, BackupError> {
    let target = Path::new(sqlite_path(url)?);
    let summary = inspect(from).await?;
    if target.exists() && !force {
        return Err(BackupError::Exists(target.display().to_string()));
    }
    if target.exists() && in_use(target).await {
        return Err(BackupError::InUse(target.display().to_string()));
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(".hallq.db.restoring");
    std::fs::copy(from, &tmp)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", target.display()));
    }
    std::fs::rename(&tmp, target)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(summary)
}
