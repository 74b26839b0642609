package ivr_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/pin"
	"permitline/ivr/twiliosim"
)

// checks records, in the order the writer ran them, the outcome of every PIN compared.
type checks struct {
	mu   sync.Mutex
	seen []bool
}

func (c *checks) observe(ok bool) { c.mu.Lock(); c.seen = append(c.seen, ok); c.mu.Unlock() }

// counting rebuilds the line with a PIN hasher that records every PIN it compares.
func counting(l *line) *checks {
	c := &checks{}
	k := pin.MustKeyed(servertest.Key)
	k.Observe = c.observe
	l.PINs = &k
	l.Restart()
	return c
}

// burst dials n calls from one number, answers each, then keys pins[i] on call i, all at
// the same moment; it returns what each call heard after its PIN.
func burst(t *testing.T, l *line, from string, pins []string) []string {
	t.Helper()
	calls := make([]*twiliosim.Call, len(pins))
	for i := range pins {
		c, err := twiliosim.Dial(l.Ctx, l.cfg(from))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Next(l.Ctx); err != nil {
			t.Fatal(err)
		}
		calls[i] = c
	}
	heard := make([]string, len(pins))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			turn, err := c.Press(context.Background(), pins[i]+"#")
			if err != nil {
				heard[i] = "error: " + err.Error()
				return
			}
			heard[i] = strings.Join(turn.Said, " ")
		}()
	}
	close(start)
	wg.Wait()
	return heard
}

// wrongPINs returns n different wrong PINs for Alex (whose PIN is 2580).
func wrongPINs(n int) []string {
	var out []string
	for v := 1000; len(out) < n; v += 7 {
		p := fmt.Sprint(v)
		if p != "2580" && pin.Validate(p) == nil {
			out = append(out, p)
		}
	}
	return out
}

// assertLockHeld checks the writer's order of PIN checks: no run of wrong PINs between
// correct ones is longer than the lockout allows, and once the lockout is reached nothing
// more is compared (so nothing can pass after it).
func assertLockHeld(t *testing.T, c *checks) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	wrong := 0
	for i, ok := range c.seen {
		if wrong == domain.PINAttempts {
			t.Fatalf("check %d of %v ran after the lockout", i, c.seen)
		}
		if ok {
			wrong = 0
			continue
		}
		wrong++
	}
}

// TestPINBurstRightOneLast: 59 calls from Alex's number key 59 different wrong PINs at the
// same moment, then the right one comes: at most 3 wrong PINs are compared, and the right
// one, after the lockout, is not accepted.
func TestPINBurstRightOneLast(t *testing.T) {
	l := newLine(t, monday)
	c := counting(l)
	heard := burst(t, l, alex, wrongPINs(59))
	last := burst(t, l, alex, []string{"2580"})[0]
	if strings.Contains(last, "To activate a visit") || !strings.Contains(last, "locked until") {
		t.Errorf("the right PIN after the lockout heard: %s", last)
	}
	assertLockHeld(t, c)
	if len(c.seen) != domain.PINAttempts {
		t.Errorf("%d PINs compared, want %d: %v", len(c.seen), domain.PINAttempts, c.seen)
	}
	var told, locked int
	for _, h := range heard {
		switch {
		case strings.Contains(h, "isn't right"):
			told++
		case strings.Contains(h, "locked until"):
			locked++
		default:
			t.Errorf("a wrong PIN heard: %s", h)
		}
	}
	if told != domain.PINAttempts-1 || locked != 59-told {
		t.Errorf("%d told wrong, %d locked; want %d and %d", told, locked, domain.PINAttempts-1, 59-told)
	}
}

