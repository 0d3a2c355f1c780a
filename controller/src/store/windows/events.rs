//! The hall events a window action writes to the outbox in its transaction.

use super::{Tx, WindowInfo};
use crate::hours::rfc3339;
use crate::model::Ticket;
use crate::store::outbox;
use chrono_tz::Tz;
use hallq_mqtt::payload::{to_json, CallBody};

/// Events an action emits: always the window's state, the queues it touched, and a call.
#[derive(Default)]
pub(super) struct Events {
    pub(super) call: Option<(i64, bool)>,
    pub(super) queues: Vec<String>,
}

impl Events {
    pub(super) async fn write(
        mut self,
        tx: &mut Tx,
        hall: &str,
        w: WindowInfo<'_>,
        t: Option<&Ticket>,
        now: i64,
        tz: Tz,
    ) -> Result<(Vec<i64>, Vec<String>), sqlx::Error> {
        let mut rows: Vec<(&str, &str, String)> = Vec::with_capacity(4);
        if let (Some((_, recall)), Some(t)) = (self.call, t) {
            // The call event without its id (the relay adds it): hallq_mqtt's typed shape.
            let call = CallBody {
                number: t.number.clone(),
                service: t.service.clone(),
                window: w.id.to_string(),
                window_name: w.name.to_string(),
                called_at: rfc3339(tz, now),
                called_at_ms: Some(now),
                recall,
                kind: Some(crate::model::wire_kind(t.kind)),
            };
            rows.push((outbox::CALL, w.id, to_json(&call)));
        }
        rows.push((outbox::WINDOW, w.id, String::new()));
        self.queues.sort();
        self.queues.dedup();
        for q in &self.queues {
            rows.push((outbox::QUEUE, q, String::new()));
        }
        let ids = outbox::enqueue_all(tx, hall, &rows, now).await?;
        Ok((ids, self.queues))
    }
}
