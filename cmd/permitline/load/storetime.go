package load

import (
	"context"
	"sync"
	"time"

	"permitline/domain"
)

// timedStore is the in-process line's store, with each write transaction timed: the
// wait for the one writer, the work inside the transaction, and the commit. SQLite has
// one writer, so the writer's busy time bounds the line's throughput.
type timedStore struct {
	domain.Store
	mu    sync.Mutex
	n     int
	wait  time.Duration // from calling Update to the transaction starting
	work  time.Duration // inside the transaction
	close time.Duration // from the work's end to Update returning: the commit (or rollback)
	holds []time.Duration
}

func (s *timedStore) Update(ctx context.Context, fn func(domain.Tx) error) error {
	called := time.Now()
	var began, ended time.Time
	err := s.Store.Update(ctx, func(tx domain.Tx) error {
		began = time.Now()
		defer func() { ended = time.Now() }()
		return fn(tx)
	})
	done := time.Now()
	if !began.IsZero() {
		s.mu.Lock()
		s.n++
		s.wait += began.Sub(called)
		s.work += ended.Sub(began)
		s.close += done.Sub(ended)
		s.holds = append(s.holds, done.Sub(began))
		s.mu.Unlock()
	}
	return err
}

// Writer is how the in-process line's one SQLite writer spent the run.
type Writer struct {
	Transactions int     `json:"transactions"`
	Busy         float64 `json:"busy_fraction"` // of the run's wall time, holding the writer
	Wait         Millis  `json:"mean_wait_ms"`  // mean wait for the writer
	Work         Millis  `json:"mean_work_ms"`  // mean time inside a transaction
	Commit       Millis  `json:"mean_commit_ms"`
	Hold         Latency `json:"hold"` // the spread of work + commit
}

func (s *timedStore) summary(elapsed time.Duration) *Writer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		return nil
	}
	n := time.Duration(s.n)
	w := &Writer{Transactions: s.n, Wait: Millis(s.wait / n), Work: Millis(s.work / n), Commit: Millis(s.close / n),
		Hold: latencyOf("hold", s.holds)}
	if elapsed > 0 {
		w.Busy = float64(s.work+s.close) / float64(elapsed)
	}
	return w
}
