package desk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
	"permitline/sms/fakeapi"
)

// chromium finds a Chromium or Chrome binary; "" when none is installed.
func chromium() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artefacts is where the test leaves its screenshots: $PERMITLINE_ARTIFACTS, else a
// temporary folder.
func artefacts(t *testing.T) string {
	dir := os.Getenv("PERMITLINE_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is a headless Chromium driving the desk of a line, every wait bounded by one
// deadline, its screenshots left in one folder.
type browser struct {
	t   *testing.T
	ctx context.Context // the deadline
	b   context.Context // the browser's tab
	out string
}

// newBrowser starts Chromium for the test, or skips the test, saying so, when none is
// installed.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium installed (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome): " +
			"the desk's browser test needs one; .ci/run installs Debian's chromium")
	}
	out := artefacts(t)
	t.Logf("screenshots in %s", out)
	// Every wait below is bounded by this one deadline: the test can never hang.
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(bcancel)
	return &browser{t: t, ctx: ctx, b: bctx, out: out}
}

// step runs actions, failing the test with what was being done.
func (b *browser) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.b, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates JavaScript to a string.
func (b *browser) eval(what, js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.b, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// until waits for a JavaScript condition, across a navigation, within the deadline.
func (b *browser) until(what, js string) {
	b.t.Helper()
	for {
		ok, err := chromedp.Run(b.b, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		select {
		case <-b.ctx.Done():
			b.t.Fatalf("%s: %v (last error: %v)", what, b.ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// press clicks the element the CSS selector names through the DOM, retried until it is
// there: a click at the button's position on the screen can land elsewhere while the page
// is still laying itself out, and the live queue may replace its rows at that very moment.
func (b *browser) press(what, selector string) {
	b.t.Helper()
	b.until(what, `(() => { const b = document.querySelector(`+jsString(selector)+`); if (!b) return false; b.click(); return true })()`)
}

// loaded waits for a page that has the element id, fully loaded.
func (b *browser) loaded(what, id string) {
	b.t.Helper()
	b.until(what, `document.getElementById(`+jsString(id)+`) !== null && document.readyState === "complete"`)
}

// text is the text the element id shows ("" when there is none).
func (b *browser) text(id string) string {
	b.t.Helper()
	return b.eval("the text of #"+id, `(() => { const e = document.getElementById(`+jsString(id)+`); return e ? e.innerText : "" })()`)
}

// shot saves a screenshot of the whole page as name (desk-NN-what.png) and returns its path.
func (b *browser) shot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.b, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(b.out, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
	return p
}

// signIn signs in through the form and waits for the queue page, its live stream open.
func (b *browser) signIn(base, username string) {
	b.t.Helper()
	b.step("sign in as "+username,
		chromedp.Navigate(base+"/desk/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("queue")),
		chromedp.WaitReady(chromedp.CSS(`html[data-live="connected"]`)),
	)
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBrowserAgentTakesACallAndActivatesAVisit drives the desk in headless Chromium: the
// agent signs in through the form, sees a call arrive live (no reload), takes it and
// activates a visit for the caller through the form; then finds the account of a caller
// the line does not know by postcode.
func TestBrowserAgentTakesACallAndActivatesAVisit(t *testing.T) {
	b := newBrowser(t)
	l := servertest.New(t, monday)
	dana := l.AddAgent("dana", "Dana Reid", "07700 900501", password)

	// Sign in through the form; the live stream is open before the call comes in.
	b.signIn(l.Srv.URL, "dana")
	if got := b.eval("styles", `getComputedStyle(document.body).backgroundColor`); got != "rgb(243, 242, 241)" {
		t.Fatalf("the style sheet did not load under the CSP: body background %q", got)
	}
	// A mark on the page: a reload would wipe it.
	b.eval("mark the page", `window.deskMark = "still the same page"; window.deskMark`)

	// The caller rings after the page is open and asks for an agent.
	_, tr := queueForAgent(t, l)
	take := fmt.Sprintf("take-%d", tr.ID)
	b.step("the call appears live", chromedp.WaitVisible(chromedp.ID(take)))
	if got := b.eval("no reload", `String(window.deskMark)`); got != "still the same page" {
		t.Fatalf("the page was reloaded (mark %q): the call must arrive through the live stream", got)
	}
	queue := b.text("queue")
	for _, want := range []string{"+********0123", "PIN passed", "The caller asked for a person.",
		"The caller pressed a key that isn't one of the choices.", "3 tries left before the lockout"} {
		if !strings.Contains(queue, want) {
			t.Fatalf("the live queue lacks %q:\n%s", want, queue)
		}
	}
	if got := b.eval("status", `document.getElementById("live-status").textContent`); got != "1 caller is waiting." {
		t.Fatalf("live status %q", got)
	}
	b.shot("desk-01-queue.png")

	// Take it, and activate a visit for the caller for today (the form's default date).
	b.press("take the call", "#"+take)
	b.loaded("the call's page", "vrm")
	if got := b.eval("date default", `document.getElementById("date").value`); got != "2026-11-30" {
		t.Fatalf("the date defaults to %q, want today", got)
	}
	// The page is ready once what is typed stays typed: only then submit, or the form's own
	// check of the required field would stop the click.
	b.step("type the registration", chromedp.WaitReady(chromedp.ID("activate")), chromedp.SendKeys(chromedp.ID("vrm"), "AB12 CDE"))
	b.until("the registration typed", `document.getElementById("vrm").value === "AB12 CDE"`)
	b.press("activate a visit", "#activate")
	b.until("the visit's confirmation", `Array.from(document.querySelectorAll(".message.ok")).some(m => m.textContent.includes("activated"))`)
	msg := b.eval("message", `document.querySelector(".message.ok").textContent`)
	if !strings.Contains(msg, "activated: AB12 CDE on Mon 30 Nov") {
		t.Fatalf("after activating: %q", msg)
	}
	b.shot("desk-02-call.png")

	// At 200% zoom (half the CSS width, twice the pixels) nothing needs scrolling sideways.
	b.step("zoom 200%", chromedp.EmulateViewport(640, 1000, chromedp.EmulateScale(2)))
	if got := b.eval("reflow", `String(document.documentElement.scrollWidth <= document.documentElement.clientWidth)`); got != "true" {
		t.Errorf("at 200%% zoom the call page scrolls sideways: scrollWidth %s, clientWidth %s",
			b.eval("w", `String(document.documentElement.scrollWidth)`), b.eval("w", `String(document.documentElement.clientWidth)`))
	}
	b.shot("desk-03-call-200pct.png")
	b.step("zoom back", chromedp.EmulateViewport(1280, 1000))

	// A caller the line does not know asks for a person; the agent takes the call, finds
	// the account by postcode and picks it from the list.
	_, tr2 := unknownCallerWaits(t, l)
	b.step("the unknown caller's page", chromedp.Navigate(fmt.Sprintf("%s/desk/calls/%d", l.Srv.URL, tr2.ID)))
	b.press("take the unknown caller", fmt.Sprintf("#take-%d", tr2.ID))
	b.loaded("the search form", "search-q")
	b.eval("search by postcode", `document.getElementById("search-by").value = "postcode"; "ok"`)
	b.step("type the postcode", chromedp.SendKeys(chromedp.ID("search-q"), "cb1 3ph"))
	b.until("the postcode typed", `document.getElementById("search-q").value === "cb1 3ph"`)
	b.press("search", "#search")
	b.loaded("the accounts found", "found")
	if got := b.text("found"); !strings.Contains(got, "Alex Morgan, 12 Coleridge Road, CB1 3PH") {
		t.Fatalf("the search found %q", got)
	}
	b.shot("desk-04-search.png")
	b.press("pick Alex", "#found a")
	b.until("Alex's account", `document.getElementById("account-heading") !== null && document.getElementById("account-heading").textContent.includes("Alex Morgan")`)
	if got := b.text("hand-back-words"); !strings.Contains(got, "start of identification") {
		t.Fatalf("beside the hand-back: %q", got)
	}
	b.shot("desk-05-found.png")

	// The domain records the agent.
	var v domain.Visit
	for _, x := range l.Upcoming("Alex Morgan") {
		if x.VRM == "AB12CDE" && x.Date.String() == "2026-11-30" {
			v = x
		}
	}
	if v.ID == 0 || v.By != dana.Actor() {
		t.Fatalf("the visit activated in the browser: %+v", v)
	}
	view, err := l.Svc.Account(l.Ctx, domain.Admin("test"), l.People["Alex Morgan"].Account)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range view.Activity {
		if e.Action == "visit.activate" && strings.Contains(e.Detail, v.Ref) {
			if e.Actor.Kind != domain.ActorAgent || e.Actor.ID != dana.ID || e.Actor.Channel != domain.ChannelAgent || e.Actor.Name != "Dana Reid" {
				t.Fatalf("the audit records %+v, not the agent", e.Actor)
			}
			return
		}
	}
	t.Fatalf("no audit entry for visit %s: %+v", v.Ref, view.Activity)
}

// dialAndKey rings the line from the number and keys each answer in turn.
func dialAndKey(t *testing.T, l *servertest.Line, from string, answers ...string) (*twiliosim.Call, twiliosim.Turn) {
	t.Helper()
	call, err := twiliosim.Dial(l.Ctx, l.Sim(from, lineNumber))
	if err != nil {
		t.Fatal(err)
	}
	turn, err := call.Next(l.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, keys := range answers {
		if turn, err = call.Press(l.Ctx, keys); err != nil {
			t.Fatalf("%s keys %s: %v", from, keys, err)
		}
	}
	return call, turn
}

// TestBrowserSupervisorAndAgentOnAMorningOfCalls drives the desk in headless Chromium
// after a morning set up through the line's own webhooks: before opening, Chris leaves a
// message and Priya books a call back; at 10:00 Alex, locked out of the phone PIN, waits
// in the queue. The supervisor's page shows the call, the callback and the voicemail; the
// agent takes Alex's call, resets the PIN after the identity questions (audited, texted),
// hands the call back, then takes Priya's callback and finishes it once she is put through.
func TestBrowserSupervisorAndAgentOnAMorningOfCalls(t *testing.T) {
	b := newBrowser(t)
	// Monday 30 November 2026, 07:30: the helpdesk opens at 08:00.
	l := servertest.New(t, "2026-11-30 07:30")
	l.AddAgent("kim", "Kim Ashworth", "07700 900502", password) // the helpdesk's supervisor
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	const chris, priya = "+447700900321", "+447700900456"

	// Chris keys his PIN, asks for a person, and, the helpdesk being closed, leaves a
	// 14-second message (the <Record> action, then Twilio's recording status callback).
	vmCall, turn := dialAndKey(t, l, chris, "8642", "0", "2")
	if turn.Wait.Kind != "record" {
		t.Fatalf("Chris waits for %q, not to record: %v", turn.Wait.Kind, turn.Said)
	}
	if turn, err := vmCall.RecordSeconds(l.Ctx, 14); err != nil || !turn.Ended {
		t.Fatalf("Chris's message: %v %+v", err, turn)
	}
	// Priya keys her PIN, asks for a person, and books a call back for the opening.
	cbCall, turn := dialAndKey(t, l, priya, "1357", "0", "1")
	if !turn.Ended || !strings.Contains(strings.Join(turn.Said, " "), "call you back") {
		t.Fatalf("Priya's call back: %+v", turn)
	}
	var vm domain.Voicemail
	var cb domain.Callback
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		if vm, err = r.VoicemailByCall(vmCall.Sid()); err != nil {
			return err
		}
		cb, err = r.CallbackByCall(cbCall.Sid())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if vm.Status != domain.VoicemailWaiting || vm.RecordingURL == "" || vm.Duration != 14 {
		t.Fatalf("Chris's voicemail: %+v", vm)
	}
	if cb.Kind != domain.CallbackBooked || cb.Status != domain.CallbackPending || !cb.DueAt.Equal(servertest.At(t, "2026-11-30 08:00")) {
		t.Fatalf("Priya's callback: %+v", cb)
	}

	// 09:59: Alex keys three wrong PINs and, locked out, waits in the queue.
	l.Clock.Set(servertest.At(t, monday).Add(-time.Minute))
	_, tr := lockedOutWaits(t, l)
	l.Clock.Set(servertest.At(t, monday))

	// The supervisor's page: one call waiting (a minute), the callback due, the voicemail.
	b.signIn(l.Srv.URL, "kim")
	b.step("the supervisor's page", chromedp.Navigate(l.Srv.URL+"/desk/supervisor"))
	b.loaded("the supervisor's figures", "figures-now")
	// Each figure as the page words it, its label beside it, and as the store counts it.
	f, err := l.Svc.TodayFigures(l.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.LongestWait != time.Minute {
		t.Errorf("the store's longest wait: %s", f.LongestWait)
	}
	for _, c := range []struct {
		id, label, want string
		store           int
	}{
		{"calls-waiting", "Calls waiting", "1", f.Waiting}, {"longest-wait", "Longest wait", "1 min 00 s", int(f.LongestWait / time.Minute)},
		{"callbacks-due", "Callbacks due", "1", f.CallbacksDue}, {"voicemails-waiting", "Voicemails waiting", "1", f.VoicemailsWaiting},
		{"agents-on-call", "Agents on a call", "0", f.AgentsOnCall}, {"calls-offered", "Calls offered", "1", f.Offered},
		{"calls-answered", "Answered", "0", f.Answered}, {"agents-signed-in", "Agents signed in", "1", f.AgentsSignedIn},
	} {
		row := b.eval("the row of #"+c.id, `document.getElementById(`+jsString(c.id)+`).parentElement.innerText`)
		if got := strings.TrimSpace(b.text(c.id)); got != c.want || !strings.HasPrefix(row, c.label) {
			t.Errorf("the supervisor's page shows %q, want %s %q", row, c.label, c.want)
		}
		if got, _, _ := strings.Cut(c.want, " "); strconv.Itoa(c.store) != got {
			t.Errorf("the store counts %s %d, the page %s", c.label, c.store, c.want)
		}
	}
	if got := b.text("service-level"); !strings.HasPrefix(got, "none yet") {
		t.Errorf("with the one call offered still waiting, the service level reads %q", got)
	}
	if got := b.text("main"); !strings.Contains(got, "+********0123") {
		t.Errorf("the supervisor's page does not list Alex's call:\n%s", got)
	}
	if got := b.eval("nav", `document.querySelector("nav").innerText`); !strings.Contains(got, "Callbacks (1)") ||
		!strings.Contains(got, "Voicemails (1)") {
		t.Errorf("the desk's links: %q", got)
	}
	b.shot("desk-10-supervisor.png")
	b.step("the voicemails", chromedp.Navigate(l.Srv.URL+"/desk/voicemails"))
	b.loaded("Chris's voicemail", fmt.Sprintf("voicemail-%d", vm.ID))
	if got := b.text(fmt.Sprintf("voicemail-%d", vm.ID)); !strings.Contains(got, "+********0321") ||
		!strings.Contains(got, l.People["Chris Lee"].Account+" (Chris Lee)") || !strings.Contains(got, "(14s)") {
		t.Errorf("Chris's voicemail shows %q", got)
	}
	// The page's player fetches the recording through the desk from (the fake of) Twilio.
	b.eval("fetch the recording", `fetch(document.querySelector("#voicemail-`+strconv.FormatInt(vm.ID, 10)+` audio").src).`+
		`then(r => r.arrayBuffer().then(a => { window.deskAudio = r.status + " " + r.headers.get("Content-Type") + " " + a.byteLength })); "ok"`)
	b.until("the recording fetched", `window.deskAudio !== undefined`)
	if got, want := b.eval("audio", `window.deskAudio`), fmt.Sprintf("200 audio/mpeg %d", len(fakeapi.RecordingAudio)); got != want {
		t.Errorf("the voicemail's audio: %q, want %q", got, want)
	}
	b.shot("desk-11-voicemails.png")
	b.press("sign out", "form.signout button")
	b.loaded("the sign-in page", "username")

	// The agent takes Alex's call: the page warns of the lockout and offers the PIN form.
	b.signIn(l.Srv.URL, "dana")
	take := fmt.Sprintf("take-%d", tr.ID)
	b.loaded("Alex's call in the queue", take)
	b.shot("desk-12-queue.png")
	b.press("take Alex's call", "#"+take)
	b.loaded("the PIN form", "pin-form")
	b.shot("desk-13-call-locked.png")
	// The identity questions answered, the PIN is reset.
	b.press("the address answered", "#q_address")
	b.press("the visit answered", "#q_visit")
	b.until("both ticked", `document.getElementById("q_address").checked && document.getElementById("q_visit").checked`)
	b.press("reset the PIN", "#pin-reset")
	b.until("the reset's confirmation", `Array.from(document.querySelectorAll(".message.ok")).some(m => m.textContent.includes("The PIN is reset"))`)
	if got := b.text("pin-waiting"); !strings.Contains(got, "The PIN was reset on this call.") {
		t.Errorf("after the reset the PIN form says %q", got)
	}
	b.shot("desk-14-pin-reset.png")
	res, audit, texts := alexAccount(t, l)
	if res.PINHash != "" || res.PINState != (domain.PINState{}) {
		t.Fatalf("after the reset in the browser: has a PIN %v, %+v", res.PINHash != "", res.PINState)
	}
	if !auditHas(audit, "pin.reset", "answered: address and postcode, a recent visit") {
		t.Fatalf("the reset is not audited with the questions: %+v", audit)
	}
	for _, e := range audit {
		if e.Action == "pin.reset" && e.Actor.Name != "Dana Reid" {
			t.Fatalf("the reset is audited as %+v", e.Actor)
		}
	}
	if len(texts) != 1 || texts[0].Kind != domain.NoticePINReset || texts[0].To != alex {
		t.Fatalf("texts queued: %+v", texts)
	}
	// Handed back, the line asks Alex for a new PIN, as the page says.
	if got := b.text("hand-back-words"); !strings.Contains(got, "choose a new PIN") {
		t.Errorf("after the reset the hand-back says %q", got)
	}
	b.press("checked who the caller is", "#confirmed")
	b.until("ticked", `document.getElementById("confirmed").checked`)
	b.press("hand back", `form[action$="/return"] button[type="submit"]`)
	b.until("handed back", fmt.Sprintf(`document.getElementById("pin-form") === null && document.getElementById("take-%d") === null && document.readyState === "complete"`, tr.ID))
	if ups := l.Twilio.CallUpdates(); len(ups) == 0 || ups[len(ups)-1].URL != l.Srv.URL+"/twilio/voice/resume?to=newpin" {
		t.Fatalf("the hand-back reached Twilio as %+v", ups)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferReturned {
		t.Fatalf("Alex's call after the hand-back: %s", got.Status)
	}
	b.shot("desk-15-handed-back.png")

	// The agent takes Priya's callback: the line calls her from its own number.
	b.step("the callbacks", chromedp.Navigate(l.Srv.URL+"/desk/callbacks"))
	row := fmt.Sprintf("callback-%d", cb.ID)
	b.loaded("Priya's callback", row)
	if got := b.text(row); !strings.Contains(got, "+********0456") || !strings.Contains(got, l.People["Priya Shah"].Account+" (Priya Shah)") ||
		!strings.Contains(got, "Due now") {
		t.Errorf("Priya's callback shows %q", got)
	}
	b.shot("desk-16-callbacks.png")
	b.press("take Priya's callback", "#"+row+` button[type="submit"]`)
	checkCallbackTaken(t, b, l, cb)
	b.shot("desk-17-callback-taken.png")
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackCalling || got.Attempts != 1 || got.OutboundSid == "" {
		t.Fatalf("Priya's callback after taking: %+v", got)
	}
	calls := l.Twilio.Calls()
	q := "?cb=" + strconv.FormatInt(cb.ID, 10)
	if len(calls) != 1 || calls[0].To != priya || calls[0].From != servertest.LineNumber || calls[0].URL != l.Srv.URL+ivr.CallbackAnswerPath+q {
		t.Fatalf("calls made: %+v", calls)
	}
	// Priya answers and is put through to the agent's phone; the agent finishes with a note.
	if status, body := l.SignedPost(ivr.CallbackAnswerPath+q, url.Values{"CallSid": {calls[0].Sid}, "To": {priya}}); status != http.StatusOK ||
		!strings.Contains(body, "<Number>+447700900501</Number>") {
		t.Fatalf("Priya answers: %d %s", status, body)
	}
	b.step("the callbacks again", chromedp.Navigate(l.Srv.URL+"/desk/callbacks"))
	held := fmt.Sprintf("held-%d", cb.ID)
	b.loaded("the agent's callback", held)
	if got := b.text(held); !strings.Contains(got, "put through to you") {
		t.Errorf("the callback answered shows %q", got)
	}
	note := fmt.Sprintf("note-%d", cb.ID)
	b.step("write the note", chromedp.SendKeys(chromedp.ID(note), "talked Priya through renewing"))
	b.until("the note typed", `document.getElementById(`+jsString(note)+`).value === "talked Priya through renewing"`)
	b.shot("desk-18-callback-answered.png")
	b.press("finish the callback", "#"+held+` button[type="submit"]`)
	b.until("the callback finished", `Array.from(document.querySelectorAll(".message.ok")).some(m => m.textContent.includes("Callback finished."))`)
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackDone || got.Note != "talked Priya through renewing" {
		t.Fatalf("Priya's callback after finishing: %+v", got)
	}
	b.shot("desk-19-callback-finished.png")
}

// checkCallbackTaken asserts what the desk shows once the agent has taken the callback:
// the line is calling the resident, and the callback is the agent's, no longer waiting.
func checkCallbackTaken(t *testing.T, b *browser, l *servertest.Line, cb domain.Callback) {
	t.Helper()
	// Taking it lands on the callback's own page, worked like a call: the account and
	// its actions, the try, and the way to finish.
	b.loaded("the callback taken", "callback-due")
	if got := b.eval("path", `location.pathname`); got != fmt.Sprintf("/desk/callbacks/%d", cb.ID) {
		t.Errorf("taking the callback lands on %q", got)
	}
	if got := b.eval("message", `document.querySelector(".message.ok").textContent`); !strings.Contains(got, "Calling +********0456 now") {
		t.Errorf("after taking the callback: %q", got)
	}
	if got := b.eval("heading", `document.querySelector("h1").textContent`); !strings.HasPrefix(got, "Callback to ") {
		t.Errorf("the callback's page is headed %q", got)
	}
	if got := b.text("account-heading"); got != "Account "+l.People["Priya Shah"].Account+": Priya Shah" {
		t.Errorf("the callback's account: %q", got)
	}
	if got := b.text("callback-due"); !strings.Contains(got, "try 1 of 3") {
		t.Errorf("the callback's try: %q", got)
	}
	for _, id := range []string{"activate", "finish", "unanswered"} {
		if got := b.eval(id, `String(!!document.getElementById(`+jsString(id)+`))`); got != "true" {
			t.Errorf("the callback's page has no #%s", id)
		}
	}
	if got := b.eval("nav", `document.querySelector("nav").innerText`); !strings.Contains(got, "Callbacks (0)") {
		t.Errorf("the desk's links after taking: %q", got)
	}
}
