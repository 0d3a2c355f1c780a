-- Whether the ticket's paper copy printed: none (no printer), printed, failed.
ALTER TABLE tickets ADD COLUMN print_status TEXT NOT NULL DEFAULT 'none';
