package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps every statement the write connection runs prepared, so SQLite parses
// each SQL text once rather than at every call: a transaction holds the single writer for
// less time. The write pool has one connection, so database/sql reuses the prepared
// statement inside each transaction rather than preparing it again. A statement cannot be
// prepared on the pool while a transaction holds its one connection: a new text runs
// unprepared in the transaction and is noted, and prepareNoted prepares the noted texts
// once the transaction has ended.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	m     map[string]*sql.Stmt
	noted map[string]bool
}

// get returns the prepared statement of query, or nil (noting query) when there is none yet.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if c.noted == nil {
		c.noted = map[string]bool{}
	}
	c.noted[query] = true
	return nil
}

// prepareNoted prepares the texts noted since the last call; no transaction may be open.
func (c *stmtCache) prepareNoted(ctx context.Context) {
	c.mu.Lock()
	noted := c.noted
	c.noted = nil
	c.mu.Unlock()
	for query := range noted {
		st, err := c.db.PrepareContext(ctx, query)
		if err != nil {
			continue // it runs unprepared, and its error shows there
		}
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		if _, ok := c.m[query]; ok {
			st.Close()
		} else {
			c.m[query] = st
		}
		c.mu.Unlock()
	}
}

// pending reports whether texts wait to be prepared.
func (c *stmtCache) pending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.noted) > 0
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// preparedTx runs a write transaction's statements through the cache.
type preparedTx struct {
	tx    *sql.Tx
	cache *stmtCache
}

func (p preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.cache.get(query); st != nil {
		return p.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return p.tx.ExecContext(ctx, query, args...)
}

func (p preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.cache.get(query); st != nil {
		return p.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return p.tx.QueryContext(ctx, query, args...)
}

func (p preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.cache.get(query); st != nil {
		return p.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return p.tx.QueryRowContext(ctx, query, args...)
}
