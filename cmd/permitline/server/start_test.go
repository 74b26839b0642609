package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"permitline/cmd/permitline/server"
	"permitline/cmd/permitline/server/servertest"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// The start page at / says what is running: the webhooks to set on the Twilio number (from
// the public URL), the desk, /healthz and the version, under the desk's content policy.
func TestStartPage(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	resp, body := get(t, l.Srv.URL+"/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for _, want := range []string{
		"<code>" + l.Srv.URL + "/twilio/voice</code>",
		"<code>" + l.Srv.URL + "/twilio/voice/status</code>",
		"<code>" + l.Srv.URL + "/twilio/sms</code>",
		`<a href="/desk/">`,
		`<a href="/healthz">`,
		"<code>/metrics</code>: the line’s figures",
		"Version <strong>" + server.Version() + "</strong>",
		"<strong>Mon 30 Nov 2026 10:00</strong> (London)",
		`<link rel="stylesheet" href="/desk/static/desk.css">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the start page does not show %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, " style=") || strings.Contains(body, "<style") {
		t.Errorf("the start page has inline script or style:\n%s", body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", resp.Header)
	}
	if resp, _ := get(t, l.Srv.URL+"/desk/static/desk.css"); resp.StatusCode != http.StatusOK {
		t.Errorf("the page's stylesheet: %d", resp.StatusCode)
	}
	if resp, _ := get(t, l.Srv.URL+"/nothing-here"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nothing-here: %d, want 404", resp.StatusCode)
	}
	post, err := http.Post(l.Srv.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", post.StatusCode)
	}

	health, body := get(t, l.Srv.URL+"/healthz")
	if health.StatusCode != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", health.StatusCode, body)
	}
	if v := health.Header.Get(server.VersionHeader); v == "" || v != server.Version() {
		t.Errorf("/healthz %s = %q, want %q", server.VersionHeader, v, server.Version())
	}
}
