package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"permitline/cmd/permitline/metrics"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
)

// Without a token, /metrics answers loopback addresses (IPv4, IPv6 and IPv4 in IPv6)
// and nothing else.
func TestMetricsWithoutATokenAnswerOnlyLoopback(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	h := metricsAccess("", ok)
	for addr, want := range map[string]int{
		"127.0.0.1:5000": 200, "[::1]:5000": 200, "[::ffff:127.0.0.1]:5000": 200,
		"192.0.2.7:5000": 403, "[2001:db8::1]:5000": 403, "10.0.0.1:5000": 403, "garbage": 403,
	} {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("from %s: %d, want %d", addr, w.Code, want)
		}
	}
	// A token is asked of everyone once set, this machine included.
	r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	w := httptest.NewRecorder()
	metricsAccess("secret", ok).ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("no token from loopback: %d %v", w.Code, w.Header())
	}
}

// The wrapper's cost per webhook, with and without metrics: a signed call answered with
// a fixed document through the router, so what is measured is the wrapper (signature
// check, form, log, answer) and the counting.
func BenchmarkWebhookWrapper(b *testing.B) {
	const public = "https://line.example"
	form := url.Values{"CallSid": {wrapCall}, "AccountSid": {wrapAccount}, "From": {"+447700900123"}}
	req, err := twiliosim.NewRequest(b.Context(), wrapToken, public+"/twilio/voice", form)
	if err != nil {
		b.Fatal(err)
	}
	body := form.Encode()
	for _, tc := range []struct {
		name    string
		observe WebhookObserver
	}{
		{"without metrics", nil},
		{"with metrics", metrics.New(nil, nil).Webhook},
	} {
		b.Run(tc.name, func(b *testing.B) {
			rt := &twilioRoutes{sigs: newSignatures(public, wrapToken, wrapAccount), log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				timeout: WebhookTimeout, observe: tc.observe}
			h := chi.NewRouter()
			h.Post("/twilio/voice", webhook(rt, ivr.DecodeCall, func(context.Context, *slog.Logger, ivr.CallForm) (string, error) {
				return "<Response/>", nil
			}, nil))
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/twilio/voice", strings.NewReader(body))
				r.Header = req.Header.Clone()
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("answered %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
