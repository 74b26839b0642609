-- Callbacks and voicemails (R25), and when an agent took each call from the queue.

ALTER TABLE transfers ADD COLUMN taken_at TEXT NOT NULL DEFAULT '';

-- A callback: asked for in the queue (kept: due from when the caller joined it, keeping their
-- place) or booked while the helpdesk was closed (due when it next opens). One per call; a
-- resident has at most one pending or being made.
CREATE TABLE callbacks (
    id           INTEGER PRIMARY KEY,
    call_sid     TEXT NOT NULL UNIQUE,
    number       TEXT NOT NULL,
    resident_id  INTEGER REFERENCES residents(id),
    actor_kind   TEXT NOT NULL,
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    verified     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    context      BLOB NOT NULL,
    transfer_id  INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    agent_id     INTEGER NOT NULL DEFAULT 0,
    outbound_sid TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX callbacks_status ON callbacks (status, due_at, id);
CREATE INDEX callbacks_outbound ON callbacks (outbound_sid) WHERE outbound_sid <> '';
-- R25: one open callback per resident, whatever two channels or nodes do at once.
CREATE UNIQUE INDEX callbacks_one_open ON callbacks (resident_id)
    WHERE resident_id IS NOT NULL AND status IN ('pending', 'calling');

-- A message left while the helpdesk was closed: one per call, filled in by the <Record>
-- action and Twilio's recording status callback, in either order.
CREATE TABLE voicemails (
    id            INTEGER PRIMARY KEY,
    call_sid      TEXT NOT NULL UNIQUE,
    caller_from   TEXT NOT NULL,
    resident_id   INTEGER REFERENCES residents(id),
    actor_kind    TEXT NOT NULL,
    actor_id      INTEGER NOT NULL,
    actor_name    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    context       BLOB NOT NULL,
    recording_sid TEXT NOT NULL DEFAULT '',
    recording_url TEXT NOT NULL DEFAULT '',
    duration      INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    agent_id      INTEGER NOT NULL DEFAULT 0,
    note          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX voicemails_status ON voicemails (status, created_at, id);
