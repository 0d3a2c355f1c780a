-- One database for a city's halls: every row of hall data carries its hall's id
-- (`hall`, '' for rows made before halls existed, given to the first hall at start by
-- Store::adopt_unowned), and the keys that were unique per hall now lead with it.
-- City-wide rows (people, sign-in attempts, assertion uses, leases) have no hall; the
-- per-person counters carry `scope_key`: '' when a rule counts over the city, the hall's
-- id when it counts per hall. SQLite cannot change a key in place: those tables are
-- rebuilt (new table, copy, drop, rename, indexes and triggers again), in this
-- migration's transaction.

-- What was done once to this database (adopt_unowned).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE counters_new (
    hall TEXT NOT NULL DEFAULT '',
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (hall, service, day)
);
INSERT INTO counters_new (hall, service, day, last) SELECT '', service, day, last FROM counters;
DROP TABLE counters;
ALTER TABLE counters_new RENAME TO counters;

-- The ticket token (status links /t/{token}) stays unique over the city.
CREATE TABLE tickets_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hall TEXT NOT NULL DEFAULT '',
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
    print_status TEXT NOT NULL DEFAULT 'none',
    person TEXT,
    called_by TEXT,
    person_key_version INTEGER,
    from_window TEXT,
    from_service TEXT,
    UNIQUE (hall, origin_service, day, seq)
);
INSERT INTO tickets_new (id, hall, token, number, origin_service, service, day, seq, kind,
    prio, status, window_id, target_window, slot_start, arrived_at, issued_at, called_at,
    started_at, finished_at, calls, print_status, person, called_by, person_key_version,
    from_window, from_service)
SELECT id, '', token, number, origin_service, service, day, seq, kind,
    prio, status, window_id, target_window, slot_start, arrived_at, issued_at, called_at,
    started_at, finished_at, calls, print_status, person, called_by, person_key_version,
    from_window, from_service
FROM tickets;
DROP TABLE tickets;
ALTER TABLE tickets_new RENAME TO tickets;
CREATE INDEX tickets_queue ON tickets (hall, day, status, service, target_window, prio, arrived_at);
CREATE INDEX tickets_number ON tickets (hall, day, number);
CREATE INDEX tickets_targeted ON tickets (hall, target_window, day, status, prio, arrived_at) WHERE target_window IS NOT NULL;
CREATE UNIQUE INDEX tickets_one_per_window ON tickets (hall, window_id) WHERE status IN ('called', 'serving');
CREATE INDEX tickets_person_issued ON tickets (issued_at) WHERE person IS NOT NULL;
CREATE INDEX tickets_unowned ON tickets (hall) WHERE hall = '';

CREATE TABLE windows_new (
    hall TEXT NOT NULL DEFAULT '',
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    pause_reason TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (hall, id)
);
INSERT INTO windows_new (hall, id, status, pause_reason, updated_at)
SELECT '', id, status, pause_reason, updated_at FROM windows;
DROP TABLE windows;
ALTER TABLE windows_new RENAME TO windows;

ALTER TABLE outbox ADD COLUMN hall TEXT NOT NULL DEFAULT '';
DROP INDEX outbox_unsent;
CREATE INDEX outbox_unsent ON outbox (hall, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_hall ON outbox (hall, id);

CREATE TABLE slots_new (
    hall TEXT NOT NULL DEFAULT '',
    service TEXT NOT NULL,
    slot_start INTEGER NOT NULL,
    slot_end INTEGER NOT NULL,
    capacity INTEGER NOT NULL,
    booked INTEGER NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hall, service, slot_start)
);
INSERT INTO slots_new (hall, service, slot_start, slot_end, capacity, booked, closed)
SELECT '', service, slot_start, slot_end, capacity, booked, closed FROM slots;
DROP TABLE slots;
ALTER TABLE slots_new RENAME TO slots;

CREATE TABLE person_days_new (
    person TEXT NOT NULL,
    day TEXT NOT NULL,
    scope_key TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL,
    key_version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (person, day, scope_key)
);
INSERT INTO person_days_new (person, day, scope_key, active, key_version)
SELECT person, day, '', active, key_version FROM person_days;
DROP TABLE person_days;
ALTER TABLE person_days_new RENAME TO person_days;

CREATE TABLE booking_acts_new (
    person TEXT NOT NULL,
    day TEXT NOT NULL,
    scope_key TEXT NOT NULL DEFAULT '',
    acts BIGINT NOT NULL,
    key_version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (person, day, scope_key)
);
INSERT INTO booking_acts_new (person, day, scope_key, acts, key_version)
SELECT person, day, '', acts, key_version FROM booking_acts;
DROP TABLE booking_acts;
ALTER TABLE booking_acts_new RENAME TO booking_acts;
CREATE INDEX booking_acts_day ON booking_acts (day);

