//! What a board shows, independent of its protocol: one line of text with an entry effect
//! and a colour, turned into the frame a BX controller or an Alpha sign understands; and
//! [`describe_all`], which turns captured bytes back into JSON descriptions.
//!
//! ```
//! use led_protocol::show::{BoardSpec, Colour, Content, Effect, Protocol};
//!
//! let board = BoardSpec::new(Protocol::Bx, 1);
//! let frame = board.frame(&Content::new("请A001号", Effect::Static, Colour::Red))?;
//! let shown = led_protocol::show::describe_all(Protocol::Bx, &frame)?;
//! assert_eq!(shown[0]["command"]["areas"][0]["text"], "\\C1请A001号");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use crate::{alpha, bx};

mod describe;
pub use describe::{describe_all, shown_text, DescribeError, Describer};

/// The wire protocol of a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// Onbon BX-5 / BX-6 ([`crate::bx`]).
    Bx,
    /// Alpha Sign Communications Protocol ([`crate::alpha`]).
    Alpha,
}

impl Protocol {
    /// `"bx"` or `"alpha"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Bx => "bx",
            Self::Alpha => "alpha",
        }
    }
}

impl std::str::FromStr for Protocol {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "bx" => Ok(Self::Bx),
            "alpha" => Ok(Self::Alpha),
            _ => Err(format!("unknown protocol {s:?} (bx or alpha)")),
        }
    }
}

/// How the text enters the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// Shown at once (BX `01`, Alpha hold `b`).
    Static,
    /// Typed on (BX `02`, Alpha wipe right `l`).
    TypeOn,
    /// Moves in to the left, the ticker (BX `03`, Alpha rotate `a`).
    Left,
    /// Moves right (BX `04`, Alpha roll right `h`).
    Right,
    /// Moves up (BX `05`, Alpha roll up `e`).
    Up,
    /// Moves down (BX `06`, Alpha roll down `f`).
    Down,
}

impl Effect {
    /// Every effect with its name, as used in config files and on the command line.
    pub const ALL: [(Self, &'static str); 6] = [
        (Self::Static, "static"),
        (Self::TypeOn, "type-on"),
        (Self::Left, "left"),
        (Self::Right, "right"),
        (Self::Up, "up"),
        (Self::Down, "down"),
    ];

    /// The effect named `name` (`static`, `type-on`, `left`, `right`, `up`, `down`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(e, _)| *e)
    }

    const fn bx(self) -> bx::DisplayMode {
        match self {
            Self::Static => bx::DisplayMode::Static,
            Self::TypeOn => bx::DisplayMode::TypeOn,
            Self::Left => bx::DisplayMode::MoveLeft,
            Self::Right => bx::DisplayMode::MoveRight,
            Self::Up => bx::DisplayMode::MoveUp,
            Self::Down => bx::DisplayMode::MoveDown,
        }
    }

    const fn alpha(self) -> alpha::Mode {
        match self {
            Self::Static => alpha::Mode::Hold,
            Self::TypeOn => alpha::Mode::WipeRight,
            Self::Left => alpha::Mode::Rotate,
            Self::Right => alpha::Mode::RollRight,
            Self::Up => alpha::Mode::RollUp,
            Self::Down => alpha::Mode::RollDown,
        }
    }
}

/// Text colour (the three every single/dual-colour board has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// BX `\C1`, Alpha `'1'`.
    Red,
    /// BX `\C2`, Alpha `'2'`.
    Green,
    /// BX `\C3`, Alpha `'8'`.
    Yellow,
}

impl Colour {
    /// The colour named `red`, `green` or `yellow`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "red" => Some(Self::Red),
            "green" => Some(Self::Green),
            "yellow" => Some(Self::Yellow),
            _ => None,
        }
    }

    const fn bx(self) -> bx::TextColour {
        match self {
            Self::Red => bx::TextColour::Red,
            Self::Green => bx::TextColour::Green,
            Self::Yellow => bx::TextColour::Yellow,
        }
    }

    const fn alpha(self) -> alpha::Colour {
        match self {
            Self::Red => alpha::Colour::Red,
            Self::Green => alpha::Colour::Green,
            Self::Yellow => alpha::Colour::Yellow,
        }
    }
}

/// What to show: text, effect, colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Content {
    /// The text (GB2312 for BX; ASCII for Alpha).
    pub text: String,
    /// Entry effect.
    pub effect: Effect,
    /// Colour of the whole text; `None` sends no colour code (the board's default).
    pub colour: Option<Colour>,
}

impl Content {
    /// Text with an effect and a colour.
    #[must_use]
    pub fn new(text: impl Into<String>, effect: Effect, colour: Colour) -> Self {
        Self {
            text: text.into(),
            effect,
            colour: Some(colour),
        }
    }
}

/// Where and how a board is addressed and laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardSpec {
    /// Wire protocol.
    pub protocol: Protocol,
    /// Screen address (BX u16; Alpha uses the low byte as two hex digits, `0` = broadcast).
    pub address: u16,
    /// BX area in pixels: x, y, width, height.
    pub area: (u16, u16, u16, u16),
    /// BX: how x and width go on the wire.
    pub unit: bx::HorizontalUnit,
    /// BX dynamic area id.
    pub area_id: u8,
    /// BX: hold time in 0.5 s units.
    pub hold_time: u8,
    /// BX: effect speed (0 fastest).
    pub speed: u8,
    /// Alpha file label (`'0'` = priority file).
    pub label: u8,
    /// Alpha display position.
    pub position: alpha::Position,
    /// Alpha: a native mode instead of the one derived from [`Content::effect`].
    pub alpha_mode: Option<alpha::Mode>,
}

