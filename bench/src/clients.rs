//! The load generator's clients: thousands of sockets opened in waves, held until every one
//! has opened (or given up), then each reading its socket and noting arrivals in shared
//! [`Receipts`]. Dropping [`Clients`] closes them all.

use crate::receipts::Receipts;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::Barrier;
use tokio::task::JoinHandle;

/// Open clients; their readers stop when this is dropped.
pub(crate) struct Clients {
    tasks: Vec<JoinHandle<()>>,
    /// Arrivals noted by the readers.
    pub(crate) receipts: Arc<Receipts>,
}

impl Drop for Clients {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Opens `n` clients with `open(i)` — client `i` starts `(i % 1000) × spacing` after the
/// first, so the accept queue never overflows — waits until every one has opened or given
/// up, and leaves each reading with `read`. Fails, naming `what`, when some did not open.
pub(crate) async fn open<O, OF, R, RF>(
    n: usize,
    spacing: Duration,
    what: &str,
    open: O,
    read: R,
) -> anyhow::Result<Clients>
where
    O: Fn(usize) -> OF,
    OF: Future<Output = Option<TcpStream>> + Send + 'static,
    R: Fn(TcpStream, Arc<Receipts>) -> RF + Clone + Send + 'static,
    RF: Future<Output = ()> + Send + 'static,
{
    let receipts = Arc::new(Receipts::default());
    let ready = Arc::new(Barrier::new(n + 1));
    let opened = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (receipts, ready, opened, read) = (
            receipts.clone(),
            ready.clone(),
            opened.clone(),
            read.clone(),
        );
        let socket = open(i);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(spacing * (i % 1000) as u32).await;
            let socket = socket.await;
            if socket.is_some() {
                opened.fetch_add(1, Ordering::Relaxed);
            }
            ready.wait().await;
            if let Some(s) = socket {
                read(s, receipts).await;
            }
        }));
    }
    ready.wait().await;
    let clients = Clients { tasks, receipts };
    let opened = opened.load(Ordering::Relaxed);
    anyhow::ensure!(opened == n, "only {opened} of {n} {what} opened");
    Ok(clients)
}
