//! Write TEXT (`A`) data: file label, optional ESC + position + mode, coloured message.
//!
//! ```text
//! label [1B position mode [special]] { [1C colour] text }
//! ```

use serde::{Serialize, Serializer};

use super::{DecodeError, EncodeError};

const ESC: u8 = 0x1B;
const COLOUR: u8 = 0x1C;
const MODE_SPECIAL: u8 = b'n';

/// Contents of a TEXT file, as written by command `A` or returned by a read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteText {
    /// File label: `'0'` is the priority file; other labels need memory configured first.
    #[serde(serialize_with = "super::packet::serialize_ascii")]
    pub label: u8,
    /// Display position and mode (`1B` position mode), if sent.
    pub display: Option<Display>,
    /// The message, as coloured runs of text.
    pub segments: Vec<Segment>,
}

impl WriteText {
    /// Priority file (`'0'`), `position` and `mode`, one run of `text` in `colour`.
    #[must_use]
    pub fn priority(
        position: Position,
        mode: Mode,
        colour: Colour,
        text: impl Into<String>,
    ) -> Self {
        Self {
            label: b'0',
            display: Some(Display { position, mode }),
            segments: vec![Segment {
                colour: Some(colour),
                text: text.into(),
            }],
        }
    }
}

/// Display position and mode of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Display {
    /// Vertical position byte.
    pub position: Position,
    /// How the text appears.
    pub mode: Mode,
}

/// The display position byte after ESC, kept as sent (implementations disagree on its
/// values; see the module docs). Named constants follow the Alpha protocol document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position(pub u8);

impl Position {
    /// `20`: middle line (the one value every implementation agrees on).
    pub const MIDDLE_LINE: Self = Self(0x20);
    /// `22`: top line.
    pub const TOP_LINE: Self = Self(0x22);
    /// `26`: bottom line (alphasignpy 0.1.1 sends this byte for "fill").
    pub const BOTTOM_LINE: Self = Self(0x26);
    /// `30`: fill.
    pub const FILL: Self = Self(0x30);
    /// `31`: left.
    pub const LEFT: Self = Self(0x31);
    /// `32`: right.
    pub const RIGHT: Self = Self(0x32);
}

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:02x}", self.0))
    }
}

/// Display mode byte after the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// `a`
    Rotate,
    /// `b`
    Hold,
    /// `c`
    Flash,
    /// `e`
    RollUp,
    /// `f`
    RollDown,
    /// `g`
    RollLeft,
    /// `h`
    RollRight,
    /// `i`
    WipeUp,
    /// `j`
    WipeDown,
    /// `k`
    WipeLeft,
    /// `l`
    WipeRight,
    /// `m`
    Scroll,
    /// `o`
    Automode,
    /// `p`
    RollIn,
    /// `q`
    RollOut,
    /// `r`
    WipeIn,
    /// `s`
    WipeOut,
    /// `t`
    CompressedRotate,
    /// `u`
    Explode,
    /// `v`
    Clock,
    /// `n` followed by a special-effect byte (e.g. `'0'` twinkle, `'8'` welcome).
    Special(u8),
}

const MODES: [(Mode, u8); 20] = [
    (Mode::Rotate, b'a'),
    (Mode::Hold, b'b'),
    (Mode::Flash, b'c'),
    (Mode::RollUp, b'e'),
    (Mode::RollDown, b'f'),
    (Mode::RollLeft, b'g'),
    (Mode::RollRight, b'h'),
    (Mode::WipeUp, b'i'),
    (Mode::WipeDown, b'j'),
    (Mode::WipeLeft, b'k'),
    (Mode::WipeRight, b'l'),
    (Mode::Scroll, b'm'),
    (Mode::Automode, b'o'),
    (Mode::RollIn, b'p'),
    (Mode::RollOut, b'q'),
    (Mode::WipeIn, b'r'),
    (Mode::WipeOut, b's'),
    (Mode::CompressedRotate, b't'),
    (Mode::Explode, b'u'),
    (Mode::Clock, b'v'),
];

impl Mode {
    /// The mode byte (`n` for special modes).
    #[must_use]
    pub fn byte(self) -> u8 {
        match self {
            Self::Special(_) => MODE_SPECIAL,
            m => MODES
                .iter()
                .find(|(k, _)| *k == m)
                .map_or(b'b', |&(_, b)| b),
        }
    }

    /// The mode for a (non-special) mode byte.
    #[must_use]
    pub fn from_byte(b: u8) -> Option<Self> {
        MODES.iter().find(|&&(_, v)| v == b).map(|&(m, _)| m)
    }
}

/// A run of message text, optionally preceded by a colour code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Colour set before the text (`1C` + code); only the first segment may omit it.
    pub colour: Option<Colour>,
    /// ASCII text (no bytes `00`–`04` or `1C`).
    pub text: String,
}

