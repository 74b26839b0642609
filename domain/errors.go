package domain

import (
	"errors"
	"fmt"
	"time"

	"permitline/domain/calendar"
)

// ErrNotFound is returned when an account, visit or other record does not exist.
var ErrNotFound = errors.New("not found")

// Refusal is a rule saying no. It names the rule (R7, R17...) and carries, in its
// concrete type, what a channel needs to explain it and say what to do instead.
type Refusal interface {
	error
	Rule() string
}

// RuleOf returns the rule id of a refusal in err's chain, or "" when err is no refusal.
func RuleOf(err error) string {
	var r Refusal
	if errors.As(err, &r) {
		return r.Rule()
	}
	return ""
}

// ProofRefusedError says a proof of address was not accepted (R2).
type ProofRefusedError struct{ Reason string }

func (e *ProofRefusedError) Error() string { return "R2: proof of address refused: " + e.Reason }

// Rule returns "R2".
func (e *ProofRefusedError) Rule() string { return "R2" }

// RegistrationNeededError says buying permits needs a registration valid now (R3).
type RegistrationNeededError struct {
	ExpiredAt time.Time // when the last registration ran out; zero if there never was one
}

func (e *RegistrationNeededError) Error() string {
	if e.ExpiredAt.IsZero() {
		return "R3: the account has no approved registration"
	}
	return "R3: the registration expired on " + calendar.DateOf(e.ExpiredAt).String()
}

// Rule returns "R3".
func (e *RegistrationNeededError) Rule() string { return "R3" }

// AddressInactiveError says the address is not active on the system (R4).
type AddressInactiveError struct{ Email string }

func (e *AddressInactiveError) Error() string {
	return "R4: the address is not active on the system; email " + e.Email
}

// Rule returns "R4".
func (e *AddressInactiveError) Rule() string { return "R4" }

// NotPermittedError says a member lacks the permission an action needs (R5).
type NotPermittedError struct{ Need Permission }

func (e *NotPermittedError) Error() string {
	return fmt.Sprintf("R5: this member may not %s on the account", e.Need)
}

// Rule returns "R5".
func (e *NotPermittedError) Rule() string { return "R5" }

// PaymentMismatchError says the amount paid is not the price of the permits (R6).
type PaymentMismatchError struct{ Paid, Due Pence }

func (e *PaymentMismatchError) Error() string {
	return fmt.Sprintf("R6: paid %s but %s is due", e.Paid, e.Due)
}

// Rule returns "R6".
func (e *PaymentMismatchError) Rule() string { return "R6" }

// AllowanceError says a purchase would pass the yearly allowance (R7).
type AllowanceError struct {
	Requested int
	Remaining int           // permits the resident may still buy this permit year
	RenewsOn  calendar.Date // 1 April, when the allowance renews
}

func (e *AllowanceError) Error() string {
	return fmt.Sprintf("R7: %d permits asked for but only %d may be bought until %s",
		e.Requested, e.Remaining, e.RenewsOn)
}

// Rule returns "R7".
func (e *AllowanceError) Rule() string { return "R7" }

// InvalidVRMError says a vehicle registration is not a plausible UK mark (R12).
type InvalidVRMError struct {
	Input       string
	Reason      string
	Suggestions []string // readings that would be valid, e.g. O read as 0
}

func (e *InvalidVRMError) Error() string {
	return fmt.Sprintf("R12: registration %q is not valid: %s", e.Input, e.Reason)
}

// Rule returns "R12".
func (e *InvalidVRMError) Rule() string { return "R12" }

// DateOutOfRangeError says a visit date is in the past or too far ahead (R12).
type DateOutOfRangeError struct {
	Date             calendar.Date
	Earliest, Latest calendar.Date
}

func (e *DateOutOfRangeError) Error() string {
	return fmt.Sprintf("R12: %s is outside %s to %s", e.Date, e.Earliest, e.Latest)
}

// Rule returns "R12".
func (e *DateOutOfRangeError) Rule() string { return "R12" }

// NoPermitNeededError says no permit is needed then, so no visit is used (R14).
type NoPermitNeededError struct {
	Date   calendar.Date
	Reason calendar.NoPermitReason
	// Holiday names the bank holiday when Reason is NoPermitBankHoliday.
	Holiday string
	// NextStart and NextEnd are the next operational window, when a permit is next needed.
	NextStart, NextEnd time.Time
}

// NoPermitHoursOver says today's operational hours have already ended (R13, R14); the
// other reasons, a bank holiday and a non-operational day, come from the calendar.
const NoPermitHoursOver calendar.NoPermitReason = "hours_over"

