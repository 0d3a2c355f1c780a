//! Speech output of a dynamic area (controllers with a voice module).
//!
//! ```text
//! sound_mode 00 | 01 voice volume speed | 02 voice volume speed len u32 sound_text
//! voice = repeat << 4 | speaker
//! ```

use serde::Serialize;

use super::reader::Reader;
use super::text::{decode_gb2312, encode_gb2312, put_u32_len};
use super::{DecodeError, EncodeError};

/// Speech output (only on controllers with a voice module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Sound {
    /// `00`: silent.
    Off,
    /// `01`: speak the area text.
    AreaText(Voice),
    /// `02`: speak `text` instead of the area text.
    Text {
        /// Voice settings.
        voice: Voice,
        /// What to say, sent as GB2312.
        text: String,
    },
}

/// Voice settings of [`Sound`]: one byte `repeat << 4 | voice`, then volume and speed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Voice {
    /// Speaker (0..=15).
    pub voice: u8,
    /// Repetitions (0..=15).
    pub repeat: u8,
    /// Volume.
    pub volume: u8,
    /// Speaking speed.
    pub speed: u8,
}

impl Sound {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::Off => out.push(0),
            Self::AreaText(v) => {
                out.push(1);
                v.encode(out)?;
            }
            Self::Text { voice, text } => {
                out.push(2);
                voice.encode(out)?;
                put_u32_len(out, &encode_gb2312(text, "sound text")?);
            }
        }
        Ok(())
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.u8("sound mode")? {
            0 => Self::Off,
            1 => Self::AreaText(Voice::decode(r)?),
            2 => Self::Text {
                voice: Voice::decode(r)?,
                text: decode_gb2312(r.len_prefixed("sound text")?, "sound text")?,
            },
            other => {
                return Err(DecodeError::InvalidValue {
                    field: "sound mode",
                    value: other.into(),
                })
            }
        })
    }
}

impl Voice {
    fn encode(self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        for (field, value) in [("voice", self.voice), ("repeat", self.repeat)] {
            if value > 0x0F {
                return Err(EncodeError::OutOfRange {
                    field,
                    value: value.into(),
                    max: 0x0F,
                });
            }
        }
        out.extend_from_slice(&[self.repeat << 4 | self.voice, self.volume, self.speed]);
        Ok(())
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let packed = r.u8("voice")?;
        Ok(Self {
            voice: packed & 0x0F,
            repeat: packed >> 4,
            volume: r.u8("volume")?,
            speed: r.u8("sound speed")?,
        })
    }
}
