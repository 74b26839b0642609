package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/refusaltest"
)

// TestEveryRefusalHasWords words every refusal the domain gives (refusaltest.Examples)
// for the command line: each has words of its own naming its rule (R1, R24...) first,
// with the limits from the domain and dates in words, and a refusal wrapped in context
// reads the same.
func TestEveryRefusalHasWords(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, calendar.London)
	refusaltest.Check(t, now, refusalWords, cliWants, func(r domain.Refusal, s string) string {
		// A refused proof's reason is the domain's own, its dates in figures.
		if _, proof := r.(*domain.ProofRefusedError); !proof && strings.Contains(s, "2026-") {
			return "a date in figures"
		}
		if got := words(fmt.Errorf("doing something: %w", r)); got != s {
			return fmt.Sprintf("wrapped, worded %q", got)
		}
		return refusaltest.RuleFirst(r, s)
	})
}

// cliWants is what the command line must say beyond the rule and the limits: what the
// refusal is about where it names no rule, and what refusaltest.RuleWants gives.
func cliWants(r domain.Refusal) []string {
	switch e := r.(type) {
	case *domain.WrongPINError:
		return []string{"wrong PIN"}
	case *domain.IdentifyLimitError:
		return []string{"failed identifications"}
	case *domain.InvalidInputError:
		if e.Field == "pin" {
			return []string{"PIN not accepted: it must not be a run"}
		}
		return []string{e.Field, e.Reason}
	}
	return refusaltest.RuleWants(r)
}
