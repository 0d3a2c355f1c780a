//! A fake ESC/POS printer for tests and for installers (`hallq print emulate`): it decodes
//! what it receives with the streaming [`Decoder`], gives each ticket (its text lines and
//! QR contents) when the cut arrives, and answers `DLE EOT n` (n = 1..=4) like an
//! Epson-compatible printer in the [`Condition`] it is told to be in.
//!
//! Switches: paper out, cover open, paper near end (the condition), no status answers at
//! all, and stall after N bytes (it stops reading, like a printer that hangs mid-ticket).
//! A printer that is stopped (paper out, cover open) does not print: its tickets are given
//! with [`PrintedTicket::not_printed`] set.
//!
//! [`Emulator`] does no I/O; `serve` (`emulator/serve.rs`) drives it over a byte stream
//! (a TCP connection, a pty).

use serde::Serialize;

use crate::parse::{Decoder, ParseOptions, Token};
use crate::status::Condition;

mod serve;
pub use serve::{serve, serve_tcp, Seen, Stall};

/// How the emulated printer behaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmulatorOptions {
    /// Its paper, cover and error state (what `DLE EOT` answers say).
    pub condition: Condition,
    /// Never answer `DLE EOT` (a printer without status).
    pub no_status: bool,
    /// Stop reading after this many bytes (all connections together).
    pub stall_after: Option<u64>,
}

/// One ticket as the printer saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrintedTicket {
    /// Tickets seen so far by this emulator, this one included (1 for the first).
    pub seq: u64,
    /// The printed lines, in order (text between line feeds; empty lines left out).
    pub lines: Vec<String>,
    /// The QR codes' contents (native `GS ( k` data, lossily as UTF-8).
    pub qr: Vec<String>,
    /// Raster images (width × height in dots), e.g. a raster QR code.
    pub images: Vec<(usize, usize)>,
    /// `full`, `partial`, or `none` when the stream ended without a cut.
    pub cut: &'static str,
    /// Why the ticket was not printed (`paper_out`, `cover_open`, `error`), if it was not.
    pub not_printed: Option<&'static str>,
}

/// What the emulator does with a piece of input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Bytes to send back (status answers).
    pub answer: Vec<u8>,
    /// Tickets completed (cut) by this piece.
    pub tickets: Vec<PrintedTicket>,
}

/// The emulated printer's state between pieces of input; see the module docs.
#[derive(Debug)]
pub struct Emulator {
    options: EmulatorOptions,
    decoder: Decoder,
    line: String,
    ticket: PrintedTicket,
    /// Commands seen since the last cut (a ticket with only status queries is not one).
    marks: usize,
    seq: u64,
}

/// The most text one line keeps (longer lines are cut here): bounds the memory of a
/// ticket without line feeds.
const MAX_LINE: usize = 4096;
/// The most lines, QR codes or images one ticket keeps.
const MAX_ITEMS: usize = 1000;

impl Emulator {
    /// A printer at power-on (Chinese mode on, as printers sold in China are).
    pub fn new(options: EmulatorOptions) -> Self {
        Self {
            options,
            decoder: Decoder::new(ParseOptions {
                chinese_at_power_on: true,
            }),
            line: String::new(),
            ticket: PrintedTicket::default(),
            marks: 0,
            seq: 0,
        }
    }

    /// The number of the last ticket given.
    pub const fn seq(&self) -> u64 {
        self.seq
    }

    /// Takes the next bytes received.
    pub fn handle(&mut self, bytes: &[u8]) -> Output {
        let tokens = self.decoder.push(bytes);
        self.tokens(tokens)
    }

    /// The end of the stream: what is held, and a last ticket without a cut (if any).
    pub fn finish(&mut self) -> Output {
        let tokens = self.decoder.finish();
        let mut out = self.tokens(tokens);
        if !self.line.is_empty() || self.marks > 0 {
            out.tickets.push(self.cut("none"));
        }
        out
    }

    fn tokens(&mut self, tokens: Vec<Token>) -> Output {
        let mut out = Output::default();
        for token in tokens {
            match token {
                Token::StatusQuery(n) => {
                    if !self.options.no_status {
                        out.answer.extend(self.options.condition.answer(n));
                    }
                    continue;
                }
                Token::Text(t) => {
                    let room = MAX_LINE.saturating_sub(self.line.len());
                    self.line.extend(t.chars().take(room));
                }
                Token::LineFeed | Token::Feed(_) => self.end_line(),
                Token::QrStore(data) => {
                    push_bounded(&mut self.ticket.qr, String::from_utf8_lossy(&data).into());
                }
                Token::Raster(r) => {
                    let size = (r.width_dots(), usize::from(r.rows));
                    push_bounded(&mut self.ticket.images, size);
                }
                Token::Cut { partial, .. } => {
                    let kind = if partial { "partial" } else { "full" };
                    out.tickets.push(self.cut(kind));
                    continue;
                }
                _ => {}
            }
            self.marks += 1;
        }
        out
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let line = line.trim_end();
        if !line.trim().is_empty() {
            push_bounded(&mut self.ticket.lines, line.to_owned());
        }
    }

    fn cut(&mut self, kind: &'static str) -> PrintedTicket {
        self.end_line();
        self.seq += 1;
        self.marks = 0;
        let mut ticket = std::mem::take(&mut self.ticket);
        ticket.seq = self.seq;
        ticket.cut = kind;
        ticket.not_printed = self.options.condition.problem().map(|p| p.as_str());
        ticket
    }
}

fn push_bounded<T>(items: &mut Vec<T>, item: T) {
    if items.len() < MAX_ITEMS {
        items.push(item);
    }
}

#[cfg(test)]
mod tests;
