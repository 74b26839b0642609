package ivr_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"permitline/domain"
	"permitline/ivr"
	"permitline/sms/fakeapi"
)

// retryCallSid is the call the retry tests update; the fake knows any call.
const retryCallSid = "CA0123456789abcdef0123456789abcdef"

var retryAgent = domain.Agent{Username: "sam", Name: "Sam Agent", Phone: "+447700900900"}

// retryFixture is call control against the fake Twilio API, with a short schedule.
type retryFixture struct {
	fake *fakeapi.Server
	cc   *ivr.CallControl
	hits atomic.Int32 // requests that reached the server, dropped ones too
}

// newRetryFixture serves the fake behind before, which sees every request first (and
// may answer it itself by returning true). The HTTP client gives up on an attempt after
// timeout; the schedule is three retries 10ms, 20ms and 40ms apart.
func newRetryFixture(t *testing.T, timeout time.Duration, before func(n int32, w http.ResponseWriter, r *http.Request) bool) *retryFixture {
	t.Helper()
	f := &retryFixture{fake: fakeapi.New()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.hits.Add(1)
		if before != nil && before(n, w, r) {
			return
		}
		f.fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	f.cc = ivr.NewCallControl("AC"+strings.Repeat("1", 32), "secret", "https://line.example", ivr.Voice{Name: "Polly.Amy",
		Language: "en-GB"}, &http.Client{Transport: fakeapi.Transport(target, nil), Timeout: timeout})
	f.cc.Retry = ivr.Retry{Waits: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond},
		Budget: 5 * time.Second, Attempt: 5 * time.Second}
	return f
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestCallControlRetriesTwilioServerErrors(t *testing.T) {
	f := newRetryFixture(t, 2*time.Second, nil)
	ctx := ctxFor(t, 10*time.Second)

	f.fake.FailNext(2, http.StatusInternalServerError)
	if err := f.cc.Connect(ctx, retryCallSid, retryAgent); err != nil {
		t.Fatalf("Connect after two 500s: %v", err)
	}
	ups := f.fake.CallUpdates()
	if len(ups) != 1 || ups[0].CallSid != retryCallSid || !strings.Contains(ups[0].Twiml, "<Number>+447700900900</Number>") {
		t.Fatalf("want exactly one call update putting the caller through, got %+v", ups)
	}
	if n := f.fake.Requests(); n != 3 {
		t.Fatalf("%d requests, want 3 (two failed, one accepted)", n)
	}

	// Return too, through a 503 and a 429 (Twilio's rate limit).
	f.fake.FailNext(1, http.StatusServiceUnavailable)
	if err := f.cc.Return(ctx, retryCallSid, ivr.BackToMenu); err != nil {
		t.Fatalf("Return after a 503: %v", err)
	}
	f.fake.FailNext(1, http.StatusTooManyRequests)
	if err := f.cc.Return(ctx, retryCallSid, ivr.BackToPay); err != nil {
		t.Fatalf("Return after a 429: %v", err)
	}
	ups = f.fake.CallUpdates()
	if len(ups) != 3 || ups[1].URL != "https://line.example/twilio/voice/resume?to=menu" ||
		ups[2].URL != "https://line.example/twilio/voice/resume?to=buy" {
		t.Fatalf("want the two hand-backs recorded once each, got %+v", ups)
	}
	if n := f.fake.Requests(); n != 7 {
		t.Fatalf("%d requests, want 7", n)
	}
}

func TestCallControlRetriesATimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	var f *retryFixture
	f = newRetryFixture(t, timeout, func(n int32, _ http.ResponseWriter, _ *http.Request) bool {
		if n > 1 {
			f.fake.Delay(0) // Twilio is quick again after the first, lost, request
		}
		return false
	})
	ctx := ctxFor(t, 10*time.Second)
	f.fake.Delay(5 * time.Second) // far beyond the client's timeout

	start := time.Now()
	if err := f.cc.Connect(ctx, retryCallSid, retryAgent); err != nil {
		t.Fatalf("Connect after a timeout: %v", err)
	}
	if took := time.Since(start); took < timeout || took > 4*time.Second {
		t.Fatalf("Connect took %v: want the first attempt cut off after %v, then a quick one", took, timeout)
	}
	if ups := f.fake.CallUpdates(); len(ups) != 1 {
		t.Fatalf("want the update delivered once, got %+v", ups)
	}
	if n := f.hits.Load(); n != 2 {
		t.Fatalf("%d requests reached Twilio, want 2 (one timed out, one accepted)", n)
	}
}

func TestCallControlRetriesANetworkError(t *testing.T) {
	f := newRetryFixture(t, 2*time.Second, func(n int32, w http.ResponseWriter, _ *http.Request) bool {
		if n > 1 {
			return false
		}
		// The connection drops before any answer.
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	})
	if err := f.cc.Return(ctxFor(t, 10*time.Second), retryCallSid, ivr.BackToMenu); err != nil {
		t.Fatalf("Return after a dropped connection: %v", err)
	}
	if ups := f.fake.CallUpdates(); len(ups) != 1 || f.hits.Load() != 2 {
		t.Fatalf("want one update after 2 requests; %d requests, updates %+v", f.hits.Load(), ups)
	}
}

