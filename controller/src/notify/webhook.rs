//! The webhook notifier: a JSON POST to the message service, signed with HMAC-SHA256.
//!
//! Headers: `X-Hallq-Event-Id`, `X-Hallq-Event-Type`, `X-Hallq-Timestamp` (Unix seconds)
//! and `X-Hallq-Signature: sha256=<hex>`, the HMAC-SHA256 under the shared key of
//! `"<timestamp>.<body>"`. A 2xx answer is delivery; anything else, or no answer within
//! `timeout_secs`, is a failure to retry.

use super::event::Event;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Shortest HMAC key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 16;

/// One configured webhook.
pub struct Webhook {
    pub(super) name: String,
    url: String,
    key: Vec<u8>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// `sha256=<hex>`: the HMAC-SHA256 under `key` of `"<timestamp>.<body>"`.
#[must_use]
pub fn signature(key: &[u8], timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Webhook {
    /// A webhook to `url` signing with `key`, each attempt bounded by `timeout`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(
        name: &str,
        url: &str,
        key: Vec<u8>,
        timeout: std::time::Duration,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hallq/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            name: name.to_string(),
            url: url.to_string(),
            key,
            client,
        })
    }

    /// POSTs `body` (the serialised `event`); `Ok` on a 2xx answer.
    pub(super) async fn send(&self, event: &Event, body: &str) -> Result<(), String> {
        let ts = chrono::Utc::now().timestamp();
        let answer = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("x-hallq-event-id", &event.event_id)
            .header("x-hallq-event-type", event.kind)
            .header("x-hallq-timestamp", ts.to_string())
            .header("x-hallq-signature", signature(&self.key, ts, body))
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "timed out".to_string()
                } else if e.is_connect() {
                    "cannot connect".to_string()
                } else {
                    format!("request failed: {}", e.without_url())
                }
            })?;
        let status = answer.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("answered HTTP {}", status.as_u16()))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently (Python's hmac) over b"1700000000.{}" with key b"key".
        assert_eq!(
            super::signature(b"key", 1_700_000_000, "{}"),
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }
}
