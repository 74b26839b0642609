package runner_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/pin"
	"permitline/domain/storetest"
	"permitline/flows"
	"permitline/flows/runner"
)

const (
	alex    = "+447700900123"
	alexPIN = "2580"
	callSid = "CA0123456789abcdef0123456789abcdef"
)

// line is the demo accounts on a fresh SQLite file, and a voice runner over them.
type line struct {
	t     *testing.T
	ctx   context.Context
	store *countingStore
	clock *domain.ManualClock
	svc   *domain.Service
	voice *runner.Runner
	alex  string // Alex's account number
}

// countingStore counts the snapshots and write transactions the runner asks for.
type countingStore struct {
	domain.Store
	views, updates atomic.Int64
}

func (s *countingStore) View(ctx context.Context, fn func(domain.Reader) error) error {
	s.views.Add(1)
	return s.Store.View(ctx, fn)
}

func (s *countingStore) Update(ctx context.Context, fn func(domain.Tx) error) error {
	s.updates.Add(1)
	return s.Store.Update(ctx, fn)
}

func newLine(t *testing.T) *line { t.Helper(); return newLineOn(t, storetest.SQLite) }

// newLineOn is newLine on a fresh store of engine e.
func newLineOn(t *testing.T, e storetest.Engine) *line {
	t.Helper()
	base := servertest.NewOn(t, "2026-11-30 10:00", e) // a Monday, the helpdesk open
	store := &countingStore{Store: base.Store}
	svc := domain.New(domain.Config{Store: store, Clock: base.Clock, Holidays: base.Svc.Holidays(),
		PIN: pin.MustKeyed(servertest.Key)})
	l := &line{t: t, ctx: base.Ctx, store: store, clock: base.Clock, svc: svc, alex: base.People["Alex Morgan"].Account}
	l.voice = l.voiceRunner()
	return l
}

// voiceRunner is a runner of calls over the line's store, as another process would have.
func (l *line) voiceRunner() *runner.Runner {
	return runner.New(runner.Config{Svc: l.svc, Engine: flows.NewVoiceEngine(), Channel: domain.ChannelVoice,
		TTL: 24 * time.Hour, Render: render})
}

// render writes a reply plainly: the step it waits on, what is said, what is asked.
func render(reply flows.Reply, step int, _ time.Time) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "step %d:", step)
	for _, m := range reply.Says {
		fmt.Fprintf(&b, " %s", m.ID)
	}
	switch {
	case reply.End != flows.EndNone:
		fmt.Fprintf(&b, " end %s", reply.End)
	case reply.Ask != nil:
		fmt.Fprintf(&b, " ask %s", reply.Ask.Kind)
	}
	return b.String(), nil
}

func keys(k string) flows.Input { return flows.Input{Kind: flows.InputKeys, Keys: k} }

// step answers step of the test call with in through r.
func (l *line) step(r *runner.Runner, step int, in flows.Input) runner.Result {
	l.t.Helper()
	res, err := r.Step(l.ctx, callSid, step, in, flows.Data{From: alex})
	if err != nil {
		l.t.Fatalf("step %d: %v", step, err)
	}
	return res
}

// conv is the test call's conversation as the store holds it.
func (l *line) conv() domain.Conversation {
	l.t.Helper()
	var c domain.Conversation
	if err := l.svc.View(l.ctx, func(r domain.Reader) (err error) {
		c, err = r.ConversationByKey(domain.ChannelVoice, callSid)
		return err
	}); err != nil {
		l.t.Fatal(err)
	}
	return c
}

// atMenu brings Alex's call to the main menu: the greeting asks the PIN, the PIN passes.
func (l *line) atMenu() {
	l.t.Helper()
	if res := l.step(l.voice, 0, flows.Input{}); !strings.HasSuffix(res.Doc, "ask digits") {
		l.t.Fatalf("the greeting: %q", res.Doc)
	}
	if res := l.step(l.voice, 1, keys(alexPIN)); !strings.HasSuffix(res.Doc, "ask choice") ||
		res.Flow != flows.FlowMenu {
		l.t.Fatalf("the PIN: %+v", res)
	}
}

func (l *line) bought() int {
	l.t.Helper()
	b, err := l.svc.Balance(l.ctx, domain.Admin("test"), l.alex)
	if err != nil {
		l.t.Fatal(err)
	}
	return b.BoughtThisYear
}

