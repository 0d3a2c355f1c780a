//! `A3 06`: send dynamic areas, the command that puts a call on a board.
//!
//! ```text
//! A3 06 resp process_mode 00
//! n_delete [id…]            n_delete = FF: delete all areas, no ids follow
//! n_areas                   one byte
//! per area: len u16, then
//!   00 x u16 y u16 width u16 height u16
//!   id line_space run_mode timeout u16
//!   sound_mode [voice volume speed [len u32 sound_text]]
//!   00 (extension length) align single_line auto_newline
//!   display_mode exit_mode speed hold_time
//!   len u32 text (GB2312)
//! ```

use serde::Serialize;

use super::geometry::Geometry;
use super::reader::{response_flag, Reader};
use super::sound::Sound;
use super::text::{decode_gb2312, encode_gb2312, put_u32_len};
use super::{DecodeError, EncodeError};

/// Delete-count value meaning "delete every area" (no ids follow).
const DELETE_ALL: u8 = 0xFF;

/// `A3 06` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DynamicArea {
    /// Whether the controller must answer.
    pub response_wanted: bool,
    /// `00`: update the areas in place; `01`: clear and re-initialise them first. (The vendor
    /// document's example sends `2D`; any byte is carried.)
    pub process_mode: u8,
    /// Areas to delete before showing these.
    pub delete: DeleteAreas,
    /// Areas to show (at most 255).
    pub areas: Vec<Area>,
}

impl DynamicArea {
    /// One area, nothing deleted, process mode 0, response wanted.
    #[must_use]
    pub fn single(area: Area) -> Self {
        Self {
            response_wanted: true,
            process_mode: 0,
            delete: DeleteAreas::default(),
            areas: vec![area],
        }
    }
}

/// Which areas a dynamic-area command deletes first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeleteAreas {
    /// These area ids (empty: delete nothing). At most 254.
    Ids(Vec<u8>),
    /// Every area (count byte `FF`, as sent by one Python peer).
    All,
}

impl Default for DeleteAreas {
    fn default() -> Self {
        Self::Ids(Vec::new())
    }
}

/// One dynamic area: where it is, how it behaves and what it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    /// Area id; dynamic areas are numbered from 0.
    pub id: u8,
    /// Position and size as sent.
    pub geometry: Geometry,
    /// Pixels between lines.
    pub line_space: u8,
    /// 0 loop; 1 stop on the last page; 2 loop, blank after `timeout` without update;
    /// 3 loop, show the last page as logo after timeout; 4 show once; 5 show `timeout` times.
    pub run_mode: u8,
    /// Seconds (or, with run mode 5, repetitions).
    pub timeout: u16,
    /// Speech output on controllers with a voice module.
    pub sound: Sound,
    /// Text alignment (0 = top left).
    pub align: u8,
    /// 1 single line, 2 several lines.
    pub single_line: u8,
    /// 1 break lines only at newline characters, 2 break automatically.
    pub auto_newline: u8,
    /// How the text enters.
    pub display_mode: DisplayMode,
    /// How the text leaves (0 default).
    pub exit_mode: u8,
    /// Effect speed (0 fastest).
    pub speed: u8,
    /// Hold time of the effect, in 0.5 s units.
    pub hold_time: u8,
    /// The text, sent as GB2312 (GBK) bytes. Inline colour: [`TextColour::code`](super::TextColour::code).
    pub text: String,
}

impl Area {
    /// A static area with the settings used for call text in the test vectors:
    /// timeout 5 s, single line, no automatic line break, hold time 5 s.
    #[must_use]
    pub fn new(id: u8, geometry: Geometry, text: impl Into<String>) -> Self {
        Self {
            id,
            geometry,
            line_space: 0,
            run_mode: 0,
            timeout: 5,
            sound: Sound::Off,
            align: 0,
            single_line: 1,
            auto_newline: 1,
            display_mode: DisplayMode::Static,
            exit_mode: 0,
            speed: 0,
            hold_time: 10,
            text: text.into(),
        }
    }
}

/// How the text enters the area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum DisplayMode {
    /// `01`: shown at once.
    Static = 1,
    /// `02`: typed on quickly.
    TypeOn = 2,
    /// `03`: moves in to the left (the scrolling ticker).
    MoveLeft = 3,
    /// `04`: moves right.
    MoveRight = 4,
    /// `05`: moves up.
    MoveUp = 5,
    /// `06`: moves down.
    MoveDown = 6,
}

impl TryFrom<u8> for DisplayMode {
    type Error = DecodeError;

