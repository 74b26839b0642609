-- A text may go to a caller who has no account (a callback that could not reach them, how
-- to register): the outbox's resident becomes optional. SQLite cannot drop a NOT NULL in
-- place, so the table is rebuilt with its rows, ids and indexes.

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    resident_id     INTEGER REFERENCES residents(id),
    visit_id        INTEGER NOT NULL DEFAULT 0,
    not_before      TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_try        TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    provider_sid    TEXT NOT NULL DEFAULT '',
    delivery_status TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO outbox_new SELECT id, key, kind, recipient, resident_id, visit_id, not_before, status, attempts, next_try,
    last_error, provider_sid, delivery_status, body, created_at, updated_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_try);
CREATE INDEX outbox_recipient ON outbox (recipient, status);
CREATE INDEX outbox_provider_sid ON outbox (provider_sid) WHERE provider_sid != '';
