package postgres

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// rebinder runs the store's SQL, written with SQLite's placeholders (? in order, ?N by
// number), on a PostgreSQL transaction ($N), and passes a bool as the 0 or 1 the schema
// keeps. It notes the first refusal of the transaction that a retry may overcome
// (retryable), as fn may turn it into an error of its own or none.
type rebinder struct {
	tx   session
	lost error
}

// session is what a rebinder runs statements on: a *sql.Tx, or the *sql.Conn an Update
// began its transaction on.
type session interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (b *rebinder) note(err error) error {
	if err != nil && b.lost == nil && retryable(err) {
		b.lost = err
	}
	return err
}

func (b *rebinder) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := b.tx.ExecContext(ctx, rebind(query), values(args)...)
	return res, b.note(err)
}

func (b *rebinder) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := b.tx.QueryContext(ctx, rebind(query), values(args)...)
	return rows, b.note(err)
}

func (b *rebinder) QueryRowContext(ctx context.Context, query string, args ...any) scanner {
	return noted{row: b.tx.QueryRowContext(ctx, rebind(query), values(args)...), b: b}
}

// noted is a row whose error the rebinder notes.
type noted struct {
	row *sql.Row
	b   *rebinder
}

func (n noted) Scan(dest ...any) error { return n.b.note(n.row.Scan(dest...)) }

// savepoint runs fn inside a savepoint, rolled back to when fn fails: a refused statement
// (a unique key already held) leaves the transaction usable, as on SQLite.
func (t *wtx) savepoint(fn func() error) error {
	if _, err := t.db.ExecContext(t.ctx, `SAVEPOINT one_statement`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := t.db.ExecContext(t.ctx, `ROLLBACK TO SAVEPOINT one_statement`); rerr != nil {
			return rerr
		}
		return err
	}
	_, err := t.db.ExecContext(t.ctx, `RELEASE SAVEPOINT one_statement`)
	return err
}

// values returns args with each bool as 0 or 1.
func values(args []any) []any {
	out := args
	for i, a := range args {
		if v, ok := a.(bool); ok {
			if &out[0] == &args[0] {
				out = append([]any(nil), args...)
			}
			if out[i] = int64(0); v {
				out[i] = int64(1)
			}
		}
	}
	return out
}

var rebound sync.Map // SQLite text → PostgreSQL text

// rebind turns ? and ?N into $N. The store's SQL holds no ? inside a string literal.
func rebind(query string) string {
	if v, ok := rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c != '?' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(query) && query[j] >= '0' && query[j] <= '9' {
			j++
		}
		if j > i+1 {
			b.WriteString("$" + query[i+1:j])
			i = j - 1
		} else {
			n++
			b.WriteString("$" + strconv.Itoa(n))
		}
	}
	out := b.String()
	rebound.Store(query, out)
	return out
}
