//! WebSocket frames as the phones' status sockets need them (RFC 6455), as pure code: the
//! handshake's accept key, the frames the server sends (unmasked, never fragmented) and the
//! frames a phone may send (masked; only close and ping need an answer).

use base64::Engine;
use sha1::{Digest, Sha1};

/// Text frame.
pub const TEXT: u8 = 0x1;
/// Close frame.
pub const CLOSE: u8 = 0x8;
/// Ping frame.
pub const PING: u8 = 0x9;
/// Pong frame.
pub const PONG: u8 = 0xA;

/// Largest frame a phone may send (it sends nothing but pongs and a close).
pub const MAX_PAYLOAD: usize = 4 * 1024;

/// Close code for a frame that breaks the protocol.
pub const PROTOCOL_ERROR: u16 = 1002;
/// Close code for a frame over [`MAX_PAYLOAD`].
pub const TOO_BIG: u16 = 1009;

/// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`.
pub fn accept_key(key: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(key);
    h.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// The header of a server frame (FIN set, unmasked) whose payload is `len` bytes.
pub fn header(opcode: u8, len: usize) -> ([u8; 10], usize) {
    let mut h = [0u8; 10];
    h[0] = 0x80 | opcode;
    let n = if len < 126 {
        h[1] = len as u8;
        2
    } else if let Ok(short) = u16::try_from(len) {
        h[1] = 126;
        h[2..4].copy_from_slice(&short.to_be_bytes());
        4
    } else {
        h[1] = 127;
        h[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    };
    (h, n)
}

/// A whole server frame (FIN set, unmasked) carrying `payload`.
pub fn server_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let (h, n) = header(opcode, payload.len());
    let mut out = Vec::with_capacity(n + payload.len());
    out.extend_from_slice(&h[..n]);
    out.extend_from_slice(payload);
    out
}

/// A close frame with `code`.
pub fn close_frame(code: u16) -> Vec<u8> {
    server_frame(CLOSE, &code.to_be_bytes())
}

/// The payload of a whole server frame made by [`server_frame`].
pub fn payload_of(frame: &[u8]) -> &[u8] {
    let start = match frame.get(1) {
        Some(126) => 4,
        Some(127) => 10,
        Some(_) => 2,
        None => return &[],
    };
    frame.get(start..).unwrap_or_default()
}

/// One frame a phone sent, unmasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Opcode (low four bits of the first byte).
    pub opcode: u8,
    /// Payload, unmasked.
    pub payload: Vec<u8>,
}

/// Why a phone's bytes are not a frame we take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Clients must mask every frame.
    #[error("client frame not masked")]
    Unmasked,
    /// Reserved bits set (no extension was agreed) or a reserved opcode.
    #[error("reserved bits or opcode")]
    Reserved,
    /// A control frame fragmented or over 125 bytes.
    #[error("bad control frame")]
    BadControl,
    /// Over [`MAX_PAYLOAD`].
    #[error("frame too big")]
    TooBig,
}

impl FrameError {
    /// The close code that tells the phone why.
    pub fn close_code(self) -> u16 {
        match self {
            Self::TooBig => TOO_BIG,
            _ => PROTOCOL_ERROR,
        }
    }
}

