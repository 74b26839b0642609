package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// The desk's sign-in limits. Every attempt is counted before its password is checked: it
// reserves a place under the limits in the same write transaction that reads them, so a
// burst of sign-ins at once can never have more passwords checked than the limits allow.
// An attempt that fails stays counted for SignInWindow; one that succeeds clears the
// attempts of its own username and address.
//
// Three limits, each counted in the store (a restart does not reset them):
//
//   - SignInPairLimit per username and client address: what a typing agent, or an attacker
//     at one address, meets. It locks that username at that address only, so an attacker
//     hammering an agent's username from one place does not lock the agent out at theirs.
//   - SignInAddressLimit per client address across usernames: stops one address trying
//     many usernames, yet high enough that an office behind one proxy address is not
//     locked out by a few mistyped or made-up usernames.
//   - SignInUsernameLimit per username across addresses that have never signed that agent
//     in (in the last KnownAddressKept): bounds a guess spread over many addresses. It
//     refuses only such new addresses, so an attacker who spreads it cannot lock the agent
//     out at the addresses they have used before, where the pair limit still applies.
const (
	SignInWindow        = 15 * time.Minute
	SignInPairLimit     = 5
	SignInAddressLimit  = 50
	SignInUsernameLimit = 20
	KnownAddressKept    = 90 * 24 * time.Hour
)

// DefaultAgentPasswordCost is the bcrypt cost of agents' passwords when the config sets none.
const DefaultAgentPasswordCost = 12

// SignInAttempt is a desk sign-in counted against the limits: recorded before its
// password is checked, and kept (as a failure) until SignInWindow has passed, unless it
// succeeds.
type SignInAttempt struct {
	ID       int64
	Username string // lower case, as typed: made-up usernames are counted too
	Address  string // the client's address (see the desk's clientIP)
	At       time.Time
	// Known: the address had signed this username in before, so SignInUsernameLimit does
	// not count it.
	Known bool
}

// TooManySignInsError refuses a sign-in that would pass a limit; its password is not checked.
type TooManySignInsError struct {
	Limit string        // which limit: "username and address", "address" or "username"
	Wait  time.Duration // until the limit lets an attempt through again
}

func (e *TooManySignInsError) Error() string {
	return fmt.Sprintf("too many sign-ins for this %s: try again in %s", e.Limit, e.Wait.Round(time.Second))
}

// Rule returns "sign-in".
func (e *TooManySignInsError) Rule() string { return "sign-in" }

// agentCost is the bcrypt cost agents' passwords are hashed at.
func (s *Service) agentCost() int {
	if s.agentPasswordCost == 0 {
		return DefaultAgentPasswordCost
	}
	return max(s.agentPasswordCost, bcrypt.MinCost)
}

// comparePassword checks a password against an agent's hash: bcrypt, unless the config
// gave another comparison (tests count the checks with it).
func (s *Service) comparePassword(hash, password []byte) error {
	if s.checkPassword != nil {
		return s.checkPassword(hash, password)
	}
	return bcrypt.CompareHashAndPassword(hash, password)
}

// SignInAgent checks an agent's password at the desk, from a client address, at the
// desk's time now. The attempt is counted first, in one write transaction with the check
// of the limits (a refusal is a *TooManySignInsError and checks no password); then the
// password is compared outside any transaction. An unknown username and a wrong password
// are answered alike (ErrBadCredentials), and take as long. A success clears the attempts
// of that username at that address, remembers the address as one the agent signs in
// from, and re-hashes a password hashed at a lower cost than today's.
func (s *Service) SignInAgent(ctx context.Context, username, password, address string, now time.Time) (Agent, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var a Agent
	found := false
	err := s.Update(ctx, func(o *Op) error {
		if err := o.tx.DeleteSignInAttemptsBefore(now.Add(-SignInWindow)); err != nil {
			return err
		}
		known, err := o.tx.KnownSignInAddress(username, address, now.Add(-KnownAddressKept))
		if err != nil {
			return err
		}
		recent, err := o.tx.SignInAttempts(username, address, now.Add(-SignInWindow))
		if err != nil {
			return err
		}
		if refusal := signInLimit(recent, username, address, known, now); refusal != nil {
			return refusal
		}
		if _, err := o.tx.InsertSignInAttempt(SignInAttempt{Username: username, Address: address, At: now, Known: known}); err != nil {
			return err
		}
		a, err = o.tx.AgentByUsername(username)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		return Agent{}, err
	}
	if !found {
		// Spend the time a real comparison would, so a username cannot be told from the timing.
		_ = s.comparePassword(s.dummyHash(), []byte(password))
		return Agent{}, ErrBadCredentials
	}
	if s.comparePassword([]byte(a.PasswordHash), []byte(password)) != nil {
		return Agent{}, ErrBadCredentials // the attempt stays counted
	}
	rehash := ""
	if cost, err := bcrypt.Cost([]byte(a.PasswordHash)); err == nil && cost < s.agentCost() {
		if h, err := bcrypt.GenerateFromPassword([]byte(password), s.agentCost()); err == nil {
			rehash = string(h)
		}
	}
	err = s.Update(ctx, func(o *Op) error {
		if err := o.tx.DeleteSignInAttempts(username, address); err != nil {
			return err
		}
		if err := o.tx.DeleteKnownSignInAddressesBefore(now.Add(-KnownAddressKept)); err != nil {
			return err
		}
		if err := o.tx.SaveKnownSignInAddress(username, address, now); err != nil {
			return err
		}
		if rehash == "" {
			return nil
		}
		// Only over the hash just checked: a password changed meanwhile is left alone.
		return o.tx.ReplaceAgentPasswordHash(a.ID, a.PasswordHash, rehash)
	})
	if err != nil {
		return Agent{}, fmt.Errorf("recording the sign-in of %s: %w", username, err)
	}
	if rehash != "" {
		a.PasswordHash = rehash
	}
	return a, nil
}

// signInLimit says whether one more attempt for username from address would pass a
// limit, given the attempts since the window's start (oldest first).
func signInLimit(recent []SignInAttempt, username, address string, known bool, now time.Time) error {
	var pair, byAddress, byUsername []time.Time
	for _, r := range recent {
		if r.Username == username && r.Address == address {
			pair = append(pair, r.At)
		}
		if r.Address == address {
			byAddress = append(byAddress, r.At)
		}
		if r.Username == username && !r.Known {
			byUsername = append(byUsername, r.At)
		}
	}
	var refusal *TooManySignInsError
	check := func(ats []time.Time, limit int, name string) {
		if len(ats) < limit {
			return
		}
		// It lets one through again when the oldest attempt that fills it leaves the window.
		if wait := ats[len(ats)-limit].Add(SignInWindow).Sub(now); refusal == nil || wait > refusal.Wait {
			refusal = &TooManySignInsError{Limit: name, Wait: max(wait, time.Second)}
		}
	}
	check(pair, SignInPairLimit, "username and address")
	check(byAddress, SignInAddressLimit, "address")
	if !known {
		check(byUsername, SignInUsernameLimit, "username")
	}
	if refusal == nil {
		return nil
	}
	return refusal
}
