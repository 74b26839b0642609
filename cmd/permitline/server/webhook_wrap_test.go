package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"permitline/cmd/permitline/metrics"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
	"permitline/sms"
)

const (
	wrapToken   = "test0000000000000000000000000000"
	wrapAccount = "AC0123456789abcdef0123456789abcdef"
	wrapCall    = "CA00000000000000000000000000000001"
	wrapText    = "SM00000000000000000000000000000001"
)

// refusal is a handler's error that is the request's fault.
type refusal struct{ error }

func (refusal) StatusCode() int { return http.StatusConflict }

// The wrapper around every webhook: what Twilio hears when the handler answers, fails,
// refuses or panics, and what the log says, for a voice and a text route.
func TestWebhookAnswersTheFallbackForAFailureOrAPanic(t *testing.T) {
	const public = "https://line.example"
	callForm := url.Values{"CallSid": {wrapCall}, "AccountSid": {wrapAccount}, "From": {"+447700900123"}}
	textForm := url.Values{"MessageSid": {wrapText}, "AccountSid": {wrapAccount}, "From": {"+447700900123"}, "Body": {"BAL"}}
	tests := []struct {
		name       string
		handle     func() (string, error)
		fallback   func() string
		text       bool
		wantStatus int
		wantBody   string
		wantLog    []string
	}{
		{"answered", func() (string, error) { return "<Response/>", nil }, nil, false, 200, "<Response/>", nil},
		{"nothing to say", func() (string, error) { return "", nil }, nil, false, 204, "", nil},
		{"failed", func() (string, error) { return "", errors.New("the store is down") },
			func() string { return "<Response><Say>Sorry</Say></Response>" }, false, 200,
			"<Response><Say>Sorry</Say></Response>", []string{"call_sid=" + wrapCall, "the store is down"}},
		{"failed, no fallback", func() (string, error) { return "", errors.New("the store is down") }, nil, false,
			503, "try again\n", []string{"call_sid=" + wrapCall}},
		{"refused", func() (string, error) { return "", refusal{errors.New("step ahead")} },
			func() string { return "fallback" }, false, 409, "step ahead\n", nil},
		{"panicked", func() (string, error) { panic("boom") },
			func() string { return "<Response><Say>Sorry</Say></Response>" }, false, 200,
			"<Response><Say>Sorry</Say></Response>", []string{"call_sid=" + wrapCall, "a webhook panicked", "panic=boom", "stack="}},
		{"text failed", func() (string, error) { return "", errors.New("the store is down") },
			func() string { return "<Response><Message>Sorry</Message></Response>" }, true, 200,
			"<Response><Message>Sorry</Message></Response>", []string{"message_sid=" + wrapText}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			rt := &twilioRoutes{sigs: newSignatures(public, wrapToken, wrapAccount), log: slog.New(slog.NewTextHandler(&logs, nil)),
				timeout: WebhookTimeout}
			var h http.HandlerFunc
			path, form := "/twilio/voice", callForm
			if tc.text {
				path, form = "/twilio/sms", textForm
				h = webhook(rt, sms.DecodeMessage, func(context.Context, *slog.Logger, sms.MessageForm) (string, error) {
					return tc.handle()
				}, tc.fallback)
			} else {
				h = webhook(rt, ivr.DecodeCall, func(ctx context.Context, _ *slog.Logger, f ivr.CallForm) (string, error) {
					if _, ok := ctx.Deadline(); !ok || f.CallSid != wrapCall {
						t.Errorf("handler got %+v, deadline %v", f, ok)
					}
					return tc.handle()
				}, tc.fallback)
			}
			r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Twilio-Signature", twiliosim.Sign(wrapToken, public+path, form))
			w := httptest.NewRecorder()
			h(w, r)
			if w.Code != tc.wantStatus || w.Body.String() != tc.wantBody {
				t.Fatalf("answered %d %q, want %d %q", w.Code, w.Body.String(), tc.wantStatus, tc.wantBody)
			}
			if tc.wantStatus == 200 && w.Header().Get("Content-Type") != "text/xml; charset=utf-8" {
				t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
			}
			for _, want := range tc.wantLog {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log has no %q:\n%s", want, logs.String())
				}
			}
		})
	}
}

// A handler still at work when Twilio's time is nearly up has its context cancelled, and
// Twilio hears the fallback in time.
func TestWebhookAnswersTheFallbackBeforeTwilioGivesUp(t *testing.T) {
	const public = "https://line.example"
	rt := &twilioRoutes{sigs: newSignatures(public, wrapToken, wrapAccount), log: slog.New(slog.DiscardHandler),
		timeout: 50 * time.Millisecond}
	h := webhook(rt, ivr.DecodeCall, func(ctx context.Context, _ *slog.Logger, _ ivr.CallForm) (string, error) {
		<-ctx.Done() // a store that does not answer
		return "", ctx.Err()
	}, func() string { return "<Response><Say>Sorry</Say></Response>" })
	form := url.Values{"CallSid": {wrapCall}, "AccountSid": {wrapAccount}}
	r := httptest.NewRequest(http.MethodPost, "/twilio/voice", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Twilio-Signature", twiliosim.Sign(wrapToken, public+"/twilio/voice", form))
	w := httptest.NewRecorder()
	start := time.Now()
	h(w, r)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("answered after %s", d)
	}
	if w.Code != http.StatusOK || w.Body.String() != "<Response><Say>Sorry</Say></Response>" {
		t.Fatalf("answered %d %q", w.Code, w.Body.String())
	}
}

// A form the route cannot read is refused before the handler runs.
func TestWebhookRefusesAFormItCannotRead(t *testing.T) {
	const public = "https://line.example"
	rt := &twilioRoutes{sigs: newSignatures(public, wrapToken, wrapAccount), log: slog.New(slog.DiscardHandler)}
	h := webhook(rt, ivr.DecodeDial, func(context.Context, *slog.Logger, ivr.DialForm) (string, error) {
		t.Error("the handler ran")
		return "", nil
	}, func() string { return "fallback" })
	form := url.Values{"CallSid": {wrapCall}, "AccountSid": {wrapAccount}, "DialCallStatus": {"ringing"}}
	r := httptest.NewRequest(http.MethodPost, ivr.DialedPath, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Twilio-Signature", twiliosim.Sign(wrapToken, public+ivr.DialedPath, form))
	w := httptest.NewRecorder()
	h(w, r)
	if w.Code != http.StatusBadRequest || w.Body.String() != "unknown DialCallStatus\n" {
		t.Fatalf("answered %d %q", w.Code, w.Body.String())
	}
}

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
