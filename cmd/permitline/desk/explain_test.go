package desk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// TestEveryRefusalIsExplained explains every refusal the domain gives
// (domain.RefusalExamples) to the agent: none falls back to the refusal's own message,
// each names its rule (R1, R24...) first, and the limits come from the domain.
func TestEveryRefusalIsExplained(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, calendar.London)
	for _, r := range domain.RefusalExamples(now) {
		msg, ok := refusalWords(r, now)
		if !ok || msg == "" || msg == r.Error() {
			t.Errorf("%T (%v): no words of its own: %q", r, r, msg)
			continue
		}
		if rule := r.Rule(); strings.HasPrefix(rule, "R") && !strings.HasPrefix(msg, rule+": ") {
			t.Errorf("%T: %q does not start with its rule %s", r, msg, rule)
		}
		for _, want := range deskWants(r) {
			if !strings.Contains(msg, want) {
				t.Errorf("%T: %q does not say %q", r, msg, want)
			}
		}
		if got, ok := explain(fmt.Errorf("doing something: %w", r), now); !ok || got != msg {
			t.Errorf("%T wrapped: explain = %q, %t; want %q", r, got, ok, msg)
		}
	}
}

// deskWants is what the agent must read beyond the rule: a limit from the domain's
// constants, or what the refusal is about where it names no rule.
func deskWants(r domain.Refusal) []string {
	switch e := r.(type) {
	case *domain.ProofRefusedError:
		return []string{fmt.Sprintf("%d months left", domain.TenancyMonthsLeft), fmt.Sprintf("last %d months", domain.BillMonthsOld)}
	case *domain.PaymentMismatchError:
		return []string{domain.PermitPrice.String() + " a permit"}
	case *domain.AllowanceError:
		return []string{fmt.Sprintf("at most %d", domain.PermitsPerYear)}
	case *domain.DateOutOfRangeError:
		return []string{fmt.Sprintf("up to %d days ahead", domain.MaxDaysAhead)}
	case *domain.CancelTooLateError:
		if !e.Started {
			return []string{fmt.Sprintf("%d minutes before", int(domain.CancelNotice/time.Minute))}
		}
	case *domain.WrongPINError:
		return []string{"Wrong PIN", fmt.Sprintf("locked for %d minutes", int(domain.PINLockout/time.Minute))}
	case *domain.LockedOutError:
		return []string{"PIN is locked", fmt.Sprintf("%d wrong PINs", domain.PINAttempts)}
	case *domain.IdentifyLimitError:
		return []string{"Find the caller's account"}
	case *domain.InvalidInputError:
		return []string{"Nothing was changed", e.Field}
	case *domain.TooManySignInsError:
		return []string{"try again in"}
	case *domain.RefundDueError:
		return []string{"refund is due", e.Refund.PaymentRef}
	}
	return nil
}
