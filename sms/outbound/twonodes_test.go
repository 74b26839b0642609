package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
	"permitline/domain/storetest"
	"permitline/fixtures"
	"permitline/sms/fakeapi"
	"permitline/sms/outbound"
)

// countingAPI is one node's way to Twilio, counting the requests it makes.
type countingAPI struct {
	outbound.Messages
	n atomic.Int64
}

func (c *countingAPI) CreateMessage(p *openapi.CreateMessageParams) (*openapi.ApiV2010Message, error) {
	c.n.Add(1)
	return c.Messages.CreateMessage(p)
}

// dyingAPI is the way to Twilio of a node that dies inside its first request: the request
// never reaches Twilio (or, with forward, reaches it and is accepted), and the node records
// nothing more until released, long after the other node has taken its texts over.
type dyingAPI struct {
	forward outbound.Messages // nil: the request dies before it leaves the node
	entered chan struct{}     // closed when the first request is made (and, with forward, accepted)
	release chan struct{}     // close to let the dead node's request fail
	n       atomic.Int64
}

func newDyingAPI(forward outbound.Messages) *dyingAPI {
	return &dyingAPI{forward: forward, entered: make(chan struct{}), release: make(chan struct{})}
}

func (d *dyingAPI) CreateMessage(p *openapi.CreateMessageParams) (*openapi.ApiV2010Message, error) {
	if d.n.Add(1) == 1 {
		if d.forward != nil {
			if _, err := d.forward.CreateMessage(p); err != nil {
				panic(fmt.Sprintf("the fake refused the dying node's message: %v", err))
			}
		}
		close(d.entered)
	}
	<-d.release
	return nil, errors.New("the node died before it heard Twilio's answer")
}

// newTwoNodes returns two nodes of one line on a fresh database of the engine: each its
// own store opened on that database, its own service and its own sender, with one clock
// and one fake Twilio between them. a sends through api (nil: the fake).
func newTwoNodes(t *testing.T, eng storetest.Engine, now string, batch int, api func(fake outbound.Messages) outbound.Messages) (a, b *env) {
	t.Helper()
	ctx := context.Background()
	clock := domain.NewManualClock(servertest.At(t, now))
	fake := fakeapi.New()
	fake.Now = clock.Now
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	addr := eng.Address(t)
	node := func(name string, seed uint64) *env {
		e := &env{t: t, ctx: ctx, clock: clock, fake: fake, srv: srv, target: target, logs: &servertest.LogBuffer{}}
		var store domain.Store
		if eng.Name == storetest.Postgres.Name {
			store = storetest.OpenPostgres(t, addr)
		} else {
			s, err := sqlite.Open(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			store = s
		}
		e.svc = domain.New(domain.Config{Store: store, Clock: clock, Holidays: fixtures.MustBankHolidays(),
			PIN: pin.TestKeyed(), IDs: domain.NewSeededIDs(seed)})
		e.cfg = outbound.Config{API: e.api(2 * time.Second), From: line, StatusCallback: callback, Batch: batch}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("node %s's sender's log:\n%s", name, e.logs)
			}
		})
		return e
	}
	a, b = node("A", 1), node("B", 2)
	if api != nil {
		a.cfg.API = api(a.cfg.API)
	}
	for _, e := range []*env{a, b} {
		e.sender = outbound.New(e.cfg, e.svc, e.render, slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.ImportSchemes(ctx, domain.Admin("test"), schemes); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// visitsToday activates n visits by phone for today on node e, each for a resident of its
// own, and returns them: each queues one confirmation.
func visitsToday(e *env, n int) []domain.Visit {
	e.t.Helper()
	var vs []domain.Visit
	for i := range n {
		res := e.resident(fmt.Sprintf("07700 9%05d", 100+i))
		vs = append(vs, e.activate(res, fmt.Sprintf("AB%02dCDE", 10+i), ""))
	}
	return vs
}

// wantEachSentOnce checks that the fake accepted exactly one message for each visit's
// confirmation, with its words, and that the outbox records each as sent with that
// message's SID.
func wantEachSentOnce(t *testing.T, e *env, vs []domain.Visit) {
	t.Helper()
	msgs := e.fake.Messages()
	if got := e.fake.Requests(); got != len(vs) || len(msgs) != len(vs) {
		t.Fatalf("the fake got %d requests and accepted %d messages; want one for each of the %d texts", got, len(msgs), len(vs))
	}
	sids := map[string]int{}
	for _, m := range msgs {
		sids[m.Body]++
	}
	for _, v := range vs {
		b := body(domain.NoticeActivated, v)
		if sids[b] != 1 {
			t.Errorf("the confirmation of %s was sent %d times, want once", v.Ref, sids[b])
		}
		r := e.row(domain.NoticeActivated, v)
		sent := false
		for _, m := range msgs {
			sent = sent || m.Body == b && m.Sid == r.ProviderSid
		}
		if r.Status != domain.OutboxSent || !sent {
			t.Errorf("the confirmation of %s stands %s with SID %q, want sent with the SID of the one message: %+v",
				v.Ref, r.Status, r.ProviderSid, r)
		}
	}
}

// TestTwoNodesSendEachTextOnce runs the outbox senders of two nodes at once on one
// database, each pass claiming a small batch while the other sends its own: every text is
// sent exactly once, by one node or the other, and each node sent some.
func TestTwoNodesSendEachTextOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, eng storetest.Engine) {
		a, b := newTwoNodes(t, eng, "2026-11-30 10:00", 3, nil)
		vs := visitsToday(a, 30)
		apiA, apiB := &countingAPI{Messages: a.cfg.API}, &countingAPI{Messages: b.cfg.API}
		a.cfg.API, b.cfg.API = apiA, apiB
		for _, e := range []*env{a, b} {
			e.sender = outbound.New(e.cfg, e.svc, e.render, slog.New(slog.NewTextHandler(e.logs, nil)))
		}
		a.fake.Delay(2 * time.Millisecond) // a request takes a while, as Twilio's do: the other node claims meanwhile

		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, e := range []*env{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				deadline := time.Now().Add(20 * time.Second)
				for len(e.fake.Messages()) < len(vs) && time.Now().Before(deadline) {
					if _, err := e.sender.Flush(e.ctx); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("flush: %v", err)
		}
		a.flush(0)
		b.flush(0)
		wantEachSentOnce(t, a, vs)
		na, nb := apiA.n.Load(), apiB.n.Load()
		t.Logf("node A sent %d texts, node B %d", na, nb)
		if na+nb != int64(len(vs)) || na == 0 || nb == 0 {
			t.Errorf("node A asked Twilio %d times and node B %d; want %d in all, some from each", na, nb, len(vs))
		}
	})
}

