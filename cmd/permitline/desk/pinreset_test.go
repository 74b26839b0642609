package desk_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

// lockedOutWaits has Alex call and key three wrong PINs: the account is locked and the
// call waits in the helpdesk queue.
func lockedOutWaits(t *testing.T, l *servertest.Line) (*twiliosim.Call, domain.Transfer) {
	t.Helper()
	call := alexKeys(t, l, "1111", "1111")
	turn, err := call.Press(l.Ctx, "1111")
	if err != nil {
		t.Fatal(err)
	}
	if turn.Wait.Kind != "queue" {
		t.Fatalf("a locked-out caller waits for %q, not in the queue: %v", turn.Wait.Kind, turn.Said)
	}
	var tr domain.Transfer
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(call.Sid()); return err }); err != nil {
		t.Fatal(err)
	}
	return call, tr
}

// alexAccount reads Alex's account, the PIN texts queued to Alex, and the audit.
func alexAccount(t *testing.T, l *servertest.Line) (domain.Resident, []domain.AuditEntry, []domain.Outgoing) {
	t.Helper()
	var res domain.Resident
	var audit []domain.AuditEntry
	var texts []domain.Outgoing
	err := l.Svc.View(l.Ctx, func(r domain.Reader) error {
		rs, err := r.ResidentsByPhone(alex)
		if err != nil || len(rs) != 1 {
			return fmt.Errorf("alex's account: %v %w", rs, err)
		}
		res = rs[0]
		if audit, err = r.Audit(res.ID, 100); err != nil {
			return err
		}
		due, err := r.DueOutgoing(l.Svc.Now().Add(time.Hour), l.Svc.Now(), 100)
		for _, m := range due {
			if m.Kind == domain.NoticePINReset || m.Kind == domain.NoticePINChosen {
				texts = append(texts, m)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, audit, texts
}

func auditHas(audit []domain.AuditEntry, action, detail string) bool {
	for _, e := range audit {
		if e.Action == action && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}

func TestAgentResetsAPINAndTheCallerChoosesANewOne(t *testing.T) {
	l, c := danaAtDesk(t)
	l.AddAgent("sam", "Sam Cole", "07700 900502", password)
	call, tr := lockedOutWaits(t, l)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	both := url.Values{"action": {"reset"}, "q_address": {"yes"}, "q_visit": {"yes"}}

	// Sam, not holding the call, is refused, and nothing changes.
	sam := newClient(t, l.Srv.URL)
	sam.mustSignIn("sam", password)
	if r := c.act(callPath+"/take", nil); r.status != http.StatusSeeOther {
		t.Fatalf("take: %d", r.status)
	}
	if r := sam.act(callPath+"/pin", both); r.status != http.StatusForbidden {
		t.Fatalf("a reset by an agent not holding the call: %d", r.status)
	}
	page := c.get(callPath)
	for _, want := range []string{"Reset the PIN", "Lift the lockout", "The address and postcode", "locked"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the call page lacks %q", want)
		}
	}
	// Without both questions ticked, a reset is refused.
	for _, form := range []url.Values{{"action": {"reset"}, "q_address": {"yes"}}, {"action": {"reset"}}} {
		if r := c.act(callPath+"/pin", form); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "both identity questions") {
			t.Fatalf("a reset with %v: %d\n%s", form, r.status, r.body)
		}
	}
	res, audit, texts := alexAccount(t, l)
	if res.PINHash == "" || res.PINLockedUntil.IsZero() || auditHas(audit, "pin.reset", "") || len(texts) != 0 {
		t.Fatalf("a refused reset changed the account: %+v, %d texts", res.PINState, len(texts))
	}
	// With both, the PIN and the lockout are cleared, audited in Dana's name, texted once.
	for range 2 {
		if r := c.act(callPath+"/pin", both); r.status != http.StatusSeeOther {
			t.Fatalf("reset: %d\n%s", r.status, r.body)
		}
	}
	res, audit, texts = alexAccount(t, l)
	if res.PINHash != "" || res.PINState != (domain.PINState{}) {
		t.Fatalf("after the reset: has a PIN %v, %+v", res.PINHash != "", res.PINState)
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
	// Handing back sends the caller to choosing a new PIN.
	if r := c.act(callPath+"/return", url.Values{"confirmed": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("hand back: %d\n%s", r.status, r.body)
	}
	ups := l.Twilio.CallUpdates()
	resume := ups[len(ups)-1].URL
	if resume != l.Srv.URL+"/twilio/voice/resume?to=newpin" {
		t.Fatalf("hand back reached Twilio as %q", resume)
	}
	status, doc := l.SignedPost("/twilio/voice/resume?to=newpin", url.Values{"CallSid": {tr.CallSid}, "From": {alex},
		"To": {lineNumber}, "CallStatus": {"in-progress"}, "AccountSid": {servertest.AccountSid}})
	if status != http.StatusOK || !strings.Contains(doc, "choose a new phone PIN") {
		t.Fatalf("resumed call: %d\n%s", status, doc)
	}
	turn, err := call.UpdateTwiML(l.Ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	// Two PINs that differ start again; the same one twice sets it, then the menu.
	for _, step := range []struct{ keys, want string }{
		{"4826", "key the same new PIN again"}, {"4827", "not the same"},
		{"4826", "key the same new PIN again"}, {"4826", "Your new PIN is set"},
	} {
		if turn, err = call.Press(l.Ctx, step.keys); err != nil {
			t.Fatal(err)
		}
		if said := strings.Join(turn.Said, " "); !strings.Contains(said, step.want) {
			t.Fatalf("after %s the line said %q, want %q", step.keys, said, step.want)
		}
	}
	if said := strings.Join(turn.Said, " "); !strings.Contains(said, "To activate a visit, press 1.") {
		t.Fatalf("after a new PIN the caller is not at the menu: %q", said)
	}
	res, audit, texts = alexAccount(t, l)
	if !auditHas(audit, "pin.chosen", "new PIN chosen") || len(texts) != 2 {
		t.Fatalf("the new PIN is not audited and texted: %d texts", len(texts))
	}
	if err := call.Hangup(l.Ctx); err != nil {
		t.Fatal(err)
	}
	// The new PIN works at the next call; the old one does not.
	next := alexKeys(t, l)
	turn, err = next.Press(l.Ctx, "4826")
	if err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(turn.Said, " "); !strings.Contains(said, "To activate a visit, press 1.") {
		t.Fatalf("the new PIN at the next call: %q", said)
	}
	// The call cannot choose a PIN again: the reset is used up.
	if ok, err := l.Svc.PINResetWaiting(l.Ctx, tr.CallSid); err != nil || ok {
		t.Fatalf("a reset still waits after the new PIN: %v %v", ok, err)
	}
}

func TestAgentLiftsALockout(t *testing.T) {
	l, c := danaAtDesk(t)
	_, tr := lockedOutWaits(t, l)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	c.act(callPath+"/take", nil)
	if r := c.act(callPath+"/pin", url.Values{"action": {"unlock"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a lift without a question: %d", r.status)
	}
	if r := c.act(callPath+"/pin", url.Values{"action": {"unlock"}, "q_address": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("lift: %d\n%s", r.status, r.body)
	}
	res, audit, texts := alexAccount(t, l)
	if res.PINHash == "" || res.PINState != (domain.PINState{}) || !auditHas(audit, "pin.unlock", "answered: address and postcode") || len(texts) != 0 {
		t.Fatalf("after lifting: has a PIN %v, %+v, %d texts", res.PINHash != "", res.PINState, len(texts))
	}
	// No reset: handing back goes to the menu, and the new PIN step refuses this call.
	c.act(callPath+"/return", url.Values{"confirmed": {"yes"}})
	ups := l.Twilio.CallUpdates()
	if last := ups[len(ups)-1].URL; last != l.Srv.URL+"/twilio/voice/resume?to=menu" {
		t.Fatalf("hand back reached Twilio as %q", last)
	}
	status, doc := l.SignedPost("/twilio/voice/resume?to=newpin", url.Values{"CallSid": {tr.CallSid}, "From": {alex},
		"To": {lineNumber}, "CallStatus": {"in-progress"}, "AccountSid": {servertest.AccountSid}})
	if status != http.StatusOK || strings.Contains(doc, "new phone PIN") || !strings.Contains(doc, "To activate a visit, press 1.") {
		t.Fatalf("a call without a reset asked for a new PIN: %d\n%s", status, doc)
	}
}

// A caller the line never identified: the agent finds the account by postcode, picks it,
// and resets the PIN once both questions are answered; the caller then chooses a new PIN.
func TestPINResetForACallerTheLineNeverIdentified(t *testing.T) {
	l, c := danaAtDesk(t)
	call, tr := unknownCallerWaits(t, l)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	if r := c.act(callPath+"/take", nil); r.status != http.StatusSeeOther {
		t.Fatalf("take: %d", r.status)
	}
	found := c.get(callPath + "?by=postcode&q=cb1+3ph")
	account := l.People["Alex Morgan"].Account
	link := callPath + "?account=" + account
	if !strings.Contains(found.body, `href="`+link+`"`) {
		t.Fatalf("the search by postcode does not list Alex's account:\n%s", found.body)
	}
	page := c.get(link)
	for _, want := range []string{"Reset the PIN", "Lift the lockout", "both questions are needed, even to lift a lockout",
		`id="pin-form"`, `name="account" value="` + account + `"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the picked account's page lacks %q", want)
		}
	}
	// One question is not enough, even to lift a lockout: nothing changes, the caller is
	// still not identified.
	for _, form := range []url.Values{
		{"action": {"unlock"}, "q_address": {"yes"}, "account": {account}},
		{"action": {"reset"}, "q_visit": {"yes"}, "account": {account}},
	} {
		r := c.act(callPath+"/pin", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "both identity questions") {
			t.Fatalf("%v: %d\n%s", form, r.status, r.body)
		}
	}
	// Without an account picked, there is nothing to reset.
	if r := c.act(callPath+"/pin", url.Values{"action": {"reset"}, "q_address": {"yes"}, "q_visit": {"yes"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "find their account first") {
		t.Fatalf("a reset with no account: %d\n%s", r.status, r.body)
	}
	res, audit, texts := alexAccount(t, l)
	if got := transfer(t, l, tr.ID); got.ResidentID != 0 || got.Verified || res.PINHash == "" || len(texts) != 0 ||
		auditHas(audit, "call.identify", "") || auditHas(audit, "pin.reset", "") {
		t.Fatalf("a refused reset changed something: transfer %+v, %d texts", got, len(texts))
	}

	// Both answered: the PIN is reset, the account recorded as the caller's (not verified).
	r := c.act(callPath+"/pin", url.Values{"action": {"reset"}, "q_address": {"yes"}, "q_visit": {"yes"}, "account": {account}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != callPath {
		t.Fatalf("reset: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	res, audit, texts = alexAccount(t, l)
	got := transfer(t, l, tr.ID)
	if res.PINHash != "" || got.ResidentID != res.ID || got.Caller.Name != "Alex Morgan" || got.Verified {
		t.Fatalf("after the reset: has a PIN %v, transfer %+v", res.PINHash != "", got)
	}
	if !auditHas(audit, "call.identify", "answered: address and postcode, a recent visit") ||
		!auditHas(audit, "pin.reset", "answered: address and postcode, a recent visit") {
		t.Fatalf("the pick and the reset are not audited: %+v", audit)
	}
	for _, e := range audit {
		if (e.Action == "pin.reset" || e.Action == "call.identify") && e.Actor.Name != "Dana Reid" {
			t.Fatalf("%s audited as %+v", e.Action, e.Actor)
		}
	}
	if len(texts) != 1 || texts[0].Kind != domain.NoticePINReset || texts[0].To != alex {
		t.Fatalf("texts queued: %+v", texts)
	}
	page = c.get(callPath)
	for _, want := range []string{"Alex Morgan", "The PIN was reset on this call", "PIN not passed", "Hand back to the line’s menu"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the call page after the reset lacks %q", want)
		}
	}
	// Handing back has the caller choose a new PIN, then the main menu.
	if r := c.act(callPath+"/return", url.Values{"confirmed": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("hand back: %d\n%s", r.status, r.body)
	}
	ups := l.Twilio.CallUpdates()
	if resume := ups[len(ups)-1].URL; resume != l.Srv.URL+"/twilio/voice/resume?to=newpin" {
		t.Fatalf("hand back reached Twilio as %q", resume)
	}
	status, doc := l.SignedPost("/twilio/voice/resume?to=newpin", url.Values{"CallSid": {call.Sid()}, "From": {"+447700900999"},
		"To": {lineNumber}, "CallStatus": {"in-progress"}, "AccountSid": {servertest.AccountSid}})
	if status != http.StatusOK || !strings.Contains(doc, "choose a new phone PIN") {
		t.Fatalf("resumed call: %d\n%s", status, doc)
	}
}

// Lifting a lockout for a caller the line never identified: the caller goes back to
// identification, to key the account number and PIN.
func TestUnlockForACallerTheLineNeverIdentifiedHandsBackToIdentification(t *testing.T) {
	l, c := danaAtDesk(t)
	_, tr := unknownCallerWaits(t, l)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	if r := c.act(callPath+"/take", nil); r.status != http.StatusSeeOther {
		t.Fatalf("take: %d", r.status)
	}
	account := l.People["Alex Morgan"].Account
	r := c.act(callPath+"/pin", url.Values{"action": {"unlock"}, "q_address": {"yes"}, "q_visit": {"yes"}, "account": {account}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("unlock: %d\n%s", r.status, r.body)
	}
	res, audit, _ := alexAccount(t, l)
	if res.PINHash == "" || !auditHas(audit, "pin.unlock", "answered: address and postcode, a recent visit") {
		t.Fatalf("after the unlock: has a PIN %v, audit %+v", res.PINHash != "", audit)
	}
	page := c.get(callPath)
	for _, want := range []string{"handing back puts them at the start of identification", "Hand back to identification"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the call page after the unlock lacks %q", want)
		}
	}
	if r := c.act(callPath+"/return", nil); r.status != http.StatusSeeOther {
		t.Fatalf("hand back: %d\n%s", r.status, r.body)
	}
	ups := l.Twilio.CallUpdates()
	if resume := ups[len(ups)-1].URL; resume != l.Srv.URL+"/twilio/voice/resume?to=menu" {
		t.Fatalf("hand back reached Twilio as %q", resume)
	}
	status, doc := l.SignedPost("/twilio/voice/resume?to=menu", url.Values{"CallSid": {tr.CallSid}, "From": {"+447700900999"},
		"To": {lineNumber}, "CallStatus": {"in-progress"}, "AccountSid": {servertest.AccountSid}})
	if status != http.StatusOK || !strings.Contains(doc, "account number") || strings.Contains(doc, "main menu") {
		t.Fatalf("resumed call: %d\n%s", status, doc)
	}
}
