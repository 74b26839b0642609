package desk_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/desk"
	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
)

func TestSessionsAndSignInLimitsExpire(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	h := desk.New(desk.Config{PublicURL: "http://127.0.0.1", SessionKey: servertest.SessionKey}, l.Svc, nil, nil)
	clock := domain.NewManualClock(time.Now()) // the desk's own clock: sessions and sign-in limits
	desk.SetClock(h, clock.Now)
	srv := httptest.NewServer(h)
	defer srv.Close()

	c := newClient(t, srv.URL)
	c.mustSignIn("dana", password)
	clock.Advance(12*time.Hour - time.Minute)
	if r := c.get("/desk/"); r.status != http.StatusOK {
		t.Fatalf("a session 11 h 59 min old: %d", r.status)
	}
	clock.Advance(time.Minute)
	if r := c.get("/desk/"); r.status != http.StatusSeeOther {
		t.Fatalf("a session 12 h old still works: %d", r.status)
	}

	for range 5 {
		c.signIn("dana", "not the password")
	}
	clock.Advance(14 * time.Minute)
	if r := c.signIn("dana", password); r.status != http.StatusTooManyRequests {
		t.Fatalf("14 minutes after 5 failures: %d", r.status)
	}
	clock.Advance(time.Minute + time.Second)
	if r := c.signIn("dana", password); r.status != http.StatusSeeOther {
		t.Fatalf("15 minutes after 5 failures, the right password: %d", r.status)
	}
}

// The live stream outlives the server's read and write timeouts, sends a heartbeat, and
// does not hold up a graceful shutdown.
func TestStreamOutlivesTimeoutsAndEndsAtShutdown(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	h := desk.New(desk.Config{PublicURL: "http://127.0.0.1", SessionKey: servertest.SessionKey}, l.Svc, nil, nil)
	desk.SetTiming(h, 50*time.Millisecond, 200*time.Millisecond)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Start()
	defer srv.Close()

	c := newClient(t, srv.URL)
	c.mustSignIn("dana", password)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/desk/events", nil)
	hc := *c.hc
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 1000)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	beats := 0
	deadline := time.After(1500 * time.Millisecond)
read:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended after %d heartbeats, within the server's timeouts", beats)
			}
			if strings.HasPrefix(line, ":") {
				beats++
			}
		case <-deadline:
			break read
		}
	}
	if beats < 3 {
		t.Fatalf("%d heartbeats in 1.5 s at one per 200 ms", beats)
	}

	start := time.Now()
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Config.Shutdown(sctx); err != nil {
		t.Fatalf("shutdown with a stream open: %v after %s", err, time.Since(start))
	}
	for range lines { // the stream has ended
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the stream held up the shutdown for %s", d)
	}
}
