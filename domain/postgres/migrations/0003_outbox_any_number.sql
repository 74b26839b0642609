-- A text may go to a caller who has no account (SQLite's 0012): the outbox's resident
-- becomes optional.
ALTER TABLE outbox ALTER COLUMN resident_id DROP NOT NULL;