func TestARepeatedStepGetsItsKeptReply(t *testing.T) {
	l := newLine(t)
	l.atMenu()
	first := l.step(l.voice, 2, keys("3")) // the balance, then the menu again
	if first.Repeat || !strings.HasPrefix(first.Doc, "step 3:") {
		t.Fatalf("the balance: %+v", first)
	}
	for _, tc := range []struct {
		name  string
		in    flows.Input
		other bool
	}{{"the same input", keys("3"), false}, {"other input", keys("1"), true}} {
		t.Run(tc.name, func(t *testing.T) {
			again := l.step(l.voice, 2, tc.in)
			if !again.Repeat || again.OtherInput != tc.other || again.Doc != first.Doc {
				t.Fatalf("repeat of step 2 with %v: %+v, first answered %q", tc.in, again, first.Doc)
			}
			if v := l.conv().Version; v != 3 {
				t.Fatalf("a repeat moved the call on: version %d", v)
			}
		})
	}
	// The greeting and the PIN step are kept too, and answered again as they were.
	if res := l.step(l.voice, 1, keys(alexPIN)); !res.Repeat || !strings.HasPrefix(res.Doc, "step 2:") {
		t.Fatalf("repeat of the PIN step: %+v", res)
	}
	if res := l.step(l.voice, 0, flows.Input{}); !res.Repeat || !strings.HasPrefix(res.Doc, "step 1:") {
		t.Fatalf("repeat of the greeting: %+v", res)
	}
	if _, err := l.voice.Step(l.ctx, callSid, 9, keys("1"), flows.Data{From: alex}); !errors.Is(err, runner.ErrAhead) {
		t.Fatalf("a step the call never reached: %v", err)
	}
}

func TestAReadingStepIsTriedOnASnapshotAndAWritingStepIsNot(t *testing.T) {
	l := newLine(t)
	l.atMenu()
	count := func(in flows.Input, step int) (views, updates int64, res runner.Result) {
		v, u := l.store.views.Load(), l.store.updates.Load()
		res = l.step(l.voice, step, in)
		return l.store.views.Load() - v, l.store.updates.Load() - u, res
	}
	// The balance only reads: stepped on a snapshot, then only the save is written.
	views, updates, res := count(keys("3"), 2)
	if views != 1 || updates != 1 || res.State != "main" {
		t.Fatalf("the balance: %d snapshots, %d writes, %+v", views, updates, res)
	}
	// Buying two permits up to the payment: the confirmation reads, the payment writes.
	l.step(l.voice, 3, keys("4"))
	l.step(l.voice, 4, keys("2"))
	res = l.step(l.voice, 5, keys("1"))
	if !strings.HasSuffix(res.Doc, "ask pay") {
		t.Fatalf("want the payment asked: %+v", res)
	}
	before := l.bought()
	views, updates, res = count(flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: "success",
		ConfirmationCode: "ch_snapshot0001", CardType: "visa"}}, 6)
	if views != 0 || updates != 1 {
		t.Fatalf("the payment: %d snapshots, %d writes (want none tried on a snapshot, one write)", views, updates)
	}
	if got := l.bought() - before; got != 2 {
		t.Fatalf("the payment bought %d permits, want 2 (%+v)", got, res)
	}
	// Both paths saved the conversation and kept the reply alike.
	if c := l.conv(); c.Version != 7 || c.Ended {
		t.Fatalf("after the payment: %+v", c)
	}
	if again := l.step(l.voice, 6, flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: "success",
		ConfirmationCode: "ch_snapshot0001"}}); !again.Repeat || again.Doc != res.Doc || l.bought()-before != 2 {
		t.Fatalf("the payment's webhook again: %+v", again)
	}
}

func TestTwoStepsRacingOneWinsTheOtherIsARepeat(t *testing.T) {
	l := newLine(t)
	l.atMenu()
	other := l.voiceRunner() // a second process on the same database
	var (
		wg  sync.WaitGroup
		res [2]runner.Result
		err [2]error
	)
	for i, r := range []*runner.Runner{l.voice, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], err[i] = r.Step(l.ctx, callSid, 2, keys("3"), flows.Data{From: alex})
		}()
	}
	wg.Wait()
	if err[0] != nil || err[1] != nil {
		t.Fatal(err)
	}
	if res[0].Repeat == res[1].Repeat || res[0].Doc != res[1].Doc {
		t.Fatalf("want one step and one repeat with the same answer: %+v", res)
	}
	if v := l.conv().Version; v != 3 {
		t.Fatalf("the call moved on twice: version %d", v)
	}
}

