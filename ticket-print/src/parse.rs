//! An ESC/POS decoder, for tests and for installers inspecting a capture.
//!
//! It knows the commands [`escpos()`](crate::escpos()) and python-escpos
//! write, and the parameter counts of other common ones so that their
//! parameters are not mistaken for text. Anything else becomes
//! [`Token::Unknown`] holding the command bytes; decoding never fails.
//!
//! Text between control bytes becomes one [`Token::Text`]: decoded as GB18030
//! while Chinese mode is on (`FS &` … `FS .`), otherwise as Latin-1. Many
//! printers sold in China start in Chinese mode and python-escpos writes
//! GB18030 without `FS &`; [`ParseOptions::chinese_at_power_on`] models
//! that (and `ESC @` returns to it).
//!
//! [`parse()`] takes a whole capture; [`Decoder`] takes a stream in pieces
//! and gives each command once it is complete (a command cut off at the end
//! of a piece waits for the next one). The decoder holds at most one
//! command: text runs longer than [`MAX_HELD`] are given in parts, and a
//! raster image larger than [`MAX_RASTER`] is skipped (its header is given
//! as [`Token::Unknown`]), so hostile input cannot grow its memory.

use serde::{Deserialize, Serialize};

mod decoder;
pub use decoder::{Decoder, MAX_HELD, MAX_RASTER};
#[cfg(test)]
mod tests;

/// Justification set by `ESC a n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Align {
    /// n = 0 or 48.
    Left,
    /// n = 1 or 49.
    Centre,
    /// n = 2 or 50.
    Right,
}

/// A raster bit image from `GS v 0`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raster {
    /// Mode m: 0 normal, 1 double width, 2 double height, 3 both (or 48..=51).
    pub mode: u8,
    /// Bytes per row (x).
    pub width_bytes: u16,
    /// Rows (y).
    pub rows: u16,
    /// `width_bytes × rows` bytes, row by row, bit 7 = leftmost dot.
    pub data: Vec<u8>,
}

impl Raster {
    /// Width in dots.
    pub fn width_dots(&self) -> usize {
        usize::from(self.width_bytes) * 8
    }

    /// Whether dot (x, y) is black; false outside the image.
    pub fn dot(&self, x: usize, y: usize) -> bool {
        let index = y * usize::from(self.width_bytes) + x / 8;
        x < self.width_dots()
            && self
                .data
                .get(index)
                .is_some_and(|b| b & (0x80 >> (x % 8)) != 0)
    }
}

/// One decoded command or text run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Token {
    /// `ESC @`.
    Init,
    /// `ESC a n`.
    Align(Align),
    /// `GS ! n`: width and height multipliers (1..=8).
    Size {
        /// Width multiplier.
        width: u8,
        /// Height multiplier.
        height: u8,
    },
    /// `ESC E n`: emphasis on or off.
    Bold(bool),
    /// `ESC ! n`: print mode bits (font, emphasis, double height/width, underline).
    PrintMode(u8),
    /// `ESC t n`: character code table.
    CodePage(u8),
    /// `FS &`: Chinese (Kanji) mode on.
    ChineseOn,
    /// `FS .`: Chinese mode off.
    ChineseOff,
    /// Printable bytes between control bytes, decoded (see module docs).
    Text(String),
    /// `LF`: print and feed one line.
    LineFeed,
    /// `ESC d n`: print and feed n lines.
    Feed(u8),
    /// `GS ( k` for QR (cn = 49) other than store and print: function
    /// (65 model, 67 module size, 69 error level, …) and the bytes after it.
    QrParam {
        /// fn.
        function: u8,
        /// Parameters after fn.
        params: Vec<u8>,
    },
    /// `GS ( k … 31 50 30 d…`: store QR data d.
    QrStore(Vec<u8>),
    /// `GS ( k 03 00 31 51 30`: print the stored QR symbol.
    QrPrint,
    /// `GS v 0`: raster bit image.
    Raster(Raster),
    /// `DLE EOT n` (n = 1..=4): a real-time status query (1 printer, 2
    /// offline cause, 3 error cause, 4 paper sensor); the printer answers
    /// one byte.
    StatusQuery(u8),
    /// `GS V`: cut.
    Cut {
        /// Partial (one point left) rather than full.
        partial: bool,
        /// Feed n before the cut (functions B, C, D), if given.
        feed: Option<u8>,
    },
    /// Any other command or control byte, with its parameters when known.
    Unknown(Vec<u8>),
}

/// Decoder settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Treat the printer as being in Chinese mode at power-on and after
    /// `ESC @`, as printers sold in China usually are.
    pub chinese_at_power_on: bool,
}

/// Decodes a stream, starting with Chinese mode off.
pub fn parse(bytes: &[u8]) -> Vec<Token> {
    parse_with(bytes, ParseOptions::default())
}

/// Decodes a stream with the given options.
pub fn parse_with(bytes: &[u8], options: ParseOptions) -> Vec<Token> {
    let mut parser = Parser::new(bytes, options.chinese_at_power_on, options, false);
    parser.run();
    parser.tokens
}

