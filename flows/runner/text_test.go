package runner_test

import (
	"testing"
	"time"

	"permitline/domain"
	"permitline/flows"
	"permitline/flows/runner"
)

const thread = alex + "|+447700900000"

// text is one text's step of the thread through the text runner, in its own write.
func (l *line) text(r *runner.Runner, start *flows.Data, in flows.Input) (flows.Reply, bool) {
	l.t.Helper()
	var (
		reply flows.Reply
		live  bool
	)
	if err := l.svc.Update(l.ctx, func(op *domain.Op) (err error) {
		reply, live, err = r.In(l.ctx, op, thread, start, in)
		return err
	}); err != nil {
		l.t.Fatal(err)
	}
	return reply, live
}

// threadConv is the thread's conversation as the store holds it; false when there is none.
func (l *line) threadConv() (domain.Conversation, bool) {
	l.t.Helper()
	var c domain.Conversation
	err := l.svc.View(l.ctx, func(r domain.Reader) (err error) {
		c, err = r.ConversationByKey(domain.ChannelSMS, thread)
		return err
	})
	if err != nil && err != domain.ErrNotFound {
		l.t.Fatal(err)
	}
	return c, err == nil
}

func (l *line) textStart(vrm string) *flows.Data {
	l.t.Helper()
	var d *flows.Data
	if err := l.svc.View(l.ctx, func(r domain.Reader) error {
		cs, err := domain.CallersByPhone(r, alex)
		if err == nil && len(cs) > 0 {
			d = &flows.Data{From: alex, Caller: &cs[0], Verified: true, Command: flows.CommandActivate, VRM: vrm}
		}
		return err
	}); err != nil || d == nil {
		l.t.Fatalf("Alex as a texter: %v", err)
	}
	return d
}

func TestTextConversations(t *testing.T) {
	l := newLine(t)
	texts := runner.New(runner.Config{Svc: l.svc, Engine: flows.NewTextEngine(), Channel: domain.ChannelSMS,
		TTL: 15 * time.Minute})
	yes := flows.Input{Kind: flows.InputYes, Text: "YES"}

	// None live: an answer to nothing changes nothing.
	if _, live := l.text(texts, nil, yes); live {
		t.Fatal("a yes with no conversation was taken as an answer")
	}
	if _, ok := l.threadConv(); ok {
		t.Fatal("a yes with no conversation saved one")
	}

	// A start asks to confirm; a second start replaces the first.
	reply, live := l.text(texts, l.textStart("MX70HTV"), flows.Input{})
	if !live || reply.Ask == nil || reply.Ask.Kind != flows.AskChoice {
		t.Fatalf("a texted activation: %+v %v", reply, live)
	}
	first, _ := l.threadConv()
	l.text(texts, l.textStart("WD21KTF"), flows.Input{})
	second, _ := l.threadConv()
	sess, live, err := liveIn(l, texts)
	if err != nil || !live || second.ID != first.ID || second.Version != first.Version+1 || sess.Data.VRM != "WD21KTF" ||
		sess.State != "confirm" {
		t.Fatalf("a second start: id %d v%d (first id %d v%d), %+v %v %v", second.ID, second.Version, first.ID, first.Version, sess, live, err)
	}

	// Continue: the yes books the visit and ends the conversation (a hangup ends it).
	reply, live = l.text(texts, nil, yes)
	if !live || reply.End != flows.EndHangup {
		t.Fatalf("the yes: %+v %v", reply, live)
	}
	if c, _ := l.threadConv(); !c.Ended {
		t.Fatalf("the conversation after the yes: %+v", c)
	}
	if _, live := l.text(texts, nil, yes); live {
		t.Fatal("a second yes answered an ended conversation")
	}

	// Expiry: a conversation left past its TTL is not live, and a start begins afresh.
	l.text(texts, l.textStart("MX70HTV"), flows.Input{})
	l.clock.Advance(15 * time.Minute)
	if _, live := l.text(texts, nil, yes); live {
		t.Fatal("an expired conversation was answered")
	}
	if _, live, _ := liveIn(l, texts); live {
		t.Fatal("an expired conversation is live")
	}
	if c, _ := l.threadConv(); c.Ended || c.Data == nil {
		t.Fatalf("an expired conversation was changed: %+v", c)
	}
}

func liveIn(l *line, r *runner.Runner) (sess *flows.Session, live bool, err error) {
	err = l.svc.Update(l.ctx, func(op *domain.Op) (err error) {
		sess, live, err = r.Live(op, thread)
		return err
	})
	return sess, live, err
}

// TestOneShotTextsWriteNoConversation: a command answered at once (the hours) that
// replaces no live conversation writes no row; one that replaces a waiting question ends
// that conversation, so a later yes answers nothing.
func TestOneShotTextsWriteNoConversation(t *testing.T) {
	l := newLine(t)
	texts := runner.New(runner.Config{Svc: l.svc, Engine: flows.NewTextEngine(), Channel: domain.ChannelSMS,
		TTL: 15 * time.Minute})
	hours := func() *flows.Data {
		d := l.textStart("")
		d.Command, d.VRM = flows.CommandHours, ""
		return d
	}
	if reply, _ := l.text(texts, hours(), flows.Input{}); reply.End != flows.EndHangup {
		t.Fatalf("HOURS did not answer at once: %+v", reply)
	}
	if c, ok := l.threadConv(); ok {
		t.Fatalf("HOURS with nothing waiting saved a conversation: %+v", c)
	}

	l.text(texts, l.textStart("MX70HTV"), flows.Input{})
	waiting, _ := l.threadConv()
	l.text(texts, hours(), flows.Input{})
	if c, _ := l.threadConv(); c.ID != waiting.ID || !c.Ended || c.Version != waiting.Version+1 {
		t.Fatalf("HOURS over a waiting question: %+v (was %+v)", c, waiting)
	}
	if _, live := l.text(texts, nil, flows.Input{Kind: flows.InputYes, Text: "YES"}); live {
		t.Fatal("a yes after HOURS answered the replaced question")
	}
}
