package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"permitline/domain"
)

// The writer commits in groups. SQLite has one writer, and most of what a commit costs
// (taking the write lock, appending the pages to the WAL, releasing the lock) is the same
// for one small change as for fifty. So one goroutine owns the write connection: it takes
// every Update waiting when it is free, runs each in its own SAVEPOINT of one IMMEDIATE
// transaction, and commits once for the group. Each Update still succeeds or fails alone:
// an Update whose fn fails is rolled back to its savepoint and the others go on; none
// returns before the commit that holds its change is on disk, and if that commit fails,
// every Update in the group returns its error (nothing of the group was written). An
// Update that failed also waits for its group to end: its refusal may rest on what an
// earlier Update of the group wrote (a call another agent has just taken), so it must
// not return before that is visible to every reader, and if the group does not commit,
// it returns the group's error instead, as what it was refused on was never written.
//
// maxGroup bounds a group, so that the first Update of a long queue does not wait for
// all of it.
const maxGroup = 64

// ErrClosed is returned by Update once the store is closed.
var ErrClosed = errors.New("store closed")

// WriterStats counts the writer's work since the store was opened.
type WriterStats struct {
	Groups  int64 // transactions committed or rolled back
	Updates int64 // Updates run in them
}

// WriterStats returns what the writer has done so far.
func (s *Store) WriterStats() WriterStats {
	return WriterStats{Groups: s.groups.Load(), Updates: s.updates.Load()}
}

// job is one Update waiting for the writer.
type job struct {
	ctx   context.Context
	fn    func(domain.Tx) error
	err   error
	panic any // what fn panicked with, re-raised in the caller's goroutine
	done  chan struct{}
}

// Update runs fn in an IMMEDIATE write transaction and returns once the transaction
// holding its change has committed, or fn's error with nothing of fn written.
func (s *Store) Update(ctx context.Context, fn func(domain.Tx) error) error {
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case s.jobs <- j:
	case <-s.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	<-j.done // once taken, always waited for: the caller must know whether it committed
	if j.panic != nil {
		panic(j.panic)
	}
	return j.err
}

// write is the writer's loop: it runs until the store is closed.
func (s *Store) write() {
	defer close(s.stopped)
	group := make([]*job, 0, maxGroup)
	for {
		select {
		case j := <-s.jobs:
			group = append(group[:0], j)
		case <-s.stop:
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case j := <-s.jobs:
				group = append(group, j)
			default:
				break gather
			}
		}
		s.groups.Add(1) // counted first: a caller told it committed sees its group counted
		s.updates.Add(int64(len(group)))
		s.commitGroup(group)
		clear(group)
		if s.stmts.pending() {
			s.stmts.prepareNoted(context.Background())
		}
	}
}

// commitGroup runs a group of jobs in one transaction and tells each how it ended.
func (s *Store) commitGroup(group []*job) {
	ctx := context.Background()
	finish := func(jobs []*job, err error) {
		for _, j := range jobs {
			if j.err == nil && j.panic == nil {
				j.err = err
			}
			close(j.done)
		}
	}
	tx, err := s.writeDB.BeginTx(ctx, nil)
	if err != nil {
		finish(group, fmt.Errorf("beginning write: %w", err))
		return
	}
	// Jobs still waiting to start cannot have been cancelled by anything but their caller.
	live := group[:0:0]
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			close(j.done)
			continue
		}
		live = append(live, j)
	}
	var kept, failed []*job
	abort := func(rest []*job, err error) {
		_ = tx.Rollback()
		for _, j := range failed {
			if j.panic == nil {
				j.err = err // refused on writes the rollback undid
			}
		}
		finish(append(append(kept, failed...), rest...), err)
	}
	for i, j := range live {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT job"); err != nil {
			abort(live[i:], fmt.Errorf("beginning a savepoint: %w", err))
			return
		}
		if run(j, tx, s.stmts) == nil {
			if _, err := tx.ExecContext(ctx, "RELEASE job"); err != nil {
				abort(live[i:], fmt.Errorf("releasing a savepoint: %w", err))
				return
			}
			kept = append(kept, j)
			continue
		}
		// Some errors (a full disk, an I/O error) make SQLite roll the whole transaction
		// back by itself: the savepoint is gone then, and the group with it.
		for _, stmt := range []string{"ROLLBACK TO job", "RELEASE job"} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				abort(live[i:], fmt.Errorf("another write in its group failed: %w", err))
				return
			}
		}
		failed = append(failed, j)
	}
	if len(kept) == 0 {
		_ = tx.Rollback()
		finish(failed, nil)
		return
	}
	err = commit(tx)
	finish(kept, err)
	if err != nil {
		for _, j := range failed {
			if j.panic == nil {
				j.err = err
			}
		}
	}
	finish(failed, nil)
}

// run runs one job's fn on the transaction, catching a panic to re-raise in its caller.
// Its statements cannot be cancelled halfway: a caller's context is checked before it
// starts, and a job holds the writer for well under a millisecond.
func run(j *job, tx *sql.Tx, stmts *stmtCache) (err error) {
	defer func() {
		if p := recover(); p != nil {
			j.panic = p
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	ctx := context.WithoutCancel(j.ctx)
	j.err = j.fn(&wtx{q{ctx: ctx, db: preparedTx{tx: tx, cache: stmts}}})
	return j.err
}

func commit(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}
