package twiliosim

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/twilio/twilio-go/client"
)

const publicURL = "https://permitline.example.org"

// seen is a request the fake server received.
type seen struct {
	method, uri string // uri: the path and query
	form        url.Values
	header      http.Header
}

// fakeServer is permitline as far as Twilio can tell: it checks every signature against the
// public URL with twilio-go and answers from canned TwiML, keyed by path and query.
type fakeServer struct {
	t    *testing.T
	srv  *httptest.Server
	docs map[string]string // a path and query (or path) -> TwiML; "" answers 204
	mu   sync.Mutex
	seen []seen
}

func newFakeServer(t *testing.T, docs map[string]string) *fakeServer {
	f := &fakeServer{t: t, docs: docs}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("%s %s: %v", r.Method, r.URL, err)
	}
	v := client.NewRequestValidator(testToken)
	if !v.Validate(publicURL+r.URL.RequestURI(), flat(r.PostForm), r.Header.Get("X-Twilio-Signature")) {
		f.t.Errorf("%s %s: bad signature", r.Method, r.URL)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	f.mu.Lock()
	f.seen = append(f.seen, seen{r.Method, r.URL.RequestURI(), r.PostForm, r.Header})
	f.mu.Unlock()
	doc, ok := f.docs[r.URL.RequestURI()]
	if !ok {
		doc, ok = f.docs[r.URL.Path]
	}
	switch {
	case !ok && r.URL.Path == statusPath, ok && doc == "":
		w.WriteHeader(http.StatusNoContent)
	case !ok:
		f.t.Errorf("%s %s: no TwiML for it", r.Method, r.URL)
		http.NotFound(w, r)
	case strings.HasPrefix(doc, "500 "):
		http.Error(w, doc[4:], http.StatusInternalServerError)
	case strings.HasPrefix(doc, "text/plain "):
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(doc[11:]))
	default:
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write([]byte(doc))
	}
}

// requests returns the requests received so far, as "METHOD path?query".
func (f *fakeServer) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.seen {
		out = append(out, s.method+" "+s.uri)
	}
	return out
}

// last returns the last request to uri.
func (f *fakeServer) last(uri string) seen {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.seen) - 1; i >= 0; i-- {
		if f.seen[i].uri == uri {
			return f.seen[i]
		}
	}
	f.t.Fatalf("no request to %s in %v", uri, f.seen)
	return seen{}
}

func (f *fakeServer) config() Config {
	return Config{
		BaseURL:    f.srv.URL,
		PublicURL:  publicURL,
		AuthToken:  testToken,
		From:       "+447700900123",
		To:         "+442079460000",
		AccountSid: "AC0123456789abcdef0123456789abcdef",
	}
}

