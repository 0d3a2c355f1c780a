-- Waiting tickets counted per (day, service, targeted, prio), kept exact by triggers on
-- every change of a ticket, so "people ahead" of a new ticket and the queue lengths are a
-- few row reads instead of a count over the whole queue. targeted = 1 for tickets sent to
-- one window (target_window set).
CREATE TABLE waiting_counts (
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    targeted INTEGER NOT NULL,
    prio INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, service, targeted, prio)
);

INSERT INTO waiting_counts (day, service, targeted, prio, n)
SELECT day, service, CASE WHEN target_window IS NULL THEN 0 ELSE 1 END, prio, COUNT(*)
FROM tickets WHERE status = 'waiting'
GROUP BY day, service, CASE WHEN target_window IS NULL THEN 0 ELSE 1 END, prio;

CREATE TRIGGER waiting_counts_insert AFTER INSERT ON tickets
WHEN NEW.status = 'waiting'
BEGIN
    INSERT OR IGNORE INTO waiting_counts (day, service, targeted, prio, n)
    VALUES (NEW.day, NEW.service, NEW.target_window IS NOT NULL, NEW.prio, 0);
    UPDATE waiting_counts SET n = n + 1
    WHERE day = NEW.day AND service = NEW.service
      AND targeted = (NEW.target_window IS NOT NULL) AND prio = NEW.prio;
END;

CREATE TRIGGER waiting_counts_leave AFTER UPDATE OF status, service, target_window, prio, day ON tickets
WHEN OLD.status = 'waiting'
BEGIN
    UPDATE waiting_counts SET n = n - 1
    WHERE day = OLD.day AND service = OLD.service
      AND targeted = (OLD.target_window IS NOT NULL) AND prio = OLD.prio;
END;

CREATE TRIGGER waiting_counts_enter AFTER UPDATE OF status, service, target_window, prio, day ON tickets
WHEN NEW.status = 'waiting'
BEGIN
    INSERT OR IGNORE INTO waiting_counts (day, service, targeted, prio, n)
    VALUES (NEW.day, NEW.service, NEW.target_window IS NOT NULL, NEW.prio, 0);
    UPDATE waiting_counts SET n = n + 1
    WHERE day = NEW.day AND service = NEW.service
      AND targeted = (NEW.target_window IS NOT NULL) AND prio = NEW.prio;
END;

CREATE TRIGGER waiting_counts_delete AFTER DELETE ON tickets
WHEN OLD.status = 'waiting'
BEGIN
    UPDATE waiting_counts SET n = n - 1
    WHERE day = OLD.day AND service = OLD.service
      AND targeted = (OLD.target_window IS NOT NULL) AND prio = OLD.prio;
END;
