package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"permitline/domain/pin"
	"permitline/fixtures"
)

// TestPINKeyRequired: a command that sets a PIN, and serve, refuse without the key,
// naming both variables; a malformed key is refused; a key file is read, whitespace and all.
func TestPINKeyRequired(t *testing.T) {
	c := newCLI(t)
	acct := c.registeredWithPermits()
	t.Setenv("PERMITLINE_PIN_KEY", "")
	c.refused([]string{"resident", "set-pin", acct, "--pin", "2580"}, "PERMITLINE_PIN_KEY ", "PERMITLINE_PIN_KEY_FILE")
	c.refused([]string{"member", "add", acct, "--name", "Jo", "--phone", "07700 900222", "--can", "view", "--pin", "1470"},
		"PERMITLINE_PIN_KEY ", "PERMITLINE_PIN_KEY_FILE")
	t.Setenv("TWILIO_AUTH_TOKEN", "0123456789abcdef0123456789abcdef")
	t.Setenv("TWILIO_ACCOUNT_SID", fixtures.DemoAccountSid)
	c.refused([]string{"serve", "--addr", "127.0.0.1:0"}, "serve", "PERMITLINE_PIN_KEY ", "PERMITLINE_PIN_KEY_FILE")

	t.Setenv("PERMITLINE_PIN_KEY", "abc")
	c.refused([]string{"resident", "set-pin", acct, "--pin", "2580"}, "PERMITLINE_PIN_KEY", "64 hex characters")

	t.Setenv("PERMITLINE_PIN_KEY", "")
	t.Setenv("PERMITLINE_PIN_KEY_FILE", writeFile(t, "pin-key", "\n  "+pin.TestKey+"  \n"))
	if out := c.ok("resident", "set-pin", acct, "--pin", "2580"); out != "PIN set\n" {
		t.Errorf("set-pin with a key file printed %q", out)
	}
	t.Setenv("PERMITLINE_PIN_KEY", pin.TestKey)
	c.refused([]string{"resident", "set-pin", acct, "--pin", "2580"}, "not both")
}

// TestDemoMakesAndKeepsItsPINKey: demo without a key makes one beside the database,
// readable by its owner only, says where, and uses the same one next time.
func TestDemoMakesAndKeepsItsPINKey(t *testing.T) {
	t.Setenv("PERMITLINE_PIN_KEY", "")
	c := newCLI(t)
	path := c.db + ".pin-key"
	out := c.ok("demo", "--seed-only")
	if !strings.Contains(out, "A PIN key was made in "+path) {
		t.Errorf("demo does not say where its PIN key is:\n%s", out)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	first, _ := os.ReadFile(path)
	if _, err := pin.ParseKey(string(first)); err != nil {
		t.Fatalf("the demo's key: %v", err)
	}
	out = c.ok("demo", "--seed-only", "--fresh")
	if !strings.Contains(out, "The PIN key is in "+path) {
		t.Errorf("a second demo does not say it reuses the key:\n%s", out)
	}
	if again, _ := os.ReadFile(path); string(again) != string(first) {
		t.Error("a second demo changed the PIN key")
	}
	if filepath.Dir(path) != filepath.Dir(c.db) {
		t.Errorf("key %s not beside %s", path, c.db)
	}
}