// TestPINBurstRightOneAmongThem: 60 calls at once, the right PIN among them. The right
// one passes only if the writer reaches it before the lockout; either way no run of wrong
// PINs passes the limit and nothing is compared once it is reached.
func TestPINBurstRightOneAmongThem(t *testing.T) {
	l := newLine(t, monday)
	c := counting(l)
	pins := wrongPINs(59)
	pins = append(pins[:30], append([]string{"2580"}, pins[30:]...)...)
	heard := burst(t, l, alex, pins)
	assertLockHeld(t, c)
	menus, oks := 0, 0
	for _, h := range heard {
		if strings.Contains(h, "To activate a visit") {
			menus++
		}
	}
	for _, ok := range c.seen {
		if ok {
			oks++
		}
	}
	if menus != oks || menus > 1 {
		t.Errorf("%d calls reached the menu, %d PINs passed; want the same, at most 1", menus, oks)
	}
	if len(c.seen) > 2*domain.PINAttempts {
		t.Errorf("%d PINs compared: %v", len(c.seen), c.seen)
	}
	// The account is locked now: the right PIN is refused.
	if h := burst(t, l, alex, []string{"2580"})[0]; !strings.Contains(h, "locked until") {
		t.Errorf("after the burst the right PIN heard: %s", h)
	}
}

// TestNoPINDerivedValueIsStored: after a call keys its PIN (and a wrong one), no column
// of any table holds the PIN, or a prefix of an unkeyed SHA-256 of it or of the step's
// input as it was hashed for the kept replies.
func TestNoPINDerivedValueIsStored(t *testing.T) {
	l := newLine(t, monday)
	l.dial(alex).press("7395").expect("isn't right").press("2580").expect("To activate a visit").press("3").
		expect("You have two permits")
	var needles []string
	for _, p := range []string{"2580", "7395"} {
		for _, data := range []string{p, "keys\x00" + p + "\x00\x00\x00", p + "#"} {
			sum := sha256.Sum256([]byte(data))
			needles = append(needles, hex.EncodeToString(sum[:8])[:12])
		}
	}
	db, err := sql.Open("sqlite", "file:"+l.Path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := column(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	scanned := 0
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b) + " " + hex.EncodeToString(b)
				}
				scanned++
				for _, n := range append([]string{"2580", "7395"}, needles...) {
					if strings.Contains(strings.ToLower(s), n) {
						t.Errorf("%s.%s holds %q: %.200s", table, cols[i], n, s)
					}
				}
			}
		}
		rows.Close()
	}
	if scanned == 0 || len(tables) < 5 {
		t.Fatalf("scanned %d values in %v", scanned, tables)
	}
}

