//! Controller replies: ACK (`A0 00`) and NACK (`A0 01`).
//!
//! ```text
//! A0 00|01  error  r0 r1
//! ```
//! One error byte and two reserved bytes, as the reference SDK's `BxResp` reads them. (The
//! BX-6Q "dual" protocol has 16-bit status and error fields; it is a different protocol.)

use serde::Serialize;

use super::reader::Reader;
use super::DecodeError;

/// The fields of an ACK or NACK reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// Error code reported by the controller (`00` in an ACK).
    pub error: u8,
}

impl Reply {
    pub(crate) fn encode_fields(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.error, 0, 0]);
    }

    pub(crate) fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let error = r.u8("error code")?;
        r.bytes(2, "reserved")?;
        r.finish("reply")?;
        Ok(Self { error })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Command;

    #[test]
    fn nack_carries_its_error_code() {
        // group A0, code 01 (NACK), error 05, two reserved bytes
        let data = [0xA0, 0x01, 0x05, 0x00, 0x00];
        let cmd = Command::decode_data(&data).unwrap();
        assert_eq!(cmd, Command::Nack(super::Reply { error: 5 }));
        let mut out = Vec::new();
        cmd.encode_data(&mut out).unwrap();
        assert_eq!(out, data);
    }
}
