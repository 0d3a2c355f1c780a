//! The data field of a BX frame: which command it is and its fields.
//!
//! ```text
//! requests:  group code resp_wanted r0 r1 [fields…]     (A3 06 uses r0 as process mode)
//! replies:   A0    00|01 error      r0 r1
//! ```
//! Reserved bytes are sent as `00` and ignored when decoding.

use serde::Serialize;

use super::dynamic_area::DynamicArea;
use super::reader::{response_flag, Reader};
use super::reply::Reply;
use super::{DecodeError, EncodeError};

/// Command group of host requests that change what a controller shows.
pub const GROUP_CONTROL: u8 = 0xA3;
/// Command group of the ping request.
pub const GROUP_PING: u8 = 0xA2;
/// Command group of controller replies.
pub const GROUP_REPLY: u8 = 0xA0;

/// What a frame's data field carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// `A2 00`: is the controller there? It answers with an ACK.
    Ping(Plain),
    /// `A3 10`: blank the screen.
    ClearScreen(Plain),
    /// `A3 00`: switch the screen on or off (one more byte: `01` on, `02` off).
    TurnOnOff(TurnOnOff),
    /// `A3 06`: send dynamic areas (the call text).
    DynamicArea(DynamicArea),
    /// `A0 00`: the controller accepted the previous command.
    Ack(Reply),
    /// `A0 01`: the controller refused the previous command.
    Nack(Reply),
    /// Any other group/code, kept as raw payload. Brightness (`A3 02`) travels this way: no
    /// peer we could check defines its fields.
    Other(RawCommand),
}

/// A request whose data is only group, code, response flag and two reserved bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Plain {
    /// Whether the controller must answer (`01`; every known sender sets it).
    pub response_wanted: bool,
}

impl Default for Plain {
    fn default() -> Self {
        Self {
            response_wanted: true,
        }
    }
}

/// `A3 00`: screen on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TurnOnOff {
    /// Whether the controller must answer.
    pub response_wanted: bool,
    /// `true` sends `01` (on), `false` sends `02` (off).
    pub on: bool,
}

/// A command this crate does not model: group, code and everything after them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawCommand {
    /// Command group.
    pub group: u8,
    /// Command code within the group.
    pub code: u8,
    /// The data bytes after group and code (for requests: response flag, two reserved
    /// bytes, then the command's fields).
    #[serde(serialize_with = "crate::hexfmt::serialize")]
    pub payload: Vec<u8>,
}

impl Command {
    /// `(group, code)` of this command.
    #[must_use]
    pub const fn group_code(&self) -> (u8, u8) {
        match self {
            Self::Ping(_) => (GROUP_PING, 0x00),
            Self::ClearScreen(_) => (GROUP_CONTROL, 0x10),
            Self::TurnOnOff(_) => (GROUP_CONTROL, 0x00),
            Self::DynamicArea(_) => (GROUP_CONTROL, 0x06),
            Self::Ack(_) => (GROUP_REPLY, 0x00),
            Self::Nack(_) => (GROUP_REPLY, 0x01),
            Self::Other(raw) => (raw.group, raw.code),
        }
    }

    /// Appends the unescaped data field (group and code included) to `out`.
    ///
    /// # Errors
    /// See [`EncodeError`]; only dynamic areas can fail.
    pub fn encode_data(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let (group, code) = self.group_code();
        out.extend_from_slice(&[group, code]);
        match self {
            Self::Ping(p) | Self::ClearScreen(p) => {
                out.extend_from_slice(&[p.response_wanted.into(), 0, 0]);
            }
            Self::TurnOnOff(t) => {
                let state = if t.on { 0x01 } else { 0x02 };
                out.extend_from_slice(&[t.response_wanted.into(), 0, 0, state]);
            }
            Self::DynamicArea(d) => d.encode_fields(out)?,
            Self::Ack(r) | Self::Nack(r) => r.encode_fields(out),
            Self::Other(raw) => out.extend_from_slice(&raw.payload),
        }
        Ok(())
    }

