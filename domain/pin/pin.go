// Package pin checks and hashes the numeric PINs callers key in on the phone. A PIN is
// never logged and never appears in an error message.
package pin

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Length limits of a PIN, in digits.
const (
	// MinLen is the fewest digits a PIN may have.
	MinLen = 4
	// MaxLen is the most digits a PIN may have.
	MaxLen = 6
)

// Reasons a PIN is not acceptable, worded so an IVR prompt can read them out.
const (
	// ReasonLength is given for a PIN of the wrong length or with anything but digits.
	ReasonLength = "a PIN must be 4 to 6 digits"
	// ReasonRepeated is given for a PIN such as 1111.
	ReasonRepeated = "a PIN must not be one digit repeated"
	// ReasonRun is given for a PIN such as 1234 or 4321.
	ReasonRun = "a PIN must not be a run like 1234"
)

// InvalidError reports a PIN that is not acceptable; it holds the reason, never the PIN.
type InvalidError struct {
	Reason string // one of the Reason constants
}

// Error returns e.g. "PIN is not valid: a PIN must be 4 to 6 digits".
func (e *InvalidError) Error() string { return "PIN is not valid: " + e.Reason }

// Validate returns an *InvalidError unless p is 4 to 6 ASCII digits that are neither one
// digit repeated (1111) nor a straight ascending or descending run (1234, 4321, 123456).
// Runs do not wrap around: 7890 and 9012 are allowed.
func Validate(p string) error {
	if len(p) < MinLen || len(p) > MaxLen {
		return &InvalidError{Reason: ReasonLength}
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return &InvalidError{Reason: ReasonLength}
		}
	}
	switch step := int(p[1]) - int(p[0]); step {
	case 0, 1, -1:
		for i := 2; i < len(p); i++ {
			if int(p[i])-int(p[i-1]) != step {
				return nil
			}
		}
		if step == 0 {
			return &InvalidError{Reason: ReasonRepeated}
		}
		return &InvalidError{Reason: ReasonRun}
	}
	return nil
}

// Hasher hashes and verifies PINs with bcrypt, as they were stored before keyed hashing
// (see Keyed, which still verifies them). It makes legacy hashes for tests.
type Hasher struct {
	Cost int // bcrypt cost, bcrypt.MinCost to bcrypt.MaxCost; 0 means bcrypt.DefaultCost
}

// cost returns the bcrypt cost to hash with, or an error if h.Cost is out of range
// (bcrypt itself would silently use DefaultCost for a cost below MinCost).
func (h Hasher) cost() (int, error) {
	switch {
	case h.Cost == 0:
		return bcrypt.DefaultCost, nil
	case h.Cost < bcrypt.MinCost || h.Cost > bcrypt.MaxCost:
		return 0, fmt.Errorf("bcrypt cost %d is outside %d to %d", h.Cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	return h.Cost, nil
}

// Hash validates p and returns its salted bcrypt hash.
func (h Hasher) Hash(p string) (string, error) {
	if err := Validate(p); err != nil {
		return "", fmt.Errorf("hashing PIN: %w", err)
	}
	cost, err := h.cost()
	if err != nil {
		return "", fmt.Errorf("hashing PIN: %w", err)
	}
	b, err := bcrypt.GenerateFromPassword([]byte(p), cost)
	if err != nil {
		return "", fmt.Errorf("hashing PIN with bcrypt: %w", err)
	}
	return string(b), nil
}

// Verify reports whether p is the PIN hash was made from; bcrypt compares in constant
// time. A malformed hash verifies nothing.
func (h Hasher) Verify(hash, p string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(p)) == nil
}
