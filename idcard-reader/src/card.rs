//! What a read reply holds: the card's text fields (and a photo we do not decode).
//!
//! Read reply data:
//! ```text
//! text_len u16 BE (256) | photo_len u16 BE (1024) | text | photo (vendor-compressed)
//! ```
//! Text fields are UTF-16LE, space padded; the byte offsets and lengths are in [`layout`].
//! Card types other than the resident card (`J` HK/Macao/Taiwan residence permit, `I`/`Y`
//! foreigner permanent residence card) are decoded with the same offsets and flagged by
//! [`IdCard::card_type`]; the foreigner card's real layout differs (English name first), so
//! its fields should not be trusted as named.

use std::fmt;

pub mod layout;
pub mod nation;

use crate::id_number::{mask_id_number, mask_name};

/// A card's text, as read. Strings have their padding removed.
///
/// `Debug` masks the name and the ID number and hides birth date, address and issuing
/// authority (each would give back the masked digits), so an `IdCard` can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct IdCard {
    /// Name (姓名).
    pub name: String,
    /// Sex (性别).
    pub sex: Sex,
    /// Nation code (民族), GB 3304, e.g. `01` = 汉.
    pub nation: String,
    /// Birth date `YYYYMMDD` (出生).
    pub birth: String,
    /// Address (住址).
    pub address: String,
    /// ID number (公民身份号码), 18 characters on resident cards.
    pub id_number: String,
    /// Issuing authority (签发机关).
    pub authority: String,
    /// Valid from `YYYYMMDD`.
    pub valid_from: String,
    /// Valid to `YYYYMMDD`, or `长期` (no expiry).
    pub valid_to: String,
    /// Which kind of card (text byte 248).
    pub card_type: CardType,
}

/// Sex code of the text block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// Any other character (`0` unknown, `9` unspecified).
    Other(char),
}

/// Kind of card, from text byte 248.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardType {
    /// Resident identity card (space or NUL at byte 248).
    Resident,
    /// `J`: residence permit for HK, Macao and Taiwan residents.
    HkMacaoTaiwan,
    /// `I`: foreigner's permanent residence card (2017 layout).
    Foreigner,
    /// Any other byte (e.g. `Y`, the 2023 foreigner card).
    Other(u8),
}

impl CardType {
    /// The type for byte 248 of the text block.
    #[must_use]
    pub const fn from_byte(b: u8) -> Self {
        match b {
            b' ' | 0 => Self::Resident,
            b'J' => Self::HkMacaoTaiwan,
            b'I' => Self::Foreigner,
            other => Self::Other(other),
        }
    }

    /// Byte 248 for this type.
    #[must_use]
    pub const fn to_byte(self) -> u8 {
        match self {
            Self::Resident => b' ',
            Self::HkMacaoTaiwan => b'J',
            Self::Foreigner => b'I',
            Self::Other(b) => b,
        }
    }
}

/// Read reply data that does not hold a card. Messages never contain card data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// Fewer bytes than the length header (or the header itself) needs.
    #[error("读卡数据不完整 / read data truncated: need {needed} bytes, got {got}")]
    Truncated {
        /// Bytes the header promises.
        needed: usize,
        /// Bytes received.
        got: usize,
    },
    /// The text block is too short to hold the fields.
    #[error("文字信息过短 / text block of {len} bytes, need at least {min}", min = layout::FIELDS_END)]
    TextTooShort {
        /// `text_len` received.
        len: usize,
    },
}

/// Shown instead of a hidden field.
struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<hidden>")
    }
}

impl fmt::Debug for IdCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdCard")
            .field("name", &mask_name(&self.name))
            .field("sex", &self.sex)
            .field("nation", &self.nation)
            .field("birth", &Hidden)
            .field("address", &Hidden)
            .field("id_number", &mask_id_number(&self.id_number))
            .field("authority", &Hidden)
            .field("valid_from", &self.valid_from)
            .field("valid_to", &self.valid_to)
            .field("card_type", &self.card_type)
            .finish()
    }
}

#[cfg(test)]
mod tests;
