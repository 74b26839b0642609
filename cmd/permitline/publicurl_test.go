package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server"
	"permitline/cmd/permitline/server/servertest"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
	"permitline/sms/fakeapi"
)

// Each form of --public-url an operator may type gives action URLs the simulated Twilio can
// follow through a whole call (the PIN, an activation, the helpdesk queue, the status
// callback), behind a proxy that keeps the path prefix and one that strips it, and outgoing
// texts whose status callback reaches the line.
func TestEveryFormOfPublicURLCarriesAWholeCall(t *testing.T) {
	for _, tc := range []struct{ raw, public string }{
		{"https://permits.example.gov.uk", "https://permits.example.gov.uk"},
		{"https://permits.example.gov.uk/", "https://permits.example.gov.uk"},
		{"https://council.example/permits", "https://council.example/permits"},
		{"https://council.example/permits/", "https://council.example/permits"},
		{"  HTTPS://council.example:8443/a/permits//  ", "https://council.example:8443/a/permits"},
	} {
		public, err := ivr.NormalisePublicURL(tc.raw)
		if err != nil || public != tc.public {
			t.Fatalf("NormalisePublicURL(%q) = %q, %v; want %q", tc.raw, public, err, tc.public)
		}
		prefix := strings.TrimPrefix(strings.TrimPrefix(public, "https://"), strings.SplitN(strings.TrimPrefix(public, "https://"), "/", 2)[0])
		proxies := map[string]string{"a proxy that strips the prefix": ""}
		if prefix != "" {
			proxies["a proxy that keeps the prefix"] = prefix
		}
		for proxy, kept := range proxies {
			t.Run(tc.raw+" behind "+proxy, func(t *testing.T) { wholeCallAt(t, public, kept) })
		}
	}
}

func wholeCallAt(t *testing.T, public, kept string) {
	l := servertest.New(t, "2026-11-30 10:00")
	fake := fakeapi.New()
	fake.Now = l.Clock.Now
	api := httptest.NewServer(fake)
	defer api.Close()
	target, _ := url.Parse(api.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &env{svc: l.Svc, stdout: io.Discard, stderr: io.Discard}
	sender := e.sender(public, servertest.Token, servertest.AccountSid,
		twilioAPI{client: &http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second}}, nil, log)
	srv := httptest.NewServer(server.New(server.Config{PublicURL: public, AuthToken: servertest.Token,
		AccountSid: servertest.AccountSid, TextStatus: sender.RecordStatus}, l.Svc, log))
	defer srv.Close()
	cfg := twiliosim.Config{BaseURL: srv.URL + kept, PublicURL: public, AuthToken: servertest.Token,
		From: "+447700900123", To: "+443455207007"}
	ctx := context.Background()

	call, err := twiliosim.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	turn, err := call.Next(ctx)
	for _, k := range []string{"2580", "1", "1", "2", "1"} { // the PIN, then a visit for AB12CDE tomorrow
		if err != nil || turn.Ended {
			t.Fatalf("before %q: %+v %v", k, turn, err)
		}
		turn, err = call.Press(ctx, k)
	}
	if err != nil || turn.Ended || len(l.Upcoming("Alex Morgan")) != 1 {
		t.Fatalf("the activation: %+v %v", turn, err)
	}
	for _, doc := range turn.TwiML {
		if strings.Contains(doc, public+"/twilio/") == false || strings.Contains(doc, "//twilio") {
			t.Fatalf("TwiML whose URLs are not under %s:\n%s", public, doc)
		}
	}
	// The helpdesk: the queue's waitUrl and action.
	for turn.Wait.Kind == "gather" && err == nil {
		turn, err = call.Press(ctx, "0")
	}
	if err != nil || turn.Wait.Kind != "queue" {
		t.Fatalf("the helpdesk: %+v %v", turn, err)
	}
	if _, err := call.LeaveQueue(ctx, "hangup"); err != nil {
		t.Fatalf("the status callback: %v", err)
	}
	if _, err := sender.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].StatusCallback, public+"/twilio/sms/status") {
		t.Fatalf("the confirmation text's status callback: %+v", msgs)
	}
	// Twilio's status callback for the text, at that URL, is checked and recorded.
	rest := strings.TrimPrefix(msgs[0].StatusCallback, public)
	req, err := twiliosim.NewRequest(ctx, servertest.Token, msgs[0].StatusCallback, url.Values{"MessageSid": {msgs[0].Sid},
		"MessageStatus": {"delivered"}, "AccountSid": {servertest.AccountSid}})
	if err != nil {
		t.Fatal(err)
	}
	req.URL, _ = url.Parse(srv.URL + kept + rest)
	req.Host = req.URL.Host
	if status, body := servertest.Do(t, req); status != http.StatusNoContent {
		t.Fatalf("the text's status callback: %d %s", status, body)
	}
}

func TestAnInvalidPublicURLRefusesToStart(t *testing.T) {
	t.Setenv("TWILIO_AUTH_TOKEN", strings.Repeat("0123456789abcdef", 2))
	t.Setenv("TWILIO_ACCOUNT_SID", "AC"+strings.Repeat("0123456789abcdef", 2))
	for _, raw := range []string{"permits.example.gov.uk", "ftp://permits.example.gov.uk", "https://", "https:///twilio",
		"https://permits.example.gov.uk/?x=1", "https://permits.example.gov.uk/#top", "https://user:pw@permits.example.gov.uk"} {
		r := invoke("serve", "--db", t.TempDir()+"/x.db", "--addr", "127.0.0.1:0", "--public-url", raw)
		if r.code == 0 || !strings.Contains(r.stderr, "public URL") || !strings.Contains(r.stderr, "--public-url") {
			t.Errorf("serve --public-url %q: %+v", raw, r)
		}
	}
}
