//! What a call button publishes on `buttons/{w}`.

use super::{invalid, Payload, PayloadError};
use serde::{Deserialize, Serialize};

/// Longest press id accepted, in characters.
pub const MAX_PRESS_ID: usize = 64;

/// What a button asks its window to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonAction {
    /// Finish the current ticket and call the next.
    #[serde(alias = "call-next")]
    CallNext,
    /// Call the current ticket again.
    Recall,
    /// The called person did not come.
    #[serde(alias = "no-show")]
    NoShow,
    /// Start serving.
    Start,
    /// Finish serving.
    Finish,
    /// Stop calling.
    Pause,
    /// Call again.
    Resume,
}

/// `{"action": …, "press_id": …}`; other fields (a battery level…) are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonPress {
    /// What to do.
    pub action: ButtonAction,
    /// The device's id for this press (1–64 characters): a repeated one acts once.
    pub press_id: String,
}

impl Payload for ButtonPress {
    fn check(&self) -> Result<(), PayloadError> {
        let n = self.press_id.chars().count();
        if n == 0 || n > MAX_PRESS_ID || self.press_id.chars().any(char::is_control) {
            return Err(invalid(
                "press_id",
                "must be 1-64 characters, none a control",
            ));
        }
        Ok(())
    }
}