/// Why content could not become a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShowError {
    /// BX encoding failed (e.g. a character without GB2312 code).
    #[error(transparent)]
    Bx(#[from] bx::EncodeError),
    /// Alpha encoding failed (e.g. non-ASCII text).
    #[error(transparent)]
    Alpha(#[from] alpha::EncodeError),
    /// Alpha addresses are one byte.
    #[error("alpha address {0} is above 255")]
    AlphaAddress(u16),
}

impl BoardSpec {
    /// A 64×16 board at `address`: 8-pixel columns, area 0, Alpha priority file, middle line.
    #[must_use]
    pub const fn new(protocol: Protocol, address: u16) -> Self {
        Self {
            protocol,
            address,
            area: (0, 0, 64, 16),
            unit: bx::HorizontalUnit::Columns8,
            area_id: 0,
            hold_time: 10,
            speed: 0,
            label: b'0',
            position: alpha::Position::MIDDLE_LINE,
            alpha_mode: None,
        }
    }

    /// The frame that makes the board show `content`.
    ///
    /// # Errors
    /// [`ShowError`] when the text or a field cannot be sent in this protocol.
    pub fn frame(&self, content: &Content) -> Result<Vec<u8>, ShowError> {
        match self.protocol {
            Protocol::Bx => Ok(bx::Frame::new(
                bx::Header::to_screen(self.address),
                bx::Command::DynamicArea(bx::DynamicArea::single(self.bx_area(content))),
            )
            .to_bytes()?),
            Protocol::Alpha => {
                let address = u8::try_from(self.address)
                    .map_err(|_| ShowError::AlphaAddress(self.address))?;
                let text = alpha::WriteText {
                    label: self.label,
                    display: Some(alpha::Display {
                        position: self.position,
                        mode: self.alpha_mode.unwrap_or(content.effect.alpha()),
                    }),
                    segments: vec![alpha::Segment {
                        colour: content.colour.map(Colour::alpha),
                        text: content.text.clone(),
                    }],
                };
                Ok(alpha::Packet::new(
                    alpha::Address::new(address),
                    alpha::Command::WriteText(text),
                )
                .to_bytes()?)
            }
        }
    }

    fn bx_area(&self, content: &Content) -> bx::Area {
        let (x, y, w, h) = self.area;
        let geometry = bx::Geometry::from_pixels(x, y, w, h, self.unit);
        let code = content.colour.map_or("", |c| c.bx().code());
        let text = format!("{code}{}", content.text);
        let mut area = bx::Area::new(self.area_id, geometry, text);
        area.display_mode = content.effect.bx();
        area.hold_time = self.hold_time;
        area.speed = self.speed;
        area
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bx_content_round_trips_through_the_decoder() {
        let mut board = BoardSpec::new(Protocol::Bx, 3);
        board.area = (0, 0, 128, 32);
        let frame = board
            .frame(&Content::new(
                "请A001号到3号窗口",
                Effect::Left,
                Colour::Green,
            ))
            .unwrap();
        let f = bx::Frame::from_bytes(&frame).unwrap();
        assert_eq!(f.header.dst, 3);
        let bx::Command::DynamicArea(d) = f.command else {
            panic!("not a dynamic area")
        };
        assert_eq!(d.areas[0].text, "\\C2请A001号到3号窗口");
        assert_eq!(d.areas[0].display_mode, bx::DisplayMode::MoveLeft);
        assert_eq!(d.areas[0].geometry.width, 16);
        let described = describe_all(Protocol::Bx, &frame).unwrap();
        assert_eq!(shown_text(&described[0]).unwrap(), "请A001号到3号窗口");
    }

    #[test]
    fn alpha_content_and_its_errors() {
        let board = BoardSpec::new(Protocol::Alpha, 0x12);
        let frame = board
            .frame(&Content::new("A001 -> 3", Effect::Static, Colour::Yellow))
            .unwrap();
        let p = alpha::Packet::from_bytes(&frame).unwrap();
        assert_eq!(p.address, alpha::Address::new(0x12));
        let described = describe_all(Protocol::Alpha, &frame).unwrap();
        assert_eq!(shown_text(&described[0]).unwrap(), "A001 -> 3");
        assert!(matches!(
            board.frame(&Content::new("请", Effect::Static, Colour::Red)),
            Err(ShowError::Alpha(_))
        ));
        assert_eq!(
            BoardSpec::new(Protocol::Alpha, 300).frame(&Content::new(
                "x",
                Effect::Static,
                Colour::Red
            )),
            Err(ShowError::AlphaAddress(300))
        );
    }

    #[test]
    fn describe_all_reports_incomplete_and_empty_input() {
        let frame = BoardSpec::new(Protocol::Bx, 1)
            .frame(&Content::new("x", Effect::Static, Colour::Red))
            .unwrap();
        let mut two = frame.clone();
        two.extend_from_slice(&frame);
        assert_eq!(describe_all(Protocol::Bx, &two).unwrap().len(), 2);
        assert_eq!(
            describe_all(Protocol::Bx, &frame[..frame.len() - 1]),
            Err(DescribeError::Incomplete {
                count: frame.len() - 1
            })
        );
        assert_eq!(
            describe_all(Protocol::Bx, b"hello"),
            Err(DescribeError::NoFrame { count: 5 })
        );
        let mut bad = frame;
        let n = bad.len();
        bad[n - 2] ^= 0x01; // corrupt the CRC's high byte
        assert!(matches!(
            describe_all(Protocol::Bx, &bad),
            Err(DescribeError::Bx { index: 0, .. })
        ));
    }
}
