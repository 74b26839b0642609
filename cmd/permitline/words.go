package main

import (
	"errors"
	"fmt"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/domain/vrm"
)

// words turns an error into the sentence the person at the keyboard reads: the rule it
// comes from, London dates in words, no internal codes. Errors it does not know read as
// they are.
func words(err error) string {
	var (
		r      domain.Refusal
		badPIN *pin.InvalidError
	)
	switch {
	case errors.As(err, &r):
		if s, ok := refusalWords(r); ok {
			return s
		}
	case errors.As(err, &badPIN):
		return "PIN not accepted: " + pinWhy(badPIN.Reason)
	}
	return err.Error()
}

// refusalWords is the command line's table of refusals: its words for every refusal the
// domain gives (domain.RefusalExamples), naming the rule, with the limits taken from the
// domain's constants. ok is false for a type it has no words for.
func refusalWords(r domain.Refusal) (s string, ok bool) {
	switch e := r.(type) {
	case *domain.DuplicateResidentError:
		return fmt.Sprintf("R1: a resident with the same %s already has account %s at this address", e.Same, e.Account), true
	case *domain.ProofRefusedError:
		return fmt.Sprintf("R2: proof of address refused: %s (a full UK driving licence, a tenancy agreement with at least "+
			"%d months left, or a utility bill dated within the last %d months)", e.Reason, domain.TenancyMonthsLeft,
			domain.BillMonthsOld), true
	case *domain.RegistrationNeededError:
		if e.ExpiredAt.IsZero() {
			return "R3: the account has no approved registration; approve one first", true
		}
		return "R3: the registration expired on " + london(e.ExpiredAt) + "; approve a new one first", true
	case *domain.AddressInactiveError:
		return fmt.Sprintf("R4: the address is not active on the system; the resident should email %s", e.Email), true
	case *domain.NotPermittedError:
		return fmt.Sprintf("R5: this member may not %s on the account; the account holder can grant it", e.Need), true
	case *domain.DuplicateMemberError:
		if e.Holder {
			return fmt.Sprintf("R5: that phone number is the holder's own on account %s; a member needs a number of their own",
				e.Account), true
		}
		return fmt.Sprintf("R5: that phone number is already member %s's on account %s", e.Member, e.Account), true
	case *domain.PaymentMismatchError:
		return fmt.Sprintf("R6: %s was paid but %s is due (%s a permit); nothing was bought", e.Paid, e.Due,
			domain.PermitPrice), true
	case *domain.AllowanceError:
		left := fmt.Sprintf("only %d more may be bought", e.Remaining)
		if e.Remaining == 0 {
			left = "no more may be bought"
		}
		return fmt.Sprintf("R7: %s asked for, but %s this permit year (at most %d); the allowance renews on %s",
			plural(e.Requested, "permit", "permits"), left, domain.PermitsPerYear, dayWords(e.RenewsOn)), true
	case *domain.InvalidVRMError:
		s := fmt.Sprintf("R12: %q is not a valid UK registration: %s", e.Input, e.Reason)
		if len(e.Suggestions) > 0 {
			s += "; did you mean " + spacedVRM(e.Suggestions[0]) + "?"
		}
		return s, true
	case *domain.DateOutOfRangeError:
		return fmt.Sprintf("R12: a visit can be booked for today or up to %d days ahead, %s to %s; %s is outside that",
			domain.MaxDaysAhead, dayWords(e.Earliest), dayWords(e.Latest), dayWords(e.Date)), true
	case *domain.NoPermitNeededError:
		s := fmt.Sprintf("R14: no permit is needed on %s: %s", dayWords(e.Date), noPermitWhy(e))
		if !e.NextStart.IsZero() {
			s += fmt.Sprintf("; a permit is next needed from %s", london(e.NextStart))
		}
		return s, true
	case *domain.NoPermitAvailableError:
		if e.VisitsLeft > 0 {
			return fmt.Sprintf("R8: the permits with visits left expire before %s; buy permits first", dayWords(e.Date)), true
		}
		return "R15: no permit with visits left; buy permits first", true
	case *domain.CancelTooLateError:
		if e.Started {
			return fmt.Sprintf("R17: visit %s has started, so it can no longer be cancelled (it could be cancelled until %s)",
				e.Visit.Ref, london(e.Deadline)), true
		}
		return fmt.Sprintf("R17: visit %s could be cancelled until %s, %d minutes before it starts; it can no longer be cancelled",
			e.Visit.Ref, london(e.Deadline), int(domain.CancelNotice/time.Minute)), true
	case *domain.AlreadyCancelledError:
		return fmt.Sprintf("R17: visit %s is already cancelled", e.Visit.Ref), true
	case *domain.DuplicateVisitError:
		return fmt.Sprintf("R18: %s already has visit %s on %s", spacedVRM(e.Existing.VRM), e.Existing.Ref,
			dayWords(e.Existing.Date)), true
	case *domain.RefundDueError:
		return fmt.Sprintf("R24: payment %s of %s was taken but the permits could not be issued (%s %s): a refund is due",
			e.Refund.PaymentRef, e.Refund.AmountPence, e.Refund.Rule, e.Refund.Reason), true
	case *domain.RefundSettledError:
		return fmt.Sprintf("R24: the refund of payment %s was already settled on %s by %s", e.Refund.PaymentRef,
			london(e.Refund.SettledAt), e.Refund.SettledBy), true
	case *domain.WrongPINError:
		return fmt.Sprintf("wrong PIN: %s left before the phone PIN is locked for %d minutes",
			plural(e.AttemptsLeft, "try", "tries"), int(domain.PINLockout/time.Minute)), true
	case *domain.LockedOutError:
		return fmt.Sprintf("the phone PIN is locked until %s, after %d wrong PINs in a row", london(e.Until),
			domain.PINAttempts), true
	case *domain.IdentifyLimitError:
		return "too many failed identifications from this number, until " + london(e.Until), true
	case *domain.CallbackNumberError:
		return "R25: cannot call back " + e.Number + ": " + e.Reason, true
	case *domain.CallbackPendingError:
		return "R25: a callback is already booked, due " + london(e.Due), true
	case *domain.InvalidInputError:
		var bad *pin.InvalidError
		if errors.As(e, &bad) {
			return "PIN not accepted: " + pinWhy(bad.Reason), true
		}
		return e.Error(), true
	case *domain.TooManySignInsError:
		return fmt.Sprintf("too many sign-ins for this %s: try again in %s", e.Limit, e.Wait.Round(time.Second)), true
	}
	return "", false
}

