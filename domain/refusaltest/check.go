package refusaltest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"permitline/domain"
)

// Check words every refusal of Examples(now) with a channel's table, and fails t for one
// without words of its own (ok false, or nothing said), one whose words miss a limit the
// domain fixes (Limits) or what wants gives for it (the channel's own: what to do next),
// and one that problem, the channel's own check (speakable, two segments), finds fault
// with. wants and problem may be nil.
func Check(t *testing.T, now time.Time, table func(domain.Refusal) (string, bool),
	wants func(domain.Refusal) []string, problem func(domain.Refusal, string) string) {
	t.Helper()
	for _, r := range Examples(now) {
		s, ok := table(r)
		if !ok || s == "" {
			t.Errorf("%T (%v): no words of its own", r, r)
			continue
		}
		must := Limits(r)
		if wants != nil {
			must = append(must, wants(r)...)
		}
		for _, want := range must {
			if !strings.Contains(s, want) {
				t.Errorf("%T (%v): %q does not say %q", r, r, s, want)
			}
		}
		if problem != nil {
			if why := problem(r, s); why != "" {
				t.Errorf("%T (%v): %s: %q", r, r, why, s)
			}
		}
	}
}

// Limits returns the limits the words of r must give, written as every channel writes
// them, from the domain's constants: "up to 14 days ahead", "5 minutes before".
func Limits(r domain.Refusal) []string {
	switch e := r.(type) {
	case *domain.ProofRefusedError:
		return []string{fmt.Sprintf("%d months left", domain.TenancyMonthsLeft), fmt.Sprintf("last %d months", domain.BillMonthsOld)}
	case *domain.AllowanceError:
		return []string{fmt.Sprint(domain.PermitsPerYear)}
	case *domain.DateOutOfRangeError:
		return []string{fmt.Sprintf("up to %d days ahead", domain.MaxDaysAhead)}
	case *domain.CancelTooLateError:
		if !e.Started {
			return []string{fmt.Sprintf("%d minutes before", int(domain.CancelNotice/time.Minute))}
		}
	case *domain.WrongPINError:
		return []string{fmt.Sprintf("locked for %d minutes", int(domain.PINLockout/time.Minute))}
	}
	return nil
}

// RuleFirst is the check of a table that names rules (the desk's, the command line's):
// it says what is wrong when words for a refusal of one of the service rules (R1, R24...)
// do not start with it, "R7: ...".
func RuleFirst(r domain.Refusal, s string) string {
	if rule := r.Rule(); strings.HasPrefix(rule, "R") && !strings.HasPrefix(s, rule+": ") {
		return "does not start with its rule " + rule
	}
	return ""
}

// RuleWants is what the words of a table that names rules (the desk's, the command
// line's) must say beyond the rule and the limits, where both say the same: the price,
// the PIN lockout, the wait, the refund's payment reference.
func RuleWants(r domain.Refusal) []string {
	switch e := r.(type) {
	case *domain.PaymentMismatchError:
		return []string{domain.PermitPrice.String() + " a permit"}
	case *domain.LockedOutError:
		return []string{"PIN is locked", fmt.Sprintf("%d wrong PINs", domain.PINAttempts)}
	case *domain.TooManySignInsError:
		return []string{"try again in"}
	case *domain.RefundDueError:
		return []string{"refund is due", e.Refund.PaymentRef}
	}
	return nil
}
