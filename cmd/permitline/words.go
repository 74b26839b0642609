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
		none      *domain.NoPermitNeededError
		outside   *domain.DateOutOfRangeError
		tooLate   *domain.CancelTooLateError
		duplicate *domain.DuplicateVisitError
		allowance *domain.AllowanceError
		needReg   *domain.RegistrationNeededError
		noPermit  *domain.NoPermitAvailableError
		badPIN    *pin.InvalidError
	)
	switch {
	case errors.As(err, &none):
		s := fmt.Sprintf("R14: no permit is needed on %s: %s", dayWords(none.Date), noPermitWhy(none))
		if !none.NextStart.IsZero() {
			s += fmt.Sprintf("; a permit is next needed from %s", london(none.NextStart))
		}
		return s
	case errors.As(err, &outside):
		return fmt.Sprintf("R12: a visit can be booked for today or up to 14 days ahead, %s to %s; %s is outside that",
			dayWords(outside.Earliest), dayWords(outside.Latest), dayWords(outside.Date))
	case errors.As(err, &tooLate):
		if tooLate.Started {
			return fmt.Sprintf("R17: visit %s has started, so it can no longer be cancelled (it could be cancelled until %s)",
				tooLate.Visit.Ref, london(tooLate.Deadline))
		}
		return fmt.Sprintf("R17: visit %s could be cancelled until %s, 5 minutes before it starts; it can no longer be cancelled",
			tooLate.Visit.Ref, london(tooLate.Deadline))
	case errors.As(err, &duplicate):
		return fmt.Sprintf("R18: %s already has visit %s on %s", spacedVRM(duplicate.Existing.VRM), duplicate.Existing.Ref,
			dayWords(duplicate.Existing.Date))
	case errors.As(err, &allowance):
		left := fmt.Sprintf("only %d more may be bought", allowance.Remaining)
		if allowance.Remaining == 0 {
			left = "no more may be bought"
		}
		return fmt.Sprintf("R7: %s asked for, but %s this permit year (at most 20); the allowance renews on %s",
			plural(allowance.Requested, "permit", "permits"), left, dayWords(allowance.RenewsOn))
	case errors.As(err, &needReg):
		if needReg.ExpiredAt.IsZero() {
			return "R3: the account has no approved registration; approve one first"
		}
		return "R3: the registration expired on " + london(needReg.ExpiredAt) + "; approve a new one first"
	case errors.As(err, &noPermit):
		if noPermit.VisitsLeft > 0 {
			return fmt.Sprintf("R8: the permits with visits left expire before %s; buy permits first", dayWords(noPermit.Date))
		}
		return err.Error()
	case errors.As(err, &badPIN):
		return "PIN not accepted: " + pinWhy(badPIN.Reason)
	}
	return err.Error()
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
