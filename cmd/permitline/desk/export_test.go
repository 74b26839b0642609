package desk

import (
	"net/http"
	"time"
)

// SetTiming sets how often the live queue polls the store and sends its heartbeat.
// Call it before serving.
func SetTiming(h http.Handler, poll, heartbeat time.Duration) {
	d := h.(*desk)
	d.pollEvery, d.heartbeat = poll, heartbeat
}

// SetClock sets the real-time clock of sessions and sign-in limits. Call it before serving.
func SetClock(h http.Handler, now func() time.Time) { h.(*desk).now = now }
