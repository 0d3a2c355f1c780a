-- Ticket numbers: one row per service and local day; incremented atomically.
CREATE TABLE counters (
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (service, day)
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    number TEXT NOT NULL,
    origin_service TEXT NOT NULL,
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    prio INTEGER NOT NULL,
    status TEXT NOT NULL,
    window_id TEXT,
    target_window TEXT,
    slot_start INTEGER,
    arrived_at INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    called_at INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    calls INTEGER NOT NULL DEFAULT 0,
    UNIQUE (origin_service, day, seq)
);
-- Covers the queue counts (waiting per service, people ahead) without table lookups.
CREATE INDEX tickets_queue ON tickets (day, status, service, target_window, prio, arrived_at);
CREATE INDEX tickets_number ON tickets (day, number);
-- Tickets transferred to one window.
CREATE INDEX tickets_targeted ON tickets (target_window, day, status, prio, arrived_at) WHERE target_window IS NOT NULL;
-- A window holds at most one ticket at a time.
CREATE UNIQUE INDEX tickets_one_per_window ON tickets (window_id) WHERE status IN ('called', 'serving');

CREATE TABLE windows (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    pause_reason TEXT,
    updated_at INTEGER NOT NULL
);

-- Events committed with their state change; the relay publishes and marks them.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
