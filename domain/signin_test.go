package domain_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"permitline/domain"
	"permitline/domain/sqlite"
	"permitline/fixtures"
)

const agentPassword = "correct horse battery"

// signIn tries a sign-in at the world's clock and names the outcome.
func (w *world) signIn(user, pw, addr string) string {
	w.t.Helper()
	_, err := w.svc.SignInAgent(w.ctx, user, pw, addr, w.clock.Now())
	var limited *domain.TooManySignInsError
	switch {
	case err == nil:
		return "in"
	case errors.Is(err, domain.ErrBadCredentials):
		return "wrong"
	case errors.As(err, &limited):
		return "limited by " + limited.Limit
	}
	w.t.Fatalf("signing in %s from %s: %v", user, addr, err)
	return ""
}

func (w *world) want(got, want, what string) {
	w.t.Helper()
	if got != want {
		w.t.Fatalf("%s: %s, want %s", what, got, want)
	}
}

// Five failures for a username at one address lock that pair for 15 minutes; the agent
// still signs in from their own address; the counts survive a restart.
func TestSignInLimitPerUsernameAndAddress(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	w.agent("dana")
	for i := range domain.SignInPairLimit {
		w.want(w.signIn("dana", "guess "+fmt.Sprint(i), "203.0.113.66"), "wrong", "a guess")
	}
	w.want(w.signIn("dana", agentPassword, "203.0.113.66"), "limited by username and address", "the 6th attempt, right password")
	w.want(w.signIn("dana", agentPassword, "192.0.2.10"), "in", "the agent from her own address, meanwhile")
	w.open() // a restart keeps the counts
	w.clock.Advance(14 * time.Minute)
	w.want(w.signIn("dana", agentPassword, "203.0.113.66"), "limited by username and address", "after a restart, 14 minutes on")
	w.clock.Advance(time.Minute)
	w.want(w.signIn("dana", agentPassword, "203.0.113.66"), "in", "15 minutes after the failures")
	// A success clears that pair's failures.
	for range domain.SignInPairLimit - 1 {
		w.signIn("dana", "typo", "203.0.113.66")
	}
	w.want(w.signIn("dana", agentPassword, "203.0.113.66"), "in", "the 5th attempt")
	for range domain.SignInPairLimit - 1 {
		w.want(w.signIn("dana", "typo", "203.0.113.66"), "wrong", "a typo after a success")
	}
}

// Made-up usernames from one address (an office behind one proxy) do not lock the
// office's agents out until the address limit; past it, the address is refused for all.
func TestSignInLimitPerAddress(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	w.agent("dana")
	office := "198.51.100.1"
	for i := range domain.SignInAddressLimit - 1 {
		w.want(w.signIn(fmt.Sprintf("nobody%d", i), agentPassword, office), "wrong", "a made-up username")
	}
	w.want(w.signIn("dana", agentPassword, office), "in", "an agent at the office, after 49 made-up usernames")
	w.want(w.signIn("nobody-else", agentPassword, office), "wrong", "the 50th failure from the address")
	w.want(w.signIn("nobody-more", agentPassword, office), "limited by address", "the 51st")
	w.want(w.signIn("dana", agentPassword, "198.51.100.2"), "in", "the agent from elsewhere")
	w.open()
	w.want(w.signIn("dana", agentPassword, office), "limited by address", "after a restart")
	w.clock.Advance(domain.SignInWindow)
	w.want(w.signIn("dana", agentPassword, office), "in", "once the window has passed")
}

// A guess spread over many addresses is limited per username, for addresses that never
// signed the agent in; the agent's own address is not locked out by it.
func TestSignInLimitPerUsernameFromNewAddresses(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	w.agent("dana")
	w.want(w.signIn("dana", agentPassword, "192.0.2.10"), "in", "the agent at her desk")
	for i := range domain.SignInUsernameLimit {
		w.want(w.signIn("dana", "guess", fmt.Sprintf("203.0.113.%d", i+1)), "wrong", "a spread guess")
	}
	w.want(w.signIn("dana", agentPassword, "203.0.113.200"), "limited by username", "a new address, right password")
	w.want(w.signIn("dana", agentPassword, "192.0.2.10"), "in", "the agent at her known address")
	w.want(w.signIn("eli", "guess", "203.0.113.201"), "wrong", "another username from a new address")
	w.clock.Advance(domain.SignInWindow)
	w.want(w.signIn("dana", agentPassword, "203.0.113.200"), "in", "a new address after the window")
}

// Old attempts are pruned, not kept for ever.
func TestSignInAttemptsArePruned(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	for i := range 10 {
		w.signIn(fmt.Sprintf("nobody%d", i), "guess", "203.0.113.1")
	}
	w.clock.Advance(domain.SignInWindow)
	w.signIn("nobody", "guess", "203.0.113.2")
	var n int
	err := w.svc.View(w.ctx, func(r domain.Reader) error {
		got, err := r.SignInAttempts("nobody0", "203.0.113.1", time.Time{})
		n = len(got)
		return err
	})
	if err != nil || n != 0 {
		t.Fatalf("attempts older than the window kept: %d (%v)", n, err)
	}
}

// Agents' passwords are real passwords: bcrypt cost 12 by default, whatever the PIN cost;
// a hash at a lower cost is replaced on the next sign-in.
func TestAgentPasswordCost(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	old := w.agent("dana") // the world hashes at bcrypt.MinCost
	store, err := sqlite.Open(w.ctx, filepath.Join(t.TempDir(), "cost.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := domain.New(domain.Config{Store: store, Clock: w.clock, Holidays: fixtures.MustBankHolidays()})
	a, err := svc.AddAgent(w.ctx, w.admin, domain.NewAgent{Username: "eli", Name: "Eli", Phone: "07700900901", Password: agentPassword})
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(a.PasswordHash)); err != nil || cost != 12 {
		t.Fatalf("a new agent's hash has cost %d (%v), want 12", cost, err)
	}
	stored, _ := svc.AgentByID(w.ctx, a.ID)
	if cost, _ := bcrypt.Cost([]byte(stored.PasswordHash)); cost != 12 {
		t.Fatalf("the stored hash has cost %d, want 12", cost)
	}

	// dana's cost-4 hash is replaced at the world's service's cost when she signs in, and
	// at 12 by a service with the default cost.
	w.svc = domain.New(domain.Config{Store: w.store, Clock: w.clock, Holidays: fixtures.MustBankHolidays()})
	if _, err := w.svc.SignInAgent(w.ctx, "dana", agentPassword, "192.0.2.1", w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	now, _ := w.svc.AgentByID(w.ctx, old.ID)
	if cost, _ := bcrypt.Cost([]byte(now.PasswordHash)); cost != 12 || bcrypt.CompareHashAndPassword([]byte(now.PasswordHash), []byte(agentPassword)) != nil {
		t.Fatalf("after signing in, dana's hash has cost %d", cost)
	}
}
