package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"permitline/cmd/permitline/server"
	"permitline/domain"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
	"permitline/fixtures"
	"permitline/ivr"
)

// flakyFront stands before the line as a server that dies now and then would look to
// Twilio: some webhooks are acted on (committed) and then their answer is lost with the
// connection, as when the process dies between committing and answering; some are
// answered 503 without reaching the line, as a load balancer does while it restarts.
type flakyFront struct {
	line          http.Handler
	n             atomic.Int64
	lost, refused atomic.Int64
}

func (f *flakyFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch n := f.n.Add(1); {
	case n%7 == 3:
		f.line.ServeHTTP(httptest.NewRecorder(), r)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "cannot drop the connection: "+err.Error(), http.StatusInternalServerError)
			return
		}
		f.lost.Add(1)
		conn.Close()
	case n%11 == 5:
		f.refused.Add(1)
		http.Error(w, "the line is restarting", http.StatusServiceUnavailable)
	default:
		f.line.ServeHTTP(w, r)
	}
}

// repeatCounter counts the voice steps the line answered again from the reply it kept.
type repeatCounter struct {
	slog.Handler
	n *atomic.Int64
}

func (h *repeatCounter) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Message == "repeated step answered again" {
		h.n.Add(1)
	}
	return h.Handler.Handle(ctx, rec)
}

func (h *repeatCounter) WithAttrs(as []slog.Attr) slog.Handler {
	return &repeatCounter{Handler: h.Handler.WithAttrs(as), n: h.n}
}

func (h *repeatCounter) WithGroup(name string) slog.Handler {
	return &repeatCounter{Handler: h.Handler.WithGroup(name), n: h.n}
}

// serveFlaky runs the line on the database at path, its clock from now, behind a
// flakyFront, and returns its URL.
func serveFlaky(t *testing.T, path string, now time.Time, errs *logCounter, repeats *atomic.Int64) (*flakyFront, string) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	svc := domain.New(domain.Config{Store: store, Clock: domain.StartingAt(now), Holidays: fixtures.MustBankHolidays(),
		PIN: pin.TestKeyed()})
	errs.Handler = slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
	line := server.New(server.Config{PublicURL: base, AuthToken: DemoAuthToken, AccountSid: fixtures.DemoAccountSid,
		Voice: ivr.Voice{Name: "Polly.Amy", Language: "en-GB", PaymentConnector: "Default", Queue: "helpdesk"}},
		svc, slog.New(&repeatCounter{Handler: errs, n: repeats}))
	front := &flakyFront{line: line}
	srv := server.HTTPServer(front)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		store.Close()
	})
	return front, base
}

// TestRetriedWebhooksAreActedOnOnce drives a running line whose answers are sometimes
// lost after it acted, and sometimes refused before it could: every webhook is sent again
// until answered, a lost answer is given again from what the line kept (a voice step's
// reply, a text's by its MessageSid), and the end-of-run check finds each visit and
// payment once.
func TestRetriedWebhooksAreActedOnOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "line.db")
	errs, repeats := newLogCounter(), new(atomic.Int64)
	front, base := serveFlaky(t, path, DefaultNow, errs, repeats)
	rep, err := Run(context.Background(), Options{URL: base, DBPath: path, PIN: pin.TestKeyed(), Now: DefaultNow, Calls: 40, Concurrency: 4,
		Residents: 20, Seed: 3, RetryFor: 5 * time.Second})
	var out bytes.Buffer
	if perr := rep.Print(&out); perr != nil {
		t.Fatal(perr)
	}
	t.Log("\n" + out.String())
	if err != nil || !rep.OK() || rep.Conversations != 40 {
		t.Fatalf("want a clean run of 40 conversations: %v", err)
	}
	lost, refused := front.lost.Load(), front.refused.Load()
	t.Logf("%d answers lost after the line acted, %d requests refused 503; %d voice steps answered again from the kept reply",
		lost, refused, repeats.Load())
	if lost == 0 || refused == 0 {
		t.Fatalf("the front lost %d answers and refused %d requests; want some of each", lost, refused)
	}
	if int64(rep.Resent) != lost+refused || rep.Retried == 0 || rep.Retried > rep.Resent {
		t.Errorf("retried %d requests with %d attempts more; want one attempt more for each of the %d lost and %d refused",
			rep.Retried, rep.Resent, lost, refused)
	}
	if repeats.Load() == 0 {
		t.Errorf("no voice step was answered again from its kept reply")
	}
	if e := errs.list(); len(e) != 0 {
		t.Errorf("the line logged errors: %+v", e)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("retried %d requests after connection errors", rep.Retried)) {
		t.Errorf("the report does not tell of the retries")
	}
}

// TestRetriesGiveUpAfterRetryFor: a server that never comes back gets its 503 passed on
// once the time to retry has run out.
func TestRetriesGiveUpAfterRetryFor(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		http.Error(w, "restarting", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	rt := &retryTransport{base: srv.Client().Transport, within: 300 * time.Millisecond}
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("Digits=1"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable || took > 2*time.Second || n.Load() < 3 ||
		rt.retried.Load() != 1 || rt.resent.Load() != n.Load()-1 {
		t.Fatalf("status %d after %s and %d attempts (retried %d, resent %d)", resp.StatusCode, took, n.Load(),
			rt.retried.Load(), rt.resent.Load())
	}
}

func TestRetryableFailures(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	for _, c := range []struct {
		status int
		err    error
		want   bool
	}{
		{err: refused, want: true},
		{err: reset, want: true},
		{err: fmt.Errorf("net/http: Transport failed to read from server: %w", io.EOF), want: true},
		{err: io.ErrUnexpectedEOF, want: true},
		{err: errors.New("http: server closed idle connection"), want: true},
		{err: timeout, want: false},
		{err: context.Canceled, want: false},
		{err: context.DeadlineExceeded, want: false},
		{err: errors.New("unsupported protocol scheme"), want: false},
		{status: http.StatusBadGateway, want: true},
		{status: http.StatusServiceUnavailable, want: true},
		{status: http.StatusOK, want: false},
		{status: http.StatusInternalServerError, want: false},
		{status: http.StatusGatewayTimeout, want: false},
	} {
		var resp *http.Response
		if c.err == nil {
			resp = &http.Response{StatusCode: c.status}
		}
		if got := retryable(resp, c.err); got != c.want {
			t.Errorf("retryable(%d, %v) = %v, want %v", c.status, c.err, got, c.want)
		}
	}
}
