//! ESC/POS real-time status (`DLE EOT n`): the queries, the one-byte answers of an
//! Epson-compatible printer, and what they say about paper and cover.
//!
//! ```text
//! query      answer bits (fixed: bit 1 = 1, bit 4 = 1, bits 0 and 7 = 0)
//! 10 04 01   printer:        bit 3 offline
//! 10 04 02   offline cause:  bit 2 cover open, bit 5 stopped by paper end, bit 6 error
//! 10 04 03   error cause:    bit 3 auto-cutter error, bit 5 unrecoverable, bit 6 auto-recoverable
//! 10 04 04   paper sensor:   bits 2+3 paper near end, bits 5+6 paper end
//! ```
//!
//! The controller asks 2 and 4 before a ticket (and again after it, which also shows that
//! the printer read the whole ticket); a byte without the fixed bits is not a status answer.

use serde::{Deserialize, Serialize};

/// `DLE EOT 2` then `DLE EOT 4`: offline cause and paper sensor, answered in that order.
pub const STATUS_QUERY: [u8; 6] = [0x10, 0x04, 0x02, 0x10, 0x04, 0x04];

/// The bits every status answer has: bit 1 and bit 4 set, bits 0 and 7 clear.
const FIXED_MASK: u8 = 0x93;
const FIXED: u8 = 0x12;

/// What a printer's status says (or what an emulated printer is told to be).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// No paper: the printer stops.
    pub paper_out: bool,
    /// The cover is open: the printer stops.
    pub cover_open: bool,
    /// The roll is nearly used up (printing goes on).
    pub paper_near_end: bool,
    /// Another error (cutter jam, overheating…): the printer stops.
    pub error: bool,
}

/// Why a printer cannot print now, from its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// No paper.
    PaperOut,
    /// Cover open.
    CoverOpen,
    /// Another error.
    Error,
}

impl Problem {
    /// `paper_out`, `cover_open`, `error`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PaperOut => "paper_out",
            Self::CoverOpen => "cover_open",
            Self::Error => "error",
        }
    }
}

/// Whether `b` can be a `DLE EOT` answer (its fixed bits are right).
pub const fn is_status_byte(b: u8) -> bool {
    b & FIXED_MASK == FIXED
}

impl Condition {
    /// Whether the printer is stopped (paper out, cover open or an error).
    pub const fn offline(&self) -> bool {
        self.paper_out || self.cover_open || self.error
    }

    /// What stops the printer, the most actionable first (cover before paper: an open
    /// cover also reads as no paper on many printers).
    pub const fn problem(&self) -> Option<Problem> {
        if self.cover_open {
            Some(Problem::CoverOpen)
        } else if self.paper_out {
            Some(Problem::PaperOut)
        } else if self.error {
            Some(Problem::Error)
        } else {
            None
        }
    }

    /// The byte an Epson-compatible printer in this condition answers to `DLE EOT n`
    /// (`None` for n outside 1..=4: real printers ignore those).
    pub const fn answer(&self, n: u8) -> Option<u8> {
        const fn bit(on: bool, b: u8) -> u8 {
            if on {
                b
            } else {
                0
            }
        }
        let byte = match n {
            1 => bit(self.offline(), 0x08),
            2 => bit(self.cover_open, 0x04) | bit(self.paper_out, 0x20) | bit(self.error, 0x40),
            3 => bit(self.error, 0x20),
            4 => bit(self.paper_near_end, 0x0c) | bit(self.paper_out, 0x60),
            _ => return None,
        };
        Some(FIXED | byte)
    }

    /// Reads the answers to [`STATUS_QUERY`] (offline cause, then paper sensor); `None`
    /// when either is not a status byte.
    pub const fn from_answers(offline_cause: u8, paper: u8) -> Option<Self> {
        if !is_status_byte(offline_cause) || !is_status_byte(paper) {
            return None;
        }
        Some(Self {
            paper_out: offline_cause & 0x20 != 0 || paper & 0x60 != 0,
            cover_open: offline_cause & 0x04 != 0,
            paper_near_end: paper & 0x0c != 0,
            error: offline_cause & 0x40 != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_of_a_ready_printer_have_only_the_fixed_bits() {
        let ready = Condition::default();
        assert_eq!(
            [1, 2, 3, 4].map(|n| ready.answer(n)),
            [Some(0x12); 4],
            "Epson: 0x12 = nothing to report"
        );
        assert_eq!(ready.answer(5), None);
        assert_eq!(Condition::from_answers(0x12, 0x12), Some(ready));
    }

    #[test]
    fn each_condition_reads_back_from_its_answers() {
        for c in [
            Condition {
                paper_out: true,
                ..Condition::default()
            },
            Condition {
                cover_open: true,
                ..Condition::default()
            },
            Condition {
                paper_near_end: true,
                ..Condition::default()
            },
            Condition {
                error: true,
                ..Condition::default()
            },
        ] {
            let (a, b) = (c.answer(2).unwrap(), c.answer(4).unwrap());
            assert_eq!(Condition::from_answers(a, b), Some(c), "{a:#04x} {b:#04x}");
            assert_eq!(c.answer(1).unwrap() & 0x08 != 0, c.offline());
        }
        // Paper out: offline cause bit 5 (0x32) and paper sensor bits 5, 6 (0x72).
        let out = Condition {
            paper_out: true,
            ..Condition::default()
        };
        assert_eq!((out.answer(2), out.answer(4)), (Some(0x32), Some(0x72)));
        assert_eq!(out.problem(), Some(Problem::PaperOut));
    }

    #[test]
    fn bytes_without_the_fixed_bits_are_not_answers() {
        assert_eq!(Condition::from_answers(0x00, 0x12), None);
        assert_eq!(Condition::from_answers(0x12, 0xff), None);
        assert_eq!(Condition::from_answers(b'A', b'B'), None);
    }
}
