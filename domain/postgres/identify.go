package postgres

import (
	"database/sql"
	"errors"
	"time"

	"permitline/domain"
)

const sqlIdentifyFailures = `SELECT failures, window_start FROM identify_failures WHERE caller = ?`

// IdentifyFailures returns the count kept for a calling number; none yet is the zero count.
func (r *q) IdentifyFailures(caller string) (domain.IdentifyFailures, error) {
	var f domain.IdentifyFailures
	var start string
	err := r.db.QueryRowContext(r.ctx, sqlIdentifyFailures, caller).Scan(&f.Failures, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.IdentifyFailures{}, nil
	}
	if err != nil {
		return f, err
	}
	f.WindowStart, err = parseTS(start)
	return f, err
}

func (t *wtx) SetIdentifyFailures(caller string, f domain.IdentifyFailures) error {
	_, err := t.db.ExecContext(t.ctx, `INSERT INTO identify_failures (caller, failures, window_start) VALUES (?, ?, ?)
		ON CONFLICT (caller) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start`,
		caller, f.Failures, ts(f.WindowStart))
	return err
}

func (t *wtx) DeleteIdentifyFailuresBefore(windowBefore, lockBefore time.Time, limit int) (int, error) {
	res, err := t.db.ExecContext(t.ctx, `DELETE FROM identify_failures WHERE caller IN (
		SELECT caller FROM identify_failures
		WHERE (caller NOT LIKE 'account:%' AND window_start < ?)
		   OR (caller LIKE 'account:%' AND failures = 0 AND window_start < ?)
		LIMIT ?)`, ts(windowBefore), ts(lockBefore), limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *wtx) SetMemberPIN(id int64, hash string) error {
	return t.exec(`UPDATE members SET pin_hash = ?, pin_failures = 0, pin_locked_until = '' WHERE id = ?`, hash, id)
}