// answer dials the line and returns the call with its first turn, the line's answer.
func (f *fakeServer) answer() (*Call, Turn) {
	f.t.Helper()
	c := f.dial()
	turn, err := c.Next(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return c, turn
}

func (f *fakeServer) dial() *Call {
	f.t.Helper()
	c, err := Dial(context.Background(), f.config())
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// sameKeys checks that form has exactly the parameter names of a sample body in testdata.
func sameKeys(t *testing.T, form url.Values, sample string) {
	t.Helper()
	sameKeysAs(t, form, readForm(t, sample))
}

// sameKeysAs checks that form has exactly the parameter names of want.
func sameKeysAs(t *testing.T, form, want url.Values) {
	t.Helper()
	got, names := slices.Sorted(maps.Keys(form)), slices.Sorted(maps.Keys(want))
	if !slices.Equal(got, names) {
		t.Errorf("parameters %v, want %v", got, names)
	}
}

func check(t *testing.T, what string, got, want any) {
	t.Helper()
	if !equal(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func equal(a, b any) bool {
	as, ok1 := a.([]string)
	bs, ok2 := b.([]string)
	if ok1 && ok2 {
		return slices.Equal(as, bs)
	}
	return a == b
}

var menuDocs = map[string]string{
	"/twilio/voice": `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say voice="Polly.Amy" language="en-GB">Welcome to the
     <say-as interpret-as="characters">permit</say-as> line.<break time="500ms"/>Hello</Say>
  <Pause length="2"/>
  <Redirect>menu?step=1</Redirect>
</Response>`,
	"/twilio/menu?step=1": `<Response>
  <Gather action="choice" numDigits="1" timeout="5">
    <Say>Press 1 for your balance.</Say>
    <Play>https://cdn.example.org/chime.mp3</Play>
  </Gather>
  <Say>We did not hear you.</Say>
  <Hangup/>
</Response>`,
	"/twilio/choice": `<Response><Say>You have 3 visits left.</Say><Redirect method="GET">/twilio/bye?lang=en</Redirect></Response>`,
	"/twilio/bye":    `<Response><Say>Goodbye.</Say><Hangup/></Response>`,
}

func TestCallFollowsSayGatherRedirectHangup(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, menuDocs)
	c, turn := f.answer()
	check(t, "Said", turn.Said, []string{"Welcome to the permit line. Hello", "Press 1 for your balance."})
	check(t, "Played", turn.Played, []string{"https://cdn.example.org/chime.mp3"})
	check(t, "Wait.Kind", turn.Wait.Kind, "gather")
	check(t, "Wait.Input", turn.Wait.Input, "dtmf")
	check(t, "Wait.NumDigits", turn.Wait.NumDigits, 1)
	check(t, "Wait.FinishOnKey", turn.Wait.FinishOnKey, "#")
	check(t, "len(TwiML)", len(turn.TwiML), 2)
	if turn.Ended {
		t.Fatal("the call ended")
	}

	turn, err := c.Press(ctx, "1#")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Said", turn.Said, []string{"You have 3 visits left.", "Goodbye."})
	check(t, "Ended", turn.Ended, true)
	check(t, "EndReason", turn.EndReason, "hangup")
	reqs := f.requests()
	if len(reqs) == 5 && strings.HasPrefix(reqs[3], "GET /twilio/bye?lang=en&") && strings.Contains(reqs[3], "&CallSid=") {
		reqs[3] = "GET /twilio/bye?lang=en&..." // Twilio puts the parameters of a GET in the query
	}
	check(t, "requests", reqs, []string{
		"POST /twilio/voice", "POST /twilio/menu?step=1", "POST /twilio/choice", "GET /twilio/bye?lang=en&...", "POST /twilio/voice/status",
	})

	first := f.last("/twilio/voice")
	sameKeys(t, first.form, "voice-incoming-call.form")
	check(t, "CallStatus", first.form.Get("CallStatus"), "ringing")
	check(t, "FromCountry", first.form.Get("FromCountry"), "GB")
	check(t, "CallerCity", first.form.Get("CallerCity"), "")
	check(t, "Caller", first.form.Get("Caller"), "+447700900123")
	check(t, "Called", first.form.Get("Called"), "+442079460000")
	check(t, "User-Agent", first.header.Get("User-Agent"), "TwilioProxy/1.1")
	if sid := first.form.Get("CallSid"); sid != c.Sid() || len(sid) != 34 || !strings.HasPrefix(sid, "CA") {
		t.Errorf("CallSid %q, Sid() %q", sid, c.Sid())
	}
	choice := f.last("/twilio/choice")
	sameKeys(t, choice.form, "voice-gather-digits.form")
	check(t, "Digits", choice.form.Get("Digits"), "1")
	check(t, "CallStatus", choice.form.Get("CallStatus"), "in-progress")
	if a, b := first.header.Get("I-Twilio-Idempotency-Token"), choice.header.Get("I-Twilio-Idempotency-Token"); a == "" || a == b {
		t.Errorf("idempotency tokens %q and %q", a, b)
	}
	status := f.last(statusPath)
	sameKeys(t, status.form, "voice-status-callback.form")
	check(t, "CallStatus", status.form.Get("CallStatus"), "completed")
	check(t, "CallDuration", status.form.Get("CallDuration"), "0")

	if _, err := c.Next(ctx); err == nil {
		t.Error("Next on an ended call: no error")
	}
	if err := c.Hangup(ctx); err != nil {
		t.Errorf("Hangup on an ended call: %v", err)
	}
}

func TestSilenceFallsThrough(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, menuDocs)
	c, _ := f.answer()
	turn, err := c.Silence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Said", turn.Said, []string{"We did not hear you."})
	check(t, "EndReason", turn.EndReason, "hangup")
	if slices.Contains(f.requests(), "POST /twilio/choice") {
		t.Error("Silence posted to the action")
	}
}

func TestGatherInput(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, map[string]string{
		"/twilio/voice": `<Response>
			<Gather input="dtmf speech" hints="visitor permit, balance" finishOnKey="*" actionOnEmptyResult="true" action="/twilio/heard"/>
		</Response>`,
		"/twilio/heard": `<Response><Redirect>/twilio/voice</Redirect></Response>`,
	})
	c, turn := f.answer()
	check(t, "Wait", turn.Wait.Input+"|"+turn.Wait.Hints+"|"+turn.Wait.FinishOnKey, "dtmf speech|visitor permit, balance|*")

	if _, err := c.Press(ctx, "12345678*9"); err != nil {
		t.Fatal(err)
	}
	check(t, "Digits", f.last("/twilio/heard").form.Get("Digits"), "12345678")

	if _, err := c.Say(ctx, "Book a visitor permit"); err != nil {
		t.Fatal(err)
	}
	heard := f.last("/twilio/heard")
	sameKeys(t, heard.form, "voice-gather-speech.form")
	check(t, "SpeechResult", heard.form.Get("SpeechResult"), "Book a visitor permit")
	check(t, "Confidence", heard.form.Get("Confidence"), "0.9")

	if _, err := c.Silence(ctx); err != nil {
		t.Fatal(err)
	}
	sameKeys(t, f.last("/twilio/heard").form, "voice-incoming-call.form") // no Digits, no SpeechResult
	check(t, "posts", strings.Count(strings.Join(f.requests(), " "), "/twilio/heard"), 3)

	if _, err := c.Press(ctx, "12a"); err == nil {
		t.Error("Press(12a): no error")
	}
	if _, err := c.PayWith(ctx, testCard); err == nil {
		t.Error("PayWith at a Gather: no error")
	}
	if _, err := c.Next(ctx); err == nil {
		t.Error("Next at a Gather: no error")
	}
}

func TestPay(t *testing.T) {
	docs := map[string]string{
		"/twilio/voice": `<Response>
			<Pay action="pay/complete?ref=42" chargeAmount="12.50" currency="gbp" paymentConnector="stripe" description="Visitor permits">
				<Prompt for="payment-card-number"><Say>Enter your card number.</Say></Prompt>
				<Prompt for="payment-card-number" errorType="invalid-card-number"><Say>That card number is not valid.</Say></Prompt>
				<Prompt for="expiration-date"><Say>Enter the expiry date.</Say></Prompt>
			</Pay>
		</Response>`,
		"/twilio/pay/complete?ref=42": `<Response><Say>Thank you.</Say></Response>`,
	}
	for _, tc := range []struct {
		card, result string
		want         []string // parameters there must be
	}{
		{testCard, "success", []string{"PaymentToken", "PaymentConfirmationCode", "PaymentCardNumber", "PaymentCardType", "ExpirationDate", "PaymentCardPostalCode"}},
		{declinedCard, "payment-connector-error", []string{"PaymentError", "ConnectorError"}},
		{"*", "caller-interrupted", nil},
		{"4111111111111112", "input-matching-failed", nil},
	} {
		ctx := context.Background()
		f := newFakeServer(t, docs)
		c, turn := f.answer()
		check(t, "Said", turn.Said, []string{"Enter your card number."})
		check(t, "Wait", turn.Wait.Kind+" "+turn.Wait.ChargeAmount+" "+turn.Wait.Currency, "pay 12.50 gbp")
		turn, err := c.PayWith(ctx, tc.card)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "Said", turn.Said, []string{"Thank you."})
		check(t, "EndReason", turn.EndReason, "end-of-twiml")
		form := f.last("/twilio/pay/complete?ref=42").form
		check(t, tc.card+" Result", form.Get("Result"), tc.result)
		for _, k := range tc.want {
			if form.Get(k) == "" {
				t.Errorf("%s: no %s in %v", tc.card, k, form)
			}
		}
		if tc.result == "success" {
			sameKeys(t, form, "voice-pay-action-UNVERIFIED.form")
			check(t, "PaymentCardNumber", form.Get("PaymentCardNumber"), "xxxxxxxxxxxx4242")
			check(t, "PaymentCardType", form.Get("PaymentCardType"), "visa")
			check(t, "ExpirationDate", form.Get("ExpirationDate"), "1228")
			if !strings.HasPrefix(form.Get("PaymentConfirmationCode"), "ch_") {
				t.Errorf("PaymentConfirmationCode %q", form.Get("PaymentConfirmationCode"))
			}
		} else if form.Has("PaymentConfirmationCode") || form.Has("PaymentToken") {
			t.Errorf("%s: a failed payment has a confirmation or a token: %v", tc.card, form)
		}
	}
}

