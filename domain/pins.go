package domain

import (
	"context"
	"fmt"
	"time"

	"permitline/domain/calendar"
	"permitline/domain/phone"
	"permitline/domain/pin"
)

// Limits of identification by account number on the phone line. An account number
// keyed from a number is answered the same way whether or not the account exists; only
// a PIN after it tells, and each wrong one (for a real account or not) counts against
// the calling number here, as well as against the account (PINAttempts).
const (
	// IdentifyFailuresPerNumber is how many failed identifications by account number a
	// calling number may make in IdentifyWindow.
	IdentifyFailuresPerNumber = 10
	// IdentifyFailuresWithheld is the same for all withheld (or unreadable) numbers
	// together: they share one count, so a caller cannot escape the limit by withholding
	// the number; it is larger, as honest callers share it.
	IdentifyFailuresWithheld = 50
	// IdentifyWindow is how long failed identifications count for.
	IdentifyWindow = time.Hour
	// WithheldCaller is the key all withheld numbers share.
	WithheldCaller = "withheld"
)

// IdentifyFailures is a count of failed identifications by account number kept in the
// store under a key: a calling number, or (for an account number that does not exist,
// whose wrong PINs are counted and locked out as a real account's would be)
// "account:" and the number, where WindowStart holds the lockout's end.
type IdentifyFailures struct {
	Failures    int
	WindowStart time.Time
}

// IdentifyCaller is the key the failed identifications from a calling number are counted under.
func IdentifyCaller(from string) string {
	e164, err := phone.Parse(from)
	if err != nil {
		return WithheldCaller
	}
	return e164
}

// IdentifyLimitError says a calling number has failed to identify itself too often lately.
type IdentifyLimitError struct{ Until time.Time }

func (e *IdentifyLimitError) Error() string {
	return "too many failed identifications from this number, until " + e.Until.In(calendar.London).Format("15:04")
}

// Rule returns "identify".
func (e *IdentifyLimitError) Rule() string { return "identify" }

// CheckIdentifyLimit returns an *IdentifyLimitError if caller (an IdentifyCaller key) has
// used up its failed identifications in the current window.
func (o *Op) CheckIdentifyLimit(caller string) error {
	f, err := o.tx.IdentifyFailures(caller)
	if err != nil {
		return fmt.Errorf("identification failures of a caller: %w", err)
	}
	until := f.WindowStart.Add(IdentifyWindow)
	if o.now.Before(until) && f.Failures >= identifyLimit(caller) {
		return &IdentifyLimitError{Until: until}
	}
	return nil
}

func identifyLimit(caller string) int {
	if caller == WithheldCaller {
		return IdentifyFailuresWithheld
	}
	return IdentifyFailuresPerNumber
}

// countIdentifyFailure adds one failed identification to caller's count.
func (o *Op) countIdentifyFailure(caller string) error {
	f, err := o.tx.IdentifyFailures(caller)
	if err != nil {
		return err
	}
	if !o.now.Before(f.WindowStart.Add(IdentifyWindow)) {
		f = IdentifyFailures{WindowStart: o.now}
	}
	f.Failures++
	return o.tx.SetIdentifyFailures(caller, f)
}

// NoSuchAccount is the caller who keyed an account number that is not one: its PIN is
// checked, counted and locked out as a real account's would be, and is always wrong.
func NoSuchAccount(account string) Caller { return Caller{Account: account} }

// PINCheck is a PIN to check: who, the PIN given, and, when the caller was identified by
// an account number keyed in, the calling number's key (IdentifyCaller) a wrong PIN
// also counts against.
type PINCheck struct {
	Caller Caller
	Given  string
	ByKey  string // "" when identified by the calling number itself
}

