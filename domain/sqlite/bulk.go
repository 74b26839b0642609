package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"permitline/domain"
)

// Bulk writes many payments, permits and visits into a permitline database at once,
// before any store opens the file: the weight of a big store's past, for load runs. It
// writes the rows as the store's own inserts do (the same columns and encodings), much
// faster: one transaction, many rows a statement, ids counted here, no sync to disk, the
// secondary indexes of permits and visits dropped and built again at Commit (building an
// index by sorting is far quicker than a million inserts in random order), and foreign
// keys not checked row by row (visits.permit_id has no index, so each permit inserted
// would scan the visits). So the caller writes consistent rows: a permit's payment and a
// visit's permit written before it, with the ids returned. Unique constraints hold as ever.
// After an error nothing more can be written: Close rolls the whole write back.
type Bulk struct {
	ctx     context.Context
	db      *sql.DB
	conn    *sql.Conn
	indexes []string // the definitions of the dropped indexes, made again at Commit

	payments, permits, visits    *rowBatch
	paymentID, permitID, visitID int64 // the last id of each table
	done                         bool  // committed or rolled back
}

// bulkRows is how many rows each INSERT statement of a Bulk writes.
const bulkRows = 40

// OpenBulk opens the permitline database at path (one that Open has made) for a bulk
// write and begins its transaction; Commit ends it, and Close rolls back what was not
// committed. No store may have the file open meanwhile.
func OpenBulk(ctx context.Context, path string) (*Bulk, error) {
	if err := mustHold(path); err != nil {
		return nil, err
	}
	if err := check(ctx, path, false); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"+
		"&_pragma=foreign_keys(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	b := &Bulk{ctx: ctx, db: db}
	if err := b.begin(); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	return b, nil
}