var queueDocs = map[string]string{
	"/twilio/voice": `<Response>
		<Say>Putting you through to the helpdesk.</Say>
		<Enqueue action="/twilio/queue/action" waitUrl="queue/wait" waitUrlMethod="POST">helpdesk</Enqueue>
		<Say>Sorry, nobody could take your call.</Say>
	</Response>`,
	"/twilio/queue/wait":   `<Response><Say>You are first in the queue.</Say><Play>https://cdn.example.org/hold.mp3</Play></Response>`,
	"/twilio/queue/action": `<Response><Say>Thank you for calling.</Say><Hangup/></Response>`,
}

func TestEnqueueAndHangup(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, queueDocs)
	c, turn := f.answer()
	check(t, "Said", turn.Said, []string{"Putting you through to the helpdesk.", "You are first in the queue."})
	check(t, "Wait.Kind", turn.Wait.Kind, "queue")
	wait := f.last("/twilio/queue/wait")
	sameKeys(t, wait.form, "voice-enqueue-waiturl.form")
	check(t, "QueuePosition", wait.form.Get("QueuePosition"), "1")
	if sid := wait.form.Get("QueueSid"); len(sid) != 34 || !strings.HasPrefix(sid, "QU") {
		t.Errorf("QueueSid %q", sid)
	}
	if turn, err := c.Next(ctx); err != nil || turn.Wait.Kind != "queue" {
		t.Fatalf("Next in a queue: %+v, %v", turn, err)
	}

	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	check(t, "requests", f.requests(), []string{
		"POST /twilio/voice", "POST /twilio/queue/wait", "POST /twilio/queue/action", "POST /twilio/voice/status",
	})
	action := f.last("/twilio/queue/action")
	sameKeys(t, action.form, "voice-enqueue-action.form")
	check(t, "QueueResult", action.form.Get("QueueResult"), "hangup")
	check(t, "QueueSid", action.form.Get("QueueSid"), wait.form.Get("QueueSid"))
	check(t, "CallStatus", f.last(statusPath).form.Get("CallStatus"), "completed")
	if err := c.Hangup(ctx); err != nil || len(f.requests()) != 4 {
		t.Errorf("second Hangup: %v, %v", err, f.requests())
	}
}

