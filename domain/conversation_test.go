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
