-- Waiting tickets counted per (day, service, targeted, prio), kept exact by a trigger on
-- every change of a ticket, so "people ahead" of a new ticket and the queue lengths are a
-- few row reads instead of a count over the whole queue. targeted = 1 for tickets sent to
-- one window (target_window set).
CREATE TABLE waiting_counts (
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    targeted BIGINT NOT NULL,
    prio BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, service, targeted, prio)
);

INSERT INTO waiting_counts (day, service, targeted, prio, n)
SELECT day, service, CASE WHEN target_window IS NULL THEN 0 ELSE 1 END, prio, COUNT(*)
FROM tickets WHERE status = 'waiting'
GROUP BY day, service, CASE WHEN target_window IS NULL THEN 0 ELSE 1 END, prio;

CREATE FUNCTION hallq_waiting_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'waiting' THEN
        UPDATE waiting_counts SET n = n - 1
        WHERE day = OLD.day AND service = OLD.service
          AND targeted = (CASE WHEN OLD.target_window IS NULL THEN 0 ELSE 1 END)
          AND prio = OLD.prio;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'waiting' THEN
        INSERT INTO waiting_counts (day, service, targeted, prio, n)
        VALUES (NEW.day, NEW.service, CASE WHEN NEW.target_window IS NULL THEN 0 ELSE 1 END, NEW.prio, 1)
        ON CONFLICT (day, service, targeted, prio) DO UPDATE SET n = waiting_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER waiting_counts AFTER INSERT OR DELETE OR UPDATE OF status, service, target_window, prio, day
ON tickets FOR EACH ROW EXECUTE FUNCTION hallq_waiting_counts();
