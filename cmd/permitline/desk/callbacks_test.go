package desk_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr"
	"permitline/sms/fakeapi"
)

// alexKeepsAPlace has Alex wait in the queue and ask to be called back, keeping the place.
func alexKeepsAPlace(t *testing.T, l *servertest.Line) domain.Callback {
	t.Helper()
	call, _ := queueForAgent(t, l)
	var res domain.Resident
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		res, err = r.ResidentByAccount(l.People["Alex Morgan"].Account)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	caller := domain.ResidentCaller(res)
	var cb domain.Callback
	if err := l.Svc.Update(l.Ctx, func(op *domain.Op) (err error) {
		cb, err = op.BookCallback(domain.CallbackIn{CallSid: call.Sid(), Number: alex, Caller: &caller, Verified: true,
			Kind: domain.CallbackKept, Reason: "asked for an agent"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return cb
}

func callbackNow(t *testing.T, l *servertest.Line, id int64) domain.Callback {
	t.Helper()
	cb, err := l.Svc.Callback(l.Ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

func TestAnAgentTakesACallbackAndIsPutThrough(t *testing.T) {
	l, c := danaAtDesk(t)
	cb := alexKeepsAPlace(t, l)
	page := c.get("/desk/callbacks")
	if page.status != 200 || !strings.Contains(page.body, `id="callback-`+strconv.FormatInt(cb.ID, 10)) ||
		!strings.Contains(page.body, "Callbacks (1)") || strings.Contains(page.body, alex) ||
		!strings.Contains(page.body, l.People["Alex Morgan"].Account) {
		t.Fatalf("callbacks page: %d\n%s", page.status, page.body)
	}
	if r := c.post("/desk/callbacks/"+strconv.FormatInt(cb.ID, 10)+"/take", url.Values{}); r.status != http.StatusForbidden {
		t.Fatalf("take without a CSRF token: %d", r.status)
	}
	r := c.act("/desk/callbacks/"+strconv.FormatInt(cb.ID, 10)+"/take", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("take: %d\n%s", r.status, r.body)
	}
	calls := l.Twilio.Calls()
	q := "?cb=" + strconv.FormatInt(cb.ID, 10)
	if len(calls) != 1 || calls[0].To != alex || calls[0].From != servertest.LineNumber ||
		calls[0].URL != l.Srv.URL+ivr.CallbackAnswerPath+q {
		t.Fatalf("calls made: %+v", calls)
	}
	status, body := l.SignedPost(ivr.CallbackAnswerPath+q, url.Values{"CallSid": {calls[0].Sid}, "To": {alex}})
	if status != 200 || !strings.Contains(body, "<Number>+447700900501</Number>") {
		t.Fatalf("answer: %d %s", status, body)
	}
	if status, _ := l.SignedPost(ivr.CallbackStatusPath+q, url.Values{"CallSid": {calls[0].Sid}, "CallStatus": {"completed"}}); status/100 != 2 {
		t.Fatalf("status: %d", status)
	}
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackConnected {
		t.Fatalf("after the call: %s", got.Status)
	}
	page = c.get("/desk/callbacks")
	if !strings.Contains(page.body, "put through to you") {
		t.Fatalf("the agent's callback is not shown:\n%s", page.body)
	}
	if r := c.act("/desk/callbacks/"+strconv.FormatInt(cb.ID, 10)+"/finish", url.Values{"note": {"renewed the permit"}}); r.status != http.StatusSeeOther {
		t.Fatalf("finish: %d\n%s", r.status, r.body)
	}
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackDone || got.Note != "renewed the permit" {
		t.Fatalf("after finishing: %+v", got)
	}
}

func TestTwoAgentsTakeOneCallbackOneWins(t *testing.T) {
	l, dana := danaAtDesk(t)
	l.AddAgent("sam", "Sam Lee", "07700 900502", password)
	sam := newClient(t, l.Srv.URL)
	sam.mustSignIn("sam", password)
	cb := alexKeepsAPlace(t, l)
	path := "/desk/callbacks/" + strconv.FormatInt(cb.ID, 10) + "/take"
	forms := []url.Values{{"csrf": {dana.token("/desk/")}}, {"csrf": {sam.token("/desk/")}}}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, c := range []*client{dana, sam} {
		wg.Add(1)
		go func() { defer wg.Done(); statuses[i] = c.post(path, forms[i]).status }()
	}
	wg.Wait()
	won := 0
	for _, s := range statuses {
		if s == http.StatusSeeOther {
			won++
		} else if s != http.StatusConflict {
			t.Fatalf("statuses %v", statuses)
		}
	}
	if won != 1 || len(l.Twilio.Calls()) != 1 {
		t.Fatalf("statuses %v, %d calls made", statuses, len(l.Twilio.Calls()))
	}
}

func TestACallbackNotDueCannotBeTaken(t *testing.T) {
	l, c := danaAtDesk(t)
	cb := alexKeepsAPlace(t, l)
	// Tried once and not answered: due again later.
	r := c.act("/desk/callbacks/"+strconv.FormatInt(cb.ID, 10)+"/take", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("take: %d", r.status)
	}
	sid := l.Twilio.Calls()[0].Sid
	q := "?cb=" + strconv.FormatInt(cb.ID, 10)
	if status, _ := l.SignedPost(ivr.CallbackStatusPath+q, url.Values{"CallSid": {sid}, "CallStatus": {"no-answer"}}); status/100 != 2 {
		t.Fatalf("status: %d", status)
	}
	page := c.get("/desk/callbacks")
	if !strings.Contains(page.body, "Not due until") || strings.Contains(page.body, `action="/desk/callbacks/`+strconv.FormatInt(cb.ID, 10)+`/take"`) {
		t.Fatalf("a callback not due:\n%s", page.body)
	}
	r = c.act("/desk/callbacks/"+strconv.FormatInt(cb.ID, 10)+"/take", nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "not due yet") || len(l.Twilio.Calls()) != 1 {
		t.Fatalf("taking a callback not due: %d, %d calls\n%s", r.status, len(l.Twilio.Calls()), r.body)
	}
	if got := callbackNow(t, l, cb.ID); got.Status != domain.CallbackPending || got.Attempts != 1 {
		t.Fatalf("changed: %+v", got)
	}
}

func TestAVoicemailIsPlayedAndMarkedDone(t *testing.T) {
	l, c := danaAtDesk(t)
	recURL := "https://api.twilio.com/2010-04-01/Accounts/" + servertest.AccountSid + "/Recordings/RE" + strings.Repeat("a", 32)
	var vm domain.Voicemail
	if err := l.Svc.Update(l.Ctx, func(op *domain.Op) (err error) {
		vm, err = op.RecordVoicemail(domain.VoicemailIn{CallSid: "CA" + strings.Repeat("b", 32), From: alex,
			Reason: "asked for an agent", RecordingSid: "RE" + strings.Repeat("a", 32), RecordingURL: recURL,
			Duration: 12, Available: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(vm.ID, 10)
	page := c.get("/desk/voicemails")
	if page.status != 200 || !strings.Contains(page.body, `<audio controls preload="none" src="/desk/voicemails/`+id+`/audio">`) ||
		!strings.Contains(page.body, "Voicemails (1)") || strings.Contains(page.body, servertest.Token) {
		t.Fatalf("voicemails page: %d\n%s", page.status, page.body)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "media-src 'self'") {
		t.Fatalf("CSP %q", csp)
	}
	audio := c.get("/desk/voicemails/" + id + "/audio")
	if audio.status != 200 || audio.raw != string(fakeapi.RecordingAudio) || audio.header.Get("Content-Type") != "audio/mpeg" {
		t.Fatalf("audio: %d %q %q", audio.status, audio.header.Get("Content-Type"), audio.raw)
	}
	stranger := newClient(t, l.Srv.URL)
	if r := stranger.get("/desk/voicemails/" + id + "/audio"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/desk/login" || r.raw == string(fakeapi.RecordingAudio) {
		t.Fatalf("audio to a stranger: %d %s", r.status, r.header.Get("Location"))
	}
	if r := c.act("/desk/voicemails/"+id+"/done", url.Values{"note": {"called Alex back"}}); r.status != http.StatusSeeOther {
		t.Fatalf("done: %d\n%s", r.status, r.body)
	}
	page = c.get("/desk/voicemails")
	if strings.Contains(page.body, `id="voicemail-`+id+`"`) || !strings.Contains(page.body, "No voicemails are waiting.") {
		t.Fatalf("after done:\n%s", page.body)
	}
}
