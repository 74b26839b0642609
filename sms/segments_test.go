package sms_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/vrm"
	"permitline/sms"
)

const (
	chris     = "+447700900321" // resident, Example Seven-Day, all 20 permits of the year: 100 visits
	priyaName = "Priya Shah"
)

// Inputs of the longest kinds: Twilio takes bodies of up to 1,600 characters.
var (
	longWords = strings.TrimSpace(strings.Repeat("someday ", 199))                  // 1,591 characters of words
	longWord  = strings.Repeat("A", 1592)                                           // one word of 1,592
	nonGSM    = "\U0001F389\U0001F697 \u00e1manha \u2019tomorrow\u2019 \u20ac5 [x]" // emoji, á, curly quotes, €, []
)

// fitsTwoSegments checks a reply is GSM-7 and at most two segments.
func fitsTwoSegments(t *testing.T, body, reply string) {
	t.Helper()
	if !sms.IsGSM7(reply) || sms.Segments(reply) > 2 {
		t.Errorf("reply to %.40q is not GSM-7 within 2 segments (%d segments, %d characters): %q",
			body, sms.Segments(reply), len([]rune(reply)), reply)
	}
}

// A step of a reply-length scenario: a text and a part of the reply it must get (which
// shows the reply was written whole, not cut by the last guard); "" for any reply.
type step struct{ body, want string }

// Every kind of reply the text channel gives, driven through the real handler with the
// longest inputs: each command, each refusal, each question, an unknown sender, help,
// hours, the visits of a resident with the most visits there can be, the balance, a
// quoted registration and date of the greatest length, and characters outside GSM-7.
// Each reply is GSM-7 and at most two segments.
func TestEveryReplyFitsTwoSegments(t *testing.T) {
	for _, sc := range []struct {
		name, now, from string
		setup           func(*servertest.Line)
		steps           []step
	}{
		{name: "commands and questions", now: monday, from: alex, steps: []step{
			{"HELP", "Also BAL, VISITS, HOURS."},
			{"HOURS", "Texts work 24/7."},
			{"BAL", "Registered to"},
			{"VISITS", "You have no upcoming visits."},
			{"what is this " + longWords, "Sorry, I didn't understand that."},
			{"YES", "That request has expired"},
			{"VISITOR AB12CDE " + longWords, `couldn't read the date "someday someday..."`},
			{"VISITOR AB12CDE " + nonGSM, "Use TODAY, TOMORROW"},
			{"VISITOR " + longWord, `AAAAAAAAAAAAAAAAA... isn't a UK registration: it is longer than 7 characters. Reply with the registration`},
			{longWord, "Sorry, I couldn't read a registration there."},
			{longWords + " " + nonGSM, ""},
			{"VISITOR", "Reply with the registration"},
			{"ab12 cdf " + longWords, ""},
			{"VISITOR AB12 CDF", "Reply CONFIRM to use 1 visit for AB12 CDF today (10am-6pm), or NO to stop."},
			{"NO", "OK, no visit has been used."},
			{"VISITOR AB12 CDF 2/12", "Reply CONFIRM to use 1 visit for AB12 CDF on Wed 2 Dec (9am-6pm), or NO to stop."},
			{"CONFIRM", "Booked: AB12 CDF, Wed 2 Dec 9am-6pm."},
			{"VISITOR AB12CDE", "It has started, so it can't be cancelled."},
			{"VISITOR AB12CDE TUE", "To cancel by 8:55am tomorrow, text UNDO"},
			{"VISITOR AB12CDE TUE", "already has visit"},
			{"VISITOR AB12CDE 15/12", "A visit can be for today or up to 14 days ahead (to Mon 14 Dec)."},
			{longWords, "Sorry, I couldn't read that date."},
			{"VISITOR AB12CDE SAT", "No permit is needed on Sat 5 Dec in your area."},
			{"VISITOR AI12CDE", "isn't a UK registration: the letter I is never used as the second character. Did you mean"},
			{"UNDO", "Text UNDO and the visit's reference"},
			{"UNDO ZZZZZZ", "I can't find visit ZZZZZZ."},
			{"UNDO " + longWords, "I can't find that visit. Text VISITS"},
			{"UNDO " + longWord + " " + nonGSM, "I can't find that visit."},
			{"VISITS", "Upcoming:"},
			{"STOP", ""},
			{"VISITOR AB12 CDG", "Reply CONFIRM"},
			{"YES", "Your visit is not booked yet"},
			{"VISITOR", ""}, {"zzz", ""}, {"qqq", ""}, {"12", "Text HELP, or call"},
		}},
		{name: "cancellations", now: "2026-11-30 08:00", from: alex, steps: []step{
			{"VISITOR AB12CDE", "Booked: AB12 CDE, today 9am-6pm."},
			{"VISITOR KX65ABC TUE", "Booked: KX65 ABC, tomorrow"},
			{"UNDO RCDDOV", ""}, // the second visit's reference, whatever it is: any reply fits
			{"+56m", ""},
			{"UNDO JCFQUU", "can't be cancelled now: visits can be cancelled until 5 minutes before they start (8:55am today)."},
			{"+5m", ""},
			{"UNDO JCFQUU", "has started, so it can't be cancelled."},
		}},
		{name: "another account's visit", now: monday, from: alex, setup: func(l *servertest.Line) {
			activate(l, priyaName, "Y123ABC", calendar.Date{})
		}, steps: []step{{"UNDO JCFQUU", "I can't find visit JCFQUU. Text VISITS"}}},
		{name: "cancelled twice", now: monday, from: alex, steps: []step{
			{"VISITOR AB12CDE TUE", ""}, {"UNDO JCFQUU", "Cancelled: visit JCFQUU"}, {"UNDO JCFQUU", "was already cancelled."},
		}},
		{name: "bank holiday", now: "2026-12-21 10:00", from: alex, steps: []step{
			{"VISITOR AB12CDE 28/12", "it's a bank holiday. Nothing was used. A permit is next needed from 9am Tue 29 Dec."},
		}},
		{name: "hours over", now: "2026-11-30 18:30", from: alex, steps: []step{
			{"VISITOR AB12CDE", "Your area's permit hours are over for today"}, {"HOURS", "closed now, opens"},
		}},
		{name: "hours on Christmas Day", now: "2026-12-25 09:00", from: alex, steps: []step{{"HOURS", "closed now, opens"}}},
		{name: "unknown sender", now: monday, from: "+447700900999", steps: []step{
			{"VISITOR AB12CDE", "isn't registered"}, {longWords, "isn't registered"},
		}},
		{name: "withheld sender", now: monday, from: "anonymous", steps: []step{{"BAL", "isn't registered"}}},
		{name: "member", now: monday, from: jordan, steps: []step{{"BAL", "permits"}}},
		{name: "expired registration", now: monday, from: priya, steps: []step{{"BAL", "Registration expired"}}},
		{name: "view-only member", now: monday, from: "+447700900790", setup: func(l *servertest.Line) {
			if _, err := l.Svc.AddMember(l.Ctx, domain.Admin("test"), l.People["Alex Morgan"].Account, domain.NewMember{
				Name: "Viewer", Phone: "07700 900790", Permissions: domain.Permissions{domain.PermView}}); err != nil {
				l.T.Fatal(err)
			}
		}, steps: []step{{"VISITOR AB12CDE", "doesn't let you activate or cancel visits"}, {"UNDO JCFQUU", ""}}},
		{name: "the most visits a resident can have", now: "2026-12-21 10:00", from: chris, setup: bookAll,
			steps: []step{
				{"VISITS", "; and more. Text UNDO and a reference to cancel."},
				{"BAL", "0 visits left."},
				{"VISITOR AB12CDE", "You have no visits left. To buy permits, call 0345 520 7007."},
			}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			l := servertest.New(t, sc.now)
			if sc.setup != nil {
				sc.setup(l)
			}
			for _, st := range sc.steps {
				if d, ok := strings.CutPrefix(st.body, "+"); ok && strings.HasSuffix(d, "m") {
					var m int
					fmt.Sscanf(d, "%dm", &m)
					l.Clock.Advance(time.Duration(m) * time.Minute)
					continue
				}
				reply := message(text(l, sc.from, st.body, ""))
				fitsTwoSegments(t, st.body, reply)
				if !strings.Contains(reply, st.want) {
					t.Errorf("reply to %.40q: %q, want it to say %q", st.body, reply, st.want)
				}
			}
		})
	}
}

