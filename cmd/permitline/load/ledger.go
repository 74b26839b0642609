package load

import (
	"context"
	"strings"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/postgres"
	"permitline/domain/sqlite"
)

// ledger is what the end-of-run check reads of a line's store as a whole, on one
// snapshot, whichever engine holds it.
type ledger interface {
	domain.Reader
	// LastIDs returns the highest visit and payment ids (0 for none).
	LastIDs() (visit, payment int64, err error)
	// VisitCount counts the resident's visits of vrm on date, active or cancelled, in any scheme.
	VisitCount(residentID int64, vrm string, date calendar.Date) (int, error)
	// VisitsAfter lists the visits whose id is above id, in id order.
	VisitsAfter(id int64) ([]domain.Visit, error)
	// ActiveVisitsByPermit counts each permit's active visits.
	ActiveVisitsByPermit() (map[int64]int, error)
	EachPermit(fn func(domain.Permit) error) error
	// EachPayment calls fn with every payment and how many permits it bought.
	EachPayment(fn func(p domain.Payment, permits int) error) error
	PaymentsByRef(ref string) ([]domain.Payment, error)
	PaymentsAfter(id int64) ([]domain.Payment, error)
	AuditCounts() (map[string]int, error)
}

// isPostgres reports whether db is a PostgreSQL address rather than a SQLite file's path.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// readLedger runs fn on one read-only snapshot of the store at db.
func readLedger(ctx context.Context, db string, fn func(ledger) error) error {
	if isPostgres(db) {
		return postgres.ReadLedger(ctx, db, func(l *postgres.Ledger) error { return fn(l) })
	}
	return sqlite.ReadLedger(ctx, db, func(l *sqlite.Ledger) error { return fn(l) })
}

// openStore opens the store at db: a PostgreSQL address, or a SQLite file's path.
func openStore(ctx context.Context, db string) (domain.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}
