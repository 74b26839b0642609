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

// pruneConversations deletes the conversations kept past their retention, at once and
// then every interval, until ctx ends.
func pruneConversations(ctx context.Context, svc *domain.Service, log *slog.Logger, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		deleted := 0
		for {
			n, err := svc.PruneConversations(ctx, pruneBatch)
			deleted += n
			if err != nil {
				if ctx.Err() == nil {
					log.Error("pruning old conversations", "error", err) // tried again at the next tick
				}
				break
			}
			if n < pruneBatch {
				break
			}
		}
		if deleted > 0 {
			log.Info("pruned old conversations", "deleted", deleted,
				"older_than", domain.ConversationRetention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
