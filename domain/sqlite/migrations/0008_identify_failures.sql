-- Failed identifications on the phone line by calling number (an account number that
-- is not one, or a wrong PIN after an account number), counted in a window, so that no
-- one can try account numbers from one number across many calls. Withheld numbers
-- share one row, 'withheld'.

CREATE TABLE identify_failures (
    caller       TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TEXT NOT NULL
);
CREATE INDEX identify_failures_window ON identify_failures (window_start);
