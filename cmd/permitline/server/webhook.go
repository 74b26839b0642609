package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"time"
)

// WebhookTimeout bounds the answer to a webhook: Twilio waits 15 seconds for one, so the
// line answers well before, always.
const WebhookTimeout = 10 * time.Second

// twilioRoutes is what every Twilio webhook route shares: the signature check, the log and
// the timeout (WebhookTimeout; 0 means none).
type twilioRoutes struct {
	sigs    *signatures
	log     *slog.Logger
	timeout time.Duration
	observe WebhookObserver // nil: not counted
}

// webhook is one Twilio webhook route, written once for all of them. It bounds the request
// by t.timeout, accepts only what Twilio signed for the line's account (else 4xx),
// reads the form with decode (an error is the request's fault: 400), logs with the call's
// or the message's Sid, and answers what handle returns: a TwiML document, or nothing (204)
// for "". When handle fails, or panics, Twilio hears the channel's fallback reply, never
// a 500 with a stack; a callback with no fallback (Twilio ignores what it is answered)
// answers 503. A handle error with a StatusCode method is the request's fault instead:
// answered with that status and the error's words. Every answer, a refusal's included,
// is counted once by t.observe.
func webhook[F any](t *twilioRoutes, decode func(query, form url.Values) (F, error),
	handle func(context.Context, *slog.Logger, F) (string, error), fallback func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w, done := observed(t.observe, w, r)
		defer done()
		ctx := r.Context()
		if t.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, t.timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		form, ok := t.sigs.check(w, r)
		if !ok {
			return
		}
		log := t.log
		if sid := form.Get("CallSid"); sid != "" {
			log = log.With("call_sid", sid)
		} else if sid := form.Get("MessageSid"); sid != "" {
			log = log.With("message_sid", sid)
		}
		f, err := decode(r.URL.Query(), form)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		doc, err := answer(ctx, log, f, handle)
		var refused interface{ StatusCode() int }
		switch {
		case errors.As(err, &refused):
			http.Error(w, err.Error(), refused.StatusCode())
			return
		case err != nil:
			log.Error("answering a webhook", "path", r.URL.Path, "error", err)
			if fallback == nil {
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
			doc = fallback()
		}
		if doc == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(doc))
	}
}

// errPanicked is the error of a handler that panicked.
var errPanicked = errors.New("the handler panicked")

// answer runs handle, a panic turned into an error (logged with its stack).
func answer[F any](ctx context.Context, log *slog.Logger, f F,
	handle func(context.Context, *slog.Logger, F) (string, error)) (doc string, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p) // the server's own signal to drop the connection
			}
			log.Error("a webhook panicked", "panic", p, "stack", string(debug.Stack()))
			doc, err = "", errPanicked
		}
	}()
	return handle(ctx, log, f)
}
