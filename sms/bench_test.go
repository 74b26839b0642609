package sms_test

import (
	"fmt"
	"net/url"
	"testing"

	"permitline/cmd/permitline/server/servertest"
)

// BenchmarkText measures one incoming text through the real server: the signature check,
// the MessageSid record, the command and its reply. BAL reads the balance; the repeated
// VISITOR activates once, then runs every rule in the write transaction and is refused
// (R18) each time after.
func BenchmarkText(b *testing.B) {
	for _, bodies := range [][]string{{"BAL"}, {"VISITOR AB12CDE TUE"}} {
		b.Run(bodies[0], func(b *testing.B) {
			l := servertest.New(b, "2026-11-30 10:00")
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				status, _ := l.SignedPost("/twilio/sms", url.Values{"MessageSid": {fmt.Sprintf("SM%032x", i)},
					"From": {alex}, "To": {line}, "Body": {bodies[i%len(bodies)]}})
				if status != 200 {
					b.Fatal(status)
				}
			}
		})
	}
}
