package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/fixtures"
	"permitline/ivr/twiliosim"
)

// The fault tests run the real binary on a database in a small tmpfs, break the file
// system under the running server (a full disk; a read-only file system), drive the phone
// and text webhooks through the fault and after it, and check that every answer is a
// polite, valid one, that the server keeps running and recovers by itself, and that
// nothing is half-written or written twice.

const (
	faultToken = "fa017000000000000000000000000002"
	alexPhone  = "+447700900123"
	lineNumber = "+443455207007"

	// What the line says when the service itself fails (ivr.fallback), with the helpdesk
	// open, and what a text is answered with (sms.Handler.Incoming).
	voiceApology = "Sorry, something has gone wrong on our side, and nothing has been changed. Let me put you through to the helpdesk."
	textApology  = "Sorry, something went wrong on our side and nothing was changed."

	// slowestAnswer is the longest any webhook may take to be answered, fault or not: the
	// server's own timeout is 10 seconds, and Twilio gives up after 15.
	slowestAnswer = 10 * time.Second

	tmpfsMagic = 0x01021994 // statfs f_type of a tmpfs
)

// TestServeSurvivesAFullDisk fills the file system under a running line's database:
// every webhook that must write is answered with the apology and, the helpdesk being open,
// a transfer to it (texts with the apology), never an error status or a hang; the server
// keeps running, and once space is freed the same process carries on: the steps that
// failed can be taken again, and every visit is stored exactly once.
func TestServeSurvivesAFullDisk(t *testing.T) {
	runFaultScenario(t, "full disk", func(t *testing.T, f *faultLine) (clear func()) {
		junk := filepath.Join(f.dir, "junk")
		n := fillDisk(t, junk)
		t.Logf("the disk is full: %d bytes of junk written before ENOSPC", n)
		return func() {
			if err := os.Remove(junk); err != nil {
				t.Fatalf("removing the junk: %v", err)
			}
		}
	})
}

// TestServeSurvivesAReadOnlyDatabase makes the file system under a running line's
// database read-only, then writable again, with the same expectations as a full disk.
//
// Linux refuses to remount a file system read-only while a process holds a file on it
// open for writing (EBUSY), and SQLite always holds its database and write-ahead log open
// read-write, so `mount -o remount,ro` cannot be done under a running server. The test
// tries it; when it is refused, it makes the file system read-only for the server as the
// kernel does after an emergency read-only remount (ext4's errors=remount-ro): every write
// to the database's files through the descriptors the server holds fails with EROFS. That
// is done by attaching strace to the server and injecting EROFS into the write system
// calls on those three files only; detaching strace makes the disk writable again.
func TestServeSurvivesAReadOnlyDatabase(t *testing.T) {
	runFaultScenario(t, "read-only file system", func(t *testing.T, f *faultLine) (clear func()) {
		out, err := exec.Command("mount", "-o", "remount,ro", f.dir).CombinedOutput()
		if err == nil {
			t.Logf("remounted %s read-only", f.dir)
			return func() {
				if out, err := exec.Command("mount", "-o", "remount,rw", f.dir).CombinedOutput(); err != nil {
					t.Fatalf("mount -o remount,rw %s: %v\n%s", f.dir, err, out)
				}
			}
		}
		t.Logf("mount -o remount,ro was refused, as Linux does while the server holds the database open "+
			"for writing (%v: %s); injecting EROFS into the server's writes to the database instead",
			err, strings.TrimSpace(string(out)))
		return injectEROFS(t, f)
	})
}

// faultLine is the line of a fault test: the real binary serving a database in a tmpfs.
type faultLine struct {
	*crashLine
	dir     string // the tmpfs the database is in
	account string // Alex Morgan's account
	hooks   *webhookLog
	client  *http.Client // Twilio's: every webhook goes through hooks
}

