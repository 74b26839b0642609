package sqlite_test

import (
	"context"
	"testing"
	"time"

	"permitline/domain"
)

// WriterQueue counts the Updates not yet committed: the one the writer runs and those
// waiting behind it, and none once they have returned.
func TestWriterQueueCountsTheUpdatesWaiting(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	if n := s.WriterQueue(); n != 0 {
		t.Fatalf("idle writer: %d waiting", n)
	}
	release := make(chan struct{})
	holding := make(chan struct{})
	done := make(chan error, 3)
	go func() {
		done <- s.Update(ctx, func(domain.Tx) error { close(holding); <-release; return nil })
	}()
	<-holding
	for range 2 {
		go func() { done <- s.Update(ctx, func(domain.Tx) error { return nil }) }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.WriterQueue() != 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := s.WriterQueue(); n != 3 {
		t.Fatalf("one held and two behind it: %d waiting", n)
	}
	close(release)
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := s.WriterQueue(); n != 0 {
		t.Fatalf("all committed: %d waiting", n)
	}
}

// OutboxFigures counts each text by where it stands: due and not sent (pending, or
// handed over with no answer), not yet due, failed; a sent or skipped text not at all.
// The oldest waiting is dated from when it became due.
func TestOutboxFiguresCountTheTextsByWhereTheyStand(t *testing.T) {
	s, _ := open(t)
	r := seed(t, s)
	texts := []struct {
		key          string
		status       domain.OutboxStatus
		created, due time.Duration // before now; a negative due is later than now
	}{
		{"pending", domain.OutboxPending, 10 * time.Minute, 10 * time.Minute},
		{"reminder due", domain.OutboxPending, 24 * time.Hour, 30 * time.Minute}, // due 30 min ago: the oldest
		{"sending", domain.OutboxSending, 5 * time.Minute, 5 * time.Minute},
		{"reminder", domain.OutboxPending, time.Hour, -time.Hour},
		{"failed", domain.OutboxFailed, 2 * time.Hour, 2 * time.Hour},
		{"sent", domain.OutboxSent, 3 * time.Hour, 3 * time.Hour},
		{"skipped", domain.OutboxSkipped, 3 * time.Hour, 3 * time.Hour},
	}
	update(t, s, func(tx domain.Tx) error {
		for _, m := range texts {
			o, err := tx.InsertOutgoing(domain.Outgoing{Key: m.key, Kind: domain.NoticeReminder, To: "+447700900123",
				ResidentID: r.resident.ID, NotBefore: now.Add(-m.due), Status: domain.OutboxPending,
				NextTry: now.Add(-m.due), CreatedAt: now.Add(-m.created), UpdatedAt: now.Add(-m.created)})
			if err != nil {
				return err
			}
			o.Status = m.status
			if err := tx.UpdateOutgoing(o); err != nil {
				return err
			}
		}
		return nil
	})
	var f domain.OutboxFigures
	if err := s.View(context.Background(), func(rd domain.Reader) (err error) {
		f, err = rd.OutboxFigures(now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := domain.OutboxFigures{Waiting: 3, OldestWaiting: now.Add(-30 * time.Minute), Scheduled: 1, Failed: 1}
	if f.Waiting != want.Waiting || !f.OldestWaiting.Equal(want.OldestWaiting) || f.Scheduled != want.Scheduled ||
		f.Failed != want.Failed {
		t.Fatalf("figures %+v, want %+v", f, want)
	}
}