func TestLeaveQueue(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, queueDocs)
	c, _ := f.answer()
	turn, err := c.LeaveQueue(ctx, "bridged")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "QueueResult", f.last("/twilio/queue/action").form.Get("QueueResult"), "bridged")
	check(t, "Said", turn.Said, []string{"Thank you for calling."})
	check(t, "EndReason", turn.EndReason, "hangup")

	// <Leave> in the wait document, and no action: the call goes on after the <Enqueue>.
	f = newFakeServer(t, map[string]string{
		"/twilio/voice":      `<Response><Enqueue waitUrl="/twilio/queue/wait">helpdesk</Enqueue><Say>The helpdesk is closed.</Say></Response>`,
		"/twilio/queue/wait": `<Response><Say>Please hold.</Say><Leave/></Response>`,
	})
	c = f.dial()
	turn, err = c.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Said", turn.Said, []string{"Please hold.", "The helpdesk is closed."})
	check(t, "EndReason", turn.EndReason, "end-of-twiml")
}

func TestDialAndReject(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, map[string]string{
		"/twilio/voice":   `<Response><Dial action="/twilio/dialled"><Number>+442079460999</Number><Client>agent</Client><Queue>helpdesk</Queue></Dial></Response>`,
		"/twilio/dialled": `<Response><Reject reason="busy"/></Response>`,
	})
	c, turn := f.answer()
	check(t, "Wait.Kind", turn.Wait.Kind, "dial")
	check(t, "Wait.Targets", turn.Wait.Targets, []string{"+442079460999", "client:agent", "queue:helpdesk"})
	turn, err := c.EndDial(ctx, "no-answer")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "DialCallStatus", f.last("/twilio/dialled").form.Get("DialCallStatus"), "no-answer")
	check(t, "EndReason", turn.EndReason, "rejected")
	check(t, "CallStatus", f.last(statusPath).form.Get("CallStatus"), "busy")
}

