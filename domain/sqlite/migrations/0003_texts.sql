-- Text messages: numbers that opted out, texts received (with the reply given), and the
-- outbox of texts the service sends by itself.

CREATE TABLE opt_outs (
    phone      TEXT PRIMARY KEY,
    opted_out  INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE texts_received (
    message_sid TEXT PRIMARY KEY,
    sender      TEXT NOT NULL,
    body        TEXT NOT NULL,
    reply       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    resident_id     INTEGER NOT NULL REFERENCES residents(id),
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
CREATE INDEX outbox_due ON outbox (status, next_try);
CREATE INDEX outbox_recipient ON outbox (recipient, status);
CREATE INDEX outbox_provider_sid ON outbox (provider_sid) WHERE provider_sid != '';
