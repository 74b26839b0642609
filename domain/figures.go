package domain

import (
	"context"
	"time"
)

// OutboxFigures is where the outbox's texts stand at one moment.
type OutboxFigures struct {
	// Waiting counts the texts that may be sent now and are not yet sent (pending, or
	// handed to the provider with no answer recorded); OldestWaiting is when the oldest of
	// them became due (zero when none waits).
	Waiting       int
	OldestWaiting time.Time
	// Scheduled counts the texts not to be sent before a later moment (reminders).
	Scheduled int
	// Failed counts the texts given up after repeated failures.
	Failed int
}

// LineFigures is what the line's store says of its work at one moment, for monitoring.
type LineFigures struct {
	At     time.Time
	Outbox OutboxFigures
	// QueuedCalls counts the calls waiting in the helpdesk queue for an agent.
	QueuedCalls int
}

// LineFigures reads the line's figures from one snapshot of the store.
func (s *Service) LineFigures(ctx context.Context) (LineFigures, error) {
	f := LineFigures{At: s.clock.Now()}
	err := s.View(ctx, func(r Reader) (err error) {
		if f.Outbox, err = r.OutboxFigures(f.At); err != nil {
			return err
		}
		f.QueuedCalls, err = r.CountTransfers(TransferQueued)
		return err
	})
	return f, err
}

// WriterQueue returns how many write transactions wait for the store's writer (or are
// being committed by it), and false when the store does not count them.
func (s *Service) WriterQueue() (int, bool) {
	w, ok := s.store.(interface{ WriterQueue() int })
	if !ok {
		return 0, false
	}
	return w.WriterQueue(), true
}
