//! Host → reader frames: `CMD PARA [data]`.

use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::frame::{self, FrameError};

/// The commands the host sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Reset the SAM module: `10 FF`.
    Reset,
    /// SAM status: `11 FF` (`90` = ready).
    Status,
    /// Look for a card in the field: `20 01` (`9F` = found, `80` = none).
    FindCard,
    /// Select the card found: `20 02` (`90` = ok, `81` = failed).
    SelectCard,
    /// Read the text block and the photo: `30 01` (`90` + data).
    ReadBase,
}

impl Command {
    /// Every command.
    pub const ALL: [Self; 5] = [
        Self::Reset,
        Self::Status,
        Self::FindCard,
        Self::SelectCard,
        Self::ReadBase,
    ];

    /// `(CMD, PARA)`.
    #[must_use]
    pub const fn code(self) -> (u8, u8) {
        match self {
            Self::Reset => (0x10, 0xFF),
            Self::Status => (0x11, 0xFF),
            Self::FindCard => (0x20, 0x01),
            Self::SelectCard => (0x20, 0x02),
            Self::ReadBase => (0x30, 0x01),
        }
    }

    /// The command with this `(CMD, PARA)`, if it is one of ours.
    #[must_use]
    pub fn from_code(cmd: u8, para: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == (cmd, para))
    }

    /// Appends the request frame for this command (no data).
    pub fn encode(self, out: &mut BytesMut) {
        let (cmd, para) = self.code();
        frame::encode(&[&[cmd, para]], out);
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Reset => "reset",
            Self::Status => "SAM status",
            Self::FindCard => "find card",
            Self::SelectCard => "select card",
            Self::ReadBase => "read card",
        };
        let (cmd, para) = self.code();
        write!(f, "{name} ({cmd:02X} {para:02X})")
    }
}

/// A request frame, any `CMD PARA` (the reader's emulator also sees commands it does not
/// know).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// CMD byte.
    pub cmd: u8,
    /// PARA byte.
    pub para: u8,
    /// Bytes after PARA (none for the commands in [`Command`]).
    pub data: Bytes,
}

impl Request {
    /// Smallest `len`: CMD, PARA, CHK.
    const MIN_LEN: u16 = 3;

    /// The known command this is, if any.
    #[must_use]
    pub fn command(&self) -> Option<Command> {
        Command::from_code(self.cmd, self.para)
    }

    /// Appends the frame.
    ///
    /// # Panics
    /// If `data` is longer than [`frame::MAX_LEN`] − 3 bytes.
    pub fn encode(&self, out: &mut BytesMut) {
        frame::encode(&[&[self.cmd, self.para], &self.data], out);
    }

    /// Takes one request off the front of `buf` (see [`crate::decode`] for the rules).
    ///
    /// # Errors
    /// [`FrameError`] for a bad checksum or an absurd length; the bad bytes are dropped.
    pub fn decode(buf: &mut BytesMut) -> Result<Option<Self>, FrameError> {
        let Some(mut body) = frame::decode(buf, Self::MIN_LEN)? else {
            return Ok(None);
        };
        let head = body.split_to(2);
        Ok(Some(Self {
            cmd: head[0],
            para: head[1],
            data: body.freeze(),
        }))
    }
}

impl From<Command> for Request {
    fn from(c: Command) -> Self {
        let (cmd, para) = c.code();
        Self {
            cmd,
            para,
            data: Bytes::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_frames() {
        let cases: [(Command, [u8; 10]); 5] = [
            // preamble | len 00 03 | CMD PARA | CHK = 00^03^CMD^PARA
            (
                Command::Reset,
                [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x10, 0xFF, 0xEC],
            ),
            (
                Command::Status,
                [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x11, 0xFF, 0xED],
            ),
            (
                Command::FindCard,
                [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22],
            ),
            (
                Command::SelectCard,
                [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x02, 0x21],
            ),
            (
                Command::ReadBase,
                [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x01, 0x32],
            ),
        ];
        for (command, bytes) in cases {
            let mut out = BytesMut::new();
            command.encode(&mut out);
            assert_eq!(&out[..], &bytes, "{command}");
            let req = Request::decode(&mut out).unwrap().unwrap();
            assert_eq!(req.command(), Some(command));
            assert_eq!(req, Request::from(command));
        }
    }

    #[test]
    fn display_names_the_bytes() {
        assert_eq!(Command::FindCard.to_string(), "find card (20 01)");
    }
}