/// Colour codes (`1C` + `'1'`…`'C'`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// `'1'`
    Red,
    /// `'2'`
    Green,
    /// `'3'`
    Amber,
    /// `'4'`
    DimRed,
    /// `'5'`
    DimGreen,
    /// `'6'`
    Brown,
    /// `'7'`
    Orange,
    /// `'8'`
    Yellow,
    /// `'9'`
    Rainbow1,
    /// `'A'`
    Rainbow2,
    /// `'B'`
    ColourMix,
    /// `'C'`
    Autocolour,
}

const COLOURS: [Colour; 12] = [
    Colour::Red,
    Colour::Green,
    Colour::Amber,
    Colour::DimRed,
    Colour::DimGreen,
    Colour::Brown,
    Colour::Orange,
    Colour::Yellow,
    Colour::Rainbow1,
    Colour::Rainbow2,
    Colour::ColourMix,
    Colour::Autocolour,
];
const COLOUR_CODES: &[u8; 12] = b"123456789ABC";

impl Colour {
    /// The code byte after `1C`.
    #[must_use]
    pub fn code(self) -> u8 {
        let i = COLOURS.iter().position(|&c| c == self).unwrap_or(0);
        COLOUR_CODES[i]
    }

    /// The colour for a code byte.
    #[must_use]
    pub fn from_code(b: u8) -> Option<Self> {
        COLOUR_CODES
            .iter()
            .position(|&c| c == b)
            .map(|i| COLOURS[i])
    }
}

impl WriteText {
    pub(crate) fn encode_data(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        super::packet::check_printable("file label", self.label)?;
        out.push(self.label);
        if let Some(d) = self.display {
            super::packet::check_printable("display position", d.position.0)?;
            out.extend_from_slice(&[ESC, d.position.0, d.mode.byte()]);
            if let Mode::Special(b) = d.mode {
                super::packet::check_printable("special mode", b)?;
                out.push(b);
            }
        }
        for (index, seg) in self.segments.iter().enumerate() {
            if let Some(bad) = seg.text.chars().find(|&c| !text_char_ok(c)) {
                return Err(EncodeError::InvalidText { ch: bad });
            }
            match seg.colour {
                Some(c) => out.extend_from_slice(&[COLOUR, c.code()]),
                None if index > 0 || seg.text.is_empty() => {
                    return Err(EncodeError::UncolouredSegment { index })
                }
                None if self.display.is_none() && seg.text.starts_with('\u{1b}') => {
                    return Err(EncodeError::LeadingEscape)
                }
                None => {}
            }
            out.extend_from_slice(seg.text.as_bytes());
        }
        Ok(())
    }

    /// Decodes the data of an `A` command (everything after the command code).
    pub(crate) fn decode_data(data: &[u8]) -> Result<Self, DecodeError> {
        let (&label, mut rest) = data.split_first().ok_or(DecodeError::Truncated {
            field: "file label",
        })?;
        let mut display = None;
        if let [ESC, position, mode, tail @ ..] = rest {
            let (mode, tail) = match (*mode, tail) {
                (MODE_SPECIAL, [special, tail @ ..]) => (Mode::Special(*special), tail),
                (MODE_SPECIAL, []) => {
                    return Err(DecodeError::Truncated {
                        field: "special mode",
                    })
                }
                (m, tail) => (Mode::from_byte(m).ok_or(DecodeError::InvalidMode(m))?, tail),
            };
            display = Some(Display {
                position: Position(*position),
                mode,
            });
            rest = tail;
        } else if rest.first() == Some(&ESC) {
            return Err(DecodeError::Truncated {
                field: "display position and mode",
            });
        }
        Ok(Self {
            label,
            display,
            segments: decode_segments(rest)?,
        })
    }
}

fn text_char_ok(c: char) -> bool {
    c.is_ascii() && !matches!(c as u8, 0x00..=0x04 | COLOUR)
}

fn decode_segments(mut msg: &[u8]) -> Result<Vec<Segment>, DecodeError> {
    let mut segments = Vec::new();
    while !msg.is_empty() {
        let colour = if msg[0] == COLOUR {
            let code = *msg.get(1).ok_or(DecodeError::Truncated {
                field: "colour code",
            })?;
            msg = &msg[2..];
            Some(Colour::from_code(code).ok_or(DecodeError::InvalidColour(code))?)
        } else {
            None
        };
        let end = msg.iter().position(|&b| b == COLOUR).unwrap_or(msg.len());
        let (text, rest) = msg.split_at(end);
        if let Some(&b) = text.iter().find(|b| !b.is_ascii()) {
            return Err(DecodeError::NonAscii(b));
        }
        segments.push(Segment {
            colour,
            text: text.iter().map(|&b| char::from(b)).collect(),
        });
        msg = rest;
    }
    Ok(segments)
}
