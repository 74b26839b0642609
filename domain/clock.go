package domain

import (
	"sync"
	"time"
)

// Clock tells the time. Every rule reads the time from a Clock, never from time.Now,
// so tests, demos and training runs can set it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the machine's clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// RunningClock starts at a chosen instant and then runs on in real time.
type RunningClock struct {
	offset time.Duration
}

// StartingAt returns a clock that reads start now and advances with real time.
func StartingAt(start time.Time) RunningClock { return RunningClock{offset: time.Until(start)} }

// Now returns the clock's current reading.
func (c RunningClock) Now() time.Time { return time.Now().Add(c.offset) }

// ManualClock stands still until it is set or advanced; tests use it.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's reading.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock on by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
