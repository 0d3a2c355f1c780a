//! The bus's settings, its boards' links, what it reports and what it asks the driver to
//! write.

use std::time::Duration;

use crate::show::Protocol;

/// Timing of a bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusOptions {
    /// How long to wait for an ACK.
    pub ack_timeout: Duration,
    /// Resends after a missing ACK or a NACK.
    pub retries: u32,
    /// Pause after a frame to a board that does not answer.
    pub frame_gap: Duration,
    /// First wait before reopening a lost port.
    pub reconnect_min: Duration,
    /// Longest wait before reopening.
    pub reconnect_max: Duration,
    /// How often a board that stopped answering is asked again (one probe each time).
    pub probe_every: Duration,
    /// How often a BX board that answers, and has nothing new to show, is pinged: a board
    /// switched off without a frame for it is noticed this way, and gets its content again
    /// when it is back (None: never).
    pub keepalive: Option<Duration>,
}

impl Default for BusOptions {
    fn default() -> Self {
        Self {
            ack_timeout: Duration::from_millis(500),
            retries: 2,
            frame_gap: Duration::from_millis(100),
            reconnect_min: Duration::from_millis(500),
            reconnect_max: Duration::from_secs(30),
            probe_every: Duration::from_secs(1),
            keepalive: Some(Duration::from_secs(5)),
        }
    }
}

/// How one board on the bus is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardLink {
    /// Its protocol (decides how replies are read and how a silent board is probed).
    pub protocol: Protocol,
    /// Its address (a BX ACK must come from it; `FFFE` accepts any).
    pub address: u16,
    /// Whether it answers each frame.
    pub ack: bool,
}

/// Something the driver may log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusEvent {
    /// The board's frame was acknowledged (or, without ACK, sent).
    Delivered {
        /// Board index.
        board: usize,
        /// Sends it took.
        attempts: u32,
    },
    /// The board refused the frame (BX NACK error code / Alpha status byte).
    Nacked {
        /// Board index.
        board: usize,
        /// Error code or status byte.
        code: u8,
    },
    /// No ACK in time; the frame is resent.
    TimedOut {
        /// Board index.
        board: usize,
        /// Sends so far.
        attempts: u32,
    },
    /// Every send failed: the board counts as silent and is probed every `probe_every`.
    GaveUp {
        /// Board index.
        board: usize,
    },
    /// A silent board did not answer its probe either.
    StillSilent {
        /// Board index.
        board: usize,
    },
    /// A silent board answered its probe: its newest content goes out once.
    AnswersAgain {
        /// Board index.
        board: usize,
    },
    /// Bytes from the line that do not decode (noise, wrong line settings).
    BadReply {
        /// What was wrong.
        reason: String,
    },
    /// A well-formed reply that no frame waits for (a late ACK, another board's answer).
    Unexpected {
        /// What it was.
        reason: String,
    },
}

/// What the driver must do on the line, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Write these bytes (one whole frame).
    Frame(Vec<u8>),
    /// Drop whatever waits in the port's buffers, both ways (tcflush), so stale bytes are
    /// neither sent nor taken for an answer. A no-op on TCP.
    Clear,
}
