package desk_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
)

// A caller who keys two wrong PINs, then 0: the desk says in words where they got stuck
// and warns they are one try from lockout; handing them back, which lets them on as
// verified, needs the agent to say they checked who it is.
func TestCallerOneTryFromLockout(t *testing.T) {
	l, c := danaAtDesk(t)
	call := alexKeys(t, l, "1111", "9999")
	if turn, err := call.Press(l.Ctx, "0"); err != nil || turn.Wait.Kind != "queue" {
		t.Fatalf("0 at the PIN prompt: %v %+v", err, turn)
	}
	var tr domain.Transfer
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(call.Sid()); return err }); err != nil {
		t.Fatal(err)
	}
	if tr.Verified || tr.ResidentID == 0 {
		t.Fatalf("the transfer: %+v", tr)
	}
	queue := c.get("/desk/")
	for _, want := range []string{"PIN not passed", "1 try left before the lockout",
		"One try from lockout: one more wrong PIN locks the phone PIN for 30 minutes.",
		"The caller was identifying themselves.", "Keying their phone PIN.",
		"The caller could not key a PIN the line accepted: 2 wrong tries.", "keyed the PIN (not shown), keyed the PIN (not shown), pressed 0"} {
		if !strings.Contains(queue.body, want) {
			t.Errorf("the queue lacks %q", want)
		}
	}
	for _, code := range []string{"step ", "identify.pin", "keys (hidden)", "wrong_pin", "no_input"} {
		if strings.Contains(queue.body, code) {
			t.Errorf("the queue shows the code %q", code)
		}
	}
	if t.Failed() {
		t.Fatalf("the queue:\n%s", queue.body)
	}
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	c.act(callPath+"/take", nil)
	page := c.get(callPath)
	for _, want := range []string{"handing back puts them at the line's main menu as verified", `name="confirmed"`,
		"I have checked who the caller is", "One try from lockout"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the call page lacks %q", want)
		}
	}
	moves := len(l.Twilio.CallUpdates())
	r := c.act(callPath+"/return", url.Values{"note": {"wanted the menu"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Tick that you checked who they are") {
		t.Fatalf("hand back unconfirmed: %d\n%s", r.status, r.body)
	}
	if n := len(l.Twilio.CallUpdates()); n != moves {
		t.Fatalf("an unconfirmed hand-back moved the call")
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferTaken {
		t.Fatalf("an unconfirmed hand-back changed the call: %s", got.Status)
	}
	if r := c.act(callPath+"/return", url.Values{"confirmed": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("hand back confirmed: %d\n%s", r.status, r.body)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferReturned {
		t.Fatalf("the handed-back call: %s", got.Status)
	}
}

// A caller the line could not identify is handed back to identification, not to the
// menu, and the desk says so beside the button and after.
func TestHandBackAnUnidentifiedCaller(t *testing.T) {
	l, c := danaAtDesk(t)
	_, tr := unknownCallerWaits(t, l)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	c.act(callPath+"/take", nil)
	page := c.get(callPath)
	for _, want := range []string{"The caller asked for a person.", "Keying their 8-digit account number.",
		"handing back puts them at the start of identification", "They are not marked as verified."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the call page lacks %q", want)
		}
	}
	if strings.Contains(page.body, `name="confirmed"`) || strings.Contains(page.body, "PIN tries") {
		t.Errorf("the call page of an unidentified caller asks to confirm, or tells of PIN tries")
	}
	// With the caller's account found, the hand-back still goes to identification.
	if page := c.get(callPath + "?account=" + l.People["Alex Morgan"].Account); !strings.Contains(page.body, "Hand back to identification") ||
		strings.Contains(page.body, "Hand back to the line’s menu") {
		t.Errorf("with an account found, the hand-back button reads otherwise:\n%s", page.body)
	}
	r := c.act(callPath+"/return", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("hand back: %d\n%s", r.status, r.body)
	}
	if back := c.get("/desk/"); !strings.Contains(back.body, "The caller is back at the line's identification") {
		t.Errorf("the flash after the hand-back:\n%s", back.body)
	}
	status, body := l.SignedPost("/twilio/voice/resume?to=menu", url.Values{"CallSid": {tr.CallSid}, "From": {"+447700900999"},
		"To": {lineNumber}, "CallStatus": {"in-progress"}, "AccountSid": {servertest.AccountSid}})
	if status != http.StatusOK || strings.Contains(body, "To activate a visit, press 1.") {
		t.Fatalf("the unidentified caller resumed at the menu: %d\n%s", status, body)
	}
}

// finds counts the searches audited on a demo person's account by an agent.
func finds(t *testing.T, l *servertest.Line, name string, a domain.Agent) int {
	t.Helper()
	view, err := l.Svc.Account(l.Ctx, domain.Admin("test"), l.People[name].Account)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range view.Activity {
		if e.Action == "account.found" && e.Actor == a.Actor() {
			n++
		}
	}
	return n
}

// The agent holding a call the line could not identify finds the caller's account by
// postcode, phone number, name or registration, picks it from the list and opens it;
// each account listed is audited with the agent's name, once per search, and no other
// agent can search for that call.
func TestFindAnAccountForAnUnidentifiedCaller(t *testing.T) {
	l := servertest.New(t, monday)
	dana := l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	l.AddAgent("eli", "Eli Stone", "07700 900502", password)
	cd, ce := newClient(t, l.Srv.URL), newClient(t, l.Srv.URL)
	cd.mustSignIn("dana", password)
	ce.mustSignIn("eli", password)
	_, tr := unknownCallerWaits(t, l)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	if r := ce.get(callPath + "?by=postcode&q=CB1+3PH"); r.status != http.StatusForbidden || strings.Contains(r.body, "Alex Morgan") {
		t.Fatalf("a search on a waiting call: %d", r.status)
	}
	cd.act(callPath+"/take", nil)
	if r := ce.get(callPath + "?by=postcode&q=CB1+3PH"); r.status != http.StatusForbidden || strings.Contains(r.body, "Alex Morgan") {
		t.Fatalf("another agent's search: %d\n%s", r.status, r.body)
	}
	if n := finds(t, l, "Alex Morgan", dana); n != 0 {
		t.Fatalf("%d searches audited before any", n)
	}
	alexAccount := l.People["Alex Morgan"].Account
	for _, c := range []struct{ by, q string }{
		{"postcode", "cb13ph"}, {"phone", "07700 900123"}, {"name", "alex mor"}, {"vrm", "kx65 abc"},
	} {
		page := cd.get(callPath + "?by=" + c.by + "&q=" + url.QueryEscape(c.q))
		link := fmt.Sprintf(`href="%s?account=%s"`, callPath, alexAccount)
		if page.status != http.StatusOK || !strings.Contains(page.body, "Alex Morgan, 12 Coleridge Road, CB1 3PH") ||
			!strings.Contains(page.body, link) {
			t.Errorf("by %s %q: %d, no Alex Morgan to pick:\n%s", c.by, c.q, page.status, page.body)
		}
	}
	if n := finds(t, l, "Alex Morgan", dana); n != 4 {
		t.Errorf("%d searches audited on Alex's account, want 4", n)
	}
	cd.get(callPath + "?by=postcode&q=CB1+3PH") // the same search again is not audited again
	if n := finds(t, l, "Alex Morgan", dana); n != 4 {
		t.Errorf("%d searches audited after a repeat, want 4", n)
	}
	for _, c := range []struct{ by, q, want string }{
		{"postcode", "nowhere", "Nothing was searched for: the postcode \"nowhere\" is not a UK postcode"},
		{"name", "a", "needs at least 2 letters"},
		{"postcode", "CB9 9ZZ", "No account matches."},
	} {
		if page := cd.get(callPath + "?by=" + c.by + "&q=" + url.QueryEscape(c.q)); !strings.Contains(page.body, c.want) {
			t.Errorf("by %s %q lacks %q", c.by, c.q, c.want)
		}
	}
	// Picked from the list, the account opens, audited as a look-up.
	page := cd.get(callPath + "?account=" + alexAccount)
	if !strings.Contains(page.body, "Account "+alexAccount+": Alex Morgan") {
		t.Fatalf("the picked account does not open:\n%s", page.body)
	}
	if n := lookups(t, l, "Alex Morgan", dana); n != 1 {
		t.Fatalf("%d look-ups audited", n)
	}
}