    /// Decodes an unescaped data field (group and code included).
    ///
    /// # Errors
    /// [`DecodeError::Truncated`], [`DecodeError::TrailingBytes`] or a field error when the
    /// bytes do not fit the command named by group and code.
    pub fn decode_data(data: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(data);
        let group = r.u8("command group")?;
        let code = r.u8("command code")?;
        let command = match (group, code) {
            (GROUP_PING, 0x00) => Self::Ping(decode_plain(&mut r, "ping")?),
            (GROUP_CONTROL, 0x10) => Self::ClearScreen(decode_plain(&mut r, "clear screen")?),
            (GROUP_CONTROL, 0x00) => Self::TurnOnOff(decode_turn_on_off(&mut r)?),
            (GROUP_CONTROL, 0x06) => Self::DynamicArea(DynamicArea::decode_fields(&mut r)?),
            (GROUP_REPLY, 0x00) => Self::Ack(Reply::decode_fields(&mut r)?),
            (GROUP_REPLY, 0x01) => Self::Nack(Reply::decode_fields(&mut r)?),
            _ => {
                let rest = r.remaining();
                Self::Other(RawCommand {
                    group,
                    code,
                    payload: r.bytes(rest, "payload")?.to_vec(),
                })
            }
        };
        Ok(command)
    }

    /// Short snake_case name of the command, as used in JSON descriptions.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Ping(_) => "ping",
            Self::ClearScreen(_) => "clear_screen",
            Self::TurnOnOff(_) => "turn_on_off",
            Self::DynamicArea(_) => "dynamic_area",
            Self::Ack(_) => "ack",
            Self::Nack(_) => "nack",
            Self::Other(_) => "other",
        }
    }
}

fn decode_plain(r: &mut Reader<'_>, command: &'static str) -> Result<Plain, DecodeError> {
    let response_wanted = response_flag(r)?;
    r.bytes(2, "reserved")?;
    r.finish(command)?;
    Ok(Plain { response_wanted })
}

fn decode_turn_on_off(r: &mut Reader<'_>) -> Result<TurnOnOff, DecodeError> {
    let response_wanted = response_flag(r)?;
    r.bytes(2, "reserved")?;
    let on = match r.u8("on/off state")? {
        0x01 => true,
        0x02 => false,
        other => {
            return Err(DecodeError::InvalidValue {
                field: "on/off state",
                value: other.into(),
            })
        }
    };
    r.finish("turn on/off")?;
    Ok(TurnOnOff {
        response_wanted,
        on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_commands_have_five_data_bytes() {
        let mut out = Vec::new();
        Command::ClearScreen(Plain::default())
            .encode_data(&mut out)
            .unwrap();
        // group A3, code 10, response wanted, two reserved bytes
        assert_eq!(out, [0xA3, 0x10, 0x01, 0x00, 0x00]);
        assert_eq!(
            Command::decode_data(&out).unwrap(),
            Command::ClearScreen(Plain::default())
        );
    }

    #[test]
    fn turn_off_and_bad_state() {
        let cmd = Command::TurnOnOff(TurnOnOff {
            response_wanted: true,
            on: false,
        });
        let mut out = Vec::new();
        cmd.encode_data(&mut out).unwrap();
        assert_eq!(out, [0xA3, 0x00, 0x01, 0x00, 0x00, 0x02]);
        assert_eq!(Command::decode_data(&out).unwrap(), cmd);
        assert!(matches!(
            Command::decode_data(&[0xA3, 0x00, 0x01, 0x00, 0x00, 0x07]),
            Err(DecodeError::InvalidValue { value: 7, .. })
        ));
    }

    #[test]
    fn unknown_group_is_kept_raw() {
        let data = [0xA3, 0x02, 0x01, 0x00, 0x00, 0x0F];
        let cmd = Command::decode_data(&data).unwrap();
        assert_eq!(
            cmd,
            Command::Other(RawCommand {
                group: 0xA3,
                code: 0x02,
                payload: data[2..].to_vec()
            })
        );
        let mut out = Vec::new();
        cmd.encode_data(&mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn truncated_and_trailing() {
        assert_eq!(
            Command::decode_data(&[0xA2]),
            Err(DecodeError::Truncated {
                field: "command code"
            })
        );
        assert_eq!(
            Command::decode_data(&[0xA2, 0x00, 0x01, 0x00, 0x00, 0x09]),
            Err(DecodeError::TrailingBytes {
                command: "ping",
                count: 1
            })
        );
        assert!(matches!(
            Command::decode_data(&[0xA2, 0x00, 0x03, 0x00, 0x00]),
            Err(DecodeError::InvalidValue {
                field: "response flag",
                ..
            })
        ));
    }
}
