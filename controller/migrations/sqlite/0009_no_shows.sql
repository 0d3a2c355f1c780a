-- Each no-show with its date (the slot's start), so that no-shows count over a rolling
-- period ([appointments] no_show_period_months) and those a ban was given for never count
-- again (spent = 1). person = keyed hash of the ID number. Purged after the retention
-- period. Replaces the running total people.no_shows, which is no longer used.
CREATE TABLE no_shows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT NOT NULL,
    at BIGINT NOT NULL,
    spent BIGINT NOT NULL DEFAULT 0,
    key_version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX no_shows_person ON no_shows (person, at);
CREATE INDEX no_shows_at ON no_shows (at);

-- The no-shows on record so far; those before a ban of the person count as spent.
INSERT INTO no_shows (person, at, spent, key_version)
SELECT a.person, a.slot_start,
       CASE WHEN EXISTS (SELECT 1 FROM bans b WHERE b.person = a.person AND b.starts_at >= a.changed_at)
            THEN 1 ELSE 0 END,
       a.key_version
FROM appointments a WHERE a.status = 'no_show';
UPDATE people SET no_shows = 0;
