package main

import (
	"context"
	"log/slog"
	"time"

	"permitline/domain"
)

// pruneEvery is how often serve deletes the conversations kept past their retention
// (domain.ConversationRetention), and pruneBatch how many one write deletes: a batch of
// calls of about ten steps each holds the one writer for 3-9 ms (measured), and the
// webhooks waiting for it go between two batches.
const (
	pruneEvery = 10 * time.Minute
	pruneBatch = 50
)

// pruneConversations deletes the conversations kept past their retention, and the counts
// of failed identifications that no longer count, at once and then every interval, until
// ctx ends.
func pruneConversations(ctx context.Context, svc *domain.Service, log *slog.Logger, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if n := pruneAll(ctx, log, "old conversations", svc.PruneConversations); n > 0 {
			log.Info("pruned old conversations", "deleted", n, "older_than", domain.ConversationRetention.String())
		}
		if n := pruneAll(ctx, log, "identification counts", svc.PruneIdentifyFailures); n > 0 {
			log.Info("pruned identification counts that no longer count", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// pruneAll deletes in batches of pruneBatch, each its own write, until a batch is short,
// and returns how many it deleted; an error is logged and tried again at the next tick.
func pruneAll(ctx context.Context, log *slog.Logger, what string, batch func(context.Context, int) (int, error)) int {
	deleted := 0
	for {
		n, err := batch(ctx, pruneBatch)
		deleted += n
		if err != nil {
			if ctx.Err() == nil {
				log.Error("pruning "+what, "error", err)
			}
			return deleted
		}
		if n < pruneBatch {
			return deleted
		}
	}
}
