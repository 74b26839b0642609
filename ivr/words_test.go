package ivr

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/refusaltest"
	"permitline/ivr/speak"
)

// TestEveryRefusalHasItsWords speaks every refusal the domain gives
// (refusaltest.Examples): none falls back to "couldn't be done", each says the limit
// and what to do next, and each is speakable.
func TestEveryRefusalHasItsWords(t *testing.T) {
	now := time.Date(2026, 9, 30, 23, 55, 0, 0, calendar.London)
	today := calendar.DateOf(now)
	refusaltest.Check(t, now, func(r domain.Refusal) (string, bool) { return refusalWords(r, now) },
		func(r domain.Refusal) []string { return voiceWants(t, r, now, today) },
		func(_ domain.Refusal, s string) string { return unspeakable(s) })
}

// unspeakable says why a text-to-speech voice would read s badly, or "" if it would
// not: a character it would name or skip (@, £, /, brackets), a word of letters and
// digits together (a registration, a reference or a rule id read too fast), a date
// written in figures.
func unspeakable(s string) string {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" .,;:'?!-", r) {
			return fmt.Sprintf("has %q", r)
		}
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if strings.ContainsFunc(w, unicode.IsLetter) && strings.ContainsFunc(w, unicode.IsDigit) {
			return fmt.Sprintf("has %q", w)
		}
	}
	if figures.MatchString(s) {
		return "has a date or time in figures"
	}
	return ""
}

// figures matches a date or a time written in figures: 2026-12-05, 5/12, 09:30.
var figures = regexp.MustCompile(`\d+[-/:]\d+`)

// voiceWants is what the words of a refusal must say beyond the limits every channel
// gives (refusaltest.Limits): what the caller can do next.
func voiceWants(t *testing.T, r domain.Refusal, now time.Time, today calendar.Date) []string {
	switch e := r.(type) {
	case *domain.DuplicateResidentError:
		return []string{"An agent can help"}
	case *domain.ProofRefusedError:
		return []string{"An agent can tell you how"}
	case *domain.RegistrationNeededError:
		if e.ExpiredAt.IsZero() {
			return []string{"send a proof of address"}
		}
		return []string{"register again", speak.Date(calendar.DateOf(e.ExpiredAt), today)}
	case *domain.AddressInactiveError:
		return []string{"email the Parking Permits Team"}
	case *domain.NotPermittedError:
		return []string{"The account holder can change that"}
	case *domain.DuplicateMemberError:
		if e.Holder {
			return []string{"a number of their own"}
		}
		return []string{e.Member}
	case *domain.PaymentMismatchError:
		return []string{speak.Money(e.Due), "nothing was bought"}
	case *domain.AllowanceError:
		if e.Remaining == 0 {
			return []string{"all", speak.Date(e.RenewsOn, today)}
		}
		return []string{"only " + speak.Number(e.Remaining) + " more", speak.Date(e.RenewsOn, today)}
	case *domain.InvalidVRMError:
		if len(e.Suggestions) > 0 {
			return []string{"Did you mean " + speak.SpellVRM(e.Suggestions[0])}
		}
		return []string{e.Reason}
	case *domain.DateOutOfRangeError:
		return []string{speak.Date(e.Latest, today)}
	case *domain.NoPermitNeededError:
		if e.NextStart.IsZero() {
			return []string{"No visit has been used"}
		}
		return []string{"No visit has been used", "next needed " + speak.When(e.NextStart, now)}
	case *domain.NoPermitAvailableError:
		if e.VisitsLeft > 0 {
			return []string{"buy more permits"}
		}
		return []string{"choose 4 from the main menu"}
	case *domain.CancelTooLateError:
		if e.Started {
			return []string{"already started"}
		}
		return []string{speak.When(e.Deadline, now)}
	case *domain.AlreadyCancelledError:
		return []string{"already cancelled"}
	case *domain.DuplicateVisitError:
		return []string{speak.Digits(e.Existing.Ref), "nothing more has been used"}
	case *domain.WrongPINError:
		return []string{speak.Plural(e.AttemptsLeft, "more try", "more tries")}
	case *domain.LockedOutError:
		return []string{speak.When(e.Until, now)}
	case *domain.IdentifyLimitError:
		return []string{"try again " + speak.When(e.Until, now), "speak to an agent"}
	case *domain.CallbackNumberError:
		return []string{"UK phone number"}
	case *domain.CallbackPendingError:
		return []string{speak.When(e.Due, now), "only one"}
	case *domain.InvalidInputError:
		if e.Field == "pin" {
			return []string{"That PIN can't be used"}
		}
		return []string{"nothing was changed"}
	case *domain.TooManySignInsError:
		return []string{"try again in"}
	case *domain.RefundDueError:
		if e.Cause != nil {
			return []string{"permit year"} // the cause's words: an allowance
		}
		return []string{"refund"}
	case *domain.RefundSettledError:
		return []string{"already made"}
	}
	t.Errorf("%T: the test knows nothing it must say", r)
	return nil
}

// TestHoursAreTheCalendars says the helpdesk's hours from the calendar's week, as the
// recorded calls hold them (tidied, as every <Say> is).
func TestHoursAreTheCalendars(t *testing.T) {
	on := calendar.NewDate(2026, 12, 2)
	const want = "It's open Monday to Friday from eight a.m. to six p.m., Saturday from eight a.m. to four p.m., " +
		"and Sunday and bank holidays from ten a.m. to four p.m. It's closed on Christmas Day."
	if got := tidy(week(calendar.HelpdeskWeek(), on)); got != want {
		t.Errorf("week = %q, want %q", got, want)
	}
	other := []calendar.OpeningHours{
		{Kinds: []calendar.DayKind{calendar.Weekday, calendar.Saturday}, Open: true, Span: calendar.Span{Opens: 9 * 60, Closes: 12 * 60}},
		{Kinds: []calendar.DayKind{calendar.Sunday, calendar.BankHoliday, calendar.ChristmasDay}},
	}
	const want2 = "It's open Monday to Friday and Saturday from nine a.m. to midday. " +
		"It's closed on Sunday, bank holidays and Christmas Day."
	if got := tidy(week(other, on)); got != want2 {
		t.Errorf("week(another week) = %q, want %q", got, want2)
	}
}