// runFaultScenario runs the scenario the fault tests share; inject breaks the file system
// under the running server and returns what mends it.
func runFaultScenario(t *testing.T, fault string, inject func(*testing.T, *faultLine) func()) {
	if _, err := exec.LookPath("mount"); err != nil {
		t.Skipf("no mount command: %v", err)
	}
	work := t.TempDir()
	dir := filepath.Join(work, "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mountTmpfs(t, dir, "8m")
	bin := buildPermitline(t, work)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	start := time.Now()

	hooks := &webhookLog{base: &http.Transport{}}
	defer hooks.base.CloseIdleConnections()
	// The server is killed before the tmpfs is unmounted: Cleanups run last first.
	f := &faultLine{crashLine: newCrashLine(t, bin, filepath.Join(dir, "permitline.db"), lineEnv(faultToken), 2*time.Second),
		dir: dir, hooks: hooks, client: &http.Client{Timeout: 15 * time.Second, Transport: hooks}}
	// Alex Morgan has two permits, nine visits left, AB12CDE saved.
	f.account = f.seedDemo(ctx)
	before := f.visits(ctx, f.account)
	leftBefore := f.visitsLeft(ctx)

	f.start(ctx)
	pid := f.current.cmd.Process.Pid

	// Three calls in progress when the fault comes: one at the PIN prompt, one at the menu,
	// one at the confirmation of a visit for tomorrow.
	atPIN := f.dial(ctx)
	pinURL := gatherAction(t, "the PIN prompt", atPIN.turn)
	atMenu := f.dial(ctx)
	atMenu.press(ctx, "2580#", "To activate a visit, press 1.")
	atConfirm := f.dial(ctx)
	atConfirm.press(ctx, "2580#", "To activate a visit, press 1.")
	atConfirm.press(ctx, "1", "Which vehicle is the visit for?")
	atConfirm.press(ctx, "1", "For tomorrow, Tuesday the first of December, press 2.")
	atConfirm.press(ctx, "2", "That's one visit for A, B, one, two. C, D, E tomorrow, Tuesday the first of December")
	confirmURL := gatherAction(t, "the confirmation", atConfirm.turn)

	// The fault.
	clear := inject(t, f)
	cleared := false
	defer func() {
		if !cleared {
			clear()
		}
	}()
	faultAt := time.Now()

	// SQLite may still write for a while (room left in the last page of its write-ahead
	// log): new calls come in until one is answered with the fallback, which every write
	// gets from then on.
	probes := 0
	for {
		probes++
		c := f.dial(ctx)
		if strings.Contains(c.heard(), "Sorry") {
			c.wantFallback("a new call during the fault")
			break
		}
		if probes == 30 {
			t.Fatalf("%s: 30 new calls were answered normally; the fault never showed (last heard: %s)", fault, c.heard())
		}
	}
	t.Logf("%s: the fallback showed on new call %d", fault, probes)

	// Every step that must write gets the fallback, never an error or a hang.
	atPIN.pressWantFallback(ctx, "2580#", "the PIN during the fault")
	atMenu.pressWantFallback(ctx, "3", "the balance (a menu step) during the fault")
	atConfirm.pressWantFallback(ctx, "1", "confirming a visit during the fault")
	f.dial(ctx).wantFallback("another new call during the fault")

	// New calls all at once, which the writer takes in groups: each gets the apology, none
	// an error, and none is left half-written when the group fails.
	burst := make([]string, 16)
	var wg sync.WaitGroup
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := twiliosim.Dial(ctx, twiliosim.Config{BaseURL: f.url, PublicURL: f.url, AuthToken: faultToken,
				From: alexPhone, To: lineNumber, Client: f.client})
			if err != nil {
				burst[i] = "dialling: " + err.Error()
				return
			}
			turn, err := c.Next(ctx)
			if err != nil {
				burst[i] = "answering: " + err.Error()
				return
			}
			burst[i] = strings.Join(turn.Said, " ")
		}()
	}
	wg.Wait()
	for i, heard := range burst {
		if !strings.Contains(heard, voiceApology) {
			t.Fatalf("%s: call %d of %d at once heard, without the apology: %s", fault, i+1, len(burst), heard)
		}
	}

	// Texts are answered with the apology. Twilio would send the same MessageSid again
	// only on a failed webhook; here the resident texts again after the fault, below.
	balSid, visitSid := messageSid(), messageSid()
	f.wantText(ctx, "BAL during the fault", balSid, "BAL", textApology)
	f.wantText(ctx, "VISITOR during the fault", visitSid, "VISITOR AB12CDE 3/12", textApology)

	// The server is still the one started, and healthy.
	f.alive(ctx, pid)
	t.Logf("%s: %d webhooks answered during the fault in %v", fault, f.hooks.count(), time.Since(faultAt).Round(time.Millisecond))

	// The fault ends; the same process carries on without a restart.
	clear()
	cleared = true

	// The confirmation that failed is taken again (as if the caller or Twilio tried
	// again): the failed attempt kept no reply and did not move the call on, so it is
	// answered now, and the visit is made once.
	done := f.step(ctx, atConfirm.sid(), confirmURL, "1")
	for _, want := range []string{"Done. A, B, one, two. C, D, E has a visit tomorrow, Tuesday the first of December.",
		"Your reference is ", "You have eight visits left."} {
		if !strings.Contains(done, want) {
			t.Fatalf("the confirmation taken again after the fault: want %q in\n%s", want, done)
		}
	}
	if again := f.step(ctx, atConfirm.sid(), confirmURL, "1"); again != done {
		t.Fatalf("the confirmation repeated got another answer:\n%s\nwas:\n%s", again, done)
	}
	// The PIN that failed is accepted when keyed again, on the same call.
	if menu := f.step(ctx, atPIN.sid(), pinURL, "2580"); !strings.Contains(menu, "To activate a visit, press 1.") {
		t.Fatalf("the PIN keyed again after the fault:\n%s", menu)
	}

	// A new call works normally: the PIN is accepted, tomorrow is refused as already
	// booked (R18: never stored twice), and a visit for today is made.
	fresh := f.dial(ctx)
	fresh.press(ctx, "2580#", "To activate a visit, press 1.")
	fresh.press(ctx, "1", "Which vehicle is the visit for?")
	fresh.press(ctx, "1", "For today, press 1.")
	fresh.press(ctx, "2", "already has a visit on tomorrow, Tuesday the first of December", "so nothing more has been used.")
	fresh.press(ctx, "1", "Which vehicle is the visit for?")
	fresh.press(ctx, "1", "For today, press 1.")
	fresh.press(ctx, "1", "That's one visit for A, B, one, two. C, D, E today")
	fresh.press(ctx, "1", "Done. A, B, one, two. C, D, E has a visit today", "You have seven visits left.")

	// The texts sent again: answered now, acted on once.
	f.wantText(ctx, "BAL after the fault", balSid, "BAL", "2 permits, 7 visits left.")
	booked := f.wantText(ctx, "VISITOR after the fault", visitSid, "VISITOR AB12CDE 3/12", "Booked: AB12 CDE, Thu 3 Dec")
	if again := f.wantText(ctx, "VISITOR repeated", visitSid, "VISITOR AB12CDE 3/12", "Booked: AB12 CDE, Thu 3 Dec"); again != booked {
		t.Fatalf("a repeated text got another reply: %q, was %q", again, booked)
	}

	// Every call hangs up; the status callbacks are recorded.
	for _, c := range []*faultCall{atPIN, atMenu, atConfirm, fresh} {
		if err := c.c.Hangup(ctx); err != nil {
			t.Fatalf("hanging up %s: %v", c.sid(), err)
		}
	}

	// Exactly three new visits, each once: tomorrow and today by phone, 3 December by text.
	after := f.visits(ctx, f.account)
	var made []string
	for _, v := range after {
		if slices.ContainsFunc(before, func(b visitJSON) bool { return b.Ref == v.Ref }) {
			continue
		}
		if v.VRM != "AB12CDE" || v.Status != "active" {
			t.Errorf("an unexpected visit: %+v", v)
		}
		made = append(made, v.Date+" "+v.Channel)
	}
	slices.Sort(made)
	if want := []string{"2026-11-30 voice", "2026-12-01 voice", "2026-12-03 sms"}; !slices.Equal(made, want) {
		t.Fatalf("the visits made: %v, want %v (before %+v, after %+v)", made, want, before, after)
	}
	if left := f.visitsLeft(ctx); left != leftBefore-3 {
		t.Fatalf("visits left on the permits: %d, want %d (three used)", left, leftBefore-3)
	}

	// The one process served it all, answered every webhook 2xx and in time, and logged
	// the fault as errors, never a panic.
	f.alive(ctx, pid)
	if f.servers != 1 {
		t.Fatalf("%d servers were started; the first should have carried on", f.servers)
	}
	f.hooks.check(t)
	logs := f.logs.String()
	if strings.Contains(logs, "panic") {
		t.Fatalf("the server panicked:\n%s", logs)
	}
	t.Logf("%s: the server logged: %s", fault, strings.Join(loggedErrors(logs), "; "))

	// It stops cleanly, and the database is intact.
	f.terminate()
	checkIntegrity(t, f.db)
	t.Logf("%s: the scenario took %v", fault, time.Since(start).Round(time.Millisecond))
}

