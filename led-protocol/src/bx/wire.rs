//! Byte-level helpers of the BX link layer: CRC-16/ARC and the escaping of the frame body.

/// First byte of a frame; eight of them open every frame and never occur inside one.
pub const PREAMBLE_BYTE: u8 = 0xA5;
/// Number of preamble bytes the encoder sends.
pub const PREAMBLE_LEN: usize = 8;
/// Last byte of a frame; it never occurs inside one.
pub const END_BYTE: u8 = 0x5A;

const ESCAPE_A6: u8 = 0xA6;
const ESCAPE_5B: u8 = 0x5B;

/// CRC-16/ARC (polynomial 0x8005 reflected = 0xA001, initial value 0, no final XOR).
///
/// The frame CRC covers the unescaped bytes from the destination address through the last
/// data byte and is sent little-endian.
///
/// ```
/// assert_eq!(led_protocol::bx::crc16(b"123456789"), 0xBB3D);
/// ```
#[must_use]
pub fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |crc, &b| {
        let mut crc = crc ^ u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
        crc
    })
}

/// Appends `raw` to `out` with the four reserved bytes escaped:
/// `A5 → A6 02`, `A6 → A6 01`, `5A → 5B 02`, `5B → 5B 01`.
pub fn escape_into(raw: &[u8], out: &mut Vec<u8>) {
    out.reserve(raw.len() + raw.len() / 8);
    for &b in raw {
        match b {
            0xA5 => out.extend_from_slice(&[ESCAPE_A6, 0x02]),
            0xA6 => out.extend_from_slice(&[ESCAPE_A6, 0x01]),
            0x5A => out.extend_from_slice(&[ESCAPE_5B, 0x02]),
            0x5B => out.extend_from_slice(&[ESCAPE_5B, 0x01]),
            other => out.push(other),
        }
    }
}

/// An escape sequence that [`unescape`] cannot undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadEscape {
    /// Offset of the escape byte (`A6` or `5B`) in the escaped input.
    pub offset: usize,
    /// The escape byte.
    pub byte: u8,
    /// The byte after it (`None` when the input ends with the escape byte).
    pub next: Option<u8>,
}

/// Undoes [`escape_into`].
///
/// # Errors
/// Returns [`BadEscape`] when `A6` or `5B` is followed by anything but `01` or `02`, or ends
/// the input. A bare `A5` or `5A` inside the body is not checked here: the frame decoder
/// never hands one over.
pub fn unescape(escaped: &[u8]) -> Result<Vec<u8>, BadEscape> {
    let mut out = Vec::with_capacity(escaped.len());
    let mut i = 0;
    while i < escaped.len() {
        let b = escaped[i];
        if b == ESCAPE_A6 || b == ESCAPE_5B {
            let next = escaped.get(i + 1).copied();
            let decoded = match (b, next) {
                (ESCAPE_A6, Some(0x02)) => 0xA5,
                (ESCAPE_A6, Some(0x01)) => 0xA6,
                (ESCAPE_5B, Some(0x02)) => 0x5A,
                (ESCAPE_5B, Some(0x01)) => 0x5B,
                _ => {
                    return Err(BadEscape {
                        offset: i,
                        byte: b,
                        next,
                    })
                }
            };
            out.push(decoded);
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_vendor_examples() {
        // Ping example of the vendor document: CRC bytes 68 F8 as sent (little-endian).
        let ping = [
            0x01, 0x00, // dst 0x0001
            0x00, 0x80, // src 0x8000
            0x00, 0x00, 0x00, // reserved
            0x00, // option
            0x00, // crc mode
            0x00, // display mode
            0xFE, // device type
            0x02, // protocol version
            0x05, 0x00, // data length
            0xA2, 0x00, 0x01, 0x00, 0x00, // ping, response wanted, reserved
        ];
        assert_eq!(crc16(&ping).to_le_bytes(), [0x68, 0xF8]);
        assert_eq!(crc16(b"123456789"), 0xBB3D);
        assert_eq!(crc16(&[]), 0);
    }

    #[test]
    fn escape_round_trip_and_errors() {
        let raw = [0x00, 0xA5, 0xA6, 0x5A, 0x5B, 0xFF];
        let mut esc = Vec::new();
        escape_into(&raw, &mut esc);
        assert_eq!(
            esc,
            [0x00, 0xA6, 0x02, 0xA6, 0x01, 0x5B, 0x02, 0x5B, 0x01, 0xFF]
        );
        assert_eq!(unescape(&esc).unwrap(), raw);
        assert_eq!(
            unescape(&[0x01, 0xA6, 0x03]),
            Err(BadEscape {
                offset: 1,
                byte: 0xA6,
                next: Some(0x03)
            })
        );
        assert_eq!(unescape(&[0x5B]).unwrap_err().next, None);
    }
}
