-- Presses of physical call buttons (MQTT buttons/{w}), one row per press id per window:
-- inserted in the same transaction as the action, so a repeated press id (QoS 1
-- redelivery, a device retrying, two controllers receiving it) acts at most once.
CREATE TABLE button_presses (
    window_id TEXT NOT NULL,
    press_id TEXT NOT NULL,
    action TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (window_id, press_id)
);
