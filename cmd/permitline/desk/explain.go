package desk

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// explain turns a refusal into plain words for the agent, naming the rule. ok is false
// when err is no refusal the agent can act on (a fault: log it, say something went wrong).
func explain(err error, now time.Time) (msg string, ok bool) {
	var r domain.Refusal
	switch {
	case errors.As(err, &r):
		if msg, ok := refusalWords(r, now); ok {
			return msg, true
		}
		return r.Error(), true
	case errors.Is(err, domain.ErrNotFound):
		return "That record doesn't exist (any more). Reload the page.", true
	}
	return "", false
}

// refusalWords is the desk's table of refusals: its words for every refusal the domain
// gives (domain.RefusalExamples), naming the rule and what the agent can do, with the
// limits taken from the domain's constants. ok is false for a type it has no words for.
func refusalWords(r domain.Refusal, now time.Time) (msg string, ok bool) {
	switch e := r.(type) {
	case *domain.DuplicateResidentError:
		return fmt.Sprintf("R1: a resident with the same %s already has account %s at this address: open that account instead.",
			e.Same, e.Account), true
	case *domain.ProofRefusedError:
		return fmt.Sprintf("R2: the proof of address was refused: %s. It can be a full UK driving licence, a tenancy "+
			"agreement with at least %d months left, or a utility bill dated within the last %d months.",
			e.Reason, domain.TenancyMonthsLeft, domain.BillMonthsOld), true
	case *domain.RegistrationNeededError:
		why := "the account has no approved registration"
		if !e.ExpiredAt.IsZero() {
			why = "the registration expired on " + longDate(calendar.DateOf(e.ExpiredAt))
		}
		return "R3: " + why + "; the resident needs to renew the registration before buying permits.", true
	case *domain.AddressInactiveError:
		return fmt.Sprintf("R4: the address is not active on the system; the resident should email %s.", e.Email), true
	case *domain.NotPermittedError:
		return fmt.Sprintf("R5: this isn't allowed: %s.", e.Need), true
	case *domain.DuplicateMemberError:
		if e.Holder {
			return "R5: that phone number is the account holder's own; a member needs a number of their own.", true
		}
		return fmt.Sprintf("R5: that phone number is already member %s's on this account. Nothing was changed.", e.Member), true
	case *domain.PaymentMismatchError:
		return fmt.Sprintf("R6: %s was paid but %s is due (%s a permit), so nothing was bought.", e.Paid, e.Due,
			domain.PermitPrice), true
	case *domain.AllowanceError:
		left := "only " + plural(e.Remaining, "more permit", "more permits")
		if e.Remaining == 0 {
			left = "no more permits"
		}
		return fmt.Sprintf("R7: %s may be bought until %s (at most %d a permit year).", left, longDate(e.RenewsOn),
			domain.PermitsPerYear), true
	case *domain.InvalidVRMError:
		m := fmt.Sprintf("R12: %q is not a valid UK registration: %s.", e.Input, e.Reason)
		if len(e.Suggestions) > 0 {
			var s []string
			for _, x := range e.Suggestions {
				s = append(s, spacedVRM(x))
			}
			m += " Did the caller mean " + orList(s) + "?"
		}
		return m, true
	case *domain.DateOutOfRangeError:
		return fmt.Sprintf("R12: a visit can be activated for today or up to %d days ahead, from %s to %s; %s is outside that.",
			domain.MaxDaysAhead, shortDate(e.Earliest), shortDate(e.Latest), shortDate(e.Date)), true
	case *domain.NoPermitNeededError:
		why := "the scheme doesn't operate that day"
		switch e.Reason {
		case calendar.NoPermitBankHoliday:
			why = "it's a bank holiday"
			if e.Holiday != "" {
				why += " (" + e.Holiday + ")"
			}
		case domain.NoPermitHoursOver:
			why = "today's operational hours are over"
		}
		m := fmt.Sprintf("R14: no permit is needed on %s: %s, so no visit was used.", shortDate(e.Date), why)
		if !e.NextStart.IsZero() {
			m += " A permit is next needed " + when(e.NextStart, now) + "."
		}
		return m, true
	case *domain.NoPermitAvailableError:
		if e.Rule() == "R8" {
			return fmt.Sprintf("R8: the permits with visits left (%d) expire before the visit on %s would end, "+
				"so it can't be taken from them. The resident needs a new permit: send the caller to payment.",
				e.VisitsLeft, shortDate(e.Date)), true
		}
		return "R15: the account has no permit with visits left. The resident needs to buy permits first: send the caller to payment.", true
	case *domain.CancelTooLateError:
		if e.Started {
			return fmt.Sprintf("R17: visit %s has already started, so it can't be cancelled (it could be until %s).",
				e.Visit.Ref, when(e.Deadline, now)), true
		}
		return fmt.Sprintf("R17: visit %s could be cancelled until %s, %d minutes before it starts; it's too late now.",
			e.Visit.Ref, when(e.Deadline, now), int(domain.CancelNotice/time.Minute)), true
	case *domain.AlreadyCancelledError:
		return fmt.Sprintf("R17: visit %s is already cancelled.", e.Visit.Ref), true
	case *domain.DuplicateVisitError:
		v := e.Existing
		return fmt.Sprintf("R18: %s already has visit %s on %s. Nothing was changed.", spacedVRM(v.VRM), v.Ref, shortDate(v.Date)), true
	case *domain.RefundDueError:
		return fmt.Sprintf("R24: payment %s of %s was taken but the permits could not be issued (%s %s): a refund is due, "+
			"and stays on the refunds page until it is settled.", e.Refund.PaymentRef, e.Refund.AmountPence, e.Refund.Rule,
			e.Refund.Reason), true
	case *domain.RefundSettledError:
		return fmt.Sprintf("R24: the refund of payment %s was already settled, %s by %s. Nothing was changed.",
			e.Refund.PaymentRef, when(e.Refund.SettledAt, now), e.Refund.SettledBy), true
	case *domain.WrongPINError:
		return fmt.Sprintf("Wrong PIN: %s left before the phone PIN is locked for %d minutes.",
			plural(e.AttemptsLeft, "try", "tries"), int(domain.PINLockout/time.Minute)), true
	case *domain.LockedOutError:
		return fmt.Sprintf("The phone PIN is locked until %s, after %d wrong PINs in a row.", when(e.Until, now),
			domain.PINAttempts), true
	case *domain.IdentifyLimitError:
		return fmt.Sprintf("This number has failed to identify a caller too often; it can try again %s. "+
			"Find the caller's account by name or address instead.", when(e.Until, now)), true
	case *domain.CallbackNumberError:
		return fmt.Sprintf("R25: the line cannot call back %s: %s.", e.Number, e.Reason), true
	case *domain.CallbackPendingError:
		return fmt.Sprintf("R25: this caller already has a callback booked, due %s; only one at a time.",
			when(e.Due, now)), true
	case *domain.InvalidInputError:
		return "Nothing was changed: " + e.Error() + ".", true
	case *domain.TooManySignInsError:
		return fmt.Sprintf("Too many sign-ins for this %s: try again in %s.", e.Limit,
			plural(int((e.Wait+time.Minute-1)/time.Minute), "minute", "minutes")), true
	}
	return "", false
}

func orList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
