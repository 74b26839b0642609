package desk

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// writeWait bounds one write to the stream: a client that stops reading is dropped.
const writeWait = 10 * time.Second

// events is GET /desk/events: the queue as server-sent events. The store is polled every
// second and the queue, rendered by the same template as the page, is sent as an HTML
// fragment (event "queue") whenever it changes; with ?figures=1 (the supervisor's page)
// the helpdesk's figures are sent the same way (event "figures"). A comment every 15
// seconds keeps proxies from closing a quiet stream. It ends when the client goes or the
// session expires.
func (d *desk) events(w http.ResponseWriter, r *http.Request, rq *request) {
	rc := http.NewResponseController(w)
	// The stream outlives the server's read and write timeouts: lift them for it alone.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	ctx := r.Context()
	write := func(s string) error {
		_ = rc.SetWriteDeadline(time.Now().Add(writeWait))
		if _, err := w.Write([]byte(s)); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := write("retry: 3000\n\n"); err != nil {
		return
	}
	withFigures := r.URL.Query().Get("figures") == "1"
	var last, lastFigures string
	send := func() error {
		frag, err := d.queueFragment(ctx, rq.csrf)
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("rendering the live queue", "error", err)
			}
			return nil // try again at the next poll
		}
		if frag != last {
			last = frag
			if err := write(sseEvent("queue", frag)); err != nil {
				return err
			}
		}
		if !withFigures {
			return nil
		}
		figs, err := d.figuresFragment(ctx)
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("rendering the live figures", "error", err)
			}
			return nil
		}
		if figs == lastFigures {
			return nil
		}
		lastFigures = figs
		return write(sseEvent("figures", figs))
	}
	if err := send(); err != nil {
		return
	}
	closing := d.shutdown(r)
	poll := time.NewTicker(d.pollEvery)
	defer poll.Stop()
	beat := time.NewTicker(d.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-closing: // the server is shutting down: let it, the browser reconnects later
			return
		case <-poll.C:
			if d.ended(ctx, rq.session) {
				_ = write(sseEvent("signed-out", "Your session has ended."))
				return
			}
			if err := send(); err != nil {
				return
			}
		case <-beat.C:
			if err := write(": still here\n\n"); err != nil {
				return
			}
		}
	}
}

// shutdown returns a channel closed when the server serving r shuts down, so the streams,
// which never go idle, do not hold up a graceful shutdown; nil when r has no server.
func (d *desk) shutdown(r *http.Request) <-chan struct{} {
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if srv == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	ch, ok := d.closing[srv]
	if !ok {
		ch = make(chan struct{})
		d.closing[srv] = ch
		srv.RegisterOnShutdown(func() { close(ch) })
	}
	return ch
}

// queueFragment renders the queue section alone.
func (d *desk) queueFragment(ctx context.Context, csrf string) (string, error) {
	q, err := d.queue(ctx, csrf)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := d.pages["queue.html"].ExecuteTemplate(&buf, "queue-section", q); err != nil {
		return "", fmt.Errorf("rendering the queue: %w", err)
	}
	return buf.String(), nil
}

// sseEvent frames data as one event, a data: line per line of it.
func sseEvent(name, data string) string {
	var b strings.Builder
	b.WriteString("event: " + name + "\n")
	for _, line := range strings.Split(strings.ReplaceAll(data, "\r", ""), "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	return b.String()
}
