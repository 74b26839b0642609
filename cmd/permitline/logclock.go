package main

import (
	"context"
	"log/slog"
	"time"

	"permitline/domain"
)

// clockHandler adds the line's clock to every log line, as "clock" beside the real time,
// so the logs of a line run on --now (a demo, a replay) read at the moments the line acted.
type clockHandler struct {
	slog.Handler
	clock domain.Clock
}

// withClock returns h with the clock's reading on every record.
func withClock(h slog.Handler, clock domain.Clock) slog.Handler {
	return clockHandler{Handler: h, clock: clock}
}

func (c clockHandler) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(slog.String("clock", c.clock.Now().UTC().Format(time.RFC3339Nano)))
	return c.Handler.Handle(ctx, r)
}

func (c clockHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return clockHandler{Handler: c.Handler.WithAttrs(attrs), clock: c.clock}
}

func (c clockHandler) WithGroup(name string) slog.Handler {
	return clockHandler{Handler: c.Handler.WithGroup(name), clock: c.clock}
}
