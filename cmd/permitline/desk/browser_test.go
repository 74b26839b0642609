package desk_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
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

// TestBrowserAgentTakesACallAndActivatesAVisit drives the desk in headless Chromium: the
// agent signs in through the form, sees a call arrive live (no reload), takes it and
// activates a visit for the caller through the form.
func TestBrowserAgentTakesACallAndActivatesAVisit(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium installed (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome): " +
			"the desk's browser test needs one; .ci/run installs Debian's chromium")
	}
	l := servertest.New(t, monday)
	dana := l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	out := artefacts(t)

	// Every wait below is bounded by this one deadline: the test can never hang.
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
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
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer bcancel()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(what, js string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	// until waits for a JavaScript condition, across a navigation, within the deadline.
	until := func(what, js string) {
		t.Helper()
		for {
			ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s: %v (last error: %v)", what, ctx.Err(), err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	shot := func(name string) string {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		p := filepath.Join(out, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
		return p
	}

	// Sign in through the form.
	step("sign in",
		chromedp.Navigate(l.Srv.URL+"/desk/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "dana"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("queue")),
		// The live stream is open before the call comes in.
		chromedp.WaitReady(chromedp.CSS(`html[data-live="connected"]`)),
	)
	if got := eval("styles", `getComputedStyle(document.body).backgroundColor`); got != "rgb(243, 242, 241)" {
		t.Fatalf("the style sheet did not load under the CSP: body background %q", got)
	}
	// A mark on the page: a reload would wipe it.
	eval("mark the page", `window.deskMark = "still the same page"; window.deskMark`)

	// The caller rings after the page is open and asks for an agent.
	_, tr := queueForAgent(t, l)
	take := fmt.Sprintf("take-%d", tr.ID)
	step("the call appears live", chromedp.WaitVisible(chromedp.ID(take)))
	if got := eval("no reload", `String(window.deskMark)`); got != "still the same page" {
		t.Fatalf("the page was reloaded (mark %q): the call must arrive through the live stream", got)
	}
	queue := eval("queue text", `document.getElementById("queue").innerText`)
	for _, want := range []string{"+********0123", "PIN passed", "The caller asked for a person.",
		"The caller pressed a key that isn't one of the choices.", "3 tries left before the lockout"} {
		if !strings.Contains(queue, want) {
			t.Fatalf("the live queue lacks %q:\n%s", want, queue)
		}
	}
	if got := eval("status", `document.getElementById("live-status").textContent`); got != "1 caller is waiting." {
		t.Fatalf("live status %q", got)
	}
	shot("desk-queue.png")

	// Take it, and activate a visit for the caller for today (the form's default date).
	// Pressed through the DOM, retried until it lands: the live queue may replace its rows
	// at that very moment.
	until("take the call", `(() => { const b = document.getElementById("`+take+`"); if (!b) return false; b.click(); return true })()`)
	until("the call's page", `document.getElementById("vrm") !== null && document.readyState === "complete"`)
	if got := eval("date default", `document.getElementById("date").value`); got != "2026-11-30" {
		t.Fatalf("the date defaults to %q, want today", got)
	}
	// The page is ready once what is typed stays typed: only then submit, or the form's own
	// check of the required field would stop the click.
	step("type the registration", chromedp.WaitReady(chromedp.ID("activate")), chromedp.SendKeys(chromedp.ID("vrm"), "AB12 CDE"))
	until("the registration typed", `document.getElementById("vrm").value === "AB12 CDE"`)
	// Pressed through the DOM: a click at the button's position on the screen can land
	// elsewhere while the page is still laying itself out.
	until("activate a visit", `(() => { const b = document.getElementById("activate"); if (!b) return false; b.click(); return true })()`)
	until("the visit's confirmation", `Array.from(document.querySelectorAll(".message.ok")).some(m => m.textContent.includes("activated"))`)
	msg := eval("message", `document.querySelector(".message.ok").textContent`)
	if !strings.Contains(msg, "activated: AB12 CDE on Mon 30 Nov") {
		t.Fatalf("after activating: %q", msg)
	}
	path := shot("desk-call.png")

	// At 200% zoom (half the CSS width, twice the pixels) nothing needs scrolling sideways.
	step("zoom 200%", chromedp.EmulateViewport(640, 1000, chromedp.EmulateScale(2)))
	if got := eval("reflow", `String(document.documentElement.scrollWidth <= document.documentElement.clientWidth)`); got != "true" {
		t.Errorf("at 200%% zoom the call page scrolls sideways: scrollWidth %s, clientWidth %s",
			eval("w", `String(document.documentElement.scrollWidth)`), eval("w", `String(document.documentElement.clientWidth)`))
	}
	shot("desk-call-200pct.png")
	t.Logf("the desk's screenshot: %s", path)
	step("zoom back", chromedp.EmulateViewport(1280, 1000))

	// A caller the line does not know asks for a person; the agent takes the call, finds
	// the account by postcode and picks it from the list.
	unknown, err := twiliosim.Dial(l.Ctx, l.Sim("+447700900999", lineNumber))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unknown.Next(l.Ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := unknown.Press(l.Ctx, "0"); err != nil {
		t.Fatal(err)
	}
	var tr2 domain.Transfer
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr2, err = r.TransferByCall(unknown.Sid()); return err }); err != nil {
		t.Fatal(err)
	}
	step("the unknown caller's page", chromedp.Navigate(fmt.Sprintf("%s/desk/calls/%d", l.Srv.URL, tr2.ID)))
	take2 := fmt.Sprintf("take-%d", tr2.ID)
	until("take the unknown caller", `(() => { const b = document.getElementById("`+take2+`"); if (!b) return false; b.click(); return true })()`)
	until("the search form", `document.getElementById("search-q") !== null && document.readyState === "complete"`)
	eval("search by postcode", `document.getElementById("search-by").value = "postcode"; "ok"`)
	step("type the postcode", chromedp.SendKeys(chromedp.ID("search-q"), "cb1 3ph"))
	until("the postcode typed", `document.getElementById("search-q").value === "cb1 3ph"`)
	until("search", `(() => { const b = document.getElementById("search"); if (!b) return false; b.click(); return true })()`)
	until("the accounts found", `document.getElementById("found") !== null`)
	if got := eval("found", `document.getElementById("found").innerText`); !strings.Contains(got, "Alex Morgan, 12 Coleridge Road, CB1 3PH") {
		t.Fatalf("the search found %q", got)
	}
	shot("desk-search.png")
	until("pick Alex", `(() => { const a = document.querySelector("#found a"); if (!a) return false; a.click(); return true })()`)
	until("Alex's account", `document.getElementById("account-heading") !== null && document.getElementById("account-heading").textContent.includes("Alex Morgan")`)
	if got := eval("hand back words", `document.getElementById("hand-back-words").textContent`); !strings.Contains(got, "start of identification") {
		t.Fatalf("beside the hand-back: %q", got)
	}
	shot("desk-found.png")

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
