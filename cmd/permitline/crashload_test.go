package main

import (
	"bytes"
	"context"
	"permitline/domain/pin"
	"strings"
	"sync"
	"testing"
	"time"

	"permitline/cmd/permitline/load"
)

// TestLoadCarriesOnAcrossASIGKILL runs the real binary under load, SIGKILLs it a third of
// the way through the run and starts it again on the same database and port. The
// simulated Twilio sends the webhooks the kill cut off again until the new process
// answers, as a load balancer holding them would: every conversation carries on to its
// end, and the end-of-run check finds every visit and payment the callers heard stored
// once, and nothing else.
func TestLoadCarriesOnAcrossASIGKILL(t *testing.T) {
	const (
		calls       = 300
		concurrency = 30
		// About seven webhooks a conversation in the default mix: the kill comes once a
		// third of the run's webhooks have been sent.
		killAfter = calls * 7 / 3
	)
	l := freshCrashLine(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	now, err := time.Parse(time.RFC3339, testNow)
	if err != nil {
		t.Fatal(err)
	}
	l.cli(ctx, "migrate") // serve opens an existing database only
	l.start(ctx)

	kill := make(chan struct{})
	var once sync.Once
	o := load.Options{URL: l.url, DBPath: l.db, AuthToken: crashToken, PIN: pin.TestKeyed(),
		// Now unset: the load asks the line for its clock (testNow when it started).
		Calls: calls, Concurrency: concurrency, Residents: 2 * concurrency, Seed: 5,
		RetryFor: 15 * time.Second, Floors: false,
		Sent: func(n int64) {
			if n >= killAfter {
				once.Do(func() { close(kill) })
			}
		}}
	type result struct {
		rep load.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := load.Run(ctx, o)
		done <- result{rep, err}
	}()

	var res result
	select {
	case <-kill:
		l.restart(ctx)
		t.Logf("the server was killed and started again after %d webhooks", killAfter)
		res = <-done
	case res = <-done:
		t.Fatalf("the run ended before %d webhooks were sent, so before the kill: %v", killAfter, res.err)
	}

	rep := res.rep
	var out bytes.Buffer
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if res.err != nil {
		t.Fatalf("the run: %v", res.err)
	}
	if d := rep.Now.Sub(now); d < 0 || d > 30*time.Second {
		t.Errorf("the load took the line's clock to read %s; the line started at %s", rep.Now, now)
	}
	if rep.Conversations != calls || rep.Failed != 0 || len(rep.Errors) != 0 {
		t.Errorf("%d of %d conversations run, %d failed; want all run and none failed", rep.Conversations, calls, rep.Failed)
	}
	if !rep.Check.OK() {
		t.Errorf("the end-of-run check found %d mismatches", len(rep.Check.Mismatches))
	}
	if rep.Check.Visits == 0 || rep.Check.Payments == 0 {
		t.Errorf("the check looked at %d visits and %d payments heard; want some of each", rep.Check.Visits, rep.Check.Payments)
	}
	if rep.Retried == 0 {
		t.Errorf("no request was retried: the kill did not land in the middle of the run")
	}
	logs := l.logs.String()
	// A step the first process committed but died before answering is answered again by
	// the second from the reply it kept; whether the kill caught one depends on timing.
	t.Logf("%d requests retried; voice steps answered again from the kept reply: %d",
		rep.Retried, strings.Count(logs, `"msg":"repeated step answered again"`))
	if strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("a server logged an error")
	}
}
