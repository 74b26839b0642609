package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"permitline/domain/pin"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/fixtures"
	"permitline/ivr/speak"
	"permitline/ivr/twiliosim"
)

// crashToken signs the webhooks of the crash test's line.
const crashToken = "c0ffee00000000000000000000000001"

// crashLine runs the real permitline binary as a child process, on one database file
// and one loopback port, and kills and restarts it as a crash would.
type crashLine struct {
	t       *testing.T
	bin, db string
	addr    string // 127.0.0.1:PORT
	url     string // http://127.0.0.1:PORT
	// public is the base URL the server signs against and builds its URLs from
	// (--public-url): url unless set, the one address of every node of a line.
	public string
	// now is the clock the next server starts at (--now): testNow unless set.
	now      string
	env      []string
	logs     servertest.LogBuffer // every server's stdout and stderr, in order
	servers  int
	current  *serveProc
	healthzc *http.Client
}

// serveProc is one running `permitline serve`.
type serveProc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been waited for
	err  error         // Wait's error, once done is closed
}

func (s *serveProc) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// kill SIGKILLs the server, as a crash or the OOM killer would, and waits for it.
func (l *crashLine) kill() {
	l.t.Helper()
	s := l.current
	if s == nil {
		return
	}
	l.current = nil
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		l.t.Errorf("SIGKILL: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		l.t.Fatalf("server pid %d did not exit within 10s of SIGKILL", s.cmd.Process.Pid)
	}
	fmt.Fprintf(&l.logs, "=== server %d killed (%v)\n", l.servers, s.err)
}

