-- The wait a ticket's holder was first shown (seconds; NULL when none was shown, e.g. no
-- window serving its service was open when it was issued), written once right after the
-- ticket is issued (Store::record_estimate), for the estimate-accuracy panel of the admin
-- dashboard (predicted vs actual wait).
ALTER TABLE tickets ADD COLUMN estimate_s INTEGER;
