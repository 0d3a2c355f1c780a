//! `hallq led encode` and `hallq led decode`: one frame as hex (or raw bytes) for an
//! installer's serial line, and bytes back to JSON.

use super::Usage;
use led_protocol::show::{BoardSpec, Colour, Content, Effect, Protocol};
use led_protocol::{alpha, bx};
use std::io::{Read, Write};

#[derive(clap::Args)]
pub(super) struct EncodeArgs {
    /// bx or alpha.
    #[arg(long)]
    protocol: Protocol,
    /// Screen address (BX 1-65535 or 0xFFFE wildcard; Alpha 0-255, 0 = broadcast).
    #[arg(long, default_value = "1", value_parser = parse_u16)]
    address: u16,
    /// What to send: text, or (BX only) ping, clear, on, off.
    #[arg(long, default_value = "text")]
    command: String,
    /// Area left edge, pixels (BX).
    #[arg(long, default_value_t = 0)]
    x: u16,
    /// Area top edge, pixels (BX).
    #[arg(long, default_value_t = 0)]
    y: u16,
    /// Area width, pixels (BX).
    #[arg(long, default_value_t = 64)]
    width: u16,
    /// Area height, pixels (BX).
    #[arg(long, default_value_t = 16)]
    height: u16,
    /// How x/width go on the wire (BX): columns8, pixels, flagged-pixels.
    #[arg(long, default_value = "columns8")]
    unit: String,
    /// Dynamic area id (BX).
    #[arg(long, default_value_t = 0)]
    area_id: u8,
    /// static, type-on, left, right, up, down (Alpha also: hold, rotate, flash, …).
    #[arg(long, default_value = "static")]
    mode: String,
    /// red, green, yellow, or none (no colour code).
    #[arg(long, default_value = "red")]
    colour: String,
    /// Effect speed, 0 fastest (BX).
    #[arg(long, default_value_t = 0)]
    speed: u8,
    /// Hold time in 0.5 s units (BX).
    #[arg(long, default_value_t = 10)]
    hold: u8,
    /// File label (Alpha; 0 = priority file).
    #[arg(long, default_value = "0")]
    label: char,
    /// Display position byte in hex (Alpha; 20 = middle line, the one all signs agree on).
    #[arg(long, default_value = "20", value_parser = parse_hex_u8)]
    position: u8,
    /// Write the raw bytes instead of hex (to pipe into a serial device).
    #[arg(long)]
    raw: bool,
    /// The text to show.
    text: Option<String>,
}

#[derive(clap::Args)]
pub(super) struct DecodeArgs {
    /// bx or alpha.
    #[arg(long)]
    protocol: Protocol,
}

pub(super) fn parse_u16(s: &str) -> Result<u16, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u16::from_str_radix(h, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("{s:?} is not a number 0-65535 (decimal or 0x hex)"))
}

fn parse_hex_u8(s: &str) -> Result<u8, String> {
    u8::from_str_radix(s.trim_start_matches("0x"), 16)
        .map_err(|_| format!("{s:?} is not a hex byte such as 20"))
}

pub(super) fn encode(a: &EncodeArgs) -> Result<(), Usage> {
    let bytes = match (a.protocol, a.command.as_str()) {
        (_, "text") => encode_text(a)?,
        (Protocol::Bx, cmd) => {
            let plain = bx::Plain::default();
            let command = match cmd {
                "ping" => bx::Command::Ping(plain),
                "clear" => bx::Command::ClearScreen(plain),
                "on" | "off" => bx::Command::TurnOnOff(bx::TurnOnOff {
                    response_wanted: true,
                    on: cmd == "on",
                }),
                _ => {
                    return Err(format!(
                        "未知命令 / unknown --command {cmd:?}: text, ping, clear, on, off"
                    )
                    .into())
                }
            };
            bx::Frame::new(bx::Header::to_screen(a.address), command)
                .to_bytes()
                .map_err(|e| format!("无法编码 / cannot encode: {e}"))?
        }
        (Protocol::Alpha, cmd) => {
            return Err(format!(
                "alpha 只支持 --command text / alpha has only --command text (got {cmd:?})"
            )
            .into())
        }
    };
    let mut out = std::io::stdout().lock();
    let written = if a.raw {
        out.write_all(&bytes)
    } else {
        writeln!(out, "{}", hex::encode(&bytes))
    };
    written.map_err(|e| Usage(format!("stdout: {e}")))
}