// start starts `permitline serve` on the line's port and database and waits until
// /healthz answers 200.
func (l *crashLine) start(ctx context.Context) {
	l.t.Helper()
	if l.current != nil {
		l.t.Fatal("start: a server is already running")
	}
	l.servers++
	fmt.Fprintf(&l.logs, "=== server %d starting\n", l.servers)
	public, now := l.public, l.now
	if public == "" {
		public = l.url
	}
	if now == "" {
		now = testNow
	}
	cmd := exec.Command(l.bin, "serve", "--addr", l.addr, "--public-url", public, "--db", l.db, "--now", now)
	cmd.Env = l.env
	cmd.Stdout = &l.logs
	cmd.Stderr = &l.logs
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("starting the server: %v", err)
	}
	s := &serveProc{cmd: cmd, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	l.current = s

	deadline := time.Now().Add(10 * time.Second)
	for {
		if s.exited() {
			l.current = nil
			l.t.Fatalf("server %d exited before answering /healthz: %v", l.servers, s.err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url+"/healthz", nil)
		if err != nil {
			l.t.Fatal(err)
		}
		resp, err := l.healthzc.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			l.t.Fatalf("server %d: /healthz did not answer 200 within 10s: %v", l.servers, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// restart kills the running server and starts a new one on the same port and database.
func (l *crashLine) restart(ctx context.Context) {
	l.t.Helper()
	l.kill()
	l.start(ctx)
}

// cli runs a one-shot command of the binary on the line's database at testNow; it must
// exit 0. It returns stdout.
func (l *crashLine) cli(ctx context.Context, args ...string) string {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.bin, append(args, "--db", l.db, "--now", testNow)...)
	cmd.Env = l.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		l.t.Fatalf("permitline %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// visits returns the account's upcoming visits as `visits list --json` gives them.
func (l *crashLine) visits(ctx context.Context, account string) []visitJSON {
	l.t.Helper()
	var vs []visitJSON
	out := l.cli(ctx, "visits", "list", account, "--json")
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		l.t.Fatalf("visits list --json: %v\n%s", err, out)
	}
	return vs
}

// buildPermitline builds this package's binary into dir.
// newCrashLine returns a line for the binary bin on the database db, on a free loopback
// address; its server is killed when the test ends, and its output shown if the test failed.
func newCrashLine(t *testing.T, bin, db string, env []string, healthz time.Duration) *crashLine {
	addr := freeLoopbackAddr(t)
	l := &crashLine{t: t, bin: bin, db: db, addr: addr, url: "http://" + addr, env: env,
		healthzc: &http.Client{Timeout: healthz}}
	t.Cleanup(func() {
		if l.current != nil {
			_ = l.current.cmd.Process.Kill()
			<-l.current.done
		}
		if t.Failed() {
			t.Logf("the servers' output:\n%s", l.logs.String())
		}
	})
	return l
}

// freshCrashLine builds the binary and returns a line for it on a new database, with the
// demo's Twilio account and crashToken.
func freshCrashLine(t *testing.T) *crashLine {
	dir := t.TempDir()
	bin := buildPermitline(t, dir)
	return newCrashLine(t, bin, filepath.Join(dir, "permitline.db"), lineEnv(crashToken), time.Second)
}

// lineEnv is the environment of a server under test: this process's, with the test PIN
// key, the demo's Twilio account and token as its signing token.
func lineEnv(token string) []string {
	return append(os.Environ(), "PERMITLINE_PIN_KEY="+pin.TestKey, "TWILIO_AUTH_TOKEN="+token,
		"TWILIO_ACCOUNT_SID="+fixtures.DemoAccountSid)
}

// seedDemo seeds the demo accounts and returns Alex Morgan's account number.
func (l *crashLine) seedDemo(ctx context.Context) string {
	l.t.Helper()
	if out := l.cli(ctx, "demo", "--seed-only"); !strings.Contains(out, "Alex Morgan") {
		l.t.Fatalf("demo --seed-only did not list Alex Morgan:\n%s", out)
	}
	var residents []residentJSON
	if out := l.cli(ctx, "resident", "list", "--json"); json.Unmarshal([]byte(out), &residents) != nil {
		l.t.Fatalf("resident list --json:\n%s", out)
	}
	for _, r := range residents {
		if r.Name == "Alex Morgan" {
			return r.Account
		}
	}
	l.t.Fatalf("no Alex Morgan among %+v", residents)
	return ""
}

func buildPermitline(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go tool is not available: %v", err)
	}
	pkgDir, err := os.Getwd() // go test runs a test in its package's directory
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "permitline")
	// A cold build cache can take a while (the SQLite driver is large); the time budget
	// of the test proper starts after the build.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".")
	cmd.Dir = pkgDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeLoopbackAddr returns 127.0.0.1:PORT for a port nothing listens on just now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// crashTurn checks a turn of the crash test's call.
func crashTurn(t *testing.T, what string, turn twiliosim.Turn, err error, want, never []string) twiliosim.Turn {
	t.Helper()
	heard := strings.Join(turn.Said, " ")
	if err != nil {
		t.Fatalf("%s: %v\nheard: %s", what, err, heard)
	}
	if turn.Ended {
		t.Fatalf("%s: the call ended (%s); heard: %s", what, turn.EndReason, heard)
	}
	if turn.Wait.Kind != "gather" {
		t.Fatalf("%s: the call waits for %q, want a gather; heard: %s", what, turn.Wait.Kind, heard)
	}
	for _, p := range want {
		if !strings.Contains(heard, p) {
			t.Fatalf("%s: expected to hear %q; heard:\n%s", what, p, heard)
		}
	}
	for _, p := range never {
		if strings.Contains(heard, p) {
			t.Fatalf("%s: did not expect to hear %q; heard:\n%s", what, p, heard)
		}
	}
	return turn
}

var gatherActionRE = regexp.MustCompile(`<Gather[^>]* action="([^"]+)"`)

// TestServeSurvivesSIGKILLMidCall runs the real binary, SIGKILLs it while a caller waits
// at the confirmation of a visit, and checks that a new process on the same database
// carries the same call on: the caller confirms, the visit is made once, and a kill right
// after the confirmation loses nothing and doubles nothing, even when Twilio sends the
// confirmation again.
func TestServeSurvivesSIGKILLMidCall(t *testing.T) {
	l := freshCrashLine(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	account := l.seedDemo(ctx)
	before := l.visits(ctx, account)

	l.start(ctx)

	// Twilio's own HTTP client; its idle connections to a killed process are dropped on
	// restart, as Twilio's would be.
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	call, err := twiliosim.Dial(ctx, twiliosim.Config{BaseURL: l.url, PublicURL: l.url, AuthToken: crashToken,
		From: "+447700900123", To: "+443455207007", Client: &http.Client{Timeout: 15 * time.Second, Transport: transport}})
	if err != nil {
		t.Fatalf("dialling: %v", err)
	}
	turn, err := call.Next(ctx)
	crashTurn(t, "answering", turn, err, []string{"key your phone PIN"}, nil)
	turn, err = call.Press(ctx, "2580#")
	crashTurn(t, "the PIN", turn, err, []string{"To activate a visit, press 1."}, nil)
	turn, err = call.Press(ctx, "1")
	crashTurn(t, "activate", turn, err, []string{"Which vehicle is the visit for?", "For A, B, one, two. C, D, E, press 1."}, nil)
	turn, err = call.Press(ctx, "1")
	crashTurn(t, "the saved vehicle", turn, err, []string{"For tomorrow, Tuesday the first of December, press 2."}, nil)
	turn, err = call.Press(ctx, "2")
	confirm := crashTurn(t, "tomorrow", turn, err,
		[]string{"That's one visit for A, B, one, two. C, D, E tomorrow, Tuesday the first of December", "If that's right, press 1."}, nil)
	if len(confirm.TwiML) == 0 {
		t.Fatal("no TwiML kept for the confirmation")
	}
	m := gatherActionRE.FindStringSubmatch(confirm.TwiML[len(confirm.TwiML)-1])
	if m == nil {
		t.Fatalf("no <Gather action> in the confirmation:\n%s", confirm.TwiML[len(confirm.TwiML)-1])
	}
	confirmURL := html.UnescapeString(m[1])
	if !strings.HasPrefix(confirmURL, l.url+"/twilio/voice/step?s=") {
		t.Fatalf("the confirmation's answer goes to %s, not to this line's step URL", confirmURL)
	}
	if got := l.visits(ctx, account); len(got) != len(before) {
		t.Fatalf("R16: nothing is used before the caller confirms; visits %+v, were %+v", got, before)
	}

	// The process dies while the caller is thinking; a new one takes over.
	l.restart(ctx)
	transport.CloseIdleConnections()

	turn, err = call.Press(ctx, "1")
	done := crashTurn(t, "confirming after a SIGKILL", turn, err,
		[]string{"Done. A, B, one, two. C, D, E has a visit tomorrow, Tuesday the first of December.",
			"Your reference is ", "You have eight visits left.", "To activate a visit, press 1."},
		[]string{"PIN", "Welcome", "Sorry", "Goodbye", "application error"})
	heardDone := strings.Join(done.Said, " ")

	// Killed again right after the confirmation, then restarted.
	l.restart(ctx)
	transport.CloseIdleConnections()

	// Exactly one new visit: AB12CDE tomorrow, active, the one whose reference was read out.
	after := l.visits(ctx, account)
	var made []visitJSON
	for _, v := range after {
		known := false
		for _, b := range before {
			known = known || b.Ref == v.Ref
		}
		if !known {
			made = append(made, v)
		}
	}
	if len(after) != len(before)+1 || len(made) != 1 {
		t.Fatalf("want exactly one new visit; before %+v, after %+v", before, after)
	}
	v := made[0]
	if v.VRM != "AB12CDE" || v.Date != "2026-12-01" || v.Status != "active" || v.Channel != "voice" {
		t.Fatalf("the visit made: %+v; want AB12CDE on 2026-12-01, active, by voice", v)
	}
	if spoken := "Your reference is " + speak.Digits(v.Ref) + "."; !strings.Contains(heardDone, spoken) {
		t.Fatalf("the caller was told another reference than %s (%q); heard:\n%s", v.Ref, spoken, heardDone)
	}

	// Twilio sends the confirmation again (its answer was lost): the new process answers
	// as before and makes nothing new.
	params := url.Values{"AccountSid": {fixtures.DemoAccountSid}, "ApiVersion": {"2010-04-01"},
		"CallSid": {call.Sid()}, "CallStatus": {"in-progress"}, "Direction": {"inbound"},
		"From": {"+447700900123"}, "To": {"+443455207007"}, "Caller": {"+447700900123"}, "Called": {"+443455207007"},
		"Digits": {"1"}}
	req, err := twiliosim.NewRequest(ctx, crashToken, confirmURL, params)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("replaying the confirmation: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), speak.Digits(v.Ref)) ||
		!strings.Contains(string(body), "Done.") {
		t.Fatalf("the replayed confirmation answered %s:\n%s\nwant the kept answer with reference %s", resp.Status, body, v.Ref)
	}
	if got := l.visits(ctx, account); len(got) != len(after) {
		t.Fatalf("a replayed confirmation changed the visits: %+v, were %+v", got, after)
	}

	// The call goes on at the menu with the new process, and hangs up cleanly.
	turn, err = call.Press(ctx, "3")
	crashTurn(t, "the balance after two restarts", turn, err, []string{"with eight visits left."},
		[]string{"PIN", "Welcome", "Sorry", "application error"})
	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("hanging up: %v", err)
	}

	// No process logged an error while answering.
	if logs := l.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("a server logged an error:\n%s", logs)
	}
}
