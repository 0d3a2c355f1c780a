-- The wait a ticket's holder was first shown (seconds; NULL when none was shown, e.g. no
-- window serving its service was open when it was issued), written once right after the
-- ticket is issued (Store::record_estimate), for the estimate-accuracy panel of the admin
-- dashboard (predicted vs actual wait); beside it what the former estimator (people ahead ×
-- recent mean ÷ open windows) would have said at the same moment, to measure against.
ALTER TABLE tickets ADD COLUMN estimate_s INTEGER;
ALTER TABLE tickets ADD COLUMN estimate_baseline_s INTEGER;