// VerifyPIN checks a caller's PIN inside the write transaction that reads and updates the
// failure count, so however many guesses arrive at once, at most PINAttempts wrong ones
// are checked before the lockout, and none is accepted after it. A correct PIN under an
// old key, or a bcrypt hash from before keyed hashes, is replaced by a hash under the
// current key. On a snapshot (TryReadOnly) nothing is checked: the step must write.
func (o *Op) VerifyPIN(chk PINCheck) error {
	if ro, ok := o.tx.(*readOnlyTx); ok {
		return ro.refuse()
	}
	c := chk.Caller
	if chk.ByKey != "" {
		if err := o.CheckIdentifyLimit(chk.ByKey); err != nil {
			return err
		}
	}
	hash, st, err := o.pinOf(c)
	if err != nil {
		return err
	}
	if o.now.Before(st.PINLockedUntil) {
		return &LockedOutError{Until: st.PINLockedUntil}
	}
	ok, stale := false, false
	if hash != "" {
		if ok, stale, err = o.s.pins.Verify(hash, chk.Given); err != nil {
			return fmt.Errorf("checking the PIN of %s %d: %w", c.Kind, c.ID, err)
		}
	}
	if ok {
		switch {
		case stale:
			fresh, err := o.s.pins.Hash(chk.Given)
			if err != nil {
				return err
			}
			return o.setPIN(c, fresh) // clears the failure count too
		case st == (PINState{}):
			return nil
		}
		return o.tx.SetPINState(c.Kind, c.ID, PINState{})
	}
	if chk.ByKey != "" {
		if err := o.countIdentifyFailure(chk.ByKey); err != nil {
			return err
		}
	}
	st.PINFailures++
	if st.PINFailures < PINAttempts {
		if err := o.setPINState(c, st); err != nil {
			return err
		}
		if c.ResidentID != 0 {
			if err := o.audit(c.ResidentID, c.Actor(ChannelVoice), "pin.wrong", "wrong PIN, %d of %d",
				st.PINFailures, PINAttempts); err != nil {
				return err
			}
		}
		return &WrongPINError{AttemptsLeft: PINAttempts - st.PINFailures}
	}
	until := o.now.Add(PINLockout)
	if err := o.setPINState(c, PINState{PINLockedUntil: until}); err != nil {
		return err
	}
	if c.ResidentID != 0 {
		if err := o.audit(c.ResidentID, c.Actor(ChannelVoice), "pin.locked", "wrong PIN, %d of %d: locked until %s",
			PINAttempts, PINAttempts, until.In(calendar.London).Format(time.DateTime)); err != nil {
			return err
		}
	}
	return &LockedOutError{Until: until}
}

// VerifyPIN checks a caller's PIN in its own write transaction (see Op.VerifyPIN).
func (s *Service) VerifyPIN(ctx context.Context, c Caller, given string) error {
	return s.Update(ctx, func(o *Op) error { return o.VerifyPIN(PINCheck{Caller: c, Given: given}) })
}

// PruneIdentifyFailures deletes up to limit counts of failed identifications that no
// longer count, in one write, and returns how many. A made-up account number's count is
// kept while it holds wrong PINs, as a real account's is until its right PIN: forgetting
// it sooner would tell the two apart.
func (s *Service) PruneIdentifyFailures(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		return 0, &InvalidInputError{Field: "limit", Reason: "is 1 or more"}
	}
	var n int
	err := s.Update(ctx, func(o *Op) (err error) {
		n, err = o.tx.DeleteIdentifyFailuresBefore(o.now.Add(-IdentifyWindow), o.now, limit)
		return err
	})
	return n, err
}

func noSuchAccountKey(c Caller) string { return "account:" + c.Account }

func (o *Op) pinOf(c Caller) (string, PINState, error) {
	if c.Kind == "" {
		f, err := o.tx.IdentifyFailures(noSuchAccountKey(c))
		st := PINState{PINFailures: f.Failures}
		if f.Failures == 0 {
			st.PINLockedUntil = f.WindowStart
		}
		return "", st, err
	}
	return pinOf(o.tx, c)
}

func (o *Op) setPINState(c Caller, st PINState) error {
	if c.Kind == "" {
		return o.tx.SetIdentifyFailures(noSuchAccountKey(c), IdentifyFailures{Failures: st.PINFailures,
			WindowStart: st.PINLockedUntil})
	}
	return o.tx.SetPINState(c.Kind, c.ID, st)
}

func (o *Op) setPIN(c Caller, hash string) error {
	if c.Kind == ActorMember {
		return o.tx.SetMemberPIN(c.ID, hash)
	}
	return o.tx.SetResidentPIN(c.ID, hash)
}

// PINs returns the service's PIN hasher, for seeding accounts under the same key.
func (s *Service) PINs() pin.Keyed { return s.pins }

// HasPINKey reports whether the service holds a PIN key, without which no PIN can be set
// or checked.
func (s *Service) HasPINKey() bool { return s.pins.HasKey() }

// SecretTag returns a keyed digest of data for the purpose label, under a key derived
// from the PIN key: for a value that may hold a secret (a step's keys) and must be kept
// only in a form that cannot be searched for. Without a key it returns nil.
func (s *Service) SecretTag(label string, data []byte) []byte { return s.pins.Tag(label, data) }
