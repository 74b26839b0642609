package sms

import (
	"errors"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/flows"
)

// TestEveryReplyFitsTwoSegmentsOfGSM7 writes every text the service can send, with the
// longest values each can hold, and checks it is GSM-7 in at most two segments; those
// that fit one are listed, so a reply that grows past 160 characters is noticed.
func TestEveryReplyFitsTwoSegmentsOfGSM7(t *testing.T) {
	// Wednesday 30 September 2026, 23:55 BST: long day and month names, a year end ahead.
	now := time.Date(2026, 9, 30, 23, 55, 0, 0, calendar.London)
	today := calendar.DateOf(now)
	far := calendar.NewDate(2027, 9, 29) // a year away: its year is written
	start := far.At(12, 55)
	const vrm, ref = "AB12CDE", "JCFQUU"
	visit := domain.Visit{Ref: ref, VRM: vrm, Date: far, StartsAt: start, EndsAt: far.At(23, 55), Status: domain.VisitActive}
	started := visit
	started.StartsAt, started.Date = now.Add(-time.Minute), today
	soon := visit
	soon.StartsAt, soon.Date = now.Add(3*time.Minute), today

	refusals := []error{
		&domain.NotPermittedError{Need: domain.PermActivate},
		&domain.NotPermittedError{Need: domain.PermView},
		&domain.InvalidVRMError{Input: "AI12CDEQ", Reason: "the letter I is never used as the second character", Suggestions: []string{"A112CDE"}},
		&domain.DateOutOfRangeError{Date: far, Earliest: today, Latest: far},
		&domain.NoPermitNeededError{Date: far, Reason: calendar.NoPermitBankHoliday, NextStart: start},
		&domain.NoPermitNeededError{Date: far, Reason: calendar.NoPermitNonOperationalDay, NextStart: start},
		&domain.NoPermitNeededError{Date: today, Reason: domain.NoPermitHoursOver, NextStart: start},
		&domain.NoPermitAvailableError{Date: far, VisitsLeft: 99},
		&domain.NoPermitAvailableError{Date: far},
		&domain.DuplicateVisitError{Existing: visit},
		&domain.CancelTooLateError{Visit: visit, Deadline: start},
		&domain.CancelTooLateError{Visit: visit, Started: true},
		&domain.AlreadyCancelledError{Visit: visit},
		errors.New("something else"),
	}
	var texts []string
	for _, err := range refusals {
		texts = append(texts, refusal(err, now))
		r, _ := reply(flows.Reply{Says: []flows.Msg{{ID: flows.MsgRefused, Err: err}},
			Ask: &flows.Ask{Kind: flows.AskChoice, Options: []flows.Option{{Key: "1", Msg: flows.Msg{ID: flows.MsgOptToday}}}}}, now, nil)
		texts = append(texts, r)
		r, _ = reply(flows.Reply{Says: []flows.Msg{{ID: flows.MsgRefused, Err: err}}, Ask: &flows.Ask{Kind: flows.AskVRM}}, now, nil)
		texts = append(texts, r)
	}
	for _, v := range []domain.Visit{visit, started, soon} {
		texts = append(texts, activatedText(v, 100, now))
	}
	confirm, _ := reply(flows.Reply{Says: []flows.Msg{{ID: flows.MsgConfirmVisit, VRM: vrm, Date: far, At: start, Until: visit.EndsAt}},
		Ask: &flows.Ask{Kind: flows.AskChoice, Options: []flows.Option{{Key: "1", Msg: flows.Msg{ID: flows.MsgOptYes}}}}}, now, nil)
	texts = append(texts, confirm)
	for _, id := range []flows.MsgID{flows.MsgNotActivated, flows.MsgBadEntry, flows.MsgBadDate, flows.MsgWrongKey, flows.MsgStuck} {
		r, _ := reply(flows.Reply{Says: []flows.Msg{{ID: id}}, Ask: &flows.Ask{Kind: flows.AskVRM}}, now, nil)
		texts = append(texts, r)
	}
	b := domain.Balance{Permits: make([]domain.Permit, 20), VisitsLeft: 100, SoonestExpiry: start, AllowanceLeft: 20,
		RenewsOn: far, Registered: true, Registration: domain.Registration{ExpiresAt: start}}
	texts = append(texts, balanceText(b, now))
	b.Registered = false
	texts = append(texts, balanceText(b, now))
	var many []domain.Visit
	for range 9 {
		many = append(many, visit)
	}
	texts = append(texts, visitsText(many, now), visitsText(nil, now))
	desk := calendar.Helpdesk{}
	texts = append(texts, hoursText(desk.Status(now), now), hoursText(desk.Status(today.AddDays(-2).At(12, 0)), now))
	texts = append(texts, unknownSender, notUnderstood, helpText,
		"That request has expired, or there was none. Text VISITOR and the registration to start again.")

	for _, kind := range []domain.NoticeKind{domain.NoticeActivated, domain.NoticeCancelled, domain.NoticeReminder} {
		r := fakeReader{visit: visit}
		if kind == domain.NoticeReminder {
			r.visit.Date = today
		}
		body, send, err := Notice(r, domain.Outgoing{Kind: kind}, now)
		if err != nil || !send {
			t.Fatalf("%s: %v (send %t)", kind, err, send)
		}
		texts = append(texts, body)
	}

	oneSegment := 0
	for _, s := range texts {
		if s == "" {
			t.Error("an empty reply")
			continue
		}
		if !IsGSM7(s) {
			t.Errorf("not GSM-7: %q", s)
		}
		switch n := Segments(s); {
		case n > 2:
			t.Errorf("%d segments (%d characters): %q", n, len(s), s)
		case n == 1:
			oneSegment++
		default:
			t.Logf("two segments (%d characters): %q", len(s), s)
		}
	}
	if oneSegment*4 < len(texts)*3 {
		t.Errorf("only %d of %d replies fit one segment", oneSegment, len(texts))
	}
}

type fakeReader struct {
	domain.Reader
	visit domain.Visit
}

func (f fakeReader) VisitByID(int64) (domain.Visit, error) { return f.visit, nil }

func TestSegments(t *testing.T) {
	tests := []struct {
		s    string
		gsm  bool
		segs int
	}{
		{"£18.00", true, 1},
		{strings.Repeat("a", 160), true, 1},
		{strings.Repeat("a", 161), true, 2},
		{strings.Repeat("a", 306), true, 2},
		{strings.Repeat("a", 307), true, 3},
		{strings.Repeat("€", 80), true, 1},
		{strings.Repeat("€", 81), true, 2},
		{"it’s", false, 1},
		{strings.Repeat("a", 70) + "’", false, 2},
	}
	for _, tc := range tests {
		if IsGSM7(tc.s) != tc.gsm || Segments(tc.s) != tc.segs {
			t.Errorf("%q: gsm %t segs %d, want %t %d", tc.s, IsGSM7(tc.s), Segments(tc.s), tc.gsm, tc.segs)
		}
	}
}