    fn try_from(v: u8) -> Result<Self, DecodeError> {
        Ok(match v {
            1 => Self::Static,
            2 => Self::TypeOn,
            3 => Self::MoveLeft,
            4 => Self::MoveRight,
            5 => Self::MoveUp,
            6 => Self::MoveDown,
            _ => {
                return Err(DecodeError::InvalidValue {
                    field: "display mode",
                    value: v.into(),
                })
            }
        })
    }
}

impl DynamicArea {
    pub(crate) fn encode_fields(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[self.response_wanted.into(), self.process_mode, 0]);
        match &self.delete {
            DeleteAreas::All => out.push(DELETE_ALL),
            DeleteAreas::Ids(ids) => {
                let count = u8::try_from(ids.len())
                    .ok()
                    .filter(|&n| n != DELETE_ALL)
                    .ok_or(EncodeError::TooManyDeleteIds { count: ids.len() })?;
                out.push(count);
                out.extend_from_slice(ids);
            }
        }
        let count = u8::try_from(self.areas.len()).map_err(|_| EncodeError::TooManyAreas {
            count: self.areas.len(),
        })?;
        out.push(count);
        for (index, area) in self.areas.iter().enumerate() {
            let bytes = area.encode()?;
            let len = u16::try_from(bytes.len()).map_err(|_| EncodeError::AreaTooLong {
                index,
                len: bytes.len(),
            })?;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&bytes);
        }
        Ok(())
    }

    pub(crate) fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let response_wanted = response_flag(r)?;
        let process_mode = r.u8("process mode")?;
        r.u8("reserved")?;
        let delete = match r.u8("delete count")? {
            DELETE_ALL => DeleteAreas::All,
            n => DeleteAreas::Ids(r.bytes(n.into(), "delete ids")?.to_vec()),
        };
        let count = r.u8("area count")?;
        let mut areas = Vec::with_capacity(count.into());
        for index in 0..usize::from(count) {
            let declared = usize::from(r.u16("area length")?);
            let bytes = r.bytes(declared, "area")?;
            areas.push(Area::decode(bytes, index)?);
        }
        r.finish("dynamic area")?;
        Ok(Self {
            response_wanted,
            process_mode,
            delete,
            areas,
        })
    }
}

impl Area {
    fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let text = encode_gb2312(&self.text, "text")?;
        let g = self.geometry;
        let mut out = Vec::with_capacity(32 + text.len());
        out.push(0x00); // area type: dynamic
        for v in [g.x, g.y, g.width, g.height] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&[self.id, self.line_space, self.run_mode]);
        out.extend_from_slice(&self.timeout.to_le_bytes());
        self.sound.encode(&mut out)?;
        out.extend_from_slice(&[
            0x00, // extension length: no type-setting byte follows
            self.align,
            self.single_line,
            self.auto_newline,
            self.display_mode as u8,
            self.exit_mode,
            self.speed,
            self.hold_time,
        ]);
        put_u32_len(&mut out, &text);
        Ok(out)
    }

    fn decode(bytes: &[u8], index: usize) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let area_type = r.u8("area type")?;
        if area_type != 0 {
            return Err(DecodeError::InvalidValue {
                field: "area type",
                value: area_type.into(),
            });
        }
        let geometry = Geometry {
            x: r.u16("area x")?,
            y: r.u16("area y")?,
            width: r.u16("area width")?,
            height: r.u16("area height")?,
        };
        let id = r.u8("area id")?;
        let line_space = r.u8("line space")?;
        let run_mode = r.u8("run mode")?;
        let timeout = r.u16("timeout")?;
        let sound = Sound::decode(&mut r)?;
        let ext = r.u8("extension length")?;
        if ext != 0 {
            return Err(DecodeError::UnsupportedExtension { index, len: ext });
        }
        let align = r.u8("alignment")?;
        let single_line = r.u8("single line")?;
        let auto_newline = r.u8("auto newline")?;
        let display_mode = DisplayMode::try_from(r.u8("display mode")?)?;
        let exit_mode = r.u8("exit mode")?;
        let speed = r.u8("speed")?;
        let hold_time = r.u8("hold time")?;
        let text = decode_gb2312(r.len_prefixed("text")?, "text")?;
        if r.remaining() != 0 {
            return Err(DecodeError::AreaLength {
                index,
                declared: bytes.len(),
                actual: r.position(),
            });
        }
        Ok(Self {
            id,
            geometry,
            line_space,
            run_mode,
            timeout,
            sound,
            align,
            single_line,
            auto_newline,
            display_mode,
            exit_mode,
            speed,
            hold_time,
            text,
        })
    }
}
