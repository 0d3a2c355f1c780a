-- Citizens' notifications (docs/notifications.md).
-- Who to notify: the identity provider that vouched for the booking and the citizen's
-- account there (the assertion's `sub`), so the message service can reach the person.
ALTER TABLE appointments ADD COLUMN provider TEXT;
ALTER TABLE appointments ADD COLUMN subject TEXT;

-- The notification outbox: written in the transaction of the change it describes,
-- delivered by one controller (lease `notify-deliverer`) to every configured notifier.
-- `facts` is the event's JSON (masked data only); `done` lists the notifiers that have
-- it (comma-separated); `next_at` is when the next attempt is due.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    appointment_id INTEGER,
    lead_minutes INTEGER,
    facts TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    done TEXT NOT NULL DEFAULT '',
    last_error TEXT,
    delivered_at INTEGER
);
-- One reminder per appointment and lead time, whichever controller inserts it first.
CREATE UNIQUE INDEX notices_once ON notices (appointment_id, type, lead_minutes);
CREATE INDEX notices_due ON notices (next_at) WHERE delivered_at IS NULL;
CREATE INDEX notices_created ON notices (created_at);
