package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver, to read the outbox

	"permitline/cmd/permitline/load"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/domain/storetest"
)

// twoNodePublicURL is the one address Twilio has for the line, whichever node answers: both
// nodes sign against it and build every URL they give Twilio from it.
const twoNodePublicURL = "https://permits.example.gov.uk"

// twoNodeSessionKey is the desk's session key both nodes hold.
const twoNodeSessionKey = "twonode-session-key-0123456789abcdef"

// TestTwoNodesCarryOnWhenOneIsKilled runs two nodes of the real binary on one PostgreSQL
// database, behind one public URL, with the same auth token, PIN key and session key, and
// spreads a load run's webhooks over both, each step of a call landing on either. A third
// of the way through, node A is SIGKILLed: the webhooks it was answering, and those sent
// to it while it is down, go to node B at once, as Twilio's fallback URL sends them. Two
// thirds of the way through, A starts again and takes its share. Every conversation
// completes; none hears an apology more than once; the end-of-run check finds every visit
// and payment the callers heard stored once and nothing else; and the outbox holds each
// text those visits and payments queue exactly once, waiting to be sent.
func TestTwoNodesCarryOnWhenOneIsKilled(t *testing.T) {
	const (
		calls       = 300
		concurrency = 30
		// About seven webhooks a conversation in the default mix.
		webhooks = calls * 7
	)
	addr := storetest.PostgresDatabase(t)
	dir := t.TempDir()
	bin := buildPermitline(t, dir)
	env := append(lineEnv(crashToken), "PERMITLINE_SESSION_KEY="+twoNodeSessionKey)
	a := newCrashLine(t, bin, addr, env, time.Second)
	b := newCrashLine(t, bin, addr, env, time.Second)
	a.public, b.public = twoNodePublicURL, twoNodePublicURL
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	a.cli(ctx, "migrate")
	started := time.Now() // both nodes' clocks read testNow now, give or take their start
	a.start(ctx)
	b.start(ctx)

	kill, again := make(chan struct{}), make(chan struct{})
	o := load.Options{URL: a.url + "," + b.url, PublicURL: twoNodePublicURL, DBPath: addr, AuthToken: crashToken,
		PIN: pin.TestKeyed(), Calls: calls, Concurrency: concurrency, Residents: 2 * concurrency, Seed: 14,
		RetryFor: 15 * time.Second, Floors: false,
		Sent: func(n int64) {
			switch n {
			case webhooks / 3:
				close(kill)
			case 2 * webhooks / 3:
				close(again)
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
	case res = <-done:
		t.Fatalf("the run ended before %d webhooks were sent, so before node A was killed: %v", webhooks/3, res.err)
	}
	a.kill()
	t.Logf("node A was killed after %d webhooks", webhooks/3)
	select {
	case <-again:
	case res = <-done:
		t.Fatalf("the run ended before %d webhooks were sent, so before node A started again: %v", 2*webhooks/3, res.err)
	}
	// A starts again on the line's clock as B reads it now, as a node's clock would.
	a.now = mustTime(t, testNow).Add(time.Since(started)).Format(time.RFC3339Nano)
	a.start(ctx)
	t.Logf("node A started again after %d webhooks", 2*webhooks/3)
	res = <-done

	rep := res.rep
	var out bytes.Buffer
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if res.err != nil {
		t.Fatalf("the run: %v", res.err)
	}
	if rep.Nodes != 2 {
		t.Errorf("the run was spread over %d nodes, want 2", rep.Nodes)
	}
	if rep.Conversations != calls || rep.Completed+refused(rep) != calls || rep.Failed != 0 || len(rep.Errors) != 0 {
		t.Errorf("%d of %d conversations run, %d completed, %d refused, %d failed; want all run and none failed",
			rep.Conversations, calls, rep.Completed, refused(rep), rep.Failed)
	}
	if rep.MostApologies > 1 {
		t.Errorf("a conversation heard %d apologies (%d conversations heard one or more); want at most one each",
			rep.MostApologies, rep.Apologised)
	}
	if !rep.Check.OK() {
		t.Errorf("the end-of-run check found %d mismatches", len(rep.Check.Mismatches))
	}
	if rep.Check.Visits == 0 || rep.Check.Payments == 0 {
		t.Errorf("the check looked at %d visits and %d payments heard; want some of each", rep.Check.Visits, rep.Check.Payments)
	}
	if rep.FailedOver == 0 {
		t.Errorf("no request went to the other node after a connection error: the kill did not land in the run")
	}
	checkOutbox(ctx, t, addr, rep)

	// A answered steps before it was killed and again after it started; B throughout.
	first, second, _ := strings.Cut(a.logs.String(), "=== server 2 starting")
	for _, n := range []struct{ what, logs string }{{"node A before the kill", first},
		{"node A after it started again", second}, {"node B", b.logs.String()}} {
		if !strings.Contains(n.logs, `"msg":"step"`) {
			t.Errorf("%s answered no voice step", n.what)
		}
	}
	logs := a.logs.String() + b.logs.String()
	t.Logf("%d requests sent to the other node, %d retried; voice steps answered again from the kept reply: %d; "+
		"%d conversations heard an apology", rep.FailedOver, rep.Retried,
		strings.Count(logs, `"msg":"repeated step answered again"`), rep.Apologised)
	if strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("a node logged an error")
	}
}

func refused(rep load.Report) int {
	n := 0
	for _, v := range rep.Refused {
		n += v
	}
	return n
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkOutbox checks the outbox against what the run heard: each text a heard visit or
// payment queues is there once, pending (neither node sends texts here: no
// PERMITLINE_SMS_FROM) or sent, and no text reports a visit or a payment no one heard.
func checkOutbox(ctx context.Context, t *testing.T, addr string, rep load.Report) {
	t.Helper()
	today := calendar.DateOf(rep.Now).String()
	want := map[string]bool{}
	for _, v := range rep.Expect.Visits {
		byVoice := v.Kind == load.Activate || v.Kind == load.Cancel
		if byVoice {
			want[string(domain.NoticeActivated)+":"+v.Ref] = true
		}
		if byVoice && v.Cancelled {
			want[string(domain.NoticeCancelled)+":"+v.Ref] = true
		}
		if v.Date > today {
			want[string(domain.NoticeReminder)+":"+v.Ref] = true
		}
	}
	for _, p := range rep.Expect.Payments {
		want[string(domain.NoticeReceipt)+":"+p.Code] = true
	}

	db, err := sql.Open("pgx", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT key, status FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	var bad []string
	for rows.Next() {
		var key, status string
		if err := rows.Scan(&key, &status); err != nil {
			t.Fatal(err)
		}
		seen[key]++
		switch {
		case !want[key]:
			bad = append(bad, fmt.Sprintf("text %s (%s) reports something no conversation heard", key, status))
		case status != string(domain.OutboxPending) && status != string(domain.OutboxSent):
			bad = append(bad, fmt.Sprintf("text %s is %s, want pending or sent", key, status))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for key := range want {
		if seen[key] != 1 {
			bad = append(bad, fmt.Sprintf("text %s is in the outbox %d times, want once", key, seen[key]))
		}
	}
	sort.Strings(bad)
	for i, m := range bad {
		if i == 20 {
			t.Errorf("... and %d more", len(bad)-20)
			break
		}
		t.Error(m)
	}
	t.Logf("the outbox: %d texts, each queued once by what the run heard", len(seen))
}