func column(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestAccountNumbersAnsweredAlike: an account that exists and one that does not get the
// same words, with no name, up to the PIN; the name is said only once the PIN is right.
func TestAccountNumbersAnsweredAlike(t *testing.T) {
	l := newLine(t, monday)
	real := l.dial("anonymous").press(l.People["Sam Taylor"].Account)
	fake := l.dial("anonymous").press("99999999")
	if real.heard() != fake.heard() || strings.Contains(real.heard(), "Sam") {
		t.Fatalf("real account heard %q, made-up one %q", real.heard(), fake.heard())
	}
	r, f := real.press("1111").heard(), fake.press("1111").heard()
	if r != f {
		t.Fatalf("a wrong PIN: real account heard %q, made-up one %q", r, f)
	}
	real.press("3690").expect("Thank you, Sam.", "To activate a visit")
}

// TestAccountNumberTriesLimitedByCallingNumber: wrong PINs after account numbers count
// against the calling number across calls; past the limit the caller is told they cannot
// be identified now and is put through to the helpdesk (open) or told when it opens.
func TestAccountNumberTriesLimitedByCallingNumber(t *testing.T) {
	l := newLine(t, "2026-11-30 17:30")
	const from = "+447700900999" // on no account
	for i := 0; i < domain.IdentifyFailuresPerNumber; i++ {
		l.dial(from).press(fmt.Sprintf("%08d", 10000000+i)).press("1111").expect("isn't right").c.Hangup(l.Ctx)
	}
	c := l.dial(from).press(l.People["Sam Taylor"].Account)
	c.expect("can't identify you by phone at the moment", "An agent can reset your phone PIN",
		"Putting you through to the helpdesk").waitsFor("queue")
	// Another number is not held back.
	l.dial("+447700900998").press(l.People["Sam Taylor"].Account).expect("key your phone PIN")
	// Closed: told when it opens, and offered a call back or a message, never a goodbye.
	l.Clock.Set(at(t, "2026-11-30 18:10"))
	l.dial(from).press("12345678").expect("can't identify you by phone", "It opens tomorrow at eight a.m.",
		"To have us call you back when we open, press 1.").never("Goodbye").waitsFor("gather")
	// The window passes.
	l.Clock.Set(at(t, "2026-11-30 18:31"))
	l.dial(from).press(l.People["Sam Taylor"].Account).expect("key your phone PIN").press("3690").
		expect("Thank you, Sam.")
}

// TestZeroAtThePINPromptIsNeverATry: 0 reaches the helpdesk and counts nothing (R25).
func TestZeroAtThePINPromptIsNeverATry(t *testing.T) {
	l := newLine(t, monday)
	c := counting(l)
	l.dial(alex).press("0").expect("Putting you through to the helpdesk").waitsFor("queue")
	l.dial("anonymous").press("0").expect("Putting you through to the helpdesk").waitsFor("queue")
	if len(c.seen) != 0 {
		t.Errorf("0 was compared as a PIN: %v", c.seen)
	}
	l.dial(alex).press("1111").expect("You have two more tries")
}

// TestOldPINHashesAreRekeyed: a bcrypt hash from before keyed PINs, and a hash under a
// key being rotated out, verify and are replaced by a hash under the current key.
func TestOldPINHashesAreRekeyed(t *testing.T) {
	l := newLine(t, monday)
	account := l.People["Alex Morgan"].Account
	legacy, err := pin.Hasher{Cost: bcrypt.MinCost}.Hash("2580")
	if err != nil {
		t.Fatal(err)
	}
	setHash := func(h string) {
		err := l.Svc.Update(l.Ctx, func(o *domain.Op) error {
			res, err := o.Tx().ResidentByAccount(account)
			if err != nil {
				return err
			}
			return o.Tx().SetResidentPIN(res.ID, h)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	stored := func() string {
		var h string
		err := l.Svc.View(l.Ctx, func(r domain.Reader) error {
			res, err := r.ResidentByAccount(account)
			h = res.PINHash
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	setHash(legacy)
	l.dial(alex).press("2580").expect("Thank you, Alex.")
	testKeyID := pin.MustKey(servertest.Key).ID
	if h := stored(); !strings.HasPrefix(h, "hmac1$"+testKeyID+"$") {
		t.Fatalf("after a correct PIN the bcrypt hash is %q", h)
	}
	// Rotate: a new current key, the test key kept as an old one.
	next, _, err := pin.NewRandomKey()
	if err != nil {
		t.Fatal(err)
	}
	k := pin.NewKeyed(next, pin.MustKey(servertest.Key))
	l.PINs = &k
	l.Restart()
	l.dial(alex).press("1111").expect("isn't right").press("2580").expect("Thank you, Alex.")
	if h := stored(); !strings.HasPrefix(h, "hmac1$"+next.ID+"$") {
		t.Fatalf("after rotation the hash is %q, want under key %s", h, next.ID)
	}
	// Without the old key, a hash made under it is not counted as a wrong PIN.
	setHash(func() string { h, _ := pin.TestKeyed().Hash("2580"); return h }())
	k = pin.NewKeyed(next)
	l.Restart()
	l.dial(alex).press("2580").expect("Sorry") // the line's fallback: something went wrong
	var st domain.PINState
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) error {
		res, err := r.ResidentByAccount(account)
		st = res.PINState
		return err
	})
	if st != (domain.PINState{}) {
		t.Errorf("a PIN under an unknown key was counted: %+v", st)
	}
}
