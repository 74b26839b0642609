package domain

import (
	"context"
	"time"
)

// The queue's estimate of a caller's wait is made from its own recent history: how many
// calls agents took from it in the last WaitWindow. With fewer than WaitSamples taken, the
// line has too little to go on and says nothing of the wait rather than guess.
const (
	WaitWindow  = time.Hour
	WaitSamples = 3
)

// EstimateWait estimates how long a caller at position (1 = next) in the queue will wait:
// the calls taken from the queue in the last WaitWindow give the pace at which agents
// answer, and the caller waits for position calls at that pace. ok is false when too few
// calls were taken to say.
func (s *Service) EstimateWait(ctx context.Context, position int) (wait time.Duration, ok bool, err error) {
	if position < 1 {
		return 0, false, nil
	}
	now := s.clock.Now()
	var taken int
	err = s.View(ctx, func(r Reader) error {
		// A call taken in the window joined the queue at most a working day before it.
		ts, err := r.Transfers(now.Add(-WaitWindow-12*time.Hour), 2000)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if !t.TakenAt.IsZero() && !t.TakenAt.Before(now.Add(-WaitWindow)) && !t.TakenAt.After(now) {
				taken++
			}
		}
		return nil
	})
	if err != nil || taken < WaitSamples {
		return 0, false, err
	}
	return time.Duration(position) * WaitWindow / time.Duration(taken), true, nil
}
