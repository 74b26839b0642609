package ivr_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"permitline/cmd/permitline/server"
	"permitline/domain"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
	"permitline/fixtures"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
)

var stepRE = regexp.MustCompile(`/twilio/voice/step\?s=(\d+)"`)

// BenchmarkWebhookStep measures one step of a call through the real handler: the
// signature check, parsing, loading the conversation, stepping the flow (hearing the
// balance), saving, keeping the reply and rendering TwiML. Each iteration is a new step
// of the same call, at the main menu.
func BenchmarkWebhookStep(b *testing.B) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	clock := domain.NewManualClock(at(b, monday))
	svc := domain.New(domain.Config{Store: store, Clock: clock, Holidays: fixtures.MustBankHolidays(), PIN: pin.TestKeyed()})
	if _, err := fixtures.SeedDemo(ctx, store, fixtures.MustBankHolidays(), clock.Now(), bcrypt.MinCost, pin.TestKeyed()); err != nil {
		b.Fatal(err)
	}
	const base = "https://permits.example"
	h := server.New(server.Config{PublicURL: base, AuthToken: token, AccountSid: fixtures.DemoAccountSid, Voice: ivr.Voice{Name: "Polly.Amy"}}, svc,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	send := func(path string, params url.Values) string {
		req, err := twiliosim.NewRequest(ctx, token, base+path, params)
		if err != nil {
			b.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		m := stepRE.FindStringSubmatch(rec.Body.String())
		if m == nil {
			b.Fatalf("no step in %s", rec.Body)
		}
		return m[1]
	}
	call := url.Values{"CallSid": {"CAbebebebebebebebebebebebebebebebe"}, "From": {alex}, "To": {"+443455207007"}, "CallStatus": {"in-progress"},
		"AccountSid": {fixtures.DemoAccountSid}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}}
	with := func(k, v string) url.Values {
		p := url.Values{}
		for key, vs := range call {
			p[key] = vs
		}
		p.Set(k, v)
		return p
	}
	step := send("/twilio/voice", call)
	step = send("/twilio/voice/step?s="+step, with("Digits", "2580"))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step = send("/twilio/voice/step?s="+step, with("Digits", "3"))
	}
}
