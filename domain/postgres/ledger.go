package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"permitline/domain"
	"permitline/domain/calendar"
)

// Ledger reads a permitline database's payments, permits, visits and audit as a whole,
// on one read-only snapshot: what a check that they add up needs (the load's end-of-run
// check), beside the domain's Reader, which looks records up one at a time.
type Ledger struct {
	domain.Reader
	q *q
}

// ReadLedger connects to the database at addr (a postgres:// address) and runs fn on one
// read-only REPEATABLE READ snapshot of it; it writes nothing, and the line may run on it
// meanwhile.
func ReadLedger(ctx context.Context, addr string, fn func(*Ledger) error) error {
	db, err := sql.Open("pgx", addr)
	if err != nil {
		return fmt.Errorf("opening the ledger's database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning the ledger's read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	r := &q{ctx: ctx, db: &rebinder{tx: tx}}
	return fn(&Ledger{Reader: r, q: r})
}

// LastIDs returns the highest visit and payment ids (0 for none): a later row was
// written after this snapshot.
func (l *Ledger) LastIDs() (visit, payment int64, err error) {
	err = l.q.db.QueryRowContext(l.q.ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM visits),
		(SELECT COALESCE(MAX(id), 0) FROM payments)`).Scan(&visit, &payment)
	return visit, payment, err
}

// VisitCount counts the resident's visits of vrm on date, active or cancelled, in any scheme.
func (l *Ledger) VisitCount(residentID int64, vrm string, date calendar.Date) (int, error) {
	var n int
	err := l.q.db.QueryRowContext(l.q.ctx, `SELECT COUNT(*) FROM visits WHERE resident_id = ? AND vrm = ? AND date = ?`,
		residentID, vrm, ds(date)).Scan(&n)
	return n, err
}

// VisitsAfter lists the visits whose id is above id, in id order.
func (l *Ledger) VisitsAfter(id int64) ([]domain.Visit, error) {
	return many(l.q, scanVisit, `SELECT `+visitCols+` FROM visits WHERE id > ? ORDER BY id`, id)
}

// ActiveVisitsByPermit counts the active visits on each permit that has any, by the
// permit id the visits name (whether or not such a permit is stored).
func (l *Ledger) ActiveVisitsByPermit() (map[int64]int, error) {
	return countBy[int64](l.q, `SELECT permit_id, COUNT(*) FROM visits WHERE status = ? GROUP BY permit_id`,
		string(domain.VisitActive))
}

// EachPermit runs fn on every permit, in id order.
func (l *Ledger) EachPermit(fn func(domain.Permit) error) error {
	return each(l.q, `SELECT `+permitCols+` FROM permits ORDER BY id`, func(s scanner) error {
		p, err := scanPermit(s)
		if err != nil {
			return err
		}
		return fn(p)
	})
}

const paymentCols = `id, resident_id, amount_pence, quantity, provider_ref, idempotency_key, channel, created_at`

// EachPayment runs fn on every payment, in id order, with the number of permits stored
// for it.
func (l *Ledger) EachPayment(fn func(p domain.Payment, permits int) error) error {
	return each(l.q, `SELECT `+paymentCols+`, (SELECT COUNT(*) FROM permits WHERE payment_id = payments.id)
		FROM payments ORDER BY id`, func(s scanner) error {
		var n int
		p, err := scanPayment(withLast{s, &n})
		if err != nil {
			return err
		}
		return fn(p, n)
	})
}

// PaymentsByRef lists the payments with a provider reference (a card payment's
// confirmation code), in id order.
func (l *Ledger) PaymentsByRef(ref string) ([]domain.Payment, error) {
	return many(l.q, scanPayment, `SELECT `+paymentCols+` FROM payments WHERE provider_ref = ? ORDER BY id`, ref)
}

// PaymentsAfter lists the payments whose id is above id, in id order.
func (l *Ledger) PaymentsAfter(id int64) ([]domain.Payment, error) {
	return many(l.q, scanPayment, `SELECT `+paymentCols+` FROM payments WHERE id > ? ORDER BY id`, id)
}

// AuditCounts counts the audit entries by action, about an account or not.
func (l *Ledger) AuditCounts() (map[string]int, error) {
	return countBy[string](l.q, `SELECT action, COUNT(*) FROM audit GROUP BY action`)
}

// each runs fn on every row of the query, without keeping the rows.
// countBy reads the rows of a query that selects a key and a count into a map.
func countBy[K comparable](r *q, query string, args ...any) (map[K]int, error) {
	out := map[K]int{}
	err := each(r, query, func(s scanner) error {
		var k K
		var n int
		if err := s.Scan(&k, &n); err != nil {
			return err
		}
		out[k] = n
		return nil
	}, args...)
	return out, err
}

func each(r *q, query string, fn func(scanner) error, args ...any) error {
	rows, err := r.db.QueryContext(r.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// withLast scans a row of one more column than a scan function reads, into last.
type withLast struct {
	s    scanner
	last any
}

func (w withLast) Scan(dest ...any) error { return w.s.Scan(append(dest, w.last)...) }
