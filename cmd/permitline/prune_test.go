package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/sqlite"
	"permitline/fixtures"
)

// TestServePrunesOldConversations: the pruning serve runs deletes, in batches, every
// conversation kept past its retention as soon as it starts, leaves the others, logs what
// it did, and stops with its context.
func TestServePrunesOldConversations(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "prune.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := domain.NewManualClock(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
	svc := domain.New(domain.Config{Store: store, Clock: clock, Holidays: fixtures.MustBankHolidays()})
	const old = 2*pruneBatch + 50 // three batches
	now := clock.Now()
	err = svc.Update(ctx, func(o *domain.Op) error {
		for i := range old + 1 {
			expires := now.Add(-domain.ConversationRetention - time.Duration(i+1)*time.Minute)
			if i == old {
				expires = now.Add(time.Hour) // a call in progress
			}
			c, err := o.Tx().InsertConversation(domain.Conversation{Channel: domain.ChannelVoice,
				Key: fmt.Sprintf("CA%04d", i), Flow: "menu", State: "main", Data: []byte(`{}`),
				CreatedAt: expires.Add(-time.Hour), UpdatedAt: expires.Add(-time.Hour), ExpiresAt: expires})
			if err != nil {
				return err
			}
			if err := o.Tx().InsertStepReply(domain.StepReply{ConversationID: c.ID, Step: 0, InputHash: "h",
				Reply: []byte("<Response/>"), CreatedAt: c.CreatedAt}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	exists := func(i int) bool {
		var found bool
		err := svc.View(ctx, func(r domain.Reader) error {
			_, err := r.ConversationByKey(domain.ChannelVoice, fmt.Sprintf("CA%04d", i))
			found = err == nil
			if errors.Is(err, domain.ErrNotFound) {
				return nil
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return found
	}

	var logs servertest.LogBuffer
	pctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pruneConversations(pctx, svc, slog.New(slog.NewTextHandler(&logs, nil)), time.Hour)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "pruned old conversations") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the pruning did not stop with its context")
	}
	if !strings.Contains(logs.String(), fmt.Sprintf("deleted=%d", old)) {
		t.Fatalf("log: %s\nwant deleted=%d", logs.String(), old)
	}
	for _, i := range []int{0, pruneBatch, old - 1} {
		if exists(i) {
			t.Errorf("conversation %d, past its retention, is still there", i)
		}
	}
	if !exists(old) {
		t.Error("the call in progress was pruned")
	}
}
