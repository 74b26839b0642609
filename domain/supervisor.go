package domain

import (
	"context"
	"fmt"
	"time"

	"permitline/domain/calendar"
)

// The council's service level target: ServiceLevelTarget percent of the calls offered
// answered within ServiceLevelWithin.
const (
	ServiceLevelTarget = 80
	ServiceLevelWithin = 60 * time.Second
)

// maxFiguresRows bounds the rows one day's figures read.
const maxFiguresRows = 5000

// HelpdeskFigures is where the helpdesk stands now and how its London day has gone, read
// from one snapshot, for the supervisor.
type HelpdeskFigures struct {
	At time.Time
	// Now.
	Waiting           int           // calls in the queue
	LongestWait       time.Duration // of the calls in the queue, 0 when none waits
	CallbacksDue      int           // pending callbacks due by now
	VoicemailsWaiting int           // messages ready to be listened to
	AgentsOnCall      int           // agents holding a call
	AgentsSignedIn    int           // agents signed in at the desk (seen within SignedInWithin)
	// Today (London).
	Offered        int           // calls put through to the queue (transfers created)
	Answered       int           // taken by an agent
	AnsweredInTime int           // taken within ServiceLevelWithin
	Abandoned      int           // the caller hung up in the queue
	AverageWait    time.Duration // of the calls answered
	CallbacksMade  int           // callbacks tried today (the line called the resident)
	// ServiceLevel is AnsweredInTime as a percentage of Offered (0 when none was offered).
	ServiceLevel float64
	Target       int // ServiceLevelTarget
}

// TodayFigures reads the helpdesk's figures from one snapshot.
func (s *Service) TodayFigures(ctx context.Context) (HelpdeskFigures, error) {
	now := s.clock.Now()
	f := HelpdeskFigures{At: now, Target: ServiceLevelTarget}
	since := calendar.DateOf(now).Midnight()
	err := s.View(ctx, func(r Reader) error {
		ts, err := r.Transfers(since, maxFiguresRows)
		if err != nil {
			return fmt.Errorf("today's transfers: %w", err)
		}
		queued, err := r.TransfersWithStatus(TransferQueued, maxFiguresRows)
		if err != nil {
			return fmt.Errorf("queued transfers: %w", err)
		}
		taken, err := r.TransfersWithStatus(TransferTaken, maxFiguresRows)
		if err != nil {
			return fmt.Errorf("taken transfers: %w", err)
		}
		pending, err := r.CallbacksWithStatus(CallbackPending, maxFiguresRows)
		if err != nil {
			return fmt.Errorf("pending callbacks: %w", err)
		}
		cbs, err := r.CallbacksSince(since, maxFiguresRows)
		if err != nil {
			return fmt.Errorf("today's callbacks: %w", err)
		}
		if f.VoicemailsWaiting, err = r.CountVoicemails(VoicemailWaiting); err != nil {
			return fmt.Errorf("waiting voicemails: %w", err)
		}
		if f.AgentsSignedIn, err = r.CountAgentsSignedIn(now.Add(-SignedInWithin)); err != nil {
			return fmt.Errorf("agents signed in: %w", err)
		}
		f.tally(now, ts, queued, taken, pending, cbs)
		return nil
	})
	return f, err
}

// tally works the figures out of the rows read.
func (f *HelpdeskFigures) tally(now time.Time, today, queued, taken []Transfer, pending, cbs []Callback) {
	f.Waiting = len(queued)
	for _, t := range queued {
		f.LongestWait = max(f.LongestWait, now.Sub(t.CreatedAt))
	}
	agents := map[int64]bool{}
	for _, t := range taken {
		agents[t.AgentID] = true
	}
	f.AgentsOnCall = len(agents)
	for _, c := range pending {
		if !c.DueAt.After(now) {
			f.CallbacksDue++
		}
	}
	var waited time.Duration
	for _, t := range today {
		f.Offered++
		switch {
		case !t.TakenAt.IsZero():
			f.Answered++
			w := t.TakenAt.Sub(t.CreatedAt)
			waited += w
			if w <= ServiceLevelWithin {
				f.AnsweredInTime++
			}
		case t.Status == TransferAbandoned:
			f.Abandoned++
		}
	}
	if f.Answered > 0 {
		f.AverageWait = waited / time.Duration(f.Answered)
	}
	if f.Offered > 0 {
		f.ServiceLevel = float64(f.AnsweredInTime) * 100 / float64(f.Offered)
	}
	start := calendar.DateOf(now).Midnight()
	for _, c := range cbs {
		if c.Attempts > 0 && !c.UpdatedAt.Before(start) {
			f.CallbacksMade++
		}
	}
}
