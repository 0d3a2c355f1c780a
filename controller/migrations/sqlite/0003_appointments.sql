-- Bookable slots: capacity enforced by a conditional upsert on `booked`.
CREATE TABLE slots (
    service TEXT NOT NULL,
    slot_start INTEGER NOT NULL,
    slot_end INTEGER NOT NULL,
    capacity INTEGER NOT NULL,
    booked INTEGER NOT NULL,
    PRIMARY KEY (service, slot_start)
);

-- Active appointments per person and local day (the daily limit), same technique.
CREATE TABLE person_days (
    person TEXT NOT NULL,
    day TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (person, day)
);

-- person = keyed hash of the ID number; the clear number is never stored.
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    slot_start INTEGER NOT NULL,
    slot_end INTEGER NOT NULL,
    day TEXT NOT NULL,
    person TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    channel TEXT NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    ticket_id INTEGER,
    false_info INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX appointments_person ON appointments (person, day);
CREATE INDEX appointments_due ON appointments (status, slot_start);
CREATE INDEX appointments_ticket ON appointments (ticket_id);

-- Standing of a person: no-shows so far, consecutive false-information marks.
CREATE TABLE people (
    person TEXT PRIMARY KEY,
    no_shows INTEGER NOT NULL DEFAULT 0,
    false_streak INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE bans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    reason TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    until_ms INTEGER NOT NULL,
    until_day TEXT NOT NULL,
    lifted_at INTEGER,
    lifted_by TEXT,
    lift_reason TEXT
);
CREATE INDEX bans_person ON bans (person);

-- Who did what, when, from where (staff and admin actions).
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    origin TEXT NOT NULL
);

-- The person behind an appointment ticket (for checks at the window).
ALTER TABLE tickets ADD COLUMN person TEXT;
