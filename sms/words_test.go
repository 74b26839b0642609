package sms

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/refusaltest"
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
		// What a resident texted, quoted back: 1,600 characters, and characters outside GSM-7.
		&domain.InvalidVRMError{Input: strings.Repeat("AI12CDE ", 200), Reason: "it is longer than 7 characters",
			Suggestions: []string{strings.Repeat("AI12CDE", 200)}},
		&domain.InvalidVRMError{Input: "\U0001F697\u2019\u00e1\u20ac{[", Reason: "it has characters other than letters and digits"},
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
			Ask: &flows.Ask{Kind: flows.AskChoice, Options: []flows.Option{{Key: "1", Msg: flows.Msg{ID: flows.MsgOptToday}}}}}, now)
		texts = append(texts, r)
		r, _ = reply(flows.Reply{Says: []flows.Msg{{ID: flows.MsgRefused, Err: err}}, Ask: &flows.Ask{Kind: flows.AskVRM}}, now)
		texts = append(texts, r)
	}
	for _, v := range []domain.Visit{visit, started, soon} {
		texts = append(texts, activatedText(v, 100, now))
	}
	confirm, _ := reply(flows.Reply{Says: []flows.Msg{{ID: flows.MsgConfirmVisit, VRM: vrm, Date: far, At: start, Until: visit.EndsAt}},
		Ask: &flows.Ask{Kind: flows.AskChoice, Options: []flows.Option{{Key: "1", Msg: flows.Msg{ID: flows.MsgOptYes}}}}}, now)
	texts = append(texts, confirm)
	for _, id := range []flows.MsgID{flows.MsgNotActivated, flows.MsgBadEntry, flows.MsgBadDate, flows.MsgWrongKey, flows.MsgStuck} {
		r, _ := reply(flows.Reply{Says: []flows.Msg{{ID: id}}, Ask: &flows.Ask{Kind: flows.AskVRM}}, now)
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
	texts = append(texts, unknownSender, notUnderstood, helpText, optedInNotBooked, errorReply,
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

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"someday", "someday"},
		{"  next   blue\nmoon ", "next blue moon"},
		{"exactly twenty chars", "exactly twenty chars"},
		{"someday someday someday", "someday someday..."},
		{strings.Repeat("A", 1600), "AAAAAAAAAAAAAAAAA..."},
		{"\U0001F389 party \u2019time\u2019 \u20ac5 [x]", "? party ?time?..."},
		{"\U0001F389 \u2019time\u2019 \u20ac5 [x]", "? ?time? ?5 ?x?"},
		{"caf\u00e9 \u00e1", "caf\u00e9 ?"},
	} {
		got := quote(tc.in)
		if got != tc.want {
			t.Errorf("quote(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len([]rune(got)) > maxQuoted || !IsGSM7(got) || strings.ContainsAny(got, gsm7Extended) {
			t.Errorf("quote(%q) = %q: longer than %d or not basic GSM-7", tc.in, got, maxQuoted)
		}
	}
}

// fit is the last guard on every reply: GSM-7 within two segments, whatever it is given.
func TestFit(t *testing.T) {
	for _, tc := range []struct {
		in      string
		changed bool
	}{
		{"Booked.", false},
		{strings.Repeat("a", MaxSeptets), false},
		{strings.Repeat("€", MaxSeptets/2), false},
		{strings.Repeat("a", MaxSeptets+1), true},
		{strings.Repeat("€", MaxSeptets/2+1), true},
		{strings.Repeat("a", 1600), true},
		{"it\u2019s \U0001F389", true},
		{strings.Repeat("\U0001F389", 1600), true},
	} {
		got, changed := fit(tc.in)
		if changed != tc.changed || !IsGSM7(got) || Segments(got) > 2 {
			t.Errorf("fit(%.20q) = %.20q (%d segments), changed %t; want changed %t", tc.in, got, Segments(got), changed, tc.changed)
		}
		if changed && septets(tc.in) > MaxSeptets && !strings.HasSuffix(got, "...") {
			t.Errorf("fit(%.20q) cut without saying so: %q", tc.in, got)
		}
	}
}

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

// TestEveryRefusalHasItsText words every refusal the domain gives (refusaltest.Examples)
// by text: none falls back to the helpdesk's "couldn't be done", each says the limit and
// what to do next, and each fits two GSM-7 segments with the question that follows it.
func TestEveryRefusalHasItsText(t *testing.T) {
	// Wednesday 30 September 2026, 23:55 BST: long day and month names, a year end ahead.
	now := time.Date(2026, 9, 30, 23, 55, 0, 0, calendar.London)
	today := calendar.DateOf(now)
	asks := []*flows.Ask{{Kind: flows.AskVRM}, {Kind: flows.AskChoice, Options: []flows.Option{{Key: "1",
		Msg: flows.Msg{ID: flows.MsgOptOtherDate, Dates: []calendar.Date{today.AddDays(1), today.AddDays(3), today.AddDays(9)}}}}}}
	refusaltest.Check(t, now, func(r domain.Refusal) (string, bool) { return refusalText(r, now) },
		func(r domain.Refusal) []string { return textWants(t, r, today) },
		func(r domain.Refusal, _ string) string {
			for _, ask := range asks {
				whole, err := reply(flows.Reply{Says: []flows.Msg{{ID: flows.MsgRefused, Err: r}}, Ask: ask}, now)
				if err != nil || !IsGSM7(whole) || Segments(whole) > 2 {
					return fmt.Sprintf("with its question %d segments, GSM-7 %t, error %v: %q", Segments(whole), IsGSM7(whole), err, whole)
				}
			}
			return ""
		})
}

