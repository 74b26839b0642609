package desk_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
)

// lockedOutKeepsAPlace has Alex lock the PIN, wait in the queue and ask to be called back.
func lockedOutKeepsAPlace(t *testing.T, l *servertest.Line) (domain.Callback, domain.Transfer) {
	t.Helper()
	call, tr := lockedOutWaits(t, l)
	var cb domain.Callback
	if err := l.Svc.Update(l.Ctx, func(op *domain.Op) (err error) {
		cb, err = op.BookCallback(domain.CallbackIn{CallSid: call.Sid(), Number: alex, Kind: domain.CallbackKept})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return cb, tr
}

func TestATakenCallbackIsWorkedLikeACall(t *testing.T) {
	l, c := danaAtDesk(t)
	l.AddAgent("sam", "Sam Cole", "07700 900502", password)
	sam := newClient(t, l.Srv.URL)
	sam.mustSignIn("sam", password)
	cb, tr := lockedOutKeepsAPlace(t, l)
	base := "/desk/callbacks/" + strconv.FormatInt(cb.ID, 10)

	// Before it is taken, the page shows the context but no account and no actions.
	if r := c.get(base); r.status != http.StatusOK || !strings.Contains(r.body, "take it to act on it") ||
		strings.Contains(r.body, "Coleridge Road") || strings.Contains(r.body, `action="`+base+`/visits"`) {
		t.Fatalf("the callback before it is taken: %d\n%s", r.status, r.body)
	}
	r := c.act(base+"/take", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != base {
		t.Fatalf("take: %d %q, want a redirect to the callback's page", r.status, r.header.Get("Location"))
	}
	page := c.get(base)
	for _, want := range []string{"Callback to 07700 900123", "being made", "The call it was asked on",
		"Alex Morgan", "12 Coleridge Road", "locked", // the first call's context and the account
		`action="` + base + `/visits"`, `action="` + base + `/vehicles"`, `action="` + base + `/pin"`,
		"Lift the lockout", "A PIN can't be reset on a callback", "Finish the callback", "Not answered"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the taken callback's page lacks %q", want)
		}
	}
	if strings.Contains(page.body, `id="pin-reset"`) || strings.Contains(page.body, "Send to payment") {
		t.Errorf("the callback's page offers what a callback cannot do:\n%s", page.body)
	}
	// The first call's steps, as its call page shows them.
	callPage := c.get("/desk/calls/" + strconv.FormatInt(tr.ID, 10))
	for _, step := range []string{`<dd id="stuck">The caller was locked out of the phone PIN after 3 wrong tries.</dd>`,
		"Locked out: the phone PIN is locked until today at 10:30 after 3 wrong tries.", `<ol class="timeline">`} {
		if !strings.Contains(callPage.body, step) || !strings.Contains(page.body, step) {
			t.Errorf("%q shows on one of the call's and the callback's pages only:\n%s\n----\n%s", step, callPage.body, page.body)
		}
	}

	timeline := func(body string) string {
		i := strings.Index(body, `<ol class="timeline">`)
		if i < 0 {
			return ""
		}
		return body[i : i+strings.Index(body[i:], "</ol>")]
	}
	if h := timeline(page.body); h == "" || h != timeline(callPage.body) || !strings.Contains(h, "PIN") {
		t.Errorf("the callback's page does not show the first call's steps as its call page does:\n%s\n----\n%s", h, timeline(callPage.body))
	}

	// Sam, not making it, is refused every action, and nothing changes.
	before := len(l.Upcoming("Alex Morgan"))
	visit := url.Values{"vrm": {"AB12CDE"}, "date": {"2026-11-30"}}
	if r := sam.act(base+"/visits", visit); r.status != http.StatusForbidden {
		t.Fatalf("an activation by Sam: %d", r.status)
	}
	if r := sam.act(base+"/pin", url.Values{"action": {"unlock"}, "q_address": {"yes"}}); r.status != http.StatusForbidden {
		t.Fatalf("an unlock by Sam: %d", r.status)
	}
	if r := sam.act(base+"/unanswered", nil); r.status != http.StatusForbidden {
		t.Fatalf("not answered, by Sam: %d", r.status)
	}
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackCalling || got.AgentID == 0 {
		t.Fatalf("Sam's refused requests changed the callback: %+v", got)
	}
	if r := c.post(base+"/visits", visit); r.status != http.StatusForbidden {
		t.Fatalf("an activation without the CSRF token: %d", r.status)
	}
	// Dana activates a visit for the resident from the callback.
	if r := c.act(base+"/visits", visit); r.status != http.StatusSeeOther || r.header.Get("Location") != base {
		t.Fatalf("activate: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if n := len(l.Upcoming("Alex Morgan")); n != before+1 {
		t.Fatalf("visits after activating: %d, was %d", n, before)
	}
	// A reset is refused on a callback; a lifted lockout is not.
	r = c.act(base+"/pin", url.Values{"action": {"reset"}, "q_address": {"yes"}, "q_visit": {"yes"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "A PIN can't be reset on a callback") {
		t.Fatalf("a reset on a callback: %d\n%s", r.status, r.body)
	}
	if res, _, _ := alexAccount(t, l); res.PINHash == "" || res.PINLockedUntil.IsZero() {
		t.Fatalf("the refused reset changed the PIN: %+v", res.PINState)
	}
	if r := c.act(base+"/pin", url.Values{"action": {"unlock"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("an unlock with no question answered: %d", r.status)
	}
	if r := c.act(base+"/pin", url.Values{"action": {"unlock"}, "q_address": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("unlock: %d\n%s", r.status, r.body)
	}
	res, audit, texts := alexAccount(t, l)
	if res.PINHash == "" || res.PINState != (domain.PINState{}) || len(texts) != 0 {
		t.Fatalf("after the unlock: %+v, %d texts", res.PINState, len(texts))
	}
	if !auditHas(audit, "pin.unlock", "for callback "+strconv.FormatInt(cb.ID, 10)+": lockout lifted for Alex Morgan; answered: address and postcode") {
		t.Fatalf("the unlock is not audited: %+v", audit)
	}

	// Not answered: due again in 10 minutes, and nothing more can be done on it.
	if r := c.act(base+"/unanswered", url.Values{"note": {"voicemail picked up"}}); r.status != http.StatusSeeOther ||
		r.header.Get("Location") != "/desk/callbacks" {
		t.Fatalf("not answered: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	got := callbackNow(t, l, cb.ID)
	if got.Status != domain.CallbackPending || got.AgentID != 0 || !got.DueAt.Equal(l.Clock.Now().Add(domain.CallbackRetryAfter)) {
		t.Fatalf("after not answered: %+v", got)
	}
	if r := c.act(base+"/visits", visit); r.status != http.StatusForbidden && r.status != http.StatusConflict {
		t.Fatalf("an activation on a callback put back: %d", r.status)
	}
	// Taken again when due, and finished as done with a note.
	l.Clock.Advance(domain.CallbackRetryAfter)
	if r := c.act(base+"/take", nil); r.status != http.StatusSeeOther {
		t.Fatalf("take again: %d\n%s", r.status, r.body)
	}
	if r := c.act(base+"/finish", url.Values{"note": {"booked a visit, lifted the lockout"}}); r.status != http.StatusSeeOther {
		t.Fatalf("finish: %d\n%s", r.status, r.body)
	}
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackDone || got.Attempts != 2 || got.Note != "booked a visit, lifted the lockout" {
		t.Fatalf("after finishing: %+v", got)
	}
	if r := c.get(base); !strings.Contains(r.body, "nothing more can be done on it here") {
		t.Fatalf("a done callback's page:\n%s", r.body)
	}
}

func TestTheLastUnansweredTryTextsTheResident(t *testing.T) {
	l, c := danaAtDesk(t)
	cb := alexKeepsAPlace(t, l)
	base := "/desk/callbacks/" + strconv.FormatInt(cb.ID, 10)
	for try := 1; try <= domain.CallbackAttempts; try++ {
		if r := c.act(base+"/take", nil); r.status != http.StatusSeeOther {
			t.Fatalf("take %d: %d\n%s", try, r.status, r.body)
		}
		if r := c.act(base+"/unanswered", nil); r.status != http.StatusSeeOther {
			t.Fatalf("not answered %d: %d\n%s", try, r.status, r.body)
		}
		l.Clock.Advance(domain.CallbackRetryAfter)
	}
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackFailed || got.Attempts != domain.CallbackAttempts {
		t.Fatalf("after the last try: %+v", got)
	}
	var texts []domain.Outgoing
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		texts, err = r.DueOutgoing(l.Clock.Now().Add(time.Hour), l.Clock.Now(), 100)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range texts {
		if m.Kind == domain.NoticeCallbackFailed && m.To == alex {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("callback-failed texts to Alex: %d, want 1 (%+v)", n, texts)
	}
}

func TestACallbackIsCancelledWithAReason(t *testing.T) {
	l, c := danaAtDesk(t)
	cb := alexKeepsAPlace(t, l)
	id := strconv.FormatInt(cb.ID, 10)
	page := c.get("/desk/callbacks")
	if !strings.Contains(page.body, `action="/desk/callbacks/`+id+`/cancel"`) || !strings.Contains(page.body, "Reason to cancel") {
		t.Fatalf("the callbacks page offers no cancel:\n%s", page.body)
	}
	if r := c.post("/desk/callbacks/"+id+"/cancel", url.Values{"reason": {"called again"}}); r.status != http.StatusForbidden {
		t.Fatalf("a cancel without the CSRF token: %d", r.status)
	}
	for _, reason := range []string{"", " ", strings.Repeat("x", 201)} {
		if r := c.act("/desk/callbacks/"+id+"/cancel", url.Values{"reason": {reason}}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("a cancel with reason %q: %d", reason, r.status)
		}
	}
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackPending {
		t.Fatalf("a refused cancel changed the callback: %+v", got)
	}
	if r := c.act("/desk/callbacks/"+id+"/cancel", url.Values{"reason": {"resident called again and was helped"}}); r.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", r.status, r.body)
	}
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackCancelled || got.Note != "resident called again and was helped" {
		t.Fatalf("after cancelling: %+v", got)
	}
	_, audit, _ := alexAccount(t, l)
	if !auditHas(audit, "callback.cancelled", "resident called again and was helped") {
		t.Fatalf("the cancel is not audited: %+v", audit)
	}
	if r := c.get("/desk/callbacks"); strings.Contains(r.body, `id="callback-`+id+`"`) {
		t.Fatal("a cancelled callback is still listed")
	}
	if r := c.act("/desk/callbacks/"+id+"/cancel", url.Values{"reason": {"again"}}); r.status != http.StatusConflict {
		t.Fatalf("cancelling twice: %d", r.status)
	}
	// R25: one pending callback per resident, and a cancelled one is not pending.
	res, _, _ := alexAccount(t, l)
	caller := domain.ResidentCaller(res)
	if err := l.Svc.Update(l.Ctx, func(op *domain.Op) error {
		_, err := op.BookCallback(domain.CallbackIn{CallSid: "CA" + strings.Repeat("c", 32), Number: alex, Caller: &caller,
			Kind: domain.CallbackBooked, Reason: "asked for an agent"})
		return err
	}); err != nil {
		t.Fatalf("a new callback after cancelling: %v", err)
	}
}

// A callback for a caller the line never identified: the agent making it opens the
// account the resident gives (audited), and both questions are needed to lift a lockout.
func TestACallbackForACallerNotIdentified(t *testing.T) {
	l, c := danaAtDesk(t)
	l.AddAgent("sam", "Sam Cole", "07700 900502", password)
	sam := newClient(t, l.Srv.URL)
	sam.mustSignIn("sam", password)
	call, _ := unknownCallerWaits(t, l)
	var cb domain.Callback
	if err := l.Svc.Update(l.Ctx, func(op *domain.Op) (err error) {
		cb, err = op.BookCallback(domain.CallbackIn{CallSid: call.Sid(), Number: "+447700900999", Kind: domain.CallbackKept})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	base := "/desk/callbacks/" + strconv.FormatInt(cb.ID, 10)
	account := l.People["Alex Morgan"].Account
	if r := c.act(base+"/take", nil); r.status != http.StatusSeeOther {
		t.Fatalf("take: %d", r.status)
	}
	page := c.get(base)
	if !strings.Contains(page.body, `<form method="get" action="`+base+`" class="row">`) || !strings.Contains(page.body, "Find the account") ||
		!strings.Contains(page.body, `<form method="get" action="`+base+`" class="row" role="search"`) {
		t.Fatalf("the unidentified callback's page:\n%s", page.body)
	}
	for _, path := range []string{base + "?account=" + account, base + "?by=postcode&q=CB1+3PH"} {
		if r := sam.get(path); r.status != http.StatusForbidden || strings.Contains(r.body, "Coleridge Road") ||
			!strings.Contains(r.body, "Only the agent making this callback can look up an account for it. Take the callback first") {
			t.Fatalf("Sam looking up an account on Dana's callback (%s): %d\n%s", path, r.status, r.body)
		}
	}
	if r := c.get(base + "?account=99999999"); r.status != http.StatusOK ||
		!strings.Contains(r.body, "There is no account 99999999. Check the number with the resident.") {
		t.Fatalf("looking up no account on a callback: %d\n%s", r.status, r.body)
	}
	// Found by postcode (audited), and picked from the list.
	found := c.get(base + "?by=postcode&q=cb1+3ph")
	if !strings.Contains(found.body, `href="`+base+"?account="+account+`"`) {
		t.Fatalf("the search by postcode does not list Alex's account:\n%s", found.body)
	}
	if _, audit, _ := alexAccount(t, l); !auditHas(audit, "account.found", "for callback "+strconv.FormatInt(cb.ID, 10)+" to +********0999, by postcode CB1 3PH") {
		t.Fatalf("the search is not audited: %+v", audit)
	}
	page = c.get(base + "?account=" + account)
	for _, want := range []string{"12 Coleridge Road", "both questions are needed, even to lift a lockout",
		`name="account" value="` + account + `"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the looked-up account's page lacks %q", want)
		}
	}
	_, audit, _ := alexAccount(t, l)
	if !auditHas(audit, "account.lookup", "for callback "+strconv.FormatInt(cb.ID, 10)) {
		t.Fatalf("the look-up is not audited: %+v", audit)
	}
	r := c.act(base+"/pin", url.Values{"action": {"unlock"}, "q_address": {"yes"}, "account": {account}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "both identity questions") {
		t.Fatalf("an unlock with one question: %d\n%s", r.status, r.body)
	}
	r = c.act(base+"/pin", url.Values{"action": {"unlock"}, "q_address": {"yes"}, "q_visit": {"yes"}, "account": {account}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != base+"?account="+account {
		t.Fatalf("unlock: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if _, audit, _ := alexAccount(t, l); !auditHas(audit, "pin.unlock", "answered: address and postcode, a recent visit") {
		t.Fatalf("the unlock is not audited: %+v", audit)
	}
	before := len(l.Upcoming("Alex Morgan"))
	if r := c.act(base+"/visits", url.Values{"vrm": {"AB12CDE"}, "date": {"2026-11-30"}, "account": {account}}); r.status != http.StatusSeeOther {
		t.Fatalf("activate: %d\n%s", r.status, r.body)
	}
	if n := len(l.Upcoming("Alex Morgan")); n != before+1 {
		t.Fatalf("visits: %d, was %d", n, before)
	}
}