// mountTmpfs mounts a tmpfs of the given size on dir, or skips the test when it cannot
// (not root, no mount namespace of our own); it is unmounted when the test ends.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (this test needs root, or CAP_SYS_ADMIN): %v: %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		// Writable again, whatever the test left, then unmounted; lazily if something
		// still holds it, so the temporary directory can go.
		_ = exec.Command("mount", "-o", "remount,rw", dir).Run()
		var out []byte
		var err error
		for range 20 {
			if out, err = exec.Command("umount", dir).CombinedOutput(); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("umount %s: %v: %s", dir, err, out)
		_ = exec.Command("umount", "-l", dir).Run()
	})
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || st.Type != tmpfsMagic {
		t.Fatalf("%s is not a tmpfs after mounting one (statfs: %v, type %#x)", dir, err, st.Type)
	}
}

// fillDisk writes junk to path until the file system is full, and returns how much it
// wrote. It refuses to fill anything but a tmpfs, and to write more than 64 MiB.
func fillDisk(t *testing.T, path string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil || st.Type != tmpfsMagic {
		t.Fatalf("refusing to fill %s: not a tmpfs (statfs: %v)", filepath.Dir(path), err)
	}
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	buf := make([]byte, 64<<10)
	var n int64
	for n < 64<<20 {
		m, err := fh.Write(buf)
		n += int64(m)
		if errors.Is(err, syscall.ENOSPC) {
			return n
		}
		if err != nil {
			t.Fatalf("filling the disk: %v", err)
		}
	}
	t.Fatalf("wrote %d bytes to %s without filling it", n, path)
	return n
}

