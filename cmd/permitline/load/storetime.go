package load

import (
	"context"
	"sync"
	"time"

	"permitline/domain"
	"permitline/domain/sqlite"
)

// timedStore is the in-process line's store, with each Update timed: the work inside it
// and the whole wait from calling Update to its commit. SQLite has one writer, which
// commits the Updates waiting for it in groups, so the writer's busy time bounds the
// line's throughput.
type timedStore struct {
	*sqlite.Store
	mu      sync.Mutex
	n       int
	work    time.Duration // inside fn
	updates []time.Duration
}

func (s *timedStore) Update(ctx context.Context, fn func(domain.Tx) error) error {
	called := time.Now()
	var work time.Duration
	err := s.Store.Update(ctx, func(tx domain.Tx) error {
		began := time.Now()
		defer func() { work = time.Since(began) }()
		return fn(tx)
	})
	took := time.Since(called)
	s.mu.Lock()
	s.n++
	s.work += work
	s.updates = append(s.updates, took)
	s.mu.Unlock()
	return err
}

// Writer is how the in-process line's one SQLite writer spent the run.
type Writer struct {
	Updates      int     `json:"updates"`
	Transactions int64   `json:"transactions"`  // the groups the Updates were committed in
	Busy         float64 `json:"work_fraction"` // of the run's wall time, inside an Update's work
	Work         Millis  `json:"mean_work_ms"`  // mean time inside an Update
	Update       Latency `json:"update"`        // from calling Update to its commit
}

func (s *timedStore) summary(elapsed time.Duration) *Writer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		return nil
	}
	w := &Writer{Updates: s.n, Transactions: s.WriterStats().Groups, Work: Millis(s.work / time.Duration(s.n)),
		Update: latencyOf("update", s.updates)}
	if elapsed > 0 {
		w.Busy = float64(s.work) / float64(elapsed)
	}
	return w
}
