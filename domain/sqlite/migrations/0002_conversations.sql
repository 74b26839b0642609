-- Conversations between webhooks, the replies given at each step, and transfers to the
-- helpdesk with their context.

CREATE TABLE conversations (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    key        TEXT NOT NULL,
    flow       TEXT NOT NULL,
    state      TEXT NOT NULL,
    data       BLOB NOT NULL,
    ended      INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    UNIQUE (channel, key)
);

CREATE TABLE conversation_steps (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    step            INTEGER NOT NULL,
    input_hash      TEXT NOT NULL,
    reply           BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (conversation_id, step)
);

CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    call_sid    TEXT NOT NULL UNIQUE,
    caller_from TEXT NOT NULL,
    resident_id INTEGER REFERENCES residents(id),
    actor_kind  TEXT NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    verified    INTEGER NOT NULL,
    flow        TEXT NOT NULL,
    state       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    context     BLOB NOT NULL,
    status      TEXT NOT NULL,
    agent_id    INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX transfers_created ON transfers (created_at);
CREATE INDEX transfers_status ON transfers (status, created_at);
