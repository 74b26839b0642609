package runner

import (
	"testing"

	"permitline/domain"
	"permitline/flows"
)

func TestCacheTakesOnlyTheExpectedStep(t *testing.T) {
	var s cache
	sess := &flows.Session{Flow: "menu", State: "main"}
	s.put(domain.Conversation{Key: "CA1", Version: 3}, sess)
	if _, ok := s.take("CA1", 2); ok {
		t.Fatal("took a session saved at step 3 for step 2")
	}
	if _, ok := s.take("CA1", 3); ok {
		t.Fatal("a session was taken twice: a doubtful take must forget it")
	}
	s.put(domain.Conversation{Key: "CA1", Version: 3}, sess)
	if c, ok := s.take("CA1", 3); !ok || c.sess != sess {
		t.Fatalf("take at the saved step: %v %v", c, ok)
	}
	if _, ok := s.take("CA1", 3); ok {
		t.Fatal("two webhooks of one call shared a session")
	}
	s.put(domain.Conversation{Key: "CA2", Version: 1, Ended: true}, sess)
	if _, ok := s.take("CA2", 1); ok {
		t.Fatal("took the session of an ended call")
	}
	s.put(domain.Conversation{Key: "CA3", Version: 1}, sess)
	s.drop("CA3")
	if _, ok := s.take("CA3", 1); ok {
		t.Fatal("took a dropped session")
	}
	for i := range maxCached + 1 {
		s.put(domain.Conversation{Key: string(rune(i)), Version: 1}, sess)
	}
	if n := len(s.m); n > maxCached {
		t.Fatalf("%d sessions kept, bound %d", n, maxCached)
	}
}
