package domain_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"permitline/domain"
)

// TestPruneConversationsDeletesOnlyLongExpiredOnes: conversations that expired more than
// ConversationRetention ago go, oldest first and at most limit at a time, with the replies
// kept for their steps; newer ones, and ones still running, stay whole.
func TestPruneConversationsDeletesOnlyLongExpiredOnes(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	now := w.clock.Now()
	// Expired 10, 9 and 8 days ago (to go); 6 days ago and in an hour (to stay).
	expiries := []time.Duration{-10 * 24 * time.Hour, -9 * 24 * time.Hour, -8 * 24 * time.Hour,
		-6 * 24 * time.Hour, time.Hour}
	ids := make([]int64, len(expiries))
	for i, d := range expiries {
		err := w.svc.Update(w.ctx, func(o *domain.Op) error {
			c, err := o.Tx().InsertConversation(domain.Conversation{Channel: domain.ChannelVoice,
				Key: fmt.Sprintf("CA%d", i), Flow: "menu", State: "main", Data: []byte(`{}`),
				CreatedAt: now.Add(d - time.Hour), UpdatedAt: now.Add(d - time.Hour), ExpiresAt: now.Add(d)})
			if err != nil {
				return err
			}
			ids[i] = c.ID
			for step := range 3 {
				if err := o.Tx().InsertStepReply(domain.StepReply{ConversationID: c.ID, Step: step, InputHash: "h",
					Reply: []byte("<Response/>"), CreatedAt: now.Add(d)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	kept := func(i int) (conv, replies bool) {
		err := w.svc.View(w.ctx, func(r domain.Reader) error {
			_, err := r.ConversationByKey(domain.ChannelVoice, fmt.Sprintf("CA%d", i))
			conv = err == nil
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return err
			}
			_, err = r.StepReply(ids[i], 2)
			replies = err == nil
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return conv, replies
	}

	for _, want := range []int{2, 1, 0} {
		n, err := w.svc.PruneConversations(w.ctx, 2)
		if err != nil || n != want {
			t.Fatalf("prune: %d, %v; want %d", n, err, want)
		}
	}
	for i := range expiries {
		conv, replies := kept(i)
		if want := i >= 3; conv != want || replies != want {
			t.Errorf("conversation %d (expiry %s): kept %v, its replies kept %v; want %v", i, expiries[i], conv, replies, want)
		}
	}
	if _, err := w.svc.PruneConversations(w.ctx, 0); domain.RuleOf(err) != "input" {
		t.Errorf("a limit of 0: %v, want an input refusal", err)
	}
}

// TestPruneIdentifyFailuresKeepsWhatStillCounts: a calling number's count goes once its
// window has passed, and a made-up account number's once its lockout has ended with no
// wrong PIN counted since; a made-up account's wrong PINs stay as long as a real
// account's would, so pruning never tells the two apart.
func TestPruneIdentifyFailuresKeepsWhatStillCounts(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	now := w.clock.Now()
	rows := []struct {
		key  string
		f    domain.IdentifyFailures
		kept bool
	}{
		{"+447700900001", domain.IdentifyFailures{Failures: 4, WindowStart: now.Add(-domain.IdentifyWindow - time.Minute)}, false},
		{"+447700900002", domain.IdentifyFailures{Failures: 4, WindowStart: now.Add(-domain.IdentifyWindow + time.Minute)}, true},
		{domain.WithheldCaller, domain.IdentifyFailures{Failures: 9, WindowStart: now.Add(-2 * domain.IdentifyWindow)}, false},
		{"account:11111111", domain.IdentifyFailures{Failures: 0, WindowStart: now.Add(-time.Minute)}, false}, // lock ended
		{"account:22222222", domain.IdentifyFailures{Failures: 0, WindowStart: now.Add(time.Minute)}, true},   // still locked
		{"account:33333333", domain.IdentifyFailures{Failures: 2, WindowStart: time.Time{}}, true},            // two wrong PINs
	}
	err := w.svc.Update(w.ctx, func(o *domain.Op) error {
		for _, r := range rows {
			if err := o.Tx().SetIdentifyFailures(r.key, r.f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{2, 1, 0} {
		if n, err := w.svc.PruneIdentifyFailures(w.ctx, 2); err != nil || n != want {
			t.Fatalf("prune: %d, %v; want %d", n, err, want)
		}
	}
	err = w.svc.View(w.ctx, func(rd domain.Reader) error {
		for _, r := range rows {
			f, err := rd.IdentifyFailures(r.key)
			if err != nil {
				return err
			}
			if kept := f != (domain.IdentifyFailures{}); kept != r.kept {
				t.Errorf("%s: kept %v, want %v", r.key, kept, r.kept)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The made-up account keeps its two wrong PINs: the third locks it, as a real one's would.
	var locked *domain.LockedOutError
	if err := w.svc.VerifyPIN(w.ctx, domain.NoSuchAccount("33333333"), "2580"); err == nil {
		t.Fatal("a made-up account's PIN was accepted")
	}
	if err := w.svc.VerifyPIN(w.ctx, domain.NoSuchAccount("33333333"), "2580"); !errors.As(err, &locked) {
		t.Errorf("after its third wrong PIN a made-up account is not locked: %v", err)
	}
	if _, err := w.svc.PruneIdentifyFailures(w.ctx, 0); domain.RuleOf(err) != "input" {
		t.Errorf("a limit of 0: %v, want an input refusal", err)
	}
}
