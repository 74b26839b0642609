package runner

import (
	"sync"

	"permitline/domain"
	"permitline/flows"
)

// cache keeps each conversation as its last step committed it, so that the next step
// need not read it back from the store and decode it. The store stays the truth: a step
// taken from here is saved with the same version check as one read from the store, so
// an entry left behind when the conversation moved on elsewhere (another process, a
// restart, a status callback) fails that check and the step is taken again from the
// store. Any other doubt (a step number other than the one expected, an ended
// conversation) sends the step to the store at once. A step takes its conversation's
// entry out while it runs, so two webhooks of one conversation never share a session.
type cache struct {
	mu sync.Mutex
	m  map[string]cached
}

type cached struct {
	conv domain.Conversation
	sess *flows.Session
}

// maxCached bounds the conversations kept; past it the cache starts again empty (a
// conversation whose entry is gone is read from the store).
const maxCached = 50_000

// take returns and removes the session of key saved at version step.
func (c *cache) take(key string, step int) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return cached{}, false
	}
	delete(c.m, key)
	if e.conv.Version != step || e.conv.Ended {
		return cached{}, false
	}
	return e, true
}

// put keeps the session a step has just committed.
func (c *cache) put(conv domain.Conversation, sess *flows.Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]cached{}
	}
	c.m[conv.Key] = cached{conv: conv, sess: sess}
}

// drop forgets a conversation.
func (c *cache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}
