package storetest

import (
	"errors"
	"testing"
	"time"

	"permitline/domain"
)

// testDeskSessions: a sign-in is a row; a touch moves it forward only, never a signed-out
// one's; the count is of agents (not sessions) not signed out and seen after since; old
// rows are forgotten.
func testDeskSessions(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	var robin, sam domain.Agent
	update(t, s, func(tx domain.Tx) (err error) {
		if robin, err = tx.InsertAgent(domain.Agent{Username: "robin", Name: "Robin Patel", Phone: "+447700900001",
			PasswordHash: "x", CreatedAt: now}); err != nil {
			return err
		}
		sam, err = tx.InsertAgent(domain.Agent{Username: "sam", Name: "Sam Lee", Phone: "+447700900002",
			PasswordHash: "x", CreatedAt: now})
		return err
	})
	update(t, s, func(tx domain.Tx) error {
		for _, ds := range []domain.DeskSession{
			{Session: "r1", AgentID: robin.ID, SignedInAt: now.Add(-time.Hour), LastSeen: now.Add(-time.Hour)},
			{Session: "r2", AgentID: robin.ID, SignedInAt: now.Add(-time.Minute), LastSeen: now.Add(-time.Minute)},
			{Session: "s1", AgentID: sam.ID, SignedInAt: now.Add(-2 * time.Minute), LastSeen: now.Add(-2 * time.Minute)},
			{Session: "old", AgentID: sam.ID, SignedInAt: now.Add(-48 * time.Hour), LastSeen: now.Add(-30 * time.Hour)},
		} {
			if err := tx.InsertDeskSession(ds); err != nil {
				return err
			}
		}
		// Again for the same session changes nothing.
		return tx.InsertDeskSession(domain.DeskSession{Session: "r1", AgentID: sam.ID, SignedInAt: now, LastSeen: now})
	})
	count := func(since time.Time) int {
		t.Helper()
		var n int
		view(t, s, func(rd domain.Reader) (err error) { n, err = rd.CountAgentsSignedIn(since); return err })
		return n
	}
	if n := count(now.Add(-15 * time.Minute)); n != 2 {
		t.Errorf("signed in: %d, want 2 (robin's two sessions count once)", n)
	}
	update(t, s, func(tx domain.Tx) error {
		if err := tx.TouchDeskSession("r1", now); err != nil {
			return err
		}
		if err := tx.TouchDeskSession("r2", now.Add(-10*time.Minute)); err != nil { // older: ignored
			return err
		}
		return tx.EndDeskSession("s1", now)
	})
	view(t, s, func(rd domain.Reader) error {
		r1, err := rd.DeskSession("r1")
		if err != nil {
			return err
		}
		if r1.AgentID != robin.ID || !r1.LastSeen.Equal(now) || !r1.SignedInAt.Equal(now.Add(-time.Hour)) || !r1.SignedOutAt.IsZero() {
			t.Errorf("r1 after a touch: %+v", r1)
		}
		r2, err := rd.DeskSession("r2")
		if err != nil {
			return err
		}
		if !r2.LastSeen.Equal(now.Add(-time.Minute)) {
			t.Errorf("r2 was touched backwards: %+v", r2)
		}
		s1, err := rd.DeskSession("s1")
		if err != nil {
			return err
		}
		if !s1.SignedOutAt.Equal(now) || s1.SignedIn(now) {
			t.Errorf("s1 after signing out: %+v", s1)
		}
		if _, err := rd.DeskSession("nobody"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("a missing session: %v", err)
		}
		return nil
	})
	if n := count(now.Add(-15 * time.Minute)); n != 1 {
		t.Errorf("signed in after sam signed out: %d, want 1", n)
	}
	update(t, s, func(tx domain.Tx) error {
		if err := tx.TouchDeskSession("s1", now.Add(time.Minute)); err != nil { // signed out: stays out
			return err
		}
		if err := tx.EndDeskSession("s1", now.Add(time.Hour)); err != nil { // the first sign-out stays
			return err
		}
		return tx.DeleteDeskSessionsBefore(now.Add(-24 * time.Hour))
	})
	view(t, s, func(rd domain.Reader) error {
		s1, err := rd.DeskSession("s1")
		if err != nil {
			return err
		}
		if !s1.SignedOutAt.Equal(now) || !s1.LastSeen.Equal(now.Add(-2*time.Minute)) {
			t.Errorf("s1 changed after signing out: %+v", s1)
		}
		if _, err := rd.DeskSession("old"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("a session last seen 30 hours ago is kept: %v", err)
		}
		return nil
	})
	if n := count(now.Add(30 * time.Second)); n != 0 {
		t.Errorf("signed in since after every touch: %d, want 0", n)
	}
}

// testSetTransferCaller: an agent's pick of the caller of a transfer the line did not
// identify is kept, and leaves the rest of the transfer alone.
func testSetTransferCaller(t *testing.T, open func(testing.TB) domain.Store) {
	s := open(t)
	r := seed(t, s)
	var tr domain.Transfer
	update(t, s, func(tx domain.Tx) (err error) {
		tr, err = tx.InsertTransfer(domain.Transfer{CallSid: "CA1", From: "+447700900999", Reason: "asked for an agent",
			Context: []byte("{}"), Status: domain.TransferTaken, CreatedAt: now, UpdatedAt: now})
		return err
	})
	caller := domain.Actor{Kind: domain.ActorResident, ID: r.resident.ID, Name: r.resident.Name, Channel: domain.ChannelVoice}
	update(t, s, func(tx domain.Tx) error {
		return tx.SetTransferCaller(tr.ID, r.resident.ID, caller, now.Add(time.Minute))
	})
	view(t, s, func(rd domain.Reader) error {
		got, err := rd.TransferByID(tr.ID)
		if err != nil {
			return err
		}
		if got.ResidentID != r.resident.ID || got.Caller != caller || got.Verified || got.Status != domain.TransferTaken ||
			got.Reason != "asked for an agent" || !got.UpdatedAt.Equal(now.Add(time.Minute)) {
			t.Errorf("after SetTransferCaller: %+v", got)
		}
		return nil
	})
}