// activate books a visit for a demo person through the domain.
func activate(l *servertest.Line, name, mark string, d calendar.Date) domain.Visit {
	l.T.Helper()
	a, err := l.Svc.ActivateVisit(l.Ctx, domain.Admin("test"), l.People[name].Account, domain.VisitRequest{VRM: mark, Date: d})
	if err != nil {
		l.T.Fatal(err)
	}
	return a.Visit
}

// bookAll uses all 100 visits of Chris's 20 permits on days whose dates are written with
// their year (2 to 4 January 2027, from 21 December 2026), with registrations of the
// longest written form: the longest visits list there can be.
func bookAll(l *servertest.Line) {
	n := 0
	for i := 2; n < 100; i++ {
		mark := fmt.Sprintf("AB%02dCDE", i)
		if _, err := vrm.Parse(mark); err != nil {
			continue
		}
		for day := 2; day <= 4 && n < 100; day++ {
			activate(l, "Chris Lee", mark, calendar.NewDate(2027, time.January, day))
			n++
		}
	}
}

// Random long texts, from a resident with a conversation sometimes under way, never get a
// reply over two segments or outside GSM-7.
func TestRandomLongTextsFitTwoSegments(t *testing.T) {
	l := servertest.New(t, monday)
	words := []string{"VISITOR", "PARK", "UNDO", "CANCEL", "YES", "NO", "BAL", "VISITS", "HOURS", "HELP", "STOP",
		"START", "AB12CDE", "AB12", "CDF", "KX65ABC", "tomorrow", "SAT", "5/12", "31/02", "today", "please", "£18",
		"\U0001F389", "\u2019", "\u00e1", "\u20ac", "{[|]}", "\n", "?", "JCFQUU", longWord[:300], "someday"}
	r := rand.New(rand.NewPCG(11, 1))
	for i := range 300 {
		var b strings.Builder
		limit := 1 + r.IntN(1600)
		for b.Len() < limit {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		body := b.String()
		if i%3 == 0 {
			body = "VISITOR " + body
		}
		if rs := []rune(body); len(rs) > 1600 {
			body = string(rs[:1600])
		}
		fitsTwoSegments(t, body, message(text(l, alex, body, "")))
		if t.Failed() {
			return
		}
	}
}