// injectEROFS attaches strace to the server and makes every write to the database, its
// write-ahead log and its shared-memory index fail with EROFS, as writes through open
// descriptors do once the kernel has remounted a file system read-only. The function it
// returns detaches strace, and the writes succeed again. The test is skipped when strace
// is missing or may not trace the server.
func injectEROFS(t *testing.T, f *faultLine) func() {
	t.Helper()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skipf("cannot make the disk read-only under the running server: remount is refused and strace is missing: %v", err)
	}
	const calls = "write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync,ftruncate,fallocate"
	logPath := filepath.Join(filepath.Dir(f.bin), "strace.log") // not on the read-only disk
	args := []string{"-f", "-p", strconv.Itoa(f.current.cmd.Process.Pid), "-o", logPath,
		"-e", "trace=" + calls, "-e", "inject=" + calls + ":error=EROFS"}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		args = append(args, "-P", f.db+suffix)
	}
	cmd := exec.Command(strace, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start strace: %v", err)
	}
	exited := make(chan error, 1)
	attached := make(chan struct{})
	var msgs servertest.LogBuffer
	go func() {
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			fmt.Fprintln(&msgs, sc.Text())
			if strings.Contains(sc.Text(), "attached") {
				once.Do(func() { close(attached) })
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case <-attached:
	case err := <-exited:
		t.Skipf("strace could not trace the server (ptrace not permitted?): %v\n%s", err, msgs.String())
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("strace did not attach to the server within 10s:\n%s", msgs.String())
	}
	t.Logf("strace: %s", strings.TrimSpace(msgs.String()))
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt) // detaches from every thread
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
				t.Fatalf("strace did not detach within 10s:\n%s", msgs.String())
			}
			log, _ := os.ReadFile(logPath)
			t.Logf("strace: %d writes to the database's files failed with EROFS",
				strings.Count(string(log), "(INJECTED)"))
		})
	}
}

// faultCall is a call to the line, played by twiliosim.
type faultCall struct {
	t    *testing.T
	c    *twiliosim.Call
	turn twiliosim.Turn
}

// dial makes a new call from Alex Morgan's phone and takes its first turn; the call must
// be answered with a valid document, whatever it says.
func (f *faultLine) dial(ctx context.Context) *faultCall {
	f.t.Helper()
	c, err := twiliosim.Dial(ctx, twiliosim.Config{BaseURL: f.url, PublicURL: f.url, AuthToken: faultToken,
		From: alexPhone, To: lineNumber, Client: f.client})
	if err != nil {
		f.t.Fatalf("dialling: %v", err)
	}
	fc := &faultCall{t: f.t, c: c}
	fc.turn, err = c.Next(ctx)
	if err != nil {
		f.t.Fatalf("answering a new call: %v\nheard: %s", err, fc.heard())
	}
	return fc
}

