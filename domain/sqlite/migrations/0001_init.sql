-- Instants are TEXT in UTC, fixed width (2006-01-02T15:04:05.000000Z), so they sort as
-- they compare. Dates are TEXT YYYY-MM-DD, London calendar days.

CREATE TABLE schemes (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    days       TEXT NOT NULL,
    opens      TEXT NOT NULL,
    closes     TEXT NOT NULL
);

CREATE TABLE addresses (
    id        INTEGER PRIMARY KEY,
    line      TEXT NOT NULL COLLATE NOCASE,
    postcode  TEXT NOT NULL COLLATE NOCASE,
    scheme_id INTEGER NOT NULL REFERENCES schemes(id),
    active    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (line, postcode)
);

CREATE TABLE residents (
    id               INTEGER PRIMARY KEY,
    account          TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    address_id       INTEGER NOT NULL REFERENCES addresses(id),
    phone            TEXT NOT NULL,
    pin_hash         TEXT NOT NULL DEFAULT '',
    pin_failures     INTEGER NOT NULL DEFAULT 0,
    pin_locked_until TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL
);
CREATE INDEX residents_phone ON residents (phone);

CREATE TABLE members (
    id               INTEGER PRIMARY KEY,
    resident_id      INTEGER NOT NULL REFERENCES residents(id),
    name             TEXT NOT NULL,
    phone            TEXT NOT NULL,
    permissions      TEXT NOT NULL,
    pin_hash         TEXT NOT NULL DEFAULT '',
    pin_failures     INTEGER NOT NULL DEFAULT 0,
    pin_locked_until TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL
);
CREATE INDEX members_phone ON members (phone);
CREATE INDEX members_resident ON members (resident_id);

CREATE TABLE registrations (
    id            INTEGER PRIMARY KEY,
    resident_id   INTEGER NOT NULL REFERENCES residents(id),
    document      TEXT NOT NULL,
    document_date TEXT NOT NULL DEFAULT '',
    tenancy_end   TEXT NOT NULL DEFAULT '',
    approved_at   TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX registrations_resident ON registrations (resident_id, approved_at);

CREATE TABLE vehicles (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents(id),
    vrm          TEXT NOT NULL,
    saved        INTEGER NOT NULL DEFAULT 0,
    last_used_at TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    UNIQUE (resident_id, vrm)
);

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY,
    resident_id     INTEGER NOT NULL REFERENCES residents(id),
    amount_pence    INTEGER NOT NULL CHECK (amount_pence >= 0),
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    provider_ref    TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE permits (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents(id),
    scheme_id    INTEGER NOT NULL REFERENCES schemes(id),
    payment_id   INTEGER NOT NULL REFERENCES payments(id),
    purchased_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    -- The domain decides; the schema refuses what can never be right (R8).
    visits_used  INTEGER NOT NULL DEFAULT 0 CHECK (visits_used BETWEEN 0 AND 5)
);
CREATE INDEX permits_resident_purchased ON permits (resident_id, purchased_at);
CREATE INDEX permits_resident_expires ON permits (resident_id, expires_at);
CREATE INDEX permits_payment ON permits (payment_id);

CREATE TABLE visits (
    id              INTEGER PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    resident_id     INTEGER NOT NULL REFERENCES residents(id),
    permit_id       INTEGER NOT NULL REFERENCES permits(id),
    scheme_id       INTEGER NOT NULL REFERENCES schemes(id),
    vrm             TEXT NOT NULL,
    date            TEXT NOT NULL,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    cancelled_at    TEXT NOT NULL DEFAULT '',
    actor_kind      TEXT NOT NULL,
    actor_id        INTEGER NOT NULL,
    actor_name      TEXT NOT NULL,
    channel         TEXT NOT NULL,
    idempotency_key TEXT UNIQUE
);
CREATE INDEX visits_resident_date ON visits (resident_id, date);
CREATE INDEX visits_vrm_scheme_date ON visits (vrm, scheme_id, date);
-- R18, held by the schema as well as by the domain.
CREATE UNIQUE INDEX visits_one_a_day ON visits (resident_id, scheme_id, vrm, date) WHERE status = 'active';

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    resident_id INTEGER,
    actor_kind  TEXT NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_resident ON audit (resident_id, id);
