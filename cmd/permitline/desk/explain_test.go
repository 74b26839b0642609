package desk

import (
	"fmt"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/refusaltest"
)

// TestEveryRefusalIsExplained explains every refusal the domain gives
// (refusaltest.Examples) to the agent: none falls back to the refusal's own message,
// each names its rule (R1, R24...) first, with the limits from the domain, and a
// refusal wrapped in context is explained the same.
func TestEveryRefusalIsExplained(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, calendar.London)
	refusaltest.Check(t, now, func(r domain.Refusal) (string, bool) { return refusalWords(r, now) }, deskWants,
		func(r domain.Refusal, msg string) string {
			if got, ok := explain(fmt.Errorf("doing something: %w", r), now); !ok || got != msg {
				return fmt.Sprintf("wrapped, explained as %q", got)
			}
			return refusaltest.RuleFirst(r, msg)
		})
}

// deskWants is what the agent must read beyond the rule and the limits: what the refusal
// is about where it names no rule, and what refusaltest.RuleWants gives.
func deskWants(r domain.Refusal) []string {
	switch e := r.(type) {
	case *domain.WrongPINError:
		return []string{"Wrong PIN"}
	case *domain.IdentifyLimitError:
		return []string{"Find the caller's account"}
	case *domain.InvalidInputError:
		return []string{"Nothing was changed", e.Field}
	}
	return refusaltest.RuleWants(r)
}