// A call's first webhook, sent to ten processes at once (Twilio's retry and its fallback
// URL on two nodes, at worst): one begins the conversation, the others answer as repeats
// of it, all alike, on either engine.
func TestTheFirstStepTenTimesAtOnceBeginsOneConversation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, e storetest.Engine) {
		l := newLineOn(t, e)
		const n = 10
		var (
			wg  sync.WaitGroup
			res [n]runner.Result
			err [n]error
		)
		for i := range n {
			r := l.voiceRunner()
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i], err[i] = r.Step(l.ctx, callSid, 0, flows.Input{}, flows.Data{From: alex})
			}()
		}
		wg.Wait()
		began := 0
		for i := range n {
			if err[i] != nil {
				t.Fatalf("process %d: %v", i, err[i])
			}
			if !res[i].Repeat {
				began++
			}
			if res[i].Doc != res[0].Doc {
				t.Fatalf("process %d answered %q, process 0 %q", i, res[i].Doc, res[0].Doc)
			}
		}
		if began != 1 {
			t.Fatalf("%d processes began the call, want 1: %+v", began, res)
		}
		if c := l.conv(); c.Version != 1 {
			t.Fatalf("the call's conversation: %+v, want version 1", c)
		}
	})
}

func TestACachedConversationMovedOnElsewhereIsNeverAnsweredStale(t *testing.T) {
	l := newLine(t)
	l.atMenu() // l.voice now holds the call at step 2 in its cache
	other := l.voiceRunner()
	// The next step goes to another process: the balance, back at the menu.
	moved := l.step(other, 2, keys("3"))
	// Twilio retries that webhook and it reaches the first process, whose cache is a step behind.
	res := l.step(l.voice, 2, keys("3"))
	if !res.Repeat || res.Doc != moved.Doc {
		t.Fatalf("answered from a stale cache: %+v, the call was answered %q", res, moved.Doc)
	}
	// The other process takes two steps more; the first then gets the step after them.
	l.step(other, 3, keys("4"))           // buy: how many?
	bought := l.step(other, 4, keys("2")) // two: confirm?
	next := l.step(l.voice, 5, keys("2")) // no
	if next.Repeat || next.Flow != flows.FlowMenu || bought.Flow != flows.FlowBuy || l.conv().Version != 6 {
		t.Fatalf("the step after the call moved on elsewhere: %+v (buy at %+v)", next, bought)
	}
	// A restart: a new runner has no cache, and carries on from the store.
	if res := l.step(l.voiceRunner(), 6, keys("3")); res.Repeat || res.State != "main" {
		t.Fatalf("after a restart: %+v", res)
	}
}

func TestALatePaymentIsRecordedOnce(t *testing.T) {
	l := newLine(t)
	l.atMenu()
	l.step(l.voice, 2, keys("4"))
	l.step(l.voice, 3, keys("2"))
	if res := l.step(l.voice, 4, keys("1")); !strings.HasSuffix(res.Doc, "ask pay") {
		t.Fatalf("want the payment asked: %+v", res)
	}
	before := l.bought()
	// The status callback comes before the payment's result.
	if err := l.svc.Update(l.ctx, func(op *domain.Op) error { return l.voice.End(op, callSid) }); err != nil {
		t.Fatal(err)
	}
	hangup, _ := render(flows.Reply{End: flows.EndHangup}, 5, time.Time{})
	pay := flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: "success", ConfirmationCode: "ch_late0001",
		CardType: "visa"}}
	res := l.step(l.voice, 5, pay)
	if !res.Late || !res.Acted || res.Doc != hangup || l.bought()-before != 2 {
		t.Fatalf("the late payment: %+v, bought %d", res, l.bought()-before)
	}
	for _, r := range []*runner.Runner{l.voice, l.voiceRunner()} {
		again := l.step(r, 5, pay)
		if !again.Repeat || again.Doc != hangup || l.bought()-before != 2 {
			t.Fatalf("the late payment again: %+v, bought %d", again, l.bought()-before)
		}
	}
	// Any other late step is a lone hangup and changes nothing.
	v := l.conv().Version
	if res := l.step(l.voice, v, keys("1")); !res.Late || res.Acted || res.Doc != fmt.Sprintf("step %d: end hangup", v) {
		t.Fatalf("a late key: %+v", res)
	}
	if c := l.conv(); c.Version != v || !c.Ended {
		t.Fatalf("a late key changed the call: %+v", c)
	}
}
