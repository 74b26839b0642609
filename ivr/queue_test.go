package ivr_test

import (
	"net/url"
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
)

// A caller in the queue hears their place, again each time Twilio fetches the wait URL,
// and, in the last half hour before the helpdesk closes, when it closes.
func TestTheQueueSaysThePlaceAndAClosingSoon(t *testing.T) {
	for _, tc := range []struct {
		name, now string
		want, not []string
	}{
		{"morning", monday, []string{"You're number three in the queue.", `<Pause length="30"`}, []string{"closes"}},
		{"17:29, closing in 31 minutes", "2026-11-30 17:29", []string{"number three"}, []string{"closes"}},
		{"17:40, closing soon", "2026-11-30 17:40",
			[]string{"You're number three in the queue.", "The helpdesk closes at six p.m. today."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLine(t, tc.now)
			status, body := l.signedPost("/twilio/voice/queue/wait", url.Values{"CallSid": {servertest.Sid("CA", 0x9a17)},
				"From": {alex}, "QueuePosition": {"3"}})
			body = strings.ReplaceAll(body, "&apos;", "'")
			if status != 200 {
				t.Fatalf("wait: %d %s", status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("wait says %s, want %q in it", body, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("wait says %s, want no %q in it", body, w)
				}
			}
		})
	}
}
