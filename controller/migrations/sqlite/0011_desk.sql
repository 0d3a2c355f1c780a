-- The consult desk (咨询台) and the hall's closures.
-- contact = keyed hash of the normalised name and the phone's last 4 digits, made at
-- booking time (the clear name and phone are never stored); NULL for older rows.
ALTER TABLE appointments ADD COLUMN contact TEXT;
-- Why the hall cancelled it (a closure), NULL when its holder cancelled.
ALTER TABLE appointments ADD COLUMN cancel_reason TEXT;
CREATE INDEX appointments_contact ON appointments (contact);
CREATE INDEX appointments_day ON appointments (day, service, slot_start);

-- A closed slot refuses bookings in the same conditional upsert that counts them.
ALTER TABLE slots ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;

-- Slots or days closed by an admin (emergency): service NULL = every service,
-- slot_start NULL = the whole day.
CREATE TABLE closures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    day TEXT NOT NULL,
    service TEXT,
    slot_start INTEGER,
    reason TEXT NOT NULL,
    cancelled INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX closures_day ON closures (day);