func (e *NoPermitNeededError) Error() string {
	return fmt.Sprintf("R14: no permit is needed on %s (%s)", e.Date, e.Reason)
}

// Rule returns "R14".
func (e *NoPermitNeededError) Rule() string { return "R14" }

// NoPermitAvailableError says no permit with visits left is valid for the visit (R8, R15).
type NoPermitAvailableError struct {
	Date calendar.Date
	// VisitsLeft counts visits left on the account's valid permits, all of which
	// expire before the visit would end (0 when there are none at all).
	VisitsLeft int
}

func (e *NoPermitAvailableError) Error() string {
	if e.VisitsLeft > 0 {
		return fmt.Sprintf("R8: the permits with visits left expire before %s", e.Date)
	}
	return "R15: no permit with visits left; buy permits first"
}

// Rule returns "R8" when permits expire too soon, else "R15".
func (e *NoPermitAvailableError) Rule() string {
	if e.VisitsLeft > 0 {
		return "R8"
	}
	return "R15"
}

// CancelTooLateError says a visit can no longer be cancelled (R17).
type CancelTooLateError struct {
	Visit    Visit
	Deadline time.Time
	Started  bool
}

func (e *CancelTooLateError) Error() string {
	return fmt.Sprintf("R17: visit %s could be cancelled until %s", e.Visit.Ref,
		e.Deadline.In(calendar.London).Format("2006-01-02 15:04"))
}

// Rule returns "R17".
func (e *CancelTooLateError) Rule() string { return "R17" }

// AlreadyCancelledError says the visit was cancelled before.
type AlreadyCancelledError struct{ Visit Visit }

func (e *AlreadyCancelledError) Error() string {
	return fmt.Sprintf("R17: visit %s is already cancelled", e.Visit.Ref)
}

// Rule returns "R17".
func (e *AlreadyCancelledError) Rule() string { return "R17" }

// DuplicateVisitError says the vehicle already has a visit that day in that scheme (R18).
type DuplicateVisitError struct{ Existing Visit }

func (e *DuplicateVisitError) Error() string {
	return fmt.Sprintf("R18: %s already has visit %s on %s", e.Existing.VRM, e.Existing.Ref, e.Existing.Date)
}

// Rule returns "R18".
func (e *DuplicateVisitError) Rule() string { return "R18" }

// WrongPINError says a PIN did not match.
type WrongPINError struct{ AttemptsLeft int }

func (e *WrongPINError) Error() string {
	return fmt.Sprintf("wrong PIN: %d attempts left before a lockout", e.AttemptsLeft)
}

// Rule returns "PIN".
func (e *WrongPINError) Rule() string { return "PIN" }

// LockedOutError says too many wrong PINs locked the account for a while.
type LockedOutError struct{ Until time.Time }

func (e *LockedOutError) Error() string {
	return "PIN locked until " + e.Until.In(calendar.London).Format("15:04")
}

// Rule returns "PIN".
func (e *LockedOutError) Rule() string { return "PIN" }

// InvalidInputError says an argument is malformed (an empty name, an unknown scheme).
type InvalidInputError struct {
	Field, Reason string
	Err           error // the typed cause, when there is one (a *pin.InvalidError)
}

func (e *InvalidInputError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap returns the typed cause, for a channel that words it.
func (e *InvalidInputError) Unwrap() error { return e.Err }

// Rule returns "input".
func (e *InvalidInputError) Rule() string { return "input" }

// DuplicateResidentError says the person already holds an account at the address (R1):
// the same name (case and spacing aside) or the same phone number.
type DuplicateResidentError struct {
	Account string // the existing account's number
	Same    string // what matched: "name" or "phone"
}

func (e *DuplicateResidentError) Error() string {
	return fmt.Sprintf("R1: a resident with the same %s already has account %s at this address", e.Same, e.Account)
}

// Rule returns "R1".
func (e *DuplicateResidentError) Rule() string { return "R1" }

// DuplicateMemberError says a member's phone number is already on the account (R5): the
// holder's own, or another member's.
type DuplicateMemberError struct {
	Account string
	Holder  bool   // the number is the account holder's own
	Member  string // else the name of the member who has it
}

func (e *DuplicateMemberError) Error() string {
	if e.Holder {
		return fmt.Sprintf("R5: that phone number is the holder's own on account %s; a member needs a number of their own", e.Account)
	}
	return fmt.Sprintf("R5: that phone number is already member %s's on account %s", e.Member, e.Account)
}

// Rule returns "R5".
func (e *DuplicateMemberError) Rule() string { return "R5" }
