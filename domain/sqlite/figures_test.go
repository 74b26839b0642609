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