/// The text runs, in order.
pub fn text_runs(tokens: &[Token]) -> Vec<String> {
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The QR data stored (`GS ( k` fn 80), in order.
pub fn qr_payloads(tokens: &[Token]) -> Vec<Vec<u8>> {
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::QrStore(d) => Some(d.clone()),
            _ => None,
        })
        .collect()
}

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
const FS: u8 = 0x1c;

const DLE: u8 = 0x10;

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    chinese: bool,
    options: ParseOptions,
    tokens: Vec<Token>,
    /// Stop at a command cut off by the end of `bytes` instead of giving it as `Unknown`.
    streaming: bool,
    /// Streaming: the command at `pos` is not complete.
    incomplete: bool,
    /// Bytes after `pos` to drop (an oversized raster image).
    skip: usize,
}

impl<'a> Parser<'a> {
    const fn new(bytes: &'a [u8], chinese: bool, options: ParseOptions, streaming: bool) -> Self {
        Self {
            bytes,
            pos: 0,
            chinese,
            options,
            tokens: Vec::new(),
            streaming,
            incomplete: false,
            skip: 0,
        }
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() && !self.incomplete {
            if self.skip > 0 {
                let n = self.skip.min(self.bytes.len() - self.pos);
                self.pos += n;
                self.skip -= n;
                continue;
            }
            self.step();
        }
    }

    /// The command at `pos` runs past the end: wait for more (streaming) or give the rest
    /// as `Unknown`.
    fn truncated(&mut self) {
        if self.streaming {
            self.incomplete = true;
        } else {
            self.tokens
                .push(Token::Unknown(self.bytes[self.pos..].to_vec()));
            self.pos = self.bytes.len();
        }
    }

    fn step(&mut self) {
        let b = self.bytes[self.pos];
        match b {
            0x0a => {
                self.pos += 1;
                self.tokens.push(Token::LineFeed);
            }
            ESC => self.esc(),
            GS => self.gs(),
            FS => self.fs(),
            DLE => self.dle(),
            0x00..=0x1f | 0x7f => {
                self.pos += 1;
                self.tokens.push(Token::Unknown(vec![b]));
            }
            _ => self.text(),
        }
    }

    fn text(&mut self) {
        let start = self.pos;
        while self.pos < self.bytes.len()
            && self.bytes[self.pos] >= 0x20
            && self.bytes[self.pos] != 0x7f
        {
            self.pos += 1;
        }
        if self.streaming && self.pos == self.bytes.len() && self.pos - start < MAX_HELD {
            // The run may go on in the next piece (or end inside a GB18030 character).
            self.pos = start;
            self.incomplete = true;
            return;
        }
        let run = &self.bytes[start..self.pos];
        let text = if self.chinese {
            encoding_rs::GB18030
                .decode_without_bom_handling(run)
                .0
                .into_owned()
        } else {
            run.iter().map(|&b| char::from(b)).collect()
        };
        self.tokens.push(Token::Text(text));
    }

    /// Takes `n` bytes after the current position (the prefix included in
    /// the returned slice), or everything left as `Unknown`.
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.pos + n > self.bytes.len() {
            self.truncated();
            return None;
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Some(slice)
    }

    fn unknown(&mut self, n: usize) {
        if let Some(cmd) = self.take(n) {
            let cmd = cmd.to_vec();
            self.tokens.push(Token::Unknown(cmd));
        }
    }

    fn esc(&mut self) {
        let Some(&c) = self.bytes.get(self.pos + 1) else {
            return self.truncated();
        };
        let token = match c {
            b'@' => {
                self.pos += 2;
                self.chinese = self.options.chinese_at_power_on;
                Token::Init
            }
            b'a' | b'E' | b'!' | b't' | b'd' => {
                let Some(cmd) = self.take(3) else { return };
                let n = cmd[2];
                match c {
                    b'a' => match n {
                        0 | 48 => Token::Align(Align::Left),
                        1 | 49 => Token::Align(Align::Centre),
                        2 | 50 => Token::Align(Align::Right),
                        _ => Token::Unknown(cmd.to_vec()),
                    },
                    b'E' => Token::Bold(n & 1 == 1),
                    b'!' => Token::PrintMode(n),
                    b't' => Token::CodePage(n),
                    _ => Token::Feed(n),
                }
            }
            b'-' | b'G' | b'M' | b'J' | b'3' | b'R' | b'V' | b'{' | b' ' | b'U' | b'e' | b'r' => {
                return self.unknown(3)
            }
            b'$' | b'c' => return self.unknown(4),
            b'p' => return self.unknown(5),
            _ => return self.unknown(2),
        };
        self.tokens.push(token);
    }

