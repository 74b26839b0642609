package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// TestEveryRefusalHasWords words every refusal the domain gives
// (domain.RefusalExamples) for the command line: none falls back to the refusal's own
// message unworded, each names its rule (R1, R24...) first, and the limits come from
// the domain's constants.
func TestEveryRefusalHasWords(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, calendar.London)
	for _, r := range domain.RefusalExamples(now) {
		s, ok := refusalWords(r)
		if !ok || s == "" {
			t.Errorf("%T (%v): no words of its own", r, r)
			continue
		}
		if rule := r.Rule(); strings.HasPrefix(rule, "R") && !strings.HasPrefix(s, rule+": ") {
			t.Errorf("%T: %q does not start with its rule %s", r, s, rule)
		}
		for _, want := range cliWants(r) {
			if !strings.Contains(s, want) {
				t.Errorf("%T: %q does not say %q", r, s, want)
			}
		}
		// A refused proof's reason is the domain's own, its dates in figures.
		if _, proof := r.(*domain.ProofRefusedError); !proof && strings.Contains(s, "2026-") {
			t.Errorf("%T: a date or time in figures: %q", r, s)
		}
		if got := words(fmt.Errorf("doing something: %w", r)); got != s {
			t.Errorf("%T wrapped: words = %q, want %q", r, got, s)
		}
	}
}

// cliWants is what the command line must say beyond the rule: a limit from the domain's
// constants, or what the refusal is about where it names no rule.
func cliWants(r domain.Refusal) []string {
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
		return []string{"wrong PIN", fmt.Sprintf("locked for %d minutes", int(domain.PINLockout/time.Minute))}
	case *domain.LockedOutError:
		return []string{"PIN is locked", fmt.Sprintf("%d wrong PINs", domain.PINAttempts)}
	case *domain.IdentifyLimitError:
		return []string{"failed identifications"}
	case *domain.InvalidInputError:
		if e.Field == "pin" {
			return []string{"PIN not accepted: it must not be a run"}
		}
		return []string{e.Field, e.Reason}
	case *domain.TooManySignInsError:
		return []string{"try again in"}
	case *domain.RefundDueError:
		return []string{"refund is due", e.Refund.PaymentRef}
	}
	return nil
}
