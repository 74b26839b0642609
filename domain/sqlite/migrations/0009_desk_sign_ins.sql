-- The desk's sign-in limits, kept in the store so a restart does not reset them.
-- desk_sign_ins: each attempt counted against the limits, recorded before its password is
-- checked; a failure stays until the window (15 minutes) has passed, a success removes the
-- attempts of its username and address. Rows older than the window are pruned at every
-- attempt.
-- desk_known_addresses: the addresses each username has signed in from (kept 90 days),
-- which the per-username limit across addresses does not refuse.

CREATE TABLE desk_sign_ins (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       TEXT NOT NULL,
    known    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX desk_sign_ins_username ON desk_sign_ins (username, at);
CREATE INDEX desk_sign_ins_address ON desk_sign_ins (address, at);
CREATE INDEX desk_sign_ins_at ON desk_sign_ins (at);

CREATE TABLE desk_known_addresses (
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    last_at  TEXT NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE INDEX desk_known_addresses_last_at ON desk_known_addresses (last_at);