func (c *faultCall) sid() string   { return c.c.Sid() }
func (c *faultCall) heard() string { return strings.Join(c.turn.Said, " ") }

// press keys a turn that must be answered normally, with a gather and the words wanted.
func (c *faultCall) press(ctx context.Context, keys string, want ...string) {
	c.t.Helper()
	var err error
	c.turn, err = c.c.Press(ctx, keys)
	if err != nil {
		c.t.Fatalf("pressing %s: %v\nheard: %s", keys, err, c.heard())
	}
	if c.turn.Ended || c.turn.Wait.Kind != "gather" {
		c.t.Fatalf("pressing %s: the call waits for %q (ended %v), want a gather; heard: %s", keys, c.turn.Wait.Kind,
			c.turn.Ended, c.heard())
	}
	for _, w := range want {
		if !strings.Contains(c.heard(), w) {
			c.t.Fatalf("pressing %s: expected to hear %q; heard:\n%s", keys, w, c.heard())
		}
	}
	if strings.Contains(c.heard(), "Sorry, something has gone wrong") {
		c.t.Fatalf("pressing %s: the fallback, outside the fault; heard:\n%s", keys, c.heard())
	}
}

// pressWantFallback keys a turn that must be answered with the fallback.
func (c *faultCall) pressWantFallback(ctx context.Context, keys, what string) {
	c.t.Helper()
	var err error
	c.turn, err = c.c.Press(ctx, keys)
	if err != nil {
		c.t.Fatalf("%s: %v\nheard: %s", what, err, c.heard())
	}
	c.wantFallback(what)
}

// wantFallback checks that the last turn was the fallback with the helpdesk open: the
// apology, then the caller waits in the helpdesk queue (twiliosim has checked that the
// answer was a 200 with valid TwiML, and fetched the queue's wait URL).
func (c *faultCall) wantFallback(what string) {
	c.t.Helper()
	heard := c.heard()
	if !strings.Contains(heard, voiceApology) || c.turn.Ended || c.turn.Wait.Kind != "queue" {
		c.t.Fatalf("%s: want the apology and the helpdesk queue; the call waits for %q (ended %v, %s); heard:\n%s",
			what, c.turn.Wait.Kind, c.turn.Ended, c.turn.EndReason, heard)
	}
	if !slices.ContainsFunc(c.turn.TwiML, func(doc string) bool {
		return strings.Contains(doc, "<Enqueue") && strings.Contains(doc, ">helpdesk</Enqueue>")
	}) {
		c.t.Fatalf("%s: no <Enqueue>helpdesk</Enqueue> in the answers:\n%s", what, strings.Join(c.turn.TwiML, "\n"))
	}
	if !strings.Contains(heard, "You're number one in the queue.") {
		c.t.Fatalf("%s: the queue's wait music was not heard:\n%s", what, heard)
	}
}

// gatherAction returns the absolute URL the last gather of a turn posts its answer to.
func gatherAction(t *testing.T, what string, turn twiliosim.Turn) string {
	t.Helper()
	if len(turn.TwiML) == 0 {
		t.Fatalf("%s: no TwiML", what)
	}
	m := gatherActionRE.FindStringSubmatch(turn.TwiML[len(turn.TwiML)-1])
	if m == nil {
		t.Fatalf("%s: no <Gather action> in\n%s", what, turn.TwiML[len(turn.TwiML)-1])
	}
	return html.UnescapeString(m[1])
}

// step posts keys to a step URL of a call, as Twilio does for a <Gather> answer, and
// returns the TwiML, which must come with a 200.
func (f *faultLine) step(ctx context.Context, callSid, stepURL, digits string) string {
	f.t.Helper()
	params := url.Values{"AccountSid": {fixtures.DemoAccountSid}, "ApiVersion": {"2010-04-01"},
		"CallSid": {callSid}, "CallStatus": {"in-progress"}, "Direction": {"inbound"},
		"From": {alexPhone}, "To": {lineNumber}, "Caller": {alexPhone}, "Called": {lineNumber}, "Digits": {digits}}
	req, err := twiliosim.NewRequest(ctx, faultToken, stepURL, params)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("POST %s: %v", stepURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		f.t.Fatalf("POST %s: %s, %v:\n%s", stepURL, resp.Status, err, body)
	}
	return string(body)
}

