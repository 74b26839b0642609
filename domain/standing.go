package domain

import (
	"context"
	"errors"
	"time"
)

// Standing is what an agent must know of a caller before acting: how many PIN tries are
// left before the lockout, whether the PIN is locked, whether the account's registration
// has expired (R3) and whether a refund is due to it (R24).
type Standing struct {
	HasPIN      bool
	TriesLeft   int       // PIN tries before the lockout (PINAttempts when none failed)
	LockedUntil time.Time // zero unless the PIN is locked now
	// Registered is false when the account has no registration valid now; ExpiredAt is
	// when the last one expired (zero when there never was one).
	Registered bool
	ExpiredAt  time.Time
	RefundsDue int
}

// CallerStanding reads the standing of a caller the line identified (a resident or a
// member of the account residentID) at now. A caller of another kind has no PIN to tell of.
func CallerStanding(r Reader, caller Actor, residentID int64, now time.Time) (Standing, error) {
	var st Standing
	if caller.Kind == ActorResident || caller.Kind == ActorMember {
		hash, pins, err := pinOf(r, Caller{Kind: caller.Kind, ID: caller.ID})
		if err != nil {
			return st, err
		}
		st.HasPIN = hash != ""
		st.TriesLeft = PINAttempts - pins.PINFailures
		if now.Before(pins.PINLockedUntil) {
			st.LockedUntil, st.TriesLeft = pins.PINLockedUntil, 0
		}
	}
	if residentID == 0 {
		return st, nil
	}
	reg, err := r.LatestRegistration(residentID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return st, err
	case reg.ValidAt(now):
		st.Registered = true
	default:
		st.ExpiredAt = reg.ExpiresAt
	}
	refunds, err := r.RefundsOf(residentID)
	if err != nil {
		return st, err
	}
	for _, rf := range refunds {
		if rf.Due() {
			st.RefundsDue++
		}
	}
	return st, nil
}

// CallerStanding reads a caller's standing on a snapshot (see CallerStanding).
func (s *Service) CallerStanding(ctx context.Context, caller Actor, residentID int64) (Standing, error) {
	var st Standing
	err := s.View(ctx, func(r Reader) (err error) { st, err = CallerStanding(r, caller, residentID, s.Now()); return err })
	return st, err
}