func TestCallControlGivesUpAfterBoundedAttempts(t *testing.T) {
	f := newRetryFixture(t, 2*time.Second, nil)
	f.fake.FailNext(10, http.StatusInternalServerError)

	err := f.cc.Connect(ctxFor(t, 10*time.Second), retryCallSid, retryAgent)
	var rest *twclient.TwilioRestError
	if err == nil || !errors.As(err, &rest) || rest.Status != http.StatusInternalServerError ||
		!strings.Contains(err.Error(), "gave up after 4 attempts") || errors.Is(err, ivr.ErrCallerGone) {
		t.Fatalf("want Twilio's 500 after 4 attempts, got %v", err)
	}
	t.Logf("the error: %v", err)
	if n := f.fake.Requests(); n != 4 {
		t.Fatalf("%d requests, want 4: the first and three retries", n)
	}
	if ups := f.fake.CallUpdates(); len(ups) != 0 {
		t.Fatalf("nothing should be updated: %+v", ups)
	}

	// The budget bounds the whole: a wait that would end after it is not begun.
	f.cc.Retry = ivr.Retry{Waits: []time.Duration{10 * time.Millisecond, time.Minute}, Budget: time.Second, Attempt: time.Second}
	f.fake.FailNext(10, http.StatusBadGateway)
	start := time.Now()
	err = f.cc.Return(ctxFor(t, 10*time.Second), retryCallSid, ivr.BackToMenu)
	if err == nil || !strings.Contains(err.Error(), "gave up after 2 attempts") {
		t.Fatalf("want a give-up after 2 attempts within the budget, got %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("giving up took %v, beyond the 1s budget", took)
	}
	if n := f.fake.Requests(); n != 6 {
		t.Fatalf("%d requests in all, want 6", n)
	}
}

func TestCallControlDoesNotRetryWhatCannotSucceed(t *testing.T) {
	f := newRetryFixture(t, 2*time.Second, nil)
	ctx := ctxFor(t, 10*time.Second)

	// The call is unknown to Twilio: the caller has hung up.
	f.fake.FailNextWith(5, http.StatusNotFound, 20404,
		"The requested resource /2010-04-01/Accounts/AC.../Calls/"+retryCallSid+".json was not found")
	err := f.cc.Connect(ctx, retryCallSid, retryAgent)
	if !errors.Is(err, ivr.ErrCallerGone) || !strings.Contains(err.Error(), "the caller has gone") ||
		!strings.Contains(err.Error(), "20404") {
		t.Fatalf("want the caller gone (20404), got %v", err)
	}
	t.Logf("the error: %v", err)
	if n := f.fake.Requests(); n != 1 {
		t.Fatalf("a 404 was tried %d times, want once", n)
	}

	// The call is over: Twilio answers 400 with 21220.
	f.fake.FailNextWith(5, http.StatusBadRequest, 21220, "Call is not in-progress. Cannot redirect.")
	if err := f.cc.Return(ctx, retryCallSid, ivr.BackToMenu); !errors.Is(err, ivr.ErrCallerGone) {
		t.Fatalf("want the caller gone (21220), got %v", err)
	}
	if n := f.fake.Requests(); n != 2 {
		t.Fatalf("a 21220 was tried again: %d requests, want 2", n)
	}

	// Any other 4xx fails at once, and is not taken for a caller gone.
	f.fake.FailNextWith(5, http.StatusUnauthorized, 20003, "Authenticate")
	err = f.cc.Return(ctx, retryCallSid, ivr.BackToMenu)
	var rest *twclient.TwilioRestError
	if err == nil || errors.Is(err, ivr.ErrCallerGone) || !errors.As(err, &rest) || rest.Code != 20003 {
		t.Fatalf("want Twilio's 401, got %v", err)
	}
	if n := f.fake.Requests(); n != 3 {
		t.Fatalf("a 401 was tried again: %d requests, want 3", n)
	}
	if ups := f.fake.CallUpdates(); len(ups) != 0 {
		t.Fatalf("nothing should be updated: %+v", ups)
	}
}

func TestCallControlHonoursTheCallersContext(t *testing.T) {
	// Cancelled during the wait between attempts.
	f := newRetryFixture(t, 2*time.Second, nil)
	f.cc.Retry = ivr.Retry{Waits: []time.Duration{time.Hour}, Budget: 2 * time.Hour, Attempt: time.Second}
	f.fake.FailNext(10, http.StatusInternalServerError)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- f.cc.Connect(ctx, retryCallSid, retryAgent) }()
	waitFor(t, "the first attempt", func() bool { return f.fake.Requests() == 1 })
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "after 1 attempt;") {
			t.Fatalf("want the cancellation after one attempt, got %v", err)
		}
		t.Logf("the error: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Connect did not return within 5s of its context's cancellation")
	}
	if n := f.fake.Requests(); n != 1 {
		t.Fatalf("%d requests after the cancellation, want 1", n)
	}

	// Cancelled during an attempt Twilio is slow to answer.
	g := newRetryFixture(t, time.Minute, nil)
	g.cc.Retry = ivr.Retry{Waits: []time.Duration{time.Hour}, Budget: 2 * time.Hour, Attempt: time.Minute}
	g.fake.Delay(time.Minute)
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	go func() { errc <- g.cc.Return(ctx, retryCallSid, ivr.BackToMenu) }()
	waitFor(t, "the request", func() bool { return g.hits.Load() == 1 })
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want the cancellation, got %v", err)
		}
		t.Logf("the error: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Return did not return within 5s of its context's cancellation")
	}
	if ups := g.fake.CallUpdates(); len(ups) != 0 {
		t.Fatalf("nothing should be updated: %+v", ups)
	}

	// Already cancelled: nothing is sent.
	if err := g.cc.Return(ctx, retryCallSid, ivr.BackToMenu); !errors.Is(err, context.Canceled) || g.hits.Load() != 1 {
		t.Fatalf("a cancelled context: %v, %d requests", err, g.hits.Load())
	}
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