// wantText texts the line from Alex Morgan's phone with the given MessageSid and checks
// the one reply, which it returns.
func (f *faultLine) wantText(ctx context.Context, what, sid, body, want string) string {
	f.t.Helper()
	reply, status, err := twiliosim.ResendSMS(ctx, twiliosim.Config{BaseURL: f.url, PublicURL: f.url,
		AuthToken: faultToken, From: alexPhone, To: lineNumber, Client: f.client}, sid, body)
	if err != nil || status != http.StatusOK {
		f.t.Fatalf("%s: status %d, %v", what, status, err)
	}
	if len(reply) != 1 || !strings.Contains(reply[0], want) {
		f.t.Fatalf("%s: replied %q, want one reply with %q", what, reply, want)
	}
	if want != textApology && strings.Contains(reply[0], textApology) {
		f.t.Fatalf("%s: the apology outside the fault: %q", what, reply[0])
	}
	return reply[0]
}

// alive checks that the server first started still runs and answers /healthz.
func (f *faultLine) alive(ctx context.Context, pid int) {
	f.t.Helper()
	if f.current == nil || f.current.exited() || f.current.cmd.Process.Pid != pid {
		f.t.Fatalf("the server (pid %d) is no longer running", pid)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url+"/healthz", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := f.healthzc.Do(req)
	if err != nil {
		f.t.Fatalf("/healthz: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("/healthz: %s", resp.Status)
	}
}

// visitsLeft returns the visits left on Alex Morgan's permits.
func (f *faultLine) visitsLeft(ctx context.Context) int {
	f.t.Helper()
	var a accountJSON
	if out := f.cli(ctx, "resident", "show", f.account, "--json"); json.Unmarshal([]byte(out), &a) != nil {
		f.t.Fatalf("resident show --json:\n%s", out)
	}
	return a.VisitsLeft
}

// terminate stops the server with SIGTERM, as a deployment does, and checks that it
// finishes cleanly.
func (f *faultLine) terminate() {
	f.t.Helper()
	s := f.current
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		f.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(25 * time.Second):
		f.t.Fatalf("the server did not stop within 25s of SIGTERM")
	}
	f.current = nil
	if s.err != nil {
		f.t.Fatalf("the server stopped with %v", s.err)
	}
}

// checkIntegrity runs SQLite's integrity check on the database (the driver is the one
// the binary links, registered by domain/sqlite).
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q, %v", res, err)
	}
}

// loggedErrors returns the distinct error messages the server logged.
func loggedErrors(logs string) []string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		var e struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Error string `json:"error"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.Level != "ERROR" {
			continue
		}
		if s := e.Msg + ": " + e.Error; !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func messageSid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "SM" + hex.EncodeToString(b)
}

// webhookLog is Twilio's HTTP transport, recording how each webhook was answered.
type webhookLog struct {
	base *http.Transport
	mu   sync.Mutex
	seen []webhookAnswer
}

type webhookAnswer struct {
	what   string
	status int
	err    error
	took   time.Duration
}

func (w *webhookLog) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := w.base.RoundTrip(req)
	a := webhookAnswer{what: req.Method + " " + req.URL.RequestURI(), err: err, took: time.Since(start)}
	if resp != nil {
		a.status = resp.StatusCode
	}
	w.mu.Lock()
	w.seen = append(w.seen, a)
	w.mu.Unlock()
	return resp, err
}

func (w *webhookLog) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seen)
}

// check fails the test for a webhook that was not answered 2xx within slowestAnswer.
func (w *webhookLog) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	var slowest time.Duration
	for _, a := range w.seen {
		slowest = max(slowest, a.took)
		if a.err != nil || a.status < 200 || a.status > 299 || a.took > slowestAnswer {
			t.Errorf("%s: status %d, error %v, after %v", a.what, a.status, a.err, a.took)
		}
	}
	t.Logf("%d webhooks, all answered 2xx; the slowest in %v", len(w.seen), slowest.Round(time.Millisecond))
}
