-- Bookings made per person and calendar day of the booking moment (the hall's time zone),
-- cancelled ones included: "同一用户每天只能预约2次" counts booking acts, so booking,
-- cancelling and booking again is stopped. A counter raised by a conditional upsert in
-- the booking transaction; person = keyed hash of the ID number (never the number).
-- Purged with the other personal data after the retention period.
CREATE TABLE booking_acts (
    person TEXT NOT NULL,
    day TEXT NOT NULL,
    acts BIGINT NOT NULL,
    key_version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (person, day)
);
CREATE INDEX booking_acts_day ON booking_acts (day);
