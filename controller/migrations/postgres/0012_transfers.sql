-- Where a transferred ticket came from, for the clerk's desk view: the window that
-- transferred it and the service it was in then (NULL when never transferred; the last
-- transfer wins).
ALTER TABLE tickets ADD COLUMN from_window TEXT;
ALTER TABLE tickets ADD COLUMN from_service TEXT;