/// Reads one frame from the start of `buf`: `Ok(None)` while more bytes are needed,
/// else the frame and how many bytes it took.
///
/// # Errors
/// When the bytes break the protocol or the frame is over [`MAX_PAYLOAD`].
pub fn parse(buf: &[u8]) -> Result<Option<(Frame, usize)>, FrameError> {
    let (Some(&b0), Some(&b1)) = (buf.first(), buf.get(1)) else {
        return Ok(None);
    };
    let (fin, opcode) = (b0 & 0x80 != 0, b0 & 0x0F);
    if b0 & 0x70 != 0 || matches!(opcode, 3..=7 | 0xB..=0xF) {
        return Err(FrameError::Reserved);
    }
    if b1 & 0x80 == 0 {
        return Err(FrameError::Unmasked);
    }
    let (len, mut at) = match b1 & 0x7F {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => (u64::from_be_bytes(b.try_into().unwrap_or_default()), 10),
            None => return Ok(None),
        },
        n => (u64::from(n), 2),
    };
    if opcode >= CLOSE && (!fin || len > 125) {
        return Err(FrameError::BadControl);
    }
    let len = usize::try_from(len).map_err(|_| FrameError::TooBig)?;
    if len > MAX_PAYLOAD {
        return Err(FrameError::TooBig);
    }
    let Some(mask) = buf.get(at..at + 4) else {
        return Ok(None);
    };
    let mask = [mask[0], mask[1], mask[2], mask[3]];
    at += 4;
    let Some(data) = buf.get(at..at + len) else {
        return Ok(None);
    };
    let payload = data
        .iter()
        .enumerate()
        .map(|(i, b)| b ^ mask[i % 4])
        .collect();
    Ok(Some((Frame { opcode, payload }, at + len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client frame as a browser sends it.
    fn masked(b0: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
        let mut f = server_frame(0, payload);
        f[0] = b0;
        f[1] |= 0x80;
        let head = f.len() - payload.len();
        let mut out = f[..head].to_vec();
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        out
    }

    #[test]
    fn accept_key_matches_the_rfc_example() {
        // RFC 6455 §1.3.
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn server_frames_have_the_three_length_forms() {
        assert_eq!(server_frame(TEXT, b"Hello"), b"\x81\x05Hello");
        let mid = server_frame(TEXT, &[b'x'; 300]);
        assert_eq!(&mid[..4], &[0x81, 126, 0x01, 0x2C]);
        let big = server_frame(TEXT, &vec![b'x'; 70_000]);
        assert_eq!(&big[..10], &[0x81, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
        for f in [&mid, &big] {
            assert!(payload_of(f).iter().all(|&b| b == b'x'));
        }
        assert_eq!(payload_of(&mid).len(), 300);
        assert_eq!(payload_of(&big).len(), 70_000);
        assert_eq!(close_frame(1000), [0x88, 2, 0x03, 0xE8]);
    }

    #[test]
    fn parses_the_rfc_masked_hello() {
        // RFC 6455 §5.7: a single-frame masked text message "Hello".
        let bytes = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let (f, n) = parse(&bytes).unwrap().unwrap();
        assert_eq!(
            (f.opcode, f.payload.as_slice(), n),
            (TEXT, &b"Hello"[..], 11)
        );
    }

    #[test]
    fn waits_for_a_whole_frame_then_reads_two_in_a_row() {
        let mut bytes = masked(0x89, b"are you there", [1, 2, 3, 4]);
        let first = bytes.len();
        bytes.extend(masked(0x88, &1000u16.to_be_bytes(), [9, 9, 9, 9]));
        for cut in 0..first {
            assert_eq!(parse(&bytes[..cut]), Ok(None), "cut at {cut}");
        }
        let (ping, n) = parse(&bytes).unwrap().unwrap();
        assert_eq!(
            (ping.opcode, ping.payload.as_slice()),
            (PING, &b"are you there"[..])
        );
        let (close, m) = parse(&bytes[n..]).unwrap().unwrap();
        assert_eq!((close.opcode, close.payload), (CLOSE, vec![0x03, 0xE8]));
        assert_eq!(n + m, bytes.len());
        let long = masked(0x82, &[7; 1000], [5, 6, 7, 8]);
        assert_eq!(parse(&long).unwrap().unwrap().0.payload, vec![7; 1000]);
    }

    #[test]
    fn refuses_what_breaks_the_protocol() {
        assert_eq!(parse(b"\x81\x05Hello"), Err(FrameError::Unmasked));
        assert_eq!(
            parse(&masked(0xC1, b"x", [0; 4])),
            Err(FrameError::Reserved)
        );
        assert_eq!(
            parse(&masked(0x83, b"x", [0; 4])),
            Err(FrameError::Reserved)
        );
        assert_eq!(
            parse(&masked(0x09, b"x", [0; 4])),
            Err(FrameError::BadControl)
        );
        assert_eq!(
            parse(&masked(0x89, &[0; 126], [0; 4])),
            Err(FrameError::BadControl)
        );
        let big = masked(0x82, &vec![0; MAX_PAYLOAD + 1], [0; 4]);
        assert_eq!(parse(&big[..10]), Err(FrameError::TooBig));
        assert_eq!(FrameError::TooBig.close_code(), 1009);
        assert_eq!(FrameError::Unmasked.close_code(), 1002);
        // A 64-bit length a 32-bit target cannot hold is too big, not a panic.
        let huge = [0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        assert_eq!(parse(&huge), Err(FrameError::TooBig));
    }
}
