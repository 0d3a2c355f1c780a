//! The frame shared by both directions, and its checksum.
//!
//! ```text
//! AA AA AA 96 69   preamble
//! len u16 BE       number of bytes after len, CHK included
//! body             request: CMD PARA [data]; reply: SW1 SW2 SW3 [data]
//! CHK              XOR of every byte after the preamble (len included), CHK excluded
//! ```
//! [`crate::Request`] and [`crate::Reply`] give the body its meaning; this module only frames.

use bytes::{Buf, BufMut, BytesMut};

/// The five bytes every frame starts with.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

/// The largest `len` accepted. A read reply is 1288 (`3 + 4 + 256 + 1024 + 1`); one with a
/// fingerprint block is 2314. Anything above this is noise, not a frame.
pub const MAX_LEN: u16 = 4096;

/// Bytes before the body: preamble and `len`.
const HEADER: usize = PREAMBLE.len() + 2;

/// A frame that cannot be used. The decoder has already dropped its bytes (or the preamble
/// that started it), so decoding can continue after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// CHK does not match the XOR of the frame.
    #[error("帧校验错误 / bad checksum: expected {expected:#04x}, got {actual:#04x}")]
    Checksum {
        /// XOR computed over the received bytes.
        expected: u8,
        /// CHK byte received.
        actual: u8,
    },
    /// `len` is too small to hold the body's fixed fields and CHK, or larger than [`MAX_LEN`].
    #[error("帧长度无效 / absurd frame length {len} (allowed {min}..={MAX_LEN})")]
    Length {
        /// `len` as received.
        len: u16,
        /// Smallest `len` for this kind of frame.
        min: u16,
    },
}

/// XOR of `bytes`.
#[must_use]
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// Appends a frame whose body is the concatenation of `parts`.
///
/// # Panics
/// If the body is longer than `MAX_LEN - 1` bytes (no real command or reply is).
pub(crate) fn encode(parts: &[&[u8]], out: &mut BytesMut) {
    let body: usize = parts.iter().map(|p| p.len()).sum();
    let len = u16::try_from(body + 1)
        .ok()
        .filter(|&len| len <= MAX_LEN)
        .expect("frame body longer than MAX_LEN - 1");
    out.reserve(HEADER + body + 1);
    out.put_slice(&PREAMBLE);
    let start = out.len();
    out.put_u16(len);
    for part in parts {
        out.put_slice(part);
    }
    let chk = checksum(&out[start..]);
    out.put_u8(chk);
}

/// Takes one frame off the front of `buf` and returns its body (without CHK).
///
/// Bytes before a preamble are dropped. `Ok(None)` means more bytes are needed; what is kept
/// then is at most a partial frame (or the tail that may begin a preamble). `min_len` is the
/// smallest acceptable `len` (fixed body fields + CHK).
pub(crate) fn decode(buf: &mut BytesMut, min_len: u16) -> Result<Option<BytesMut>, FrameError> {
    match find_preamble(buf) {
        Some(at) => buf.advance(at),
        None => {
            let keep = partial_preamble(buf);
            buf.advance(buf.len() - keep);
            return Ok(None);
        }
    }
    if buf.len() < HEADER {
        return Ok(None);
    }
    let len = u16::from_be_bytes([buf[5], buf[6]]);
    if len < min_len || len > MAX_LEN {
        // Resynchronise after this preamble; `len` itself was probably noise.
        buf.advance(PREAMBLE.len());
        return Err(FrameError::Length { len, min: min_len });
    }
    let total = HEADER + usize::from(len);
    if buf.len() < total {
        return Ok(None);
    }
    let mut frame = buf.split_to(total);
    let actual = frame[total - 1];
    let expected = checksum(&frame[PREAMBLE.len()..total - 1]);
    if expected != actual {
        return Err(FrameError::Checksum { expected, actual });
    }
    frame.advance(HEADER);
    frame.truncate(frame.len() - 1);
    Ok(Some(frame))
}

fn find_preamble(buf: &[u8]) -> Option<usize> {
    buf.windows(PREAMBLE.len()).position(|w| w == PREAMBLE)
}

/// Length of the longest tail of `buf` that is a proper prefix of the preamble.
fn partial_preamble(buf: &[u8]) -> usize {
    (1..PREAMBLE.len())
        .rev()
        .find(|&k| buf.len() >= k && buf[buf.len() - k..] == PREAMBLE[..k])
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_covers_len_and_body() {
        let mut out = BytesMut::new();
        encode(&[&[0x20, 0x01]], &mut out);
        // len 00 03, body 20 01: 00 ^ 03 ^ 20 ^ 01 = 22
        assert_eq!(
            &out[..],
            &[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22]
        );
    }

    #[test]
    fn keeps_a_partial_preamble_and_drops_the_rest() {
        let mut buf = BytesMut::from(&[0x01, 0x02, 0xAA, 0xAA][..]);
        assert_eq!(decode(&mut buf, 1), Ok(None));
        assert_eq!(&buf[..], &[0xAA, 0xAA]);
        let mut buf = BytesMut::from(&[0xAA, 0xAA, 0xAA, 0xAA][..]);
        assert_eq!(decode(&mut buf, 1), Ok(None));
        assert_eq!(&buf[..], &[0xAA, 0xAA, 0xAA]);
        let mut buf = BytesMut::from(&[0x96, 0x69, 0x00][..]);
        assert_eq!(decode(&mut buf, 1), Ok(None));
        assert!(buf.is_empty());
    }

    #[test]
    fn finds_a_preamble_after_extra_aa() {
        let mut buf = BytesMut::from(&[0xAA][..]);
        encode(&[&[0x20, 0x01]], &mut buf);
        assert_eq!(
            decode(&mut buf, 3).unwrap().unwrap().as_ref(),
            &[0x20, 0x01]
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn length_errors_skip_the_preamble() {
        let mut buf = BytesMut::from(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF, 0x00][..]);
        assert_eq!(
            decode(&mut buf, 4),
            Err(FrameError::Length {
                len: 0xFFFF,
                min: 4
            })
        );
        assert_eq!(&buf[..], &[0xFF, 0xFF, 0x00]);
        let mut buf = BytesMut::from(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x02][..]);
        assert_eq!(
            decode(&mut buf, 4),
            Err(FrameError::Length { len: 2, min: 4 })
        );
    }

    #[test]
    fn checksum_error_names_both_bytes_and_consumes_the_frame() {
        let mut buf = BytesMut::new();
        encode(&[&[0x00, 0x00, 0x9F]], &mut buf);
        let last = buf.len() - 1;
        buf[last] ^= 0xFF;
        let err = decode(&mut buf, 4).unwrap_err();
        assert_eq!(
            err,
            FrameError::Checksum {
                expected: 0x9B,
                actual: 0x64
            }
        );
        assert!(err.to_string().contains("expected 0x9b, got 0x64"), "{err}");
        assert!(buf.is_empty());
    }
}