fn encode_text(a: &EncodeArgs) -> Result<Vec<u8>, Usage> {
    let text = a.text.as_deref().ok_or_else(|| {
        Usage("缺少文字 / TEXT is missing (e.g. hallq led encode --protocol bx 请A001号)".into())
    })?;
    let colour = match a.colour.as_str() {
        "none" => None,
        c => Some(Colour::from_name(c).ok_or_else(|| {
            format!("未知颜色 / unknown --colour {c:?}: red, green, yellow, none")
        })?),
    };
    let mut board = BoardSpec::new(a.protocol, a.address);
    board.area = (a.x, a.y, a.width, a.height);
    board.area_id = a.area_id;
    board.speed = a.speed;
    board.position = alpha::Position(a.position);
    board.hold_time = a.hold;
    board.unit = match a.unit.as_str() {
        "columns8" => bx::HorizontalUnit::Columns8,
        "pixels" => bx::HorizontalUnit::Pixels,
        "flagged-pixels" => bx::HorizontalUnit::FlaggedPixels,
        u => {
            return Err(format!(
                "未知单位 / unknown --unit {u:?}: columns8, pixels, flagged-pixels"
            )
            .into())
        }
    };
    board.label = u8::try_from(a.label)
        .ok()
        .filter(u8::is_ascii_graphic)
        .ok_or_else(|| {
            format!(
                "--label {:?} must be one printable ASCII character",
                a.label
            )
        })?;
    let effect = match (Effect::from_name(&a.mode), a.protocol) {
        (Some(e), _) => e,
        (None, Protocol::Alpha) => {
            board.alpha_mode = Some(alpha_mode(&a.mode).ok_or_else(|| bad_mode(&a.mode))?);
            Effect::Static
        }
        (None, Protocol::Bx) => return Err(bad_mode(&a.mode)),
    };
    let content = Content {
        text: text.to_string(),
        effect,
        colour,
    };
    board
        .frame(&content)
        .map_err(|e| Usage(format!("无法编码 / cannot encode: {e}")))
}

fn bad_mode(mode: &str) -> Usage {
    Usage(format!(
        "未知模式 / unknown --mode {mode:?}: static, type-on, left, right, up, down \
         (alpha also its own modes: hold, rotate, flash, roll_up, …)"
    ))
}

/// An Alpha mode by its snake_case name (`hold`, `rotate`, `roll_up`, …).
fn alpha_mode(name: &str) -> Option<alpha::Mode> {
    (b'a'..=b'z').filter_map(alpha::Mode::from_byte).find(|m| {
        serde_json::to_value(m)
            .ok()
            .as_ref()
            .and_then(|v| v.as_str())
            == Some(name)
    })
}

/// Decodes stdin as it arrives: each frame is printed (pretty JSON, one value per frame)
/// as soon as its last byte is read, so a live line (`cat DEV | hallq led decode`) shows
/// every frame at once. Exit 2 at the end when anything was bad.
pub(super) fn decode(a: &DecodeArgs) -> Result<(), Usage> {
    let mut stdin = std::io::stdin().lock();
    let mut input = Input::Unknown;
    let mut describer = led_protocol::show::Describer::new(a.protocol);
    let mut failed: Option<String> = None;
    let mut buf = [0u8; 4096];
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Usage(format!("stdin: {e}"))),
        };
        let bytes = input.bytes(&buf[..n])?;
        for described in describer.push(&bytes) {
            match described {
                Ok(json) => {
                    let text =
                        serde_json::to_string_pretty(&json).map_err(|e| Usage(e.to_string()))?;
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{text}")
                        .and_then(|()| out.flush())
                        .map_err(|e| Usage(format!("stdout: {e}")))?;
                }
                Err(e) => {
                    eprintln!("hallq led: 帧无效 / bad frame: {e}");
                    failed.get_or_insert_with(|| format!("帧无效 / bad frame: {e}"));
                }
            }
        }
    }
    input.finish()?;
    describer
        .finish()
        .map_err(|e| Usage(format!("帧无效 / bad frame: {e}")))?;
    failed.map_or(Ok(()), |f| Err(Usage(f)))
}

/// How stdin is read: decided by its first byte that is not whitespace. Printable ASCII is
/// hex (every frame of both protocols has non-printable bytes); anything else is raw bytes.
enum Input {
    Unknown,
    Raw,
    /// Hex digits, with the high nibble of a byte whose low one has not arrived.
    Hex {
        digits: usize,
        pending: Option<u8>,
    },
}

impl Input {
    fn bytes(&mut self, chunk: &[u8]) -> Result<Vec<u8>, Usage> {
        if let Self::Unknown = self {
            match chunk.iter().find(|b| !b.is_ascii_whitespace()) {
                None => return Ok(Vec::new()),
                Some(b) if b.is_ascii_graphic() => {
                    *self = Self::Hex {
                        digits: 0,
                        pending: None,
                    }
                }
                Some(_) => *self = Self::Raw,
            }
        }
        match self {
            Self::Unknown => Ok(Vec::new()),
            Self::Raw => Ok(chunk.to_vec()),
            Self::Hex { digits, pending } => {
                let mut out = Vec::with_capacity(chunk.len() / 2);
                for &b in chunk.iter().filter(|b| !b.is_ascii_whitespace()) {
                    let nibble = (b as char).to_digit(16).ok_or_else(|| {
                        Usage(format!(
                            "十六进制无效 / bad hex: {:?} after {digits} digits",
                            b as char
                        ))
                    })? as u8;
                    *digits += 1;
                    match pending.take() {
                        Some(high) => out.push(high << 4 | nibble),
                        None => *pending = Some(nibble),
                    }
                }
                Ok(out)
            }
        }
    }

    fn finish(&self) -> Result<(), Usage> {
        match self {
            Self::Unknown => Err(Usage("标准输入为空 / stdin is empty".into())),
            Self::Hex {
                digits,
                pending: Some(_),
            } => Err(Usage(format!(
                "十六进制无效 / bad hex: an odd number of digits ({digits})"
            ))),
            _ => Ok(()),
        }
    }
}
