package load

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Back-off between attempts of a retried webhook: short at first, as a restarting server
// is back within a second or so, then no longer than maxBackoff apart.
const (
	firstBackoff = 20 * time.Millisecond
	maxBackoff   = 500 * time.Millisecond
)

// retryTransport carries webhooks across a restart of the server, as a load balancer in
// front of the line does: a request that fails at the connection level, or that a proxy
// answers 502 or 503, is sent again (the same body, signature and URL) until the server
// answers or within has passed since the first failure. Sending it again is safe because
// the line answers a repeated webhook with the reply it kept for it, and takes a text
// with a MessageSid it has seen as a repeat: a first attempt that was acted on before the
// server died is answered, not acted on twice.
type retryTransport struct {
	base   http.RoundTripper
	within time.Duration // 0: no retries

	retried atomic.Int64 // requests sent more than once
	resent  atomic.Int64 // attempts after the first, all requests together
}

var _ http.RoundTripper = (*retryTransport)(nil)

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if t.within <= 0 || !retryable(resp, err) {
		return resp, err
	}
	t.retried.Add(1)
	giveUp := time.Now().Add(t.within)
	for wait := firstBackoff; retryable(resp, err); wait = min(2*wait, maxBackoff) {
		if time.Now().Add(wait).After(giveUp) {
			return resp, err
		}
		again, rerr := rewound(req)
		if rerr != nil {
			return resp, err
		}
		discard(resp)
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		t.resent.Add(1)
		resp, err = t.base.RoundTrip(again)
	}
	return resp, err
}

// retryable reports whether an attempt failed in a way a restart of the server explains:
// the connection refused, reset or closed before an answer, or a proxy's 502 or 503. A
// timeout is not: the server may still be working on the request.
func retryable(resp *http.Response, err error) bool {
	if err == nil {
		return resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable
	}
	var ne net.Error
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		// net/http's own error for a kept-alive connection the server closed; it wraps nothing.
		strings.Contains(err.Error(), "server closed idle connection")
}

// rewound returns a copy of req to send again, its body read from the start.
func rewound(req *http.Request) (*http.Request, error) {
	again := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return again, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("the request's body cannot be read again")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	again.Body = body
	return again, nil
}

// discard reads and closes a response that is not returned, so its connection is reused.
func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// sleep waits for d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