// noPermitWhy says in words why no permit is needed (R14).
func noPermitWhy(e *domain.NoPermitNeededError) string {
	switch e.Reason {
	case calendar.NoPermitBankHoliday:
		if e.Holiday != "" {
			return "it is a bank holiday (" + e.Holiday + ")"
		}
		return "it is a bank holiday"
	case calendar.NoPermitNonOperationalDay:
		return "the scheme's permit hours do not cover a " + e.Date.Weekday().String()
	case domain.NoPermitHoursOver:
		return "the scheme's permit hours are over for the day"
	}
	return "the scheme's permit hours do not cover it"
}

// pinWhy says in words why a PIN is refused; it never shows the PIN.
func pinWhy(reason string) string {
	switch reason {
	case pin.ReasonLength:
		return "it must be 4 to 6 digits"
	case pin.ReasonRepeated:
		return "it must not be one digit repeated, such as 1111"
	case pin.ReasonRun:
		return "it must not be a run of digits up or down, such as 1234"
	}
	return reason
}

// plural writes n and the word for one or many: "1 scheme", "2 schemes".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// dayWords writes a date as words: "Saturday 5 December 2026".
func dayWords(d calendar.Date) string {
	if d.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s %d %s %d", d.Weekday(), d.Day, d.Month, d.Year)
}

// london writes an instant as London wall time in words: "Saturday 5 December 2026 at 09:30".
func london(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(calendar.London).Format("Monday 2 January 2006 at 15:04")
}

// londonShort writes an instant as London wall time for a table column: "Sat 5 Dec 2026 09:30".
func londonShort(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(calendar.London).Format("Mon 2 Jan 2006 15:04")
}

// spacedVRM writes a stored registration the way it is read: "AB12 CDE".
func spacedVRM(s string) string {
	if m, err := vrm.Parse(s); err == nil {
		return m.Spaced()
	}
	return s
}
