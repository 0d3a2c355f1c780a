//! Replies read off the line, in the protocol of the board last written to.

use bytes::BytesMut;

use crate::show::Protocol;
use crate::{alpha, bx};

/// One reply (or bytes that are none).
#[derive(Debug)]
pub(super) enum Reply {
    Ack { from: Option<u16> },
    Nack { from: Option<u16>, code: u8 },
    Other(&'static str),
    Bad(String),
}

impl Reply {
    /// The next complete reply at the front of `rx`, if any.
    pub(super) fn next(protocol: Protocol, rx: &mut BytesMut) -> Option<Self> {
        Some(match protocol {
            Protocol::Bx => match bx::Frame::decode(rx) {
                Ok(Some(frame)) => Self::from_bx(&frame),
                Ok(None) => return None,
                Err(e) => Self::Bad(format!("BX: {e}")),
            },
            Protocol::Alpha => match alpha::Incoming::decode(rx) {
                Ok(Some(alpha::Incoming::Ack(_))) => Self::Ack { from: None },
                Ok(Some(alpha::Incoming::Nak(s))) => Self::Nack {
                    from: None,
                    code: s.to_byte(),
                },
                Ok(Some(alpha::Incoming::Packet(_))) => {
                    Self::Other("Alpha packet where an ACK was expected")
                }
                Ok(None) => return None,
                Err(e) => Self::Bad(format!("Alpha: {e}")),
            },
        })
    }

    fn from_bx(frame: &bx::Frame) -> Self {
        let from = Some(frame.header.src);
        match &frame.command {
            bx::Command::Ack(_) => Self::Ack { from },
            bx::Command::Nack(r) => Self::Nack {
                from,
                code: r.error,
            },
            other => Self::Other(other.name()),
        }
    }

    /// Whether this reply can be the answer of the board at `address`.
    pub(super) fn is_from(&self, address: u16) -> bool {
        let from = match self {
            Self::Ack { from } | Self::Nack { from, .. } => *from,
            Self::Other(_) | Self::Bad(_) => return true,
        };
        from.is_none_or(|a| a == address || address == bx::Header::WILDCARD_DST)
    }

    /// For logs.
    pub(super) fn describe(&self) -> String {
        match self {
            Self::Ack { from: Some(a) } => format!("ACK from #{a}"),
            Self::Ack { from: None } => "ACK".into(),
            Self::Nack {
                from: Some(a),
                code,
            } => format!("NACK {code:#04x} from #{a}"),
            Self::Nack { from: None, code } => format!("NAK {code:#04x}"),
            Self::Other(name) => format!("{name} frame"),
            Self::Bad(reason) => reason.clone(),
        }
    }
}

/// The BX ping that asks a silent board whether it is there (answer wanted).
pub(super) fn bx_ping(address: u16) -> Vec<u8> {
    bx::Frame::new(
        bx::Header::to_screen(address),
        bx::Command::Ping(bx::Plain::default()),
    )
    .to_bytes()
    .unwrap_or_default()
}
