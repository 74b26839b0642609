package ivr

import (
	"sync"

	"permitline/domain"
	"permitline/flows"
)

// sessions keeps each call's conversation as its last step committed it, so that the
// next step need not read it back from the store and decode it. The store stays the
// truth: a step taken from here is saved with the same version check as one read from
// the store, and any doubt (a step number other than the one expected, a conflict, a
// restart) sends the step to the store. A step takes its call's entry out while it runs,
// so two webhooks of one call never share a session.
type sessions struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	conv domain.Conversation
	sess *flows.Session
}

// maxSessions bounds the calls kept; past it the cache starts again empty (a call whose
// entry is gone reads its conversation from the store).
const maxSessions = 50_000

// take returns and removes the session of callSid saved at version step.
func (s *sessions) take(callSid string, step int) (cachedSession, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[callSid]
	if !ok {
		return cachedSession{}, false
	}
	delete(s.m, callSid)
	if c.conv.Version != step || c.conv.Ended {
		return cachedSession{}, false
	}
	return c, true
}

// put keeps the session a step has just committed.
func (s *sessions) put(c domain.Conversation, sess *flows.Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSessions {
		s.m = map[string]cachedSession{}
	}
	s.m[c.Key] = cachedSession{conv: c, sess: sess}
}

// drop forgets a call.
func (s *sessions) drop(callSid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, callSid)
}
