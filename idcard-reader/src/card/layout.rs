//! Byte layout of the text block, and read reply data ↔ [`IdCard`].
//!
//! | field | offset | length |
//! |---|---|---|
//! | name | 0 | 30 |
//! | sex | 30 | 2 |
//! | nation | 32 | 4 |
//! | birth | 36 | 16 |
//! | address | 52 | 70 |
//! | ID number | 122 | 36 |
//! | authority | 158 | 30 |
//! | valid from | 188 | 16 |
//! | valid to | 204 | 16 |
//! | card type | 248 | 1 |

use super::{CardError, CardType, IdCard, Sex};

/// A field's byte offset and length in the text block.
type Field = (usize, usize);

/// Name (姓名).
pub const NAME: Field = (0, 30);
/// Sex (性别).
pub const SEX: Field = (30, 2);
/// Nation (民族).
pub const NATION: Field = (32, 4);
/// Birth date (出生).
pub const BIRTH: Field = (36, 16);
/// Address (住址).
pub const ADDRESS: Field = (52, 70);
/// ID number (公民身份号码).
pub const ID_NUMBER: Field = (122, 36);
/// Issuing authority (签发机关).
pub const AUTHORITY: Field = (158, 30);
/// Valid from.
pub const VALID_FROM: Field = (188, 16);
/// Valid to.
pub const VALID_TO: Field = (204, 16);
/// Card type byte.
pub const CARD_TYPE: usize = 248;
/// End of the last text field: shorter text blocks are rejected.
pub const FIELDS_END: usize = 220;
/// Text block length real readers send.
pub const TEXT_LEN: usize = 256;
/// Photo length real readers send.
pub const PHOTO_LEN: usize = 1024;

/// One field, UTF-16LE, padding (spaces, NULs) removed. Invalid UTF-16 becomes U+FFFD.
fn field(text: &[u8], (at, len): Field) -> String {
    let units: Vec<u16> = text[at..at + len]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
        .trim_end_matches([' ', '\0'])
        .to_owned()
}

/// Writes `value` into its field: UTF-16LE, cut at the field's length, space padded.
fn put(text: &mut [u8], (at, len): Field, value: &str) {
    let slot = &mut text[at..at + len];
    let units = value
        .encode_utf16()
        .chain(std::iter::repeat(u16::from(b' ')));
    for (chunk, unit) in slot.chunks_exact_mut(2).zip(units) {
        chunk.copy_from_slice(&unit.to_le_bytes());
    }
}

impl Sex {
    fn from_field(s: &str) -> Self {
        match s.chars().next().unwrap_or(' ') {
            '1' => Self::Male,
            '2' => Self::Female,
            other => Self::Other(other),
        }
    }

    const fn to_char(self) -> char {
        match self {
            Self::Male => '1',
            Self::Female => '2',
            Self::Other(c) => c,
        }
    }
}

impl IdCard {
    /// Decodes the data of a read reply (`30 01` answered `90`).
    ///
    /// # Errors
    /// [`CardError`] if the data is shorter than its header says or the text block cannot
    /// hold the fields.
    pub fn from_read_data(data: &[u8]) -> Result<Self, CardError> {
        let header = |needed| CardError::Truncated {
            needed,
            got: data.len(),
        };
        let [a, b, c, d] = *data.first_chunk::<4>().ok_or_else(|| header(4))?;
        let text_len = usize::from(u16::from_be_bytes([a, b]));
        let photo_len = usize::from(u16::from_be_bytes([c, d]));
        let needed = 4 + text_len + photo_len;
        if data.len() < needed {
            return Err(header(needed));
        }
        Self::from_text(&data[4..4 + text_len])
    }

    /// Decodes a text block (at least [`FIELDS_END`] bytes; byte 248 is read when present).
    ///
    /// # Errors
    /// [`CardError::TextTooShort`].
    pub fn from_text(text: &[u8]) -> Result<Self, CardError> {
        if text.len() < FIELDS_END {
            return Err(CardError::TextTooShort { len: text.len() });
        }
        Ok(Self {
            name: field(text, NAME),
            sex: Sex::from_field(&field(text, SEX)),
            nation: field(text, NATION),
            birth: field(text, BIRTH),
            address: field(text, ADDRESS),
            id_number: field(text, ID_NUMBER),
            authority: field(text, AUTHORITY),
            valid_from: field(text, VALID_FROM),
            valid_to: field(text, VALID_TO),
            card_type: text
                .get(CARD_TYPE)
                .map_or(CardType::Resident, |&b| CardType::from_byte(b)),
        })
    }

    /// The [`TEXT_LEN`]-byte text block a reader would send for this card. Fields longer
    /// than their slot are cut.
    #[must_use]
    pub fn to_text(&self) -> Vec<u8> {
        let mut text = [0x20, 0x00].repeat(TEXT_LEN / 2);
        put(&mut text, NAME, &self.name);
        put(&mut text, SEX, &self.sex.to_char().to_string());
        put(&mut text, NATION, &self.nation);
        put(&mut text, BIRTH, &self.birth);
        put(&mut text, ADDRESS, &self.address);
        put(&mut text, ID_NUMBER, &self.id_number);
        put(&mut text, AUTHORITY, &self.authority);
        put(&mut text, VALID_FROM, &self.valid_from);
        put(&mut text, VALID_TO, &self.valid_to);
        text[CARD_TYPE] = self.card_type.to_byte();
        text
    }

    /// Read reply data for this card: lengths, [`IdCard::to_text`], then `photo`.
    ///
    /// # Panics
    /// If `photo` is longer than `u16::MAX` bytes.
    #[must_use]
    pub fn to_read_data(&self, photo: &[u8]) -> Vec<u8> {
        let text = self.to_text();
        let photo_len = u16::try_from(photo.len()).expect("photo longer than u16::MAX");
        let mut data = Vec::with_capacity(4 + text.len() + photo.len());
        data.extend_from_slice(&(TEXT_LEN as u16).to_be_bytes());
        data.extend_from_slice(&photo_len.to_be_bytes());
        data.extend_from_slice(&text);
        data.extend_from_slice(photo);
        data
    }
}
