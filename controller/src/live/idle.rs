//! A connection's TCP stream that notes whether any byte moved, so that the HTTP server
//! ([`crate::http`]) can close a connection on which nothing moved for a while (a stalled
//! body, a client that does not read its answer). After an upgrade the status sockets
//! take the plain stream back out of it ([`super::upgraded`]).

use std::io::IoSlice;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A TCP stream and a flag set whenever bytes are read or written.
pub struct Tracked {
    /// The stream.
    pub stream: TcpStream,
    moved: Arc<AtomicBool>,
}

impl Tracked {
    /// Wraps `stream`; the returned flag is set on every read or write that moved bytes
    /// (the watcher clears it).
    pub fn new(stream: TcpStream) -> (Self, Arc<AtomicBool>) {
        let moved = Arc::new(AtomicBool::new(true));
        (
            Self {
                stream,
                moved: moved.clone(),
            },
            moved,
        )
    }

    fn note<T>(&self, r: &Poll<std::io::Result<T>>, some: impl FnOnce(&T) -> bool) {
        if let Poll::Ready(Ok(v)) = r {
            if some(v) {
                self.moved.store(true, Ordering::Relaxed);
            }
        }
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.stream).poll_read(cx, buf);
        let after = buf.filled().len();
        self.note(&r, |()| after > before);
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.note(&r, |n| *n > 0);
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.note(&r, |n| *n > 0);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
