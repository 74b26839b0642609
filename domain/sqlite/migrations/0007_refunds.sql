-- Refunds due (R24): a payment taken whose permits could not be issued. One row per payment
-- reference, written in the transaction that refused the purchase, kept until an operator
-- marks it settled.

CREATE TABLE refunds (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents(id),
    amount_pence INTEGER NOT NULL CHECK (amount_pence > 0),
    quantity     INTEGER NOT NULL,
    payment_ref  TEXT NOT NULL UNIQUE,
    rule         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    channel      TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     INTEGER NOT NULL,
    actor_name   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    settled_at   TEXT NOT NULL DEFAULT '',
    settled_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX refunds_due ON refunds (settled_at, created_at);
CREATE INDEX refunds_resident ON refunds (resident_id, created_at);
