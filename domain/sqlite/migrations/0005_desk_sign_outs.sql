-- Desk sessions signed out before they expired, each kept until it would have expired:
-- a signed-out session stays out across a restart of the line.

CREATE TABLE desk_sign_outs (
    session  TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    until    TEXT NOT NULL
);
CREATE INDEX desk_sign_outs_until ON desk_sign_outs (until);
