package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Desk sessions: every sign-in at the desk is a row in the store (DeskSession), so the
// supervisor can count the agents signed in on every node, and a session signed out on
// one node is refused on all of them. A request touches its session's row at most once
// every SessionTouchEvery, so looking at pages costs a read, not a write.

// SignedInWithin is how recently a desk session must have been seen for its agent to
// count as signed in: an agent who closed the desk without signing out drops off the
// count after it, as one who signed out does at once.
const SignedInWithin = 15 * time.Minute

// SessionTouchEvery is how often, at most, a request records that its session was seen.
const SessionTouchEvery = time.Minute

// DeskSessionKept is how long a session's row is kept after it was last seen: longer
// than a sign-in lasts, so a session still valid always has its row.
const DeskSessionKept = 24 * time.Hour

// DeskSession is an agent's sign-in at the desk.
type DeskSession struct {
	Session     string // the session's own identifier (never the whole cookie)
	AgentID     int64
	SignedInAt  time.Time
	LastSeen    time.Time
	SignedOutAt time.Time // zero while signed in
}

// SignedIn reports whether the session counts as signed in at now.
func (s DeskSession) SignedIn(now time.Time) bool {
	return s.SignedOutAt.IsZero() && now.Sub(s.LastSeen) < SignedInWithin
}

// SessionReader reads the desk's sessions.
type SessionReader interface {
	// DeskSession returns a session's row; ErrNotFound when there is none.
	DeskSession(session string) (DeskSession, error)
	// CountAgentsSignedIn counts the agents with a session not signed out and seen after since.
	CountAgentsSignedIn(since time.Time) (int, error)
}

// SessionWriter keeps the desk's sessions.
type SessionWriter interface {
	// InsertDeskSession records a sign-in; again for the same session is ignored.
	InsertDeskSession(s DeskSession) error
	// TouchDeskSession records that a session not signed out was seen at t.
	TouchDeskSession(session string, at time.Time) error
	// EndDeskSession records that a session was signed out at t (the first time only).
	EndDeskSession(session string, at time.Time) error
	// DeleteDeskSessionsBefore forgets the sessions last seen before t.
	DeleteDeskSessionsBefore(t time.Time) error
}

// StartSession records a desk sign-in of agent a under the session's identifier, at the
// service's time (the figures it is counted in are read at that clock), and forgets the
// sessions long gone.
func (s *Service) StartSession(ctx context.Context, a Agent, session string) error {
	if strings.TrimSpace(session) == "" {
		return &InvalidInputError{Field: "session", Reason: "is empty"}
	}
	return s.Update(ctx, func(o *Op) error {
		if err := o.tx.DeleteDeskSessionsBefore(o.now.Add(-DeskSessionKept)); err != nil {
			return err
		}
		return o.tx.InsertDeskSession(DeskSession{Session: session, AgentID: a.ID, SignedInAt: o.now, LastSeen: o.now})
	})
}

// SeeSession is asked at every request of a signed-in agent: it reports whether the
// session was signed out (on any node), and otherwise records it as seen, writing only
// when it was last seen SessionTouchEvery ago or more. A session with no row (signed in
// before sessions were recorded) gets one.
func (s *Service) SeeSession(ctx context.Context, agentID int64, session string) (signedOut bool, err error) {
	now := s.clock.Now()
	var row DeskSession
	missing := false
	err = s.View(ctx, func(r Reader) error {
		if signedOut, err = r.SignedOut(session); err != nil || signedOut {
			return err
		}
		row, err = r.DeskSession(session)
		if errors.Is(err, ErrNotFound) {
			missing = true
			return nil
		}
		return err
	})
	switch {
	case err != nil:
		return true, fmt.Errorf("reading desk session: %w", err)
	case signedOut:
		return true, nil
	case !missing && !row.SignedOutAt.IsZero():
		return true, nil
	case !missing && now.Sub(row.LastSeen) < SessionTouchEvery:
		return false, nil
	}
	err = s.Update(ctx, func(o *Op) error {
		if missing {
			return o.tx.InsertDeskSession(DeskSession{Session: session, AgentID: agentID, SignedInAt: o.now, LastSeen: o.now})
		}
		return o.tx.TouchDeskSession(session, o.now)
	})
	if err != nil {
		// Seen or not, the session is good: a failed touch only leaves the count behind.
		return false, fmt.Errorf("touching desk session: %w", err)
	}
	return false, nil
}

// AgentsSignedIn counts the agents signed in at the desk now (SignedInWithin).
func (s *Service) AgentsSignedIn(ctx context.Context) (int, error) {
	var n int
	now := s.clock.Now()
	err := s.View(ctx, func(r Reader) (err error) { n, err = r.CountAgentsSignedIn(now.Add(-SignedInWithin)); return err })
	return n, err
}