func TestRedirectLoop(t *testing.T) {
	f := newFakeServer(t, map[string]string{
		"/twilio/voice": `<Response><Say>Hello.</Say><Redirect>/twilio/loop</Redirect></Response>`,
		"/twilio/loop":  `<Response><Redirect>loop</Redirect></Response>`,
	})
	c := f.dial()
	turn, err := c.Next(context.Background())
	if err == nil || !strings.Contains(err.Error(), "11215") {
		t.Fatalf("err = %v, want Twilio's 11215", err)
	}
	check(t, "Ended", turn.Ended, true)
	check(t, "EndReason", turn.EndReason, "application-error")
	check(t, "Said", turn.Said, []string{"Hello.", applicationError})
	check(t, "loops", strings.Count(strings.Join(f.requests(), " "), "/twilio/loop"), maxRedirects)
	check(t, "last request", f.requests()[len(f.requests())-1], "POST /twilio/voice/status")
}

func TestApplicationErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"500", "500 database is locked", "500 Internal Server Error: database is locked"},
		{"not XML", "<Response><Say>Hello</Response>", "12100"},
		{"not a Response", "<Reply><Say>Hello</Say></Reply>", "12102"},
		{"not TwiML", "text/plain Hello", "12300"},
		{"unknown verb", "<Response><say>Hello</say></Response>", "12200"},
		{"elsewhere", `<Response><Redirect>http://127.0.0.1:1/twilio/voice</Redirect></Response>`, "not under the public URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeServer(t, map[string]string{
				"/twilio/voice": `<Response><Gather numDigits="1" action="/twilio/next"><Say>Press 1.</Say></Gather></Response>`,
				"/twilio/next":  tc.doc,
			})
			c, _ := f.answer()
			turn, err := c.Press(ctx, "1")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one with %q", err, tc.want)
			}
			check(t, "EndReason", turn.EndReason, "application-error")
			check(t, "CallStatus", f.last(statusPath).form.Get("CallStatus"), "completed")
		})
	}

	f := newFakeServer(t, map[string]string{"/twilio/voice": "500 boom"})
	if _, err := Dial(context.Background(), f.config()); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Dial on a 500: %v", err)
	}
}

func TestAnonymousCaller(t *testing.T) {
	f := newFakeServer(t, map[string]string{"/twilio/voice": `<Response><Hangup/></Response>`})
	cfg := f.config()
	cfg.From = "anonymous"
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	form := f.last("/twilio/voice").form
	check(t, "From", form.Get("From"), "anonymous")
	check(t, "FromCountry", form.Get("FromCountry"), "")
}
