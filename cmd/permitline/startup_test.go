package main

import (
	"path/filepath"
	"strings"
	"testing"

	"permitline/fixtures"
)

const (
	goodToken = "0123456789abcdef0123456789abcdef"
	goodSid   = "ACfedcba9876543210fedcba9876543210"
)

// serve refuses, naming the variable, a Twilio token or account Sid that cannot be a real
// account's, before it opens anything.
func TestServeRefusesTwilioCredentialsThatCannotBeReal(t *testing.T) {
	for _, tc := range []struct {
		name, token, sid string
		want             []string
	}{
		{"no token", "", goodSid, []string{"TWILIO_AUTH_TOKEN is not set"}},
		{"a one-character token", "x", goodSid, []string{"TWILIO_AUTH_TOKEN", "32 hex digits", "has 1 character)"}},
		{"a token of 31 hex digits", goodToken[1:], goodSid, []string{"TWILIO_AUTH_TOKEN", "32 hex digits"}},
		{"a token that is not hex", strings.Repeat("z", 32), goodSid, []string{"TWILIO_AUTH_TOKEN", "32 hex digits"}},
		{"the demo's token", fixtures.DemoAuthToken, goodSid, []string{"TWILIO_AUTH_TOKEN is the demo's token"}},
		{"no account", goodToken, "", []string{"TWILIO_ACCOUNT_SID is not set"}},
		{"the placeholder account", goodToken, "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", []string{"TWILIO_ACCOUNT_SID", "AC and 32 hex digits"}},
		{"a short account", goodToken, "AC123", []string{"TWILIO_ACCOUNT_SID", "AC and 32 hex digits"}},
		{"a call's Sid as the account", goodToken, "CA" + goodSid[2:], []string{"TWILIO_ACCOUNT_SID", "AC and 32 hex digits"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TWILIO_AUTH_TOKEN", tc.token)
			t.Setenv("TWILIO_ACCOUNT_SID", tc.sid)
			db := filepath.Join(t.TempDir(), "line.db")
			r := invoke("serve", "--db", db, "--addr", "127.0.0.1:0")
			if r.code == 0 {
				t.Fatalf("serve started: %+v", r)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q does not say %q", r.stderr, w)
				}
			}
			if tc.token != "" && strings.Contains(r.stderr, tc.token) && len(tc.token) > 1 {
				t.Errorf("the message repeats the token: %q", r.stderr)
			}
		})
	}
}
