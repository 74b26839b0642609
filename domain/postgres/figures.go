package postgres

import (
	"time"

	"permitline/domain"
)

func (r *q) OutboxFigures(now time.Time) (domain.OutboxFigures, error) {
	var f domain.OutboxFigures
	var oldest string
	// A text is waiting from the moment it may be sent: a reminder from its morning, not
	// from the booking that queued it. Both reads go by the status index, never over the
	// texts long sent.
	err := r.db.QueryRowContext(r.ctx, `SELECT COALESCE(SUM(CASE WHEN not_before <= ? THEN 1 ELSE 0 END), 0),
		COALESCE(MIN(CASE WHEN not_before <= ? THEN GREATEST(created_at, not_before) END), ''),
		COALESCE(SUM(CASE WHEN not_before > ? THEN 1 ELSE 0 END), 0)
		FROM outbox WHERE status IN ('pending', 'sending')`, ts(now), ts(now), ts(now)).Scan(&f.Waiting, &oldest, &f.Scheduled)
	if err != nil {
		return f, err
	}
	err = r.db.QueryRowContext(r.ctx, `SELECT COUNT(*) FROM outbox WHERE status = 'failed'`).Scan(&f.Failed)
	if err != nil {
		return f, err
	}
	f.OldestWaiting, err = parseTS(oldest)
	return f, err
}

func (r *q) CountTransfers(s domain.TransferStatus) (int, error) {
	var n int
	err := r.db.QueryRowContext(r.ctx, `SELECT COUNT(*) FROM transfers WHERE status = ?`, string(s)).Scan(&n)
	return n, err
}
