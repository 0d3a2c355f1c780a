-- Staff sessions: a clerk or admin signed in with username + password gets a random
-- token; only its SHA-256 is stored. A session ends at expires_at, or earlier when the
-- holder signs out or an admin ends it (ended_at).
CREATE TABLE staff_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_sha256 TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    window_id TEXT,
    -- SHA-256 of the account's password hash at sign-in: a changed password ends it.
    credential TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX staff_sessions_user ON staff_sessions (username);

-- Sign-in attempts not yet followed by a success: each attempt is written (and
-- committed) before its password is checked, so concurrent guesses count too; an attempt
-- refused as locked removes its row (nonce), so retrying does not prolong a lockout.
CREATE TABLE staff_sign_in_attempts (
    username TEXT NOT NULL,
    at BIGINT NOT NULL,
    nonce TEXT NOT NULL
);
CREATE INDEX staff_sign_in_attempts_user ON staff_sign_in_attempts (username, at);

-- Who called a ticket (the signed-in clerk's username, or the credential / button name):
-- the dashboard's per-clerk service times.
ALTER TABLE tickets ADD COLUMN called_by TEXT;
