-- Personal data (PIPL): the version of the key that made each stored ID hash
-- (identity.id_hash_key_version), so that the key can be rotated; rows from before this
-- migration were made with version 1.
ALTER TABLE appointments ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE bans ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE people ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE person_days ADD COLUMN key_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN person_key_version INTEGER;
UPDATE tickets SET person_key_version = 1 WHERE person IS NOT NULL;

-- Single-use identity assertions already used, per purpose (book, cancel), kept until
-- they expire: the primary key makes a second use fail even when two race.
CREATE TABLE assertion_uses (
    purpose TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT NOT NULL,
    PRIMARY KEY (purpose, jti)
);
CREATE INDEX assertion_uses_expiry ON assertion_uses (expires_at);

-- The retention sweep's scans.
CREATE INDEX appointments_slot ON appointments (slot_start);
CREATE INDEX bans_until ON bans (until_ms);
CREATE INDEX tickets_person_issued ON tickets (issued_at) WHERE person IS NOT NULL;
