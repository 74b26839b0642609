package sqlite

import (
	"context"
	"time"
)

// Checkpoints run beside the writer. SQLite's own (wal_autocheckpoint) runs inside the
// commit that takes the WAL past 1,000 pages: that commit, and with group commit every
// Update waiting behind it, waits while the pages are copied into the database file and
// synced, tens to hundreds of milliseconds on a large store. So the write connection does
// not checkpoint; a connection of its own does, every checkpointEvery, PASSIVE: it copies
// what no reader still needs without taking the write lock, and commits carry on.
const checkpointEvery = 500 * time.Millisecond

// checkpoint runs until the store is closed. A checkpoint that fails (a full disk) is
// tried again at the next tick; the WAL keeps every commit meanwhile.
func (s *Store) checkpoint() {
	defer close(s.ckptStopped)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		_, _ = s.ckpt.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
	}
}