CREATE TABLE people_new (
    person TEXT NOT NULL,
    scope_key TEXT NOT NULL DEFAULT '',
    no_shows INTEGER NOT NULL DEFAULT 0,
    false_streak INTEGER NOT NULL DEFAULT 0,
    key_version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (person, scope_key)
);
INSERT INTO people_new (person, scope_key, no_shows, false_streak, key_version)
SELECT person, '', no_shows, false_streak, key_version FROM people;
DROP TABLE people;
ALTER TABLE people_new RENAME TO people;

ALTER TABLE appointments ADD COLUMN hall TEXT NOT NULL DEFAULT '';
CREATE INDEX appointments_hall_due ON appointments (hall, status, slot_start);
ALTER TABLE bans ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN hall TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_hall ON audit (hall, id);
ALTER TABLE no_shows ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN hall TEXT NOT NULL DEFAULT '';
DROP INDEX notices_due;
CREATE INDEX notices_due ON notices (hall, next_at) WHERE delivered_at IS NULL;
ALTER TABLE closures ADD COLUMN hall TEXT NOT NULL DEFAULT '';

-- A session records the hall it was made in; a city-wide staff user's is valid in every
-- hall (city_wide = 1).
ALTER TABLE staff_sessions ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE staff_sessions ADD COLUMN city_wide INTEGER NOT NULL DEFAULT 0;

CREATE TABLE button_presses_new (
    hall TEXT NOT NULL DEFAULT '',
    window_id TEXT NOT NULL,
    press_id TEXT NOT NULL,
    action TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (hall, window_id, press_id)
);
INSERT INTO button_presses_new (hall, window_id, press_id, action, at)
SELECT '', window_id, press_id, action, at FROM button_presses;
DROP TABLE button_presses;
ALTER TABLE button_presses_new RENAME TO button_presses;

-- Waiting counts per hall, rebuilt from the tickets; the triggers carry the hall.
DROP TABLE waiting_counts;
CREATE TABLE waiting_counts (
    hall TEXT NOT NULL DEFAULT '',
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    targeted INTEGER NOT NULL,
    prio INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hall, day, service, targeted, prio)
);
INSERT INTO waiting_counts (hall, day, service, targeted, prio, n)
SELECT hall, day, service, CASE WHEN target_window IS NULL THEN 0 ELSE 1 END, prio, COUNT(*)
FROM tickets WHERE status = 'waiting'
GROUP BY hall, day, service, CASE WHEN target_window IS NULL THEN 0 ELSE 1 END, prio;

CREATE TRIGGER waiting_counts_insert AFTER INSERT ON tickets
WHEN NEW.status = 'waiting'
BEGIN
    INSERT OR IGNORE INTO waiting_counts (hall, day, service, targeted, prio, n)
    VALUES (NEW.hall, NEW.day, NEW.service, NEW.target_window IS NOT NULL, NEW.prio, 0);
    UPDATE waiting_counts SET n = n + 1
    WHERE hall = NEW.hall AND day = NEW.day AND service = NEW.service
      AND targeted = (NEW.target_window IS NOT NULL) AND prio = NEW.prio;
END;

CREATE TRIGGER waiting_counts_leave AFTER UPDATE OF hall, status, service, target_window, prio, day ON tickets
WHEN OLD.status = 'waiting'
BEGIN
    UPDATE waiting_counts SET n = n - 1
    WHERE hall = OLD.hall AND day = OLD.day AND service = OLD.service
      AND targeted = (OLD.target_window IS NOT NULL) AND prio = OLD.prio;
END;

CREATE TRIGGER waiting_counts_enter AFTER UPDATE OF hall, status, service, target_window, prio, day ON tickets
WHEN NEW.status = 'waiting'
BEGIN
    INSERT OR IGNORE INTO waiting_counts (hall, day, service, targeted, prio, n)
    VALUES (NEW.hall, NEW.day, NEW.service, NEW.target_window IS NOT NULL, NEW.prio, 0);
    UPDATE waiting_counts SET n = n + 1
    WHERE hall = NEW.hall AND day = NEW.day AND service = NEW.service
      AND targeted = (NEW.target_window IS NOT NULL) AND prio = NEW.prio;
END;

CREATE TRIGGER waiting_counts_delete AFTER DELETE ON tickets
WHEN OLD.status = 'waiting'
BEGIN
    UPDATE waiting_counts SET n = n - 1
    WHERE hall = OLD.hall AND day = OLD.day AND service = OLD.service
      AND targeted = (OLD.target_window IS NOT NULL) AND prio = OLD.prio;
END;