// TestTextClaimedByADeadNodeIsSentByTheOther: node A claims a batch of texts and dies in
// its first request to Twilio, before any reaches it. Its claims hold for StaleAfter: node B
// sends none of them until then, and all of them, once each, after; when the dead node's
// request at last fails, it records nothing over what B did and sends nothing more.
func TestTextClaimedByADeadNodeIsSentByTheOther(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, eng storetest.Engine) {
		dying := newDyingAPI(nil)
		a, b := newTwoNodes(t, eng, "2026-11-30 10:00", 0, func(outbound.Messages) outbound.Messages { return dying })
		vs := visitsToday(a, 6)
		aDone := dies(t, a, dying)
		for _, v := range vs {
			if r := b.row(domain.NoticeActivated, v); r.Status != domain.OutboxSending {
				t.Fatalf("the confirmation of %s is %s after node A's claim, want sending", v.Ref, r.Status)
			}
		}

		b.flush(0) // A's claims hold
		b.clock.Advance(outbound.StaleAfter)
		b.flush(0) // exactly StaleAfter: still held
		b.clock.Advance(time.Second)
		b.flush(len(vs)) // A's claims have run out: B sends them all
		b.flush(0)
		wantEachSentOnce(t, b, vs)
		for _, v := range vs {
			if r := b.row(domain.NoticeActivated, v); r.Attempts != 1 {
				t.Errorf("the confirmation of %s counts %d attempts, want 1 (the dead node's)", v.Ref, r.Attempts)
			}
		}

		afterDeath(t, a, b, dying, aDone, vs)
	})
}

// dies starts a pass of node a's sender through dying and returns once it is stuck in its
// first request; the channel gets the pass's end.
func dies(t *testing.T, a *env, dying *dyingAPI) <-chan error {
	t.Helper()
	aDone := make(chan error, 1)
	go func() {
		_, err := a.sender.Flush(a.ctx)
		aDone <- err
	}()
	select {
	case <-dying.entered:
	case err := <-aDone:
		t.Fatalf("node A's pass ended before it asked Twilio: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("node A never asked Twilio")
	}
	return aDone
}

// afterDeath lets the dead node's request fail at last: it finds its texts taken over and
// leaves them, and sends nothing more.
func afterDeath(t *testing.T, a, b *env, dying *dyingAPI, aDone <-chan error, vs []domain.Visit) {
	t.Helper()
	close(dying.release)
	select {
	case <-aDone:
	case <-time.After(10 * time.Second):
		t.Fatal("node A's pass did not end once its request failed")
	}
	a.clock.Advance(time.Hour)
	a.flush(0)
	b.flush(0)
	if n := dying.n.Load(); n != 1 {
		t.Errorf("the dead node asked Twilio %d times, want only the once it died in", n)
	}
	wantEachSentOnce(t, b, vs)
}

// TestTextAcceptedForADeadNodeIsNotSentAgain: node A dies after Twilio accepted its first
// text but before it heard so. Twilio's status callback for that text reaches node B (the
// line's public URL, whichever node answers), which marks it sent by the row it names; once
// A's claims run out, B sends the rest of A's batch and not that one again.
func TestTextAcceptedForADeadNodeIsNotSentAgain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, eng storetest.Engine) {
		var dying *dyingAPI
		a, b := newTwoNodes(t, eng, "2026-11-30 10:00", 0, func(fake outbound.Messages) outbound.Messages {
			dying = newDyingAPI(fake)
			return dying
		})
		vs := visitsToday(a, 6)
		aDone := dies(t, a, dying)
		msgs := b.fake.Messages()
		if len(msgs) != 1 {
			t.Fatalf("Twilio has %d messages from the dying node, want 1", len(msgs))
		}
		cb, err := url.Parse(msgs[0].StatusCallback)
		if err != nil || cb.Query().Get(outbound.CallbackParam) == "" {
			t.Fatalf("the message's status callback %q names no outbox row", msgs[0].StatusCallback)
		}
		if code := b.statusCallback("?"+cb.RawQuery, url.Values{"MessageSid": {msgs[0].Sid}, "MessageStatus": {"sent"},
			"AccountSid": {accountSid}}); code != http.StatusNoContent {
			t.Fatalf("node B answered the status callback %d", code)
		}

		b.clock.Advance(outbound.StaleAfter + time.Second)
		b.flush(len(vs) - 1) // the rest of A's batch; the one Twilio has is sent
		b.flush(0)
		wantEachSentOnce(t, b, vs)
		afterDeath(t, a, b, dying, aDone, vs)
	})
}
