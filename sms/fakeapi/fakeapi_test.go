package fakeapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"permitline/sms/fakeapi"
)

const account = "AC0123456789abcdef0123456789abcdef"

func serve(t *testing.T) (*fakeapi.Server, *url.URL, *http.Client) {
	t.Helper()
	fake := fakeapi.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return fake, u, &http.Client{Transport: fakeapi.Transport(u, nil), Timeout: 5 * time.Second}
}

func post(t *testing.T, c *http.Client, rawURL string, form url.Values, auth bool) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth {
		req.SetBasicAuth(account, "secret")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return res.StatusCode, body
}

var messagesURL = "https://api.twilio.com/2010-04-01/Accounts/" + account + "/Messages.json"

func TestCreateMessage(t *testing.T) {
	fake, _, c := serve(t)
	var hooked []fakeapi.Message
	fake.OnMessage = func(m fakeapi.Message) { hooked = append(hooked, m) }
	form := url.Values{"To": {"+447700900123"}, "From": {"+447700900999"}, "Body": {"Hello"},
		"StatusCallback": {"https://line.example/twilio/sms/status"}}
	status, body := post(t, c, messagesURL, form, true)
	if status != http.StatusCreated {
		t.Fatalf("status %d: %v", status, body)
	}
	sid, _ := body["sid"].(string)
	if !regexp.MustCompile(`^SM[0-9a-f]{32}$`).MatchString(sid) {
		t.Fatalf("sid %q", sid)
	}
	for k, want := range map[string]string{"status": "queued", "to": "+447700900123", "from": "+447700900999",
		"body": "Hello", "account_sid": account, "direction": "outbound-api"} {
		if body[k] != want {
			t.Errorf("%s = %v, want %s", k, body[k], want)
		}
	}
	if _, err := time.Parse(time.RFC1123Z, body["date_created"].(string)); err != nil {
		t.Errorf("date_created: %v", err)
	}
	got := fake.Messages()
	if len(got) != 1 || got[0].Sid != sid || got[0].To != "+447700900123" || got[0].AccountSid != account ||
		got[0].StatusCallback != "https://line.example/twilio/sms/status" || got[0].At.IsZero() {
		t.Fatalf("recorded %+v", got)
	}
	if len(hooked) != 1 || hooked[0] != got[0] {
		t.Fatalf("hook saw %+v", hooked)
	}
}

func TestRefusals(t *testing.T) {
	fake, _, c := serve(t)
	ok := url.Values{"To": {"+447700900123"}, "From": {"+447700900999"}, "Body": {"Hello"}}
	if status, body := post(t, c, messagesURL, ok, false); status != http.StatusUnauthorized || body["code"] != 20003.0 {
		t.Fatalf("without auth: %d %v", status, body)
	}
	if status, body := post(t, c, "https://api.twilio.com/2010-04-01/Accounts/"+account+"/Queues.json", ok, true); status != http.StatusNotFound || body["code"] != 20404.0 || body["status"] != 404.0 {
		t.Fatalf("unknown path: %d %v", status, body)
	}
	noTo := url.Values{"From": {"+447700900999"}, "Body": {"Hello"}}
	if status, body := post(t, c, messagesURL, noTo, true); status != http.StatusBadRequest || body["code"] != 21604.0 {
		t.Fatalf("without To: %d %v", status, body)
	}
	fake.FailNext(2, http.StatusInternalServerError)
	for range 2 {
		status, body := post(t, c, messagesURL, ok, true)
		if status != 500 || body["code"] != 20500.0 || body["status"] != 500.0 || body["message"] == "" {
			t.Fatalf("failing: %d %v", status, body)
		}
	}
	if status, _ := post(t, c, messagesURL, ok, true); status != http.StatusCreated {
		t.Fatalf("after the failures: %d", status)
	}
	if n := len(fake.Messages()); n != 1 {
		t.Fatalf("%d messages recorded, want 1", n)
	}
	if n := fake.Requests(); n != 5 {
		t.Fatalf("%d requests counted, want 5", n)
	}
}

func TestDelayDropsAbandonedRequests(t *testing.T) {
	fake, u, _ := serve(t)
	fake.Delay(2 * time.Second)
	c := &http.Client{Transport: fakeapi.Transport(u, nil), Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest(http.MethodPost, messagesURL, strings.NewReader("To=%2B447700900123&From=x&Body=y"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(account, "secret")
	if _, err := c.Do(req); err == nil {
		t.Fatal("want a timeout")
	}
	fake.Delay(0)
	time.Sleep(50 * time.Millisecond)
	if n := len(fake.Messages()); n != 0 {
		t.Fatalf("%d messages recorded for an abandoned request", n)
	}
}

func TestTransport(t *testing.T) {
	_, u, c := serve(t)
	// Any Twilio host goes to the fake, path and query kept.
	for _, host := range []string{"api.twilio.com", "api.dublin.ie1.twilio.com", "TWILIO.COM"} {
		res, err := c.Get("https://" + host + "/2010-04-01/Nowhere.json?x=1")
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "/2010-04-01/Nowhere.json") {
			t.Fatalf("%s: %d %s", host, res.StatusCode, b)
		}
	}
	// Loopback hosts and the target itself are allowed.
	for _, raw := range []string{u.String() + "/x", "http://localhost:" + u.Port() + "/x"} {
		res, err := c.Get(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		res.Body.Close()
	}
	// Anything else is refused before it leaves the machine.
	for _, raw := range []string{"https://example.com/", "https://twilio.com.evil.example/", "http://10.0.0.1/",
		"https://api.twilio.co/", "http://[2001:db8::1]/"} {
		_, err := c.Get(raw)
		var refused *fakeapi.RefusedError
		if !errors.As(err, &refused) {
			t.Fatalf("%s: want a refusal, got %v", raw, err)
		}
	}
	// Without a target, Twilio is refused too.
	c = &http.Client{Transport: fakeapi.Transport(nil, nil)}
	var refused *fakeapi.RefusedError
	if _, err := c.Get(messagesURL); !errors.As(err, &refused) {
		t.Fatalf("no target: want a refusal, got %v", err)
	}
}
