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
	var (
		dup      *domain.DuplicateVisitError
		badVRM   *domain.InvalidVRMError
		badDate  *domain.DateOutOfRangeError
		noNeed   *domain.NoPermitNeededError
		noPermit *domain.NoPermitAvailableError
		tooLate  *domain.CancelTooLateError
		gone     *domain.AlreadyCancelledError
		noPerm   *domain.NotPermittedError
		noReg    *domain.RegistrationNeededError
		allow    *domain.AllowanceError
		inactive *domain.AddressInactiveError
		input    *domain.InvalidInputError
		refusal  domain.Refusal
	)
	switch {
	case errors.As(err, &dup):
		v := dup.Existing
		return fmt.Sprintf("R18: %s already has visit %s on %s. Nothing was changed.", spacedVRM(v.VRM), v.Ref, shortDate(v.Date)), true
	case errors.As(err, &badVRM):
		m := fmt.Sprintf("R12: %q is not a valid UK registration: %s.", badVRM.Input, badVRM.Reason)
		if len(badVRM.Suggestions) > 0 {
			var s []string
			for _, x := range badVRM.Suggestions {
				s = append(s, spacedVRM(x))
			}
			m += " Did the caller mean " + orList(s) + "?"
		}
		return m, true
	case errors.As(err, &badDate):
		return fmt.Sprintf("R12: a visit can be activated for today or up to %d days ahead, from %s to %s; %s is outside that.",
			domain.MaxDaysAhead, shortDate(badDate.Earliest), shortDate(badDate.Latest), shortDate(badDate.Date)), true
	case errors.As(err, &noNeed):
		why := "the scheme doesn't operate that day"
		switch noNeed.Reason {
		case calendar.NoPermitBankHoliday:
			why = "it's a bank holiday"
			if noNeed.Holiday != "" {
				why += " (" + noNeed.Holiday + ")"
			}
		case domain.NoPermitHoursOver:
			why = "today's operational hours are over"
		}
		m := fmt.Sprintf("R14: no permit is needed on %s: %s, so no visit was used.", shortDate(noNeed.Date), why)
		if !noNeed.NextStart.IsZero() {
			m += " A permit is next needed " + when(noNeed.NextStart, now) + "."
		}
		return m, true
	case errors.As(err, &noPermit):
		if noPermit.Rule() == "R8" {
			return fmt.Sprintf("R8: the permits with visits left (%d) expire before the visit on %s would end, "+
				"so it can't be taken from them. The resident needs a new permit: send the caller to payment.",
				noPermit.VisitsLeft, shortDate(noPermit.Date)), true
		}
		return "R15: the account has no permit with visits left. The resident needs to buy permits first: send the caller to payment.", true
	case errors.As(err, &tooLate):
		if tooLate.Started {
			return fmt.Sprintf("R17: visit %s has already started, so it can't be cancelled (it could be until %s).",
				tooLate.Visit.Ref, when(tooLate.Deadline, now)), true
		}
		return fmt.Sprintf("R17: visit %s could be cancelled until %s; it's too late now.", tooLate.Visit.Ref,
			when(tooLate.Deadline, now)), true
	case errors.As(err, &gone):
		return fmt.Sprintf("R17: visit %s is already cancelled.", gone.Visit.Ref), true
	case errors.As(err, &noPerm):
		return fmt.Sprintf("R5: this isn't allowed: %s.", noPerm.Need), true
	case errors.As(err, &noReg):
		return "R3: " + strings.TrimPrefix(noReg.Error(), "R3: ") + "; the resident needs to renew the registration before buying permits.", true
	case errors.As(err, &allow):
		return fmt.Sprintf("R7: only %d more permits may be bought until %s.", allow.Remaining, longDate(allow.RenewsOn)), true
	case errors.As(err, &inactive):
		return fmt.Sprintf("R4: the address is not active on the system; the resident should email %s.", inactive.Email), true
	case errors.As(err, &input):
		return "Nothing was changed: " + input.Error() + ".", true
	case errors.As(err, &refusal):
		return refusal.Error(), true
	case errors.Is(err, domain.ErrNotFound):
		return "That record doesn't exist (any more). Reload the page.", true
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
