-- One database for a city's halls: every row of hall data carries its hall's id
-- (`hall`, '' for rows made before halls existed, given to the first hall at start by
-- Store::adopt_unowned), and the keys that were unique per hall now lead with it.
-- City-wide rows (people, sign-in attempts, assertion uses, leases) have no hall; the
-- per-person counters carry `scope_key`: '' when a rule counts over the city, the hall's
-- id when it counts per hall (one shared row per person and day for a city-wide rule, so
-- its row lock orders one person's bookings in every hall).

-- What was done once to this database (adopt_unowned).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

ALTER TABLE counters ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE counters DROP CONSTRAINT counters_pkey;
ALTER TABLE counters ADD PRIMARY KEY (hall, service, day);

-- The ticket token (status links /t/{token}) stays unique over the city.
ALTER TABLE tickets ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets DROP CONSTRAINT tickets_origin_service_day_seq_key;
ALTER TABLE tickets ADD CONSTRAINT tickets_hall_origin_service_day_seq_key UNIQUE (hall, origin_service, day, seq);
DROP INDEX tickets_queue;
DROP INDEX tickets_number;
DROP INDEX tickets_targeted;
DROP INDEX tickets_one_per_window;
CREATE INDEX tickets_queue ON tickets (hall, day, status, service, target_window, prio, arrived_at);
CREATE INDEX tickets_number ON tickets (hall, day, number);
CREATE INDEX tickets_targeted ON tickets (hall, target_window, day, status, prio, arrived_at) WHERE target_window IS NOT NULL;
CREATE UNIQUE INDEX tickets_one_per_window ON tickets (hall, window_id) WHERE status IN ('called', 'serving');
CREATE INDEX tickets_unowned ON tickets (hall) WHERE hall = '';

ALTER TABLE windows ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE windows DROP CONSTRAINT windows_pkey;
ALTER TABLE windows ADD PRIMARY KEY (hall, id);

ALTER TABLE outbox ADD COLUMN hall TEXT NOT NULL DEFAULT '';
DROP INDEX outbox_unsent;
CREATE INDEX outbox_unsent ON outbox (hall, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_hall ON outbox (hall, id);

ALTER TABLE slots ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE slots DROP CONSTRAINT slots_pkey;
ALTER TABLE slots ADD PRIMARY KEY (hall, service, slot_start);

ALTER TABLE person_days ADD COLUMN scope_key TEXT NOT NULL DEFAULT '';
ALTER TABLE person_days DROP CONSTRAINT person_days_pkey;
ALTER TABLE person_days ADD PRIMARY KEY (person, day, scope_key);

ALTER TABLE booking_acts ADD COLUMN scope_key TEXT NOT NULL DEFAULT '';
ALTER TABLE booking_acts DROP CONSTRAINT booking_acts_pkey;
ALTER TABLE booking_acts ADD PRIMARY KEY (person, day, scope_key);

ALTER TABLE people ADD COLUMN scope_key TEXT NOT NULL DEFAULT '';
ALTER TABLE people DROP CONSTRAINT people_pkey;
ALTER TABLE people ADD PRIMARY KEY (person, scope_key);

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
ALTER TABLE staff_sessions ADD COLUMN city_wide BIGINT NOT NULL DEFAULT 0;

ALTER TABLE button_presses ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE button_presses DROP CONSTRAINT button_presses_pkey;
ALTER TABLE button_presses ADD PRIMARY KEY (hall, window_id, press_id);

-- Waiting counts per hall; the trigger carries the hall.
ALTER TABLE waiting_counts ADD COLUMN hall TEXT NOT NULL DEFAULT '';
ALTER TABLE waiting_counts DROP CONSTRAINT waiting_counts_pkey;
ALTER TABLE waiting_counts ADD PRIMARY KEY (hall, day, service, targeted, prio);

CREATE OR REPLACE FUNCTION hallq_waiting_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'waiting' THEN
        UPDATE waiting_counts SET n = n - 1
        WHERE hall = OLD.hall AND day = OLD.day AND service = OLD.service
          AND targeted = (CASE WHEN OLD.target_window IS NULL THEN 0 ELSE 1 END)
          AND prio = OLD.prio;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'waiting' THEN
        INSERT INTO waiting_counts (hall, day, service, targeted, prio, n)
        VALUES (NEW.hall, NEW.day, NEW.service, CASE WHEN NEW.target_window IS NULL THEN 0 ELSE 1 END, NEW.prio, 1)
        ON CONFLICT (hall, day, service, targeted, prio) DO UPDATE SET n = waiting_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER waiting_counts ON tickets;
CREATE TRIGGER waiting_counts AFTER INSERT OR DELETE OR UPDATE OF hall, status, service, target_window, prio, day
ON tickets FOR EACH ROW EXECUTE FUNCTION hallq_waiting_counts();