    fn gs(&mut self) {
        let Some(&c) = self.bytes.get(self.pos + 1) else {
            return self.truncated();
        };
        match c {
            b'!' => {
                let Some(cmd) = self.take(3) else { return };
                let n = cmd[2];
                self.tokens.push(Token::Size {
                    width: (n >> 4) + 1,
                    height: (n & 0x0f) + 1,
                });
            }
            b'(' => self.gs_paren(),
            b'v' => self.raster(),
            b'V' => self.cut(),
            b'k' => self.barcode(),
            b'B' | b'H' | b'f' | b'h' | b'w' | b'b' | b'I' | b'r' | b'a' => self.unknown(3),
            b'L' | b'W' | b'$' | b'\\' | b'P' => self.unknown(4),
            _ => self.unknown(2),
        }
    }

    /// `GS ( x pL pH data`: QR when x = 'k' and cn = 49.
    fn gs_paren(&mut self) {
        let Some(header) = self.bytes.get(self.pos..self.pos + 5) else {
            return self.truncated();
        };
        let len = usize::from(u16::from_le_bytes([header[3], header[4]]));
        let letter = header[2];
        let Some(cmd) = self.take(5 + len) else {
            return;
        };
        let data = &cmd[5..];
        let token = match (letter, data) {
            (b'k', [0x31, 0x50, _, payload @ ..]) => Token::QrStore(payload.to_vec()),
            (b'k', [0x31, 0x51, ..]) => Token::QrPrint,
            (b'k', [0x31, function, params @ ..]) => Token::QrParam {
                function: *function,
                params: params.to_vec(),
            },
            _ => Token::Unknown(cmd.to_vec()),
        };
        self.tokens.push(token);
    }

    /// `GS v 0 m xL xH yL yH d1…dk`, k = x·y.
    fn raster(&mut self) {
        let Some(header) = self.bytes.get(self.pos..self.pos + 8) else {
            return self.truncated();
        };
        if header[2] != b'0' {
            return self.unknown(3);
        }
        let mode = header[3];
        let width_bytes = u16::from_le_bytes([header[4], header[5]]);
        let rows = u16::from_le_bytes([header[6], header[7]]);
        let size = usize::from(width_bytes) * usize::from(rows);
        if self.streaming && size > MAX_RASTER {
            self.unknown(8);
            self.skip = size;
            return;
        }
        let Some(cmd) = self.take(8 + usize::from(width_bytes) * usize::from(rows)) else {
            return;
        };
        let data = cmd[8..].to_vec();
        self.tokens.push(Token::Raster(Raster {
            mode,
            width_bytes,
            rows,
            data,
        }));
    }

    /// `GS V m` (m = 0, 1, 48, 49) or `GS V m n` (m = 65, 66, 97, 98, 103, 104).
    fn cut(&mut self) {
        let Some(&m) = self.bytes.get(self.pos + 2) else {
            return self.truncated();
        };
        let token = match m {
            0 | 1 | 48 | 49 => {
                self.pos += 3;
                Token::Cut {
                    partial: m & 1 == 1,
                    feed: None,
                }
            }
            65 | 66 | 97 | 98 | 103 | 104 => {
                let Some(cmd) = self.take(4) else { return };
                // Full cut for 65, 97, 103; partial for the next value of each pair.
                Token::Cut {
                    partial: matches!(m, 66 | 98 | 104),
                    feed: Some(cmd[3]),
                }
            }
            _ => return self.unknown(3),
        };
        self.tokens.push(token);
    }

    /// `GS k m d… NUL` (m ≤ 6) or `GS k m n d1…dn` (m ≥ 65): barcodes.
    fn barcode(&mut self) {
        let Some(&m) = self.bytes.get(self.pos + 2) else {
            return self.truncated();
        };
        let len = if m <= 6 {
            let rest = &self.bytes[self.pos + 3..];
            match rest.iter().position(|&b| b == 0) {
                Some(i) => i + 1,
                None if self.streaming && rest.len() < MAX_HELD => return self.truncated(),
                None => rest.len(),
            }
        } else {
            self.bytes
                .get(self.pos + 3)
                .map_or(1, |&n| 1 + usize::from(n))
        };
        self.unknown(3 + len);
    }

    /// `DLE EOT n` (status), `DLE ENQ n` (real-time request), `DLE DC4 fn a b` (real-time
    /// commands).
    fn dle(&mut self) {
        let Some(&c) = self.bytes.get(self.pos + 1) else {
            return self.truncated();
        };
        match c {
            0x04 => {
                let Some(cmd) = self.take(3) else { return };
                let token = match cmd[2] {
                    n @ 1..=4 => Token::StatusQuery(n),
                    _ => Token::Unknown(cmd.to_vec()),
                };
                self.tokens.push(token);
            }
            0x05 => self.unknown(3),
            0x14 => self.unknown(5),
            _ => self.unknown(1),
        }
    }

    fn fs(&mut self) {
        let Some(&c) = self.bytes.get(self.pos + 1) else {
            return self.truncated();
        };
        match c {
            b'&' => {
                self.pos += 2;
                self.chinese = true;
                self.tokens.push(Token::ChineseOn);
            }
            b'.' => {
                self.pos += 2;
                self.chinese = false;
                self.tokens.push(Token::ChineseOff);
            }
            b'!' | b'-' | b'W' | b'C' => self.unknown(3),
            b'S' => self.unknown(4),
            _ => self.unknown(2),
        }
    }
}