// begin takes the write lock, reads the last ids, drops the secondary indexes and sets
// out the batches.
func (b *Bulk) begin() error {
	var err error
	if b.conn, err = b.db.Conn(b.ctx); err != nil {
		return err
	}
	if _, err := b.conn.ExecContext(b.ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	for _, last := range []struct {
		dst   *int64
		table string
	}{{&b.paymentID, "payments"}, {&b.permitID, "permits"}, {&b.visitID, "visits"}} {
		if err := b.conn.QueryRowContext(b.ctx, `SELECT COALESCE(MAX(id), 0) FROM `+last.table).Scan(last.dst); err != nil {
			return fmt.Errorf("reading the last id of %s: %w", last.table, err)
		}
	}
	if err := b.dropIndexes(); err != nil {
		return err
	}
	b.payments = newRowBatch(b.conn, "payments", "id, resident_id, amount_pence, quantity, provider_ref, "+
		"idempotency_key, channel, created_at")
	b.permits = newRowBatch(b.conn, "permits", "id, resident_id, scheme_id, payment_id, purchased_at, expires_at, visits_used")
	b.visits = newRowBatch(b.conn, "visits", "id, ref, resident_id, permit_id, scheme_id, vrm, date, starts_at, ends_at, "+
		"status, created_at, cancelled_at, actor_kind, actor_id, actor_name, channel, idempotency_key")
	return nil
}

// dropIndexes drops the indexes of permits and visits made by the schema, keeping their
// definitions for Commit; those SQLite made itself for a UNIQUE column stay.
func (b *Bulk) dropIndexes() error {
	rows, err := b.conn.QueryContext(b.ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'index'
		AND tbl_name IN ('visits', 'permits') AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		names, b.indexes = append(names, name), append(b.indexes, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		if _, err := b.conn.ExecContext(b.ctx, `DROP INDEX "`+name+`"`); err != nil {
			return fmt.Errorf("dropping the index %s: %w", name, err)
		}
	}
	return nil
}

// InsertPayment writes p with the next payment id, and returns it with that id.
func (b *Bulk) InsertPayment(p domain.Payment) (domain.Payment, error) {
	p.ID = b.paymentID + 1
	if err := b.payments.add(b.ctx, p.ID, p.ResidentID, int64(p.AmountPence), p.Quantity, p.ProviderRef,
		p.IdempotencyKey, string(p.Channel), ts(p.CreatedAt)); err != nil {
		return p, err
	}
	b.paymentID = p.ID
	return p, nil
}

// InsertPermit writes p with the next permit id, and returns it with that id.
func (b *Bulk) InsertPermit(p domain.Permit) (domain.Permit, error) {
	p.ID = b.permitID + 1
	if err := b.permits.add(b.ctx, p.ID, p.ResidentID, p.SchemeID, p.PaymentID, ts(p.PurchasedAt), ts(p.ExpiresAt),
		p.VisitsUsed); err != nil {
		return p, err
	}
	b.permitID = p.ID
	return p, nil
}

// InsertVisit writes v with the next visit id, and returns it with that id.
func (b *Bulk) InsertVisit(v domain.Visit) (domain.Visit, error) {
	v.ID = b.visitID + 1
	var key any
	if v.IdempotencyKey != "" {
		key = v.IdempotencyKey
	}
	if err := b.visits.add(b.ctx, v.ID, v.Ref, v.ResidentID, v.PermitID, v.SchemeID, v.VRM, ds(v.Date), ts(v.StartsAt),
		ts(v.EndsAt), string(v.Status), ts(v.CreatedAt), ts(v.CancelledAt), string(v.By.Kind), v.By.ID, v.By.Name,
		string(v.By.Channel), key); err != nil {
		return v, err
	}
	b.visitID = v.ID
	return v, nil
}

// Commit writes the rows still batched, builds the dropped indexes again, commits, and
// checkpoints the WAL into the database file, so the store that opens it next starts on
// an empty WAL.
func (b *Bulk) Commit() error {
	if b.done {
		return errors.New("bulk write already ended")
	}
	for _, rb := range []*rowBatch{b.payments, b.permits, b.visits} {
		if err := rb.flush(b.ctx); err != nil {
			return err
		}
	}
	for _, def := range b.indexes {
		if _, err := b.conn.ExecContext(b.ctx, def); err != nil {
			return fmt.Errorf("making the index again (%s): %w", def, err)
		}
	}
	if _, err := b.conn.ExecContext(b.ctx, "COMMIT"); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	b.done = true
	_, err := b.conn.ExecContext(b.ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// Close rolls back whatever was not committed and closes the file.
func (b *Bulk) Close() error {
	var errs []error
	for _, rb := range []*rowBatch{b.payments, b.permits, b.visits} {
		if rb != nil {
			rb.close()
		}
	}
	if b.conn != nil {
		if !b.done {
			// A failed BEGIN leaves nothing to roll back, and says so: not an error here.
			_, _ = b.conn.ExecContext(context.WithoutCancel(b.ctx), "ROLLBACK")
			b.done = true
		}
		errs = append(errs, b.conn.Close())
	}
	return errors.Join(append(errs, b.db.Close())...)
}

// rowBatch inserts rows into one table a statement of bulkRows rows at a time.
type rowBatch struct {
	conn   *sql.Conn
	table  string
	cols   int
	prefix string // INSERT INTO table (columns) VALUES
	args   []any
	stmt   *sql.Stmt // the statement of bulkRows rows, prepared at its first use
}

func newRowBatch(conn *sql.Conn, table, columns string) *rowBatch {
	return &rowBatch{conn: conn, table: table, cols: strings.Count(columns, ",") + 1,
		prefix: "INSERT INTO " + table + " (" + columns + ") VALUES "}
}

// query is the INSERT of rows rows.
func (b *rowBatch) query(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", b.cols), ", ") + ")"
	return b.prefix + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

func (b *rowBatch) add(ctx context.Context, values ...any) error {
	if len(values) != b.cols {
		return fmt.Errorf("%s: %d values for %d columns", b.table, len(values), b.cols)
	}
	b.args = append(b.args, values...)
	if len(b.args) < bulkRows*b.cols {
		return nil
	}
	if b.stmt == nil {
		var err error
		if b.stmt, err = b.conn.PrepareContext(ctx, b.query(bulkRows)); err != nil {
			return fmt.Errorf("preparing the %s insert: %w", b.table, err)
		}
	}
	if _, err := b.stmt.ExecContext(ctx, b.args...); err != nil {
		return fmt.Errorf("inserting %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

// flush writes the rows left, fewer than bulkRows.
func (b *rowBatch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	if _, err := b.conn.ExecContext(ctx, b.query(len(b.args)/b.cols), b.args...); err != nil {
		return fmt.Errorf("inserting %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

func (b *rowBatch) close() {
	if b.stmt != nil {
		b.stmt.Close()
		b.stmt = nil
	}
}
