//! Captured bytes back into JSON descriptions: [`describe_all`] for a whole capture,
//! [`Describer`] frame by frame as bytes arrive, [`shown_text`] for the text a board shows.

use super::Protocol;
use crate::{alpha, bx};
use bytes::BytesMut;

/// Why [`describe_all`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescribeError {
    /// A BX frame is bad.
    #[error("frame {index}: {source}")]
    Bx {
        /// 0-based position of the bad frame.
        index: usize,
        /// What is wrong.
        source: bx::DecodeError,
    },
    /// An Alpha packet or reply is bad.
    #[error("packet {index}: {source}")]
    Alpha {
        /// 0-based position of the bad packet.
        index: usize,
        /// What is wrong.
        source: alpha::DecodeError,
    },
    /// Bytes are left that do not complete a frame.
    #[error("{count} bytes at the end do not complete a frame (incomplete)")]
    Incomplete {
        /// How many.
        count: usize,
    },
    /// No frame at all was found.
    #[error("no frame found in {count} bytes")]
    NoFrame {
        /// Input length.
        count: usize,
    },
}

/// Decodes every frame in `bytes` into its JSON description.
///
/// # Errors
/// [`DescribeError`] for a bad frame, trailing incomplete bytes or input without a frame.
pub fn describe_all(
    protocol: Protocol,
    bytes: &[u8],
) -> Result<Vec<serde_json::Value>, DescribeError> {
    let mut describer = Describer::new(protocol);
    let out = describer
        .push(bytes)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    describer.finish()?;
    Ok(out)
}

/// Frames described as their bytes arrive, for a live line (`cat DEV | hallq led decode`).
#[derive(Debug)]
pub struct Describer {
    protocol: Protocol,
    buf: BytesMut,
    index: usize,
    total: usize,
}

impl Describer {
    /// A describer of `protocol` frames.
    #[must_use]
    pub fn new(protocol: Protocol) -> Self {
        Self {
            protocol,
            buf: BytesMut::new(),
            index: 0,
            total: 0,
        }
    }

    /// Adds bytes; returns each frame they complete, in order, or the error of a bad one
    /// (decoding goes on after it).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<serde_json::Value, DescribeError>> {
        self.buf.extend_from_slice(bytes);
        self.total += bytes.len();
        let mut out = Vec::new();
        loop {
            let index = self.index;
            let next = match self.protocol {
                Protocol::Bx => bx::Frame::decode(&mut self.buf)
                    .map_err(|source| DescribeError::Bx { index, source })
                    .map(|f| f.map(|f| f.describe())),
                Protocol::Alpha => alpha::Incoming::decode(&mut self.buf)
                    .map_err(|source| DescribeError::Alpha { index, source })
                    .map(|i| {
                        i.map(|i| match i {
                            alpha::Incoming::Packet(p) => p.describe(),
                            other => other.describe(),
                        })
                    }),
            };
            match next {
                Ok(None) => return out,
                Ok(Some(v)) => out.push(Ok(v)),
                Err(e) => out.push(Err(e)),
            }
            self.index += 1;
        }
    }

    /// End of input.
    ///
    /// # Errors
    /// [`DescribeError::Incomplete`] when bytes are left that do not complete a frame,
    /// [`DescribeError::NoFrame`] when no frame was seen at all.
    pub fn finish(&self) -> Result<(), DescribeError> {
        if !self.buf.is_empty() {
            return Err(DescribeError::Incomplete {
                count: self.buf.len(),
            });
        }
        if self.index == 0 {
            return Err(DescribeError::NoFrame { count: self.total });
        }
        Ok(())
    }
}

/// The text a described frame puts on a board, if it shows text (BX dynamic area, Alpha
/// write text); colour codes are removed.
#[must_use]
pub fn shown_text(description: &serde_json::Value) -> Option<String> {
    if let Some(areas) = description["command"]["areas"].as_array() {
        let texts: Vec<String> = areas
            .iter()
            .filter_map(|a| a["text"].as_str())
            .map(strip_bx_colours)
            .collect();
        return (!texts.is_empty()).then(|| texts.join(" | "));
    }
    let commands = description["packet"]["commands"].as_array()?;
    let texts: Vec<String> = commands
        .iter()
        .filter(|c| c["command"] == "write_text")
        .map(|c| {
            c["segments"]
                .as_array()
                .map(|s| s.iter().filter_map(|s| s["text"].as_str()).collect())
                .unwrap_or_default()
        })
        .collect();
    (!texts.is_empty()).then(|| texts.join(" | "))
}

fn strip_bx_colours(text: &str) -> String {
    let mut out = text.to_string();
    for code in ["\\C1", "\\C2", "\\C3"] {
        out = out.replace(code, "");
    }
    out
}
