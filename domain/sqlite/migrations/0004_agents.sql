-- Helpdesk agents.

CREATE TABLE agents (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL DEFAULT '',
    client_identity TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
