package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
)

// A port in use stops demo and serve before they print anything as if they ran: the
// message names the address and the flag that picks another, the exit is not 0, and the
// database a --fresh demo would have replaced is left as it was.
func TestABusyPortSaysWhichFlagPicksAnother(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	c := newCLI(t)
	before := demoAccounts(t, c.ok("demo", "--seed-only"))

	check := func(r result, what string) {
		t.Helper()
		if r.code != 1 || r.stdout != "" {
			t.Errorf("%s on a busy port: exit %d, stdout %q; want exit 1 and nothing on stdout", what, r.code, r.stdout)
		}
		assertOneLine(t, r.stderr)
		for _, want := range []string{addr + " is already in use", "--addr"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s on a busy port: stderr %q does not say %q", what, r.stderr, want)
			}
		}
	}
	check(c.run("demo", "--fresh", "--addr", addr), "demo --fresh")
	if n := len(c.residents()); n != len(before)-1 { // Jordan Morgan is a member, not an account
		t.Errorf("%d accounts after a demo --fresh that could not listen, want the %d it had", n, len(before)-1)
	}

	t.Setenv("TWILIO_AUTH_TOKEN", goodToken)
	t.Setenv("TWILIO_ACCOUNT_SID", goodSid)
	check(c.run("serve", "--addr", addr), "serve")
}

// runningDemo is `permitline demo` running in-process until the test ends.
type runningDemo struct {
	addr           string
	stdout, stderr *servertest.LogBuffer
}

func startDemo(t *testing.T, args ...string) *runningDemo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &runningDemo{stdout: &servertest.LogBuffer{}, stderr: &servertest.LogBuffer{}}
	done := make(chan int, 1)
	args = append([]string{"demo", "--fresh", "--db", filepath.Join(t.TempDir(), "demo.db"), "--addr", "127.0.0.1:0"}, args...)
	go func() { done <- run(ctx, args, strings.NewReader(""), d.stdout, d.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("demo exited %d on shutdown; stderr:\n%s", code, d.stderr)
			}
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop")
		}
	})
	desk := regexp.MustCompile(`The agent desk is at http://([^/]+)/desk/`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("demo exited %d: stdout %q, stderr %q", code, d.stdout, d.stderr)
		default:
		}
		if m := desk.FindStringSubmatch(d.stdout.String()); m != nil {
			d.addr = m[1]
			return d
		}
	}
	t.Fatalf("demo printed no banner: %q", d.stdout)
	return nil
}

// The banner comes once the port is bound, names the bound address (so call and text are
// told where the line is), and the start page answers there.
func TestDemoBannerNamesTheBoundAddress(t *testing.T) {
	d := startDemo(t)
	out := d.stdout.String()
	if strings.HasSuffix(d.addr, ":0") || !strings.Contains(out, "call --from 07700900123 --url http://"+d.addr+"\n") ||
		!strings.Contains(out, "What runs, and the webhooks Twilio would call, are at http://"+d.addr+"/\n") {
		t.Errorf("the banner does not name the bound address:\n%s", out)
	}
	if i, j := strings.Index(out, "You can be:"), strings.Index(out, "The demo line is starting"); i < 0 || j < i {
		t.Errorf("the demo accounts should come before the banner:\n%s", out)
	}
	resp, err := http.Get("http://" + d.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<code>http://"+d.addr+"/twilio/voice</code>") {
		t.Errorf("the start page: %d\n%s", resp.StatusCode, body)
	}
}

// A line run on --now logs its own clock beside the real time, so a demo's logs read at
// the moments the line acted.
func TestDemoLogsCarryTheLinesClock(t *testing.T) {
	d := startDemo(t, "--now", testNow)
	if r := invoke("text", "--url", "http://"+d.addr, "VISITOR AB12CDE"); r.code != 0 {
		t.Fatalf("text: %+v", r)
	}
	var answered map[string]any
	for _, line := range strings.Split(d.stderr.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "text answered" {
			answered = rec
		}
	}
	if answered == nil {
		t.Fatalf("no log line for the text:\n%s", d.stderr)
	}
	clock, _ := answered["clock"].(string)
	at, err := time.Parse(time.RFC3339Nano, clock)
	start, _ := time.Parse(time.RFC3339, testNow)
	if err != nil || at.Before(start) || at.Sub(start) > time.Minute {
		t.Errorf("the text's log line has clock %q, want the line's clock, from %s: %v", clock, testNow, answered)
	}
	if real, _ := time.Parse(time.RFC3339Nano, answered["time"].(string)); time.Since(real) > time.Minute {
		t.Errorf("the log line's time %v is not the real time", answered["time"])
	}
	for _, line := range strings.Split(strings.TrimSpace(d.stderr.String()), "\n") {
		if strings.HasPrefix(line, "{") && !strings.Contains(line, `"clock":"2026-11-30T10:0`) {
			t.Errorf("a log line without the line's clock: %s", line)
		}
	}
}
