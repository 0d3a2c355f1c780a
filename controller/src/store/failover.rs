//! PostgreSQL with a standby: libpq's multi-host URL
//! (`postgres://user@host1:5432,host2:5432/db?target_session_attrs=read-write`). sqlx
//! names one host, so hallq parses the list itself: it connects to the first host that
//! takes writes, refuses connections to read-only ones, and a watcher re-points the pool
//! at whichever host is writable when the present one stops answering (a standby promoted
//! by Patroni, repmgr or an operator). Requests meanwhile fail fast with 503
//! `storage_unavailable` (a short acquire timeout) instead of hanging. Before it moves the
//! pool, the watcher checks that the new host has every write this controller acknowledged
//! ([`super::acked`]: asynchronous replication can lose the last ones).

use super::acked::Acked;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// How long a request waits for a connection before it is answered 503.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often the watcher checks the present host.
const WATCH_EVERY: Duration = Duration::from_millis(500);
/// How long one host may take to answer a check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// The hosts of a PostgreSQL URL, each as a one-host URL, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hosts {
    /// One URL per host, without `target_session_attrs`.
    pub(crate) urls: Vec<String>,
    /// `target_session_attrs=read-write` or `primary`: only a writable host will do.
    pub(crate) writable_only: bool,
}

impl Hosts {
    /// Splits `postgres://[user[:pw]@]h1[:p1],h2[:p2][/db][?params]`.
    pub(crate) fn parse(url: &str) -> Self {
        let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
        let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = match before_query.find('/') {
            Some(i) => before_query.split_at(i),
            None => (before_query, ""),
        };
        let (userinfo, hostlist) = match authority.rfind('@') {
            Some(i) => (&authority[..=i], &authority[i + 1..]),
            None => ("", authority),
        };
        let mut writable_only = false;
        let params: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter(|p| match p.strip_prefix("target_session_attrs=") {
                Some(v) => {
                    writable_only = matches!(v, "read-write" | "primary");
                    false
                }
                None => true,
            })
            .collect();
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("?{}", params.join("&"))
        };
        let urls = hostlist
            .split(',')
            .map(|host| format!("{scheme}://{userinfo}{host}{path}{query}"))
            .collect();
        Self {
            urls,
            writable_only,
        }
    }

    /// The first host that answers (and takes writes, where that is asked for).
    pub(crate) async fn find(&self) -> Result<&str, sqlx::Error> {
        let mut last = sqlx::Error::Configuration("no host in database_url".into());
        for url in &self.urls {
            match check(url, self.writable_only).await {
                Ok(()) => return Ok(url),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

/// Connects to `url` and, with `writable_only`, refuses a host that does not take writes.
async fn check(url: &str, writable_only: bool) -> Result<(), sqlx::Error> {
    let attempt = async {
        let mut c = AnyConnection::connect(url).await?;
        let r = refuse_read_only(&mut c, writable_only).await;
        let _ = c.close().await;
        r
    };
    tokio::time::timeout(CHECK_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| Err(sqlx::Error::PoolTimedOut))
}

async fn refuse_read_only(c: &mut AnyConnection, writable_only: bool) -> Result<(), sqlx::Error> {
    if !writable_only {
        return Ok(());
    }
    let ro: String = sqlx::query_scalar("SHOW transaction_read_only")
        .fetch_one(&mut *c)
        .await?;
    if ro == "on" {
        return Err(sqlx::Error::Configuration(
            "read-only host (a standby): target_session_attrs=read-write".into(),
        ));
    }
    Ok(())
}

/// The pool of a PostgreSQL hall: on the first usable host; with more than one host, a
/// watcher moves it to whichever becomes usable when the present one fails, after
/// checking that host against what this controller `acked`.
pub(crate) async fn pool(url: &str, max: u32, acked: Arc<Acked>) -> Result<AnyPool, sqlx::Error> {
    let hosts = Hosts::parse(url);
    let first = hosts.find().await?.to_string();
    let writable_only = hosts.writable_only;
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |c, _| Box::pin(refuse_read_only(c, writable_only)))
        .connect(&first)
        .await?;
    if hosts.urls.len() > 1 {
        tokio::spawn(watch(pool.clone(), hosts, first, acked));
    }
    Ok(pool)
}

async fn watch(pool: AnyPool, hosts: Hosts, mut present: String, acked: Arc<Acked>) {
    let mut warned: Option<std::time::Instant> = None;
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        if pool.is_closed() {
            return;
        }
        // Through the pool: no new server process per check while all is well.
        let fine = tokio::time::timeout(CHECK_TIMEOUT, async {
            let mut c = pool.acquire().await?;
            refuse_read_only(&mut c, hosts.writable_only).await
        })
        .await
        .is_ok_and(|r| r.is_ok());
        if fine {
            warned = None;
            continue;
        }
        let Ok(next) = hosts.find().await else {
            if warned.is_none_or(|w| w.elapsed() >= Duration::from_secs(60)) {
                tracing::warn!(host = %redact(&present), "database unreachable; trying every host");
                warned = Some(std::time::Instant::now());
            }
            continue;
        };
        if next == present {
            continue;
        }
        match AnyConnectOptions::from_str(next) {
            Ok(opts) => {
                // Before any write of this controller reaches the new host.
                acked.check(next, 5 * CHECK_TIMEOUT).await;
                tracing::warn!(
                    from = %redact(&present),
                    to = %redact(next),
                    "database moved: new connections go to the writable host"
                );
                pool.set_connect_options(opts);
                present = next.to_string();
            }
            Err(e) => tracing::error!("database_url: {e}"),
        }
    }
}

/// `user:password@host` → `host` for logs.
fn redact(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::Hosts;

    #[test]
    fn a_multi_host_url_is_one_url_per_host() {
        let h = Hosts::parse(
            "postgres://app:pw@10.0.0.1:5432,10.0.0.2:5433/hallq?sslmode=disable&target_session_attrs=read-write",
        );
        assert!(h.writable_only);
        assert_eq!(
            h.urls,
            [
                "postgres://app:pw@10.0.0.1:5432/hallq?sslmode=disable",
                "postgres://app:pw@10.0.0.2:5433/hallq?sslmode=disable"
            ]
        );
        let one = Hosts::parse("postgres://postgres@127.0.0.1:5432/test");
        assert!(!one.writable_only);
        assert_eq!(one.urls, ["postgres://postgres@127.0.0.1:5432/test"]);
        let any = Hosts::parse("postgresql://a,b/db?target_session_attrs=any");
        assert!(!any.writable_only);
        assert_eq!(any.urls, ["postgresql://a/db", "postgresql://b/db"]);
    }
}
