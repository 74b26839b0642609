package server

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Twilio signs the URL and the sorted names and values run together, with nothing between
// them, so a signed request stays signed when the boundary between two parameters moves
// (MessageSid=SM…, NumMedia=0 becomes MessageSid=SM…NumMedia0). A Sid of the wrong shape is
// how such a replay shows; checking every Sid's shape before any handler runs keeps a
// replayed request from reaching a once-only key it was never given.
// https://www.twilio.com/docs/glossary/what-is-a-sid

// sidShape is every Twilio Sid: a two-letter prefix and 32 lower-case hex digits.
var sidShape = regexp.MustCompile(`^[A-Z]{2}[0-9a-f]{32}$`)

// sidPrefixes are the prefixes Twilio documents for the Sids its voice and messaging
// webhooks carry; a *Sid parameter not listed needs only sidShape.
var sidPrefixes = map[string][]string{
	"AccountSid":          {"AC"},
	"CallSid":             {"CA"},
	"ParentCallSid":       {"CA"},
	"DialCallSid":         {"CA"},
	"MessageSid":          {"SM", "MM"},
	"SmsSid":              {"SM", "MM"},
	"SmsMessageSid":       {"SM", "MM"},
	"MessagingServiceSid": {"MG"},
	"QueueSid":            {"QU"},
	"RecordingSid":        {"RE"},
	"ConferenceSid":       {"CF"},
	"PaymentSid":          {"PK"},
	"ApplicationSid":      {"AP"},
	"TranscriptionSid":    {"TR"},
}

// isSid reports whether s has the shape of a Twilio Sid with one of the prefixes.
func isSid(s string, prefixes ...string) bool {
	if !sidShape.MatchString(s) {
		return false
	}
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return len(prefixes) == 0
}

// checkSids refuses a webhook whose Sids are not what Twilio sends: the account's Sid must
// be ours, and every other *Sid parameter present must have its documented shape (SmsSid
// and SmsMessageSid the MessageSid itself). An optional Sid sent empty passes: it names
// nothing; a webhook without the Sid its route keys on is refused by the route's form.
func checkSids(form url.Values, account string) error {
	if got := form.Get("AccountSid"); got != account {
		return fmt.Errorf("AccountSid %q is not this line's account", got)
	}
	// SmsSid and SmsMessageSid are "the same value as MessageSid" (deprecated duplicates).
	for _, k := range []string{"SmsSid", "SmsMessageSid"} {
		if vs, ok := form[k]; ok && (len(vs) != 1 || vs[0] != form.Get("MessageSid")) {
			return fmt.Errorf("%s is not the MessageSid", k)
		}
	}
	for k, vs := range form {
		if !strings.HasSuffix(k, "Sid") {
			continue
		}
		for _, v := range vs {
			if v == "" && k != "AccountSid" {
				continue
			}
			if !isSid(v, sidPrefixes[k]...) {
				return fmt.Errorf("%s %q is not a Twilio Sid of its kind", k, v)
			}
		}
	}
	return nil
}
