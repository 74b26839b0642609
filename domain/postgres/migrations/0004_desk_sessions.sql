-- Desk sessions (SQLite's 0013): a row per sign-in at the desk, so the supervisor can count the agents
-- signed in on every node (domain.SignedInWithin). last_seen is touched at most once a
-- minute by the session's requests; signed_out_at is set when the agent signs out ('' until
-- then). Rows are forgotten a day after they were last seen.

CREATE TABLE desk_sessions (
    session       TEXT PRIMARY KEY,
    agent_id      BIGINT NOT NULL REFERENCES agents(id),
    signed_in_at  TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    signed_out_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX desk_sessions_seen ON desk_sessions (last_seen);