// textWants is what the text of a refusal must say beyond the limits every channel
// gives (refusaltest.Limits): what the resident can do next.
func textWants(t *testing.T, r domain.Refusal, today calendar.Date) []string {
	switch e := r.(type) {
	case *domain.DuplicateResidentError, *domain.ProofRefusedError, *domain.PaymentMismatchError:
		return []string{Helpdesk}
	case *domain.RegistrationNeededError:
		if e.ExpiredAt.IsZero() {
			return []string{"To register, call " + Helpdesk}
		}
		return []string{"register again", day(calendar.DateOf(e.ExpiredAt), today)}
	case *domain.AddressInactiveError:
		return []string{"email " + domain.PermitsTeamEmail}
	case *domain.NotPermittedError:
		return []string{"Ask the account holder"}
	case *domain.DuplicateMemberError:
		if e.Holder {
			return []string{"a number of their own"}
		}
		return []string{e.Member}
	case *domain.AllowanceError:
		return []string{"renews on " + day(e.RenewsOn, today)}
	case *domain.InvalidVRMError:
		if len(e.Suggestions) > 0 {
			return []string{"Did you mean " + plate(e.Suggestions[0])}
		}
		return []string{e.Reason}
	case *domain.DateOutOfRangeError:
		return []string{day(e.Latest, today)}
	case *domain.NoPermitNeededError:
		if e.NextStart.IsZero() {
			return []string{"Nothing was used"}
		}
		return []string{"Nothing was used", "next needed from " + when(e.NextStart, today.At(12, 0))}
	case *domain.NoPermitAvailableError:
		return []string{Helpdesk}
	case *domain.CancelTooLateError:
		if e.Started {
			return []string{e.Visit.Ref, "has started"}
		}
		return []string{e.Visit.Ref}
	case *domain.AlreadyCancelledError:
		return []string{e.Visit.Ref}
	case *domain.DuplicateVisitError:
		return []string{e.Existing.Ref, "Nothing more was used"}
	case *domain.WrongPINError:
		return []string{"left before"}
	case *domain.LockedOutError, *domain.IdentifyLimitError:
		return []string{Helpdesk}
	case *domain.CallbackNumberError:
		return []string{"UK phone number", Helpdesk}
	case *domain.CallbackPendingError:
		return []string{"Only one"}
	case *domain.InvalidInputError:
		return []string{"Nothing was changed"}
	case *domain.TooManySignInsError:
		return []string{"try again in"}
	case *domain.RefundDueError:
		return []string{"refund of " + e.Refund.AmountPence.String() + " is due"}
	case *domain.RefundSettledError:
		return []string{"already made"}
	}
	t.Errorf("%T: the test knows nothing it must say", r)
	return nil
}

// TestHoursAreTheCalendars writes the texted hours from the calendar's week: today's
// week gives the text the recorded conversations hold, and another week other words.
func TestHoursAreTheCalendars(t *testing.T) {
	now := time.Date(2026, 12, 2, 19, 0, 0, 0, calendar.London) // a Wednesday, closed
	st := calendar.Helpdesk{}.Status(now)
	const want = "Helpdesk 0345 520 7007: closed now, opens 8am tomorrow. Mon-Fri 8am-6pm, Sat 8am-4pm, " +
		"Sun and bank holidays 10am-4pm, closed Christmas Day. Texts work 24/7."
	if got := hoursText(st, now); got != want {
		t.Errorf("hoursText = %q, want %q", got, want)
	}
	week := []calendar.OpeningHours{
		{Kinds: []calendar.DayKind{calendar.Weekday}, Open: true, Span: calendar.Span{Opens: 8 * 60, Closes: 18 * 60}},
		{Kinds: []calendar.DayKind{calendar.Saturday}, Open: true, Span: calendar.Span{Opens: 9*60 + 30, Closes: 13 * 60}},
		{Kinds: []calendar.DayKind{calendar.Sunday, calendar.ChristmasDay}},
		{Kinds: []calendar.DayKind{calendar.BankHoliday}, Open: true, Span: calendar.Span{Opens: 10 * 60, Closes: 16 * 60}},
	}
	const other = "Helpdesk 0345 520 7007: closed now, opens 8am tomorrow. Mon-Fri 8am-6pm, Sat 9:30am-1pm, " +
		"closed Sun and Christmas Day, bank holidays 10am-4pm. Texts work 24/7."
	if got := helpdeskText(week, st, now); got != other {
		t.Errorf("helpdeskText(another week) = %q, want %q", got, other)
	}
}

// TestRegistrationHelpText: the text of how to register a caller asks for on the phone
// line has the council's route, the postal address, and the helpdesk's number and hours
// from the calendar (R22), whole, within two segments of GSM-7. It names no resident.
func TestRegistrationHelpText(t *testing.T) {
	now := time.Date(2026, 12, 2, 19, 0, 0, 0, calendar.London)
	body, send, err := Notice(nil, domain.Outgoing{Kind: domain.NoticeRegisterHelp, To: "+447700900555"}, now)
	const want = "Visitor permits: register at mipermit.com (Cambridgeshire County Council Digital Permits), " +
		"or post proof of address to Parking Permits, PO Box 761, Huntingdon, PE29 9QR. Help registering: " +
		"helpdesk 0345 520 7007, Mon-Fri 8am-6pm, Sat 8am-4pm, Sun and bank holidays 10am-4pm, closed Christmas Day."
	if err != nil || !send || body != want {
		t.Fatalf("Notice = %q, %t, %v; want %q", body, send, err, want)
	}
	if !IsGSM7(body) || Segments(body) > 2 {
		t.Errorf("%d segments, GSM-7 %t", Segments(body), IsGSM7(body))
	}
}
