package sms_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/sms"
	"permitline/sms/command"
)

// FuzzIncomingText sends any text, from a registered resident, through the real handler:
// it is always answered (200, GSM-7, at most two segments), and unless it is a well-formed
// command, or an answer to a conversation already under way, it changes nothing.
func FuzzIncomingText(f *testing.F) {
	for _, s := range []string{"VISITOR AB12CDE", "park ab12 cde tomorrow", "UNDO JCFQUU", "STOP", "BAL", "YES",
		"hello", "", "VISITOR", "£££", "visitor ab12cde 31/02", "\u2019\u2014", strings.Repeat("A", 1600)} {
		f.Add(s)
	}
	l := servertest.New(f, "2026-11-30 10:00")
	n := 0
	f.Fuzz(func(t *testing.T, body string) {
		l.T = t // inputs run one at a time in each fuzzing process
		n++
		before := snapshot(l)
		live := liveConversation(l)
		status, reply := l.SignedPost("/twilio/sms", url.Values{"MessageSid": {fmt.Sprintf("SM%032x", n)},
			"From": {alex}, "To": {line}, "Body": {body}})
		if status != 200 {
			t.Fatalf("status %d for %q: %s", status, body, reply)
		}
		text := between(reply, "<Message>", "</Message>")
		if !sms.IsGSM7(text) || sms.Segments(text) > 2 {
			t.Fatalf("reply to %q: %q", body, text)
		}
		switch command.Parse(body, calendar.DateOf(l.Clock.Now())).Kind {
		case command.Activate, command.Cancel, command.OptOut, command.OptIn:
			return
		}
		if !live && snapshot(l) != before {
			t.Fatalf("%q changed the store with no conversation under way", body)
		}
	})
}

// snapshot sums up what a text may change: visits and their states, and the opt-out.
func snapshot(l *servertest.Line) string {
	vs := l.Upcoming("Alex Morgan")
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%s:%s;", v.Ref, v.Status)
	}
	var out bool
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { out, err = r.OptedOut(alex); return err })
	fmt.Fprintf(&b, "out=%t", out)
	return b.String()
}

func liveConversation(l *servertest.Line) bool {
	var c domain.Conversation
	err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		c, err = r.ConversationByKey(domain.ChannelSMS, alex+"|"+line)
		return err
	})
	return err == nil && !c.Ended && l.Clock.Now().Before(c.ExpiresAt)
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}
