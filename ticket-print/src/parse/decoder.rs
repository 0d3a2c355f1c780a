//! The streaming form of the decoder (see the parent module's docs).

use super::{ParseOptions, Parser, Token};

/// The longest text run (bytes) a [`Decoder`] holds back waiting for its end.
pub const MAX_HELD: usize = 4096;
/// The largest raster image (bytes) a [`Decoder`] keeps; larger ones are skipped.
pub const MAX_RASTER: usize = 1 << 20;

/// A streaming decoder: bytes in as they arrive, complete commands out.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Bytes of a command not complete yet.
    held: Vec<u8>,
    chinese: bool,
    options: ParseOptions,
    /// Bytes of an oversized raster image still to drop.
    skip: usize,
}

impl Decoder {
    /// A decoder in the power-on state of `options`.
    pub fn new(options: ParseOptions) -> Self {
        Self {
            held: Vec::new(),
            chinese: options.chinese_at_power_on,
            options,
            skip: 0,
        }
    }

    /// Takes the next piece of the stream; returns the commands completed by it.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Token> {
        let dropped = self.skip.min(bytes.len());
        self.skip -= dropped;
        self.held.extend_from_slice(&bytes[dropped..]);
        let mut parser = Parser::new(&self.held, self.chinese, self.options, true);
        parser.run();
        let (pos, skip, chinese, tokens) = (parser.pos, parser.skip, parser.chinese, parser.tokens);
        self.held.drain(..pos);
        self.skip = skip;
        self.chinese = chinese;
        tokens
    }

    /// The end of the stream: whatever is held, decoded as [`parse_with`] would.
    pub fn finish(&mut self) -> Vec<Token> {
        let held = std::mem::take(&mut self.held);
        let mut parser = Parser::new(&held, self.chinese, self.options, false);
        parser.run();
        self.chinese = parser.chinese;
        parser.tokens
    }
}

impl Decoder {
    /// Bytes held waiting for the rest of a command (at most one command's worth).
    pub fn held_len(&self) -> usize {
        self.held.len()
    }
}
