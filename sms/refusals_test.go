package sms

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/flows"
)

// TestEveryRefusalHasItsText words every refusal the domain gives (domain.RefusalExamples)
// by text: none falls back to the helpdesk's "couldn't be done", each says the limit or
// what to do next, and each fits two GSM-7 segments with the question that follows it.
func TestEveryRefusalHasItsText(t *testing.T) {
	// Wednesday 30 September 2026, 23:55 BST: long day and month names, a year end ahead.
	now := time.Date(2026, 9, 30, 23, 55, 0, 0, calendar.London)
	today := calendar.DateOf(now)
	for _, r := range domain.RefusalExamples(now) {
		s, ok := refusalText(r, now)
		if !ok || s == "" || strings.Contains(s, "couldn't be done") {
			t.Errorf("%T (%v): no words of its own: %q", r, r, s)
			continue
		}
		for _, want := range textWants(t, r, today) {
			if !strings.Contains(s, want) {
				t.Errorf("%T (%v): %q does not say %q", r, r, s, want)
			}
		}
		for _, ask := range []*flows.Ask{{Kind: flows.AskVRM}, {Kind: flows.AskChoice, Options: []flows.Option{
			{Key: "1", Msg: flows.Msg{ID: flows.MsgOptOtherDate, Dates: []calendar.Date{today.AddDays(1), today.AddDays(3), today.AddDays(9)}}}}}} {
			whole, err := reply(flows.Reply{Says: []flows.Msg{{ID: flows.MsgRefused, Err: r}}, Ask: ask}, now, nil)
			if err != nil || !IsGSM7(whole) || Segments(whole) > 2 {
				t.Errorf("%T: %d segments, GSM-7 %t, error %v: %q", r, Segments(whole), IsGSM7(whole), err, whole)
			}
		}
	}
}

// textWants is what the text of a refusal must say: the limit, from the domain's
// constants, or what the resident can do next.
func textWants(t *testing.T, r domain.Refusal, today calendar.Date) []string {
	switch e := r.(type) {
	case *domain.ProofRefusedError:
		return []string{fmt.Sprintf("%d months left", domain.TenancyMonthsLeft), fmt.Sprintf("last %d months", domain.BillMonthsOld)}
	case *domain.DuplicateResidentError, *domain.PaymentMismatchError:
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
		return []string{fmt.Sprint(domain.PermitsPerYear), "renews on " + day(e.RenewsOn, today)}
	case *domain.InvalidVRMError:
		if len(e.Suggestions) > 0 {
			return []string{"Did you mean " + plate(e.Suggestions[0])}
		}
		return []string{e.Reason}
	case *domain.DateOutOfRangeError:
		return []string{fmt.Sprintf("up to %d days ahead", domain.MaxDaysAhead)}
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
		return []string{e.Visit.Ref, fmt.Sprintf("%d minutes before", int(domain.CancelNotice/time.Minute))}
	case *domain.AlreadyCancelledError:
		return []string{e.Visit.Ref}
	case *domain.DuplicateVisitError:
		return []string{e.Existing.Ref, "Nothing more was used"}
	case *domain.WrongPINError:
		return []string{fmt.Sprintf("locked for %d minutes", int(domain.PINLockout/time.Minute))}
	case *domain.LockedOutError, *domain.IdentifyLimitError:
		return []string{Helpdesk}
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
