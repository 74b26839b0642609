package pin

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		pin    string
		reason string // empty when valid
	}{
		{"2580", ""},
		{"1357", ""},
		{"90210", ""},
		{"135790", ""},
		{"7890", ""}, // runs do not wrap round
		{"1123", ""},
		{"1233", ""},
		{"0001", ""},
		{"", ReasonLength},
		{"123", ReasonLength},
		{"1234567", ReasonLength},
		{"12a4", ReasonLength},
		{"12 34", ReasonLength},
		{"-123", ReasonLength},
		{"١٢٣٤", ReasonLength}, // Arabic-Indic digits are not ASCII digits
		{"1111", ReasonRepeated},
		{"00000", ReasonRepeated},
		{"999999", ReasonRepeated},
		{"1234", ReasonRun},
		{"0123", ReasonRun},
		{"4321", ReasonRun},
		{"123456", ReasonRun},
		{"98765", ReasonRun},
		{"543210", ReasonRun},
	}
	for _, tt := range tests {
		err := Validate(tt.pin)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("Validate(%q) = %v, want nil", tt.pin, err)
			}
			continue
		}
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Reason != tt.reason {
			t.Errorf("Validate(%q) = %v, want reason %q", tt.pin, err, tt.reason)
			continue
		}
		if revealsPIN(err, tt.pin) {
			t.Errorf("Validate(%q) error %q reveals the PIN", tt.pin, err)
		}
	}
}

func TestHashVerify(t *testing.T) {
	h := Hasher{Cost: bcrypt.MinCost}
	hash, err := h.Hash("2580")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if strings.Contains(hash, "2580") {
		t.Errorf("hash %q contains the PIN", hash)
	}
	if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != bcrypt.MinCost {
		t.Errorf("bcrypt.Cost(hash) = %d, %v; want %d", cost, err, bcrypt.MinCost)
	}
	tests := []struct {
		hash, pin string
		want      bool
	}{
		{hash, "2580", true},
		{hash, "2581", false},
		{hash, "25800", false},
		{hash, "", false},
		{hash, "1234", false},
		{"", "2580", false},
		{"not a hash", "2580", false},
		{hash[:len(hash)-1], "2580", false},
	}
	for _, tt := range tests {
		if got := h.Verify(tt.hash, tt.pin); got != tt.want {
			t.Errorf("Verify(%q, %q) = %v, want %v", tt.hash, tt.pin, got, tt.want)
		}
	}
	// A hash made at one cost verifies with a Hasher of any cost.
	if !(Hasher{}).Verify(hash, "2580") {
		t.Error("Verify with the default cost rejected a MinCost hash")
	}
}

func TestHashSalted(t *testing.T) {
	h := Hasher{Cost: bcrypt.MinCost}
	a, errA := h.Hash("2580")
	b, errB := h.Hash("2580")
	if errA != nil || errB != nil {
		t.Fatalf("Hash: %v, %v", errA, errB)
	}
	if a == b {
		t.Errorf("two hashes of the same PIN are equal: %q", a)
	}
	if !h.Verify(a, "2580") || !h.Verify(b, "2580") {
		t.Error("a salted hash does not verify")
	}
}

func TestHashErrors(t *testing.T) {
	tests := []struct {
		cost   int
		pin    string
		reason string // expected InvalidError reason; empty for a cost error
	}{
		{bcrypt.MinCost, "1111", ReasonRepeated},
		{bcrypt.MinCost, "1234", ReasonRun},
		{bcrypt.MinCost, "12", ReasonLength},
		{bcrypt.MinCost, "abcd", ReasonLength},
		{bcrypt.MinCost - 1, "2580", ""},
		{-1, "2580", ""},
		{bcrypt.MaxCost + 1, "2580", ""},
	}
	for _, tt := range tests {
		hash, err := Hasher{Cost: tt.cost}.Hash(tt.pin)
		if err == nil || hash != "" {
			t.Errorf("Hasher{%d}.Hash(%q) = %q, %v; want an error", tt.cost, tt.pin, hash, err)
			continue
		}
		if revealsPIN(err, tt.pin) {
			t.Errorf("Hasher{%d}.Hash(%q) error %q reveals the PIN", tt.cost, tt.pin, err)
		}
		var ie *InvalidError
		if got := errors.As(err, &ie); got != (tt.reason != "") || (got && ie.Reason != tt.reason) {
			t.Errorf("Hasher{%d}.Hash(%q) error %v, want reason %q", tt.cost, tt.pin, err, tt.reason)
		}
	}
}

func TestDefaultCost(t *testing.T) {
	if testing.Short() {
		t.Skip("bcrypt at the default cost is slow")
	}
	hash, err := Hasher{}.Hash("2580")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != bcrypt.DefaultCost {
		t.Errorf("bcrypt.Cost(hash) = %d, %v; want %d", cost, err, bcrypt.DefaultCost)
	}
}

// revealsPIN reports whether err's message contains pin, other than in the fixed example
// "1234" of ReasonRun.
func revealsPIN(err error, pin string) bool {
	msg := strings.ReplaceAll(err.Error(), ReasonRun, "")
	return pin != "" && strings.Contains(msg, pin)
}

func TestRevealsPIN(t *testing.T) {
	if !revealsPIN(errors.New("bad PIN 2580"), "2580") {
		t.Error("revealsPIN missed a PIN in the message")
	}
	if revealsPIN(&InvalidError{Reason: ReasonRun}, "1234") {
		t.Error("revealsPIN counted the example in ReasonRun")
	}
}
