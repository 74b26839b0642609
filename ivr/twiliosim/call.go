package twiliosim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"permitline/fixtures"
)

const (
	voicePath  = "/twilio/voice"
	statusPath = "/twilio/voice/status"
	smsPath    = "/twilio/sms"

	apiVersion        = "2010-04-01"
	webhookTimeout    = 15 * time.Second // Twilio gives up on a webhook after 15 seconds
	maxRedirects      = 10               // Twilio error 11215
	maxTwiML          = 64 << 10         // Twilio error 11750
	applicationError  = "We are sorry, an application error has occurred. Goodbye."
	testCard          = "4242424242424242"
	declinedCard      = "4000000000000002"
	testCardPostcode  = "94103"
	testCardExpiry    = "1228"
	connectorErrorMsg = "Your card was declined."
)

// Config says where the server is and who is calling or texting it.
type Config struct {
	BaseURL    string       // the server as Twilio reaches it, e.g. http://127.0.0.1:8080
	PublicURL  string       // the public base URL the server is configured with, used for signing; "" = BaseURL
	AuthToken  string       // the account's auth token, which signs every request
	Client     *http.Client // nil = a client with Twilio's 15-second timeout
	From, To   string       // E.164 numbers; From may be "anonymous"
	AccountSid string       // "" = fixtures.DemoAccountSid, the demo line's and the tests' account
	// PaymentCode makes the PaymentConfirmationCode of a successful payment; nil = a random
	// charge id ("ch_" and 24 hex digits). Recorded conversations set it to be repeatable.
	PaymentCode func() string
}

// normalized checks cfg and fills in its defaults.
func (cfg Config) normalized() (Config, error) {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.BaseURL == "" {
		return cfg, errors.New("twiliosim: Config.BaseURL is empty")
	}
	if cfg.From == "" || cfg.To == "" {
		return cfg, errors.New("twiliosim: Config.From and Config.To are both needed")
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = cfg.BaseURL
	}
	if cfg.AccountSid == "" {
		cfg.AccountSid = fixtures.DemoAccountSid
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: webhookTimeout}
	}
	return cfg, nil
}

// send makes Twilio's request to the public URL u, signed for u and sent to the same path
// under BaseURL, and returns the response with its body (at most 64 kB and a byte).
func (cfg Config) send(ctx context.Context, method, u string, params url.Values) (*http.Response, []byte, error) {
	rest, ok := strings.CutPrefix(u, cfg.PublicURL)
	if !ok || rest != "" && rest[0] != '/' && rest[0] != '?' {
		return nil, nil, fmt.Errorf("twiliosim: %s is not under the public URL %s, so it is not the server's", u, cfg.PublicURL)
	}
	req, err := newRequest(ctx, cfg.AuthToken, strings.ToUpper(method), cfg.BaseURL+rest, u, params)
	if err != nil {
		return nil, nil, err
	}
	resp, err := cfg.Client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("twiliosim: Twilio error 11200, %s %s: %w", req.Method, u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTwiML+1))
	if err != nil {
		return nil, nil, fmt.Errorf("twiliosim: Twilio error 11200, %s %s: %w", req.Method, u, err)
	}
	return resp, body, nil
}

// geo adds the lookup fields for one party (From, To, Caller or Called): the city, state and
// zip are sent empty, as they are for callers in the UK; the country comes from the number.
func geo(v url.Values, party, number string) {
	v.Set(party+"City", "")
	v.Set(party+"State", "")
	v.Set(party+"Zip", "")
	country := ""
	switch {
	case strings.HasPrefix(number, "+44"):
		country = "GB"
	case strings.HasPrefix(number, "+353"):
		country = "IE"
	case strings.HasPrefix(number, "+1"):
		country = "US"
	}
	v.Set(party+"Country", country)
}

// Turn is what the caller heard since the last turn, and what the call waits for now.
type Turn struct {
	Said      []string // the words of each <Say> since the last turn, in order
	Played    []string // the URL of each <Play> since the last turn, in order
	Wait      Wait     // what the call waits for, unless it has ended
	Ended     bool     // the call is over
	EndReason string   // "hangup" (<Hangup>), "rejected", "end-of-twiml", "application-error" or "caller-hangup"
	TwiML     []string // the documents received since the last turn, for debugging
	Skipped   []string // Twilio's verbs the simulation does not follow, passed over since the last turn
}

// Wait is what a live call waits for.
type Wait struct {
	Kind         string   // "gather", "pay", "queue", "dial", or "" once the call has ended
	Input        string   // the Gather's input: "dtmf", "speech" or "dtmf speech"
	NumDigits    int      // the Gather's numDigits; 0 = no limit
	FinishOnKey  string   // the Gather's finishOnKey; "" = none
	Hints        string   // the Gather's speech hints
	ChargeAmount string   // the Pay's chargeAmount; "" or "0" makes a token, not a charge
	Currency     string   // the Pay's currency (Twilio's default: usd)
	Targets      []string // what a Dial rings: numbers, "client:name", "queue:name", "sip:uri", ...
}

// Call is one inbound call, with Twilio's part played by the simulation.
type Call struct {
	cfg     Config
	sid     string
	started time.Time
	status  string    // the CallStatus of the next request
	doc     string    // the public URL of the document being run
	verbs   []*node   // the verbs of that document still to run
	waiting *node     // the Gather, Pay or Dial waiting for the caller or the network
	waitDoc string    // the document it came from, its default action
	queue   *queue    // the queue the call is in, if any
	loads   int       // documents fetched since the call last waited
	dialed  time.Time // when the Dial the call waits on began
	ended   bool      // the call is over
	turn    Turn      // what happened since the last turn
}

// queue is an <Enqueue> the call is in.
type queue struct {
	sid, action, method string
	entered             time.Time
	doc                 string  // the document of the <Enqueue>, and
	verbs               []*node // the verbs after it, where the call goes on without an action
}

// Dial posts the incoming-call webhook to {BaseURL}/twilio/voice and loads its TwiML for Next.
func Dial(ctx context.Context, cfg Config) (*Call, error) {
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	c := &Call{cfg: cfg, sid: sid("CA"), started: time.Now(), status: "ringing"}
	if err := c.load(ctx, http.MethodPost, cfg.PublicURL+voicePath, c.params()); err != nil {
		return nil, err
	}
	c.status = "in-progress"
	return c, nil
}

// Sid returns the call's CallSid.
func (c *Call) Sid() string { return c.sid }

// Next runs verbs until the call waits on a Gather, Pay, queue or Dial, or ends.
func (c *Call) Next(ctx context.Context) (Turn, error) {
	if _, err := c.expect(""); err != nil {
		return Turn{}, err
	}
	return c.run(ctx)
}

// Press answers the Gather with keys: Digits up to the finishOnKey or numDigits; none is Silence.
func (c *Call) Press(ctx context.Context, keys string) (Turn, error) {
	g, err := c.gather("dtmf", "keys")
	if err != nil {
		return Turn{}, err
	}
	if strings.Trim(keys, "0123456789*#") != "" {
		return Turn{}, fmt.Errorf("twiliosim: %q is not keys of a phone (0-9, * and #)", keys)
	}
	digits := keys
	if f := g.attr("finishOnKey", "#"); f != "" {
		digits, _, _ = strings.Cut(digits, f)
	}
	if n := g.intAttr("numDigits", 0); n > 0 && len(digits) > n {
		digits = digits[:n]
	}
	if digits == "" {
		return c.silence(ctx, g)
	}
	p := c.params()
	p.Set("Digits", digits)
	return c.answer(ctx, g, p)
}

// Say answers the Gather with speech, sent as SpeechResult with a Confidence of 0.9.
func (c *Call) Say(ctx context.Context, speech string) (Turn, error) {
	g, err := c.gather("speech", "speech")
	if err != nil {
		return Turn{}, err
	}
	if strings.TrimSpace(speech) == "" {
		return c.silence(ctx, g)
	}
	p := c.params()
	p.Set("SpeechResult", speech)
	p.Set("Confidence", "0.9")
	return c.answer(ctx, g, p)
}

// Silence lets the Gather time out: on to the next verb, or the action if actionOnEmptyResult.
func (c *Call) Silence(ctx context.Context) (Turn, error) {
	g, err := c.expect("Gather")
	if err != nil {
		return Turn{}, err
	}
	return c.silence(ctx, g)
}

func (c *Call) silence(ctx context.Context, g *node) (Turn, error) {
	if g.attr("actionOnEmptyResult", "false") == "true" {
		return c.answer(ctx, g, c.params())
	}
	c.waiting = nil
	return c.run(ctx)
}

// PayWith answers the Pay with card: 4242424242424242 pays, 4000000000000002 is declined, "*" gives up.
func (c *Call) PayWith(ctx context.Context, card string) (Turn, error) {
	pay, err := c.expect("Pay")
	if err != nil {
		return Turn{}, err
	}
	p := c.params()
	switch card {
	case testCard:
		p.Set("Result", "success")
		p.Set("PaymentToken", "tok_"+randomHex(12))
		if amount, _ := strconv.ParseFloat(pay.attr("chargeAmount", "0"), 64); amount > 0 {
			code := "ch_" + randomHex(12)
			if c.cfg.PaymentCode != nil {
				code = c.cfg.PaymentCode()
			}
			p.Set("PaymentConfirmationCode", code)
		}
		p.Set("PaymentCardNumber", strings.Repeat("x", len(card)-4)+card[len(card)-4:])
		p.Set("PaymentCardType", "visa")
		p.Set("ExpirationDate", testCardExpiry)
		switch postcode := pay.attr("postalCode", "true"); postcode {
		case "false":
		case "true":
			p.Set("PaymentCardPostalCode", testCardPostcode)
		default:
			p.Set("PaymentCardPostalCode", postcode)
		}
	case declinedCard:
		p.Set("Result", "payment-connector-error")
		p.Set("PaymentError", connectorErrorMsg)
		p.Set("ConnectorError", "card_declined")
	case "*":
		p.Set("Result", "caller-interrupted")
	default:
		p.Set("Result", "input-matching-failed")
	}
	return c.answer(ctx, pay, p)
}

// RecordSeconds answers the <Record> with a message of seconds, ended by its finishOnKey:
// the action hears RecordingUrl, RecordingDuration and Digits first, then the
// recordingStatusCallback, if any, hears the recording completed (Record sends them in the
// other order: Twilio gives no order). A message of 0 seconds is posted as an empty
// recording, for the line's handling of one.
func (c *Call) RecordSeconds(ctx context.Context, seconds int) (Turn, error) {
	rec, err := c.expect("Record")
	if err != nil {
		return Turn{}, err
	}
	sid := "RE" + randomHex(16)
	recURL := "https://api.twilio.com/2010-04-01/Accounts/" + c.cfg.AccountSid + "/Recordings/" + sid
	p := c.params()
	p.Set("RecordingUrl", recURL)
	p.Set("RecordingSid", sid)
	p.Set("RecordingDuration", strconv.Itoa(seconds))
	p.Set("Digits", rec.attr("finishOnKey", "1234567890*#")[:1])
	turn, err := c.answer(ctx, rec, p)
	if cb := rec.attr("recordingStatusCallback", ""); cb != "" && err == nil {
		u, rerr := resolve(c.waitDoc, cb)
		q := c.params()
		for k, v := range map[string]string{"RecordingSid": sid, "RecordingUrl": recURL, "RecordingStatus": "completed",
			"RecordingDuration": strconv.Itoa(seconds), "RecordingChannels": "1", "RecordingSource": "RecordVerb",
			"RecordingStartTime": time.Now().UTC().Format(time.RFC1123Z), "ErrorCode": "0"} {
			q.Set(k, v)
		}
		for _, k := range []string{"CallStatus", "Direction", "From", "To", "Caller", "Called"} {
			q.Del(k)
		}
		for k := range q {
			if strings.HasPrefix(k, "From") || strings.HasPrefix(k, "To") || strings.HasPrefix(k, "Caller") ||
				strings.HasPrefix(k, "Called") {
				q.Del(k)
			}
		}
		if rerr == nil {
			rerr = c.notify(ctx, rec.attr("recordingStatusCallbackMethod", "POST"), u, q)
		}
		err = rerr
	}
	return turn, err
}

// LeaveQueue posts QueueResult=result (e.g. "bridged") to the Enqueue's action and runs its TwiML.
func (c *Call) LeaveQueue(ctx context.Context, result string) (Turn, error) {
	if c.ended {
		return Turn{}, errors.New("twiliosim: the call has ended")
	}
	if c.queue == nil {
		return Turn{}, errors.New("twiliosim: the call is not in a queue")
	}
	if result == "hangup" {
		return Turn{Ended: true, EndReason: "caller-hangup"}, c.Hangup(ctx)
	}
	if err := c.leave(ctx, result); err != nil {
		return c.fail(ctx, err)
	}
	return c.run(ctx)
}

// EndDial ends the Dial's other leg, posting DialCallStatus=status to its action and running its TwiML.
func (c *Call) EndDial(ctx context.Context, status string) (Turn, error) {
	d, err := c.expect("Dial")
	if err != nil {
		return Turn{}, err
	}
	if d.attr("action", "") == "" {
		c.waiting = nil
		return c.run(ctx)
	}
	return c.answer(ctx, d, c.dialParams(status))
}

// UpdateTwiML is the account updating the live call with inline TwiML through the REST API
// (what the line's call control does to put a caller through): a call in a queue leaves it
// with QueueResult=redirected, its action's answer ignored, and the call runs doc instead of
// whatever it was doing. As with Twilio, the URLs in doc must be absolute.
// https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource
func (c *Call) UpdateTwiML(ctx context.Context, doc string) (Turn, error) {
	if err := c.interrupt(ctx); err != nil {
		return c.fail(ctx, err)
	}
	root, err := parseTwiML([]byte(doc))
	if err != nil {
		return c.fail(ctx, err)
	}
	c.verbs = root.kids
	c.turn.TwiML = append(c.turn.TwiML, doc)
	return c.run(ctx)
}

// Hangup is the caller hanging up: QueueResult=hangup to a queue's action, then the status callback.
func (c *Call) Hangup(ctx context.Context) error {
	if c.ended {
		return nil
	}
	return c.finish(ctx, "completed")
}

// expect returns the verb the call waits on, and an error unless it is a verb ("" = none).
func (c *Call) expect(verb string) (*node, error) {
	switch {
	case c.ended:
		return nil, errors.New("twiliosim: the call has ended")
	case verb == "" && c.waiting != nil:
		return nil, fmt.Errorf("twiliosim: the call waits on a <%s>; answer it first", c.waiting.name)
	case verb != "" && c.waiting == nil:
		return nil, fmt.Errorf("twiliosim: the call is not at a <%s>", verb)
	case verb != "" && c.waiting.name != verb:
		return nil, fmt.Errorf("twiliosim: the call waits on a <%s>, not a <%s>", c.waiting.name, verb)
	}
	return c.waiting, nil
}

// gather returns the <Gather> the call waits on, and an error unless it takes input of
// the kind ("dtmf", "speech"), named noun in the error.
func (c *Call) gather(kind, noun string) (*node, error) {
	g, err := c.expect("Gather")
	if err != nil {
		return nil, err
	}
	if input := g.attr("input", "dtmf"); !strings.Contains(input, kind) {
		return nil, fmt.Errorf("twiliosim: the <Gather> takes input %q, not %s", input, noun)
	}
	return g, nil
}

// run runs verbs until the call waits or ends.
func (c *Call) run(ctx context.Context) (Turn, error) {
	for len(c.verbs) > 0 {
		v := c.verbs[0]
		c.verbs = c.verbs[1:]
		var err error
		switch v.name {
		case "Say", "Play", "Pause":
			c.hear(v)
		case "Gather":
			for _, k := range v.kids {
				c.hear(k)
			}
			// A <Gather> in a queue's wait document leaves the caller waiting in the queue,
			// able to press a key.
			kind := "gather"
			if c.queue != nil {
				kind = "queue"
			}
			return c.await(v, Wait{
				Kind:        kind,
				Input:       v.attr("input", "dtmf"),
				NumDigits:   v.intAttr("numDigits", 0),
				FinishOnKey: v.attr("finishOnKey", "#"),
				Hints:       v.attr("hints", ""),
			}), nil
		case "Pay":
			c.hearPayPrompt(v)
			return c.await(v, Wait{Kind: "pay", ChargeAmount: v.attr("chargeAmount", ""), Currency: v.attr("currency", "usd")}), nil
		case "Dial":
			c.dialed = time.Now()
			return c.await(v, Wait{Kind: "dial", Targets: dialTargets(v)}), nil
		case "Record":
			return c.await(v, recordWait(v)), nil
		case "Redirect":
			if v.words() == "" {
				err = errors.New("twiliosim: <Redirect> without a URL")
				break
			}
			err = c.follow(ctx, v.attr("method", "POST"), v.words(), c.params())
		case "Enqueue":
			err = c.enqueue(ctx, v)
		case "Leave":
			if c.queue != nil {
				err = c.leave(ctx, "leave")
			}
		case "Hangup":
			return c.end(ctx, "hangup", "completed")
		case "Reject":
			if v.attr("reason", "rejected") == "busy" {
				return c.end(ctx, "rejected", "busy")
			}
			return c.end(ctx, "rejected", "no-answer")
		default:
			if slices.Contains(unfollowed, v.name) {
				c.turn.Skipped = append(c.turn.Skipped, v.name)
				break
			}
			err = fmt.Errorf("twiliosim: Twilio error 12200, schema validation: <%s> is not a verb here", v.name)
		}
		if err != nil {
			return c.fail(ctx, err)
		}
	}
	if c.queue != nil {
		return c.await(nil, Wait{Kind: "queue"}), nil
	}
	return c.end(ctx, "end-of-twiml", "completed")
}

// hear notes what a Say or Play gives the caller. Pause is not timed.
func (c *Call) hear(v *node) {
	switch v.name {
	case "Say":
		c.turn.Said = append(c.turn.Said, v.words())
	case "Play":
		c.turn.Played = append(c.turn.Played, v.words())
	}
}

// hearPayPrompt notes the Pay's own prompt for the card number, when it has one.
func (c *Call) hearPayPrompt(pay *node) {
	for _, p := range pay.kids {
		if p.name == "Prompt" && p.attr("for", "payment-card-number") == "payment-card-number" &&
			p.attr("errorType", "") == "" && slices.Contains(strings.Fields(p.attr("attempt", "1")), "1") {
			for _, k := range p.kids {
				c.hear(k)
			}
		}
	}
}

// dialTargets returns what a Dial rings: its text, or each nested noun.
func dialTargets(d *node) []string {
	if len(d.kids) == 0 {
		return []string{d.words()}
	}
	var targets []string
	for _, k := range d.kids {
		if k.name == "Number" {
			targets = append(targets, k.words())
		} else {
			targets = append(targets, strings.ToLower(k.name)+":"+k.words())
		}
	}
	return targets
}

// await makes the turn that waits for w, on the verb v.
func (c *Call) await(v *node, w Wait) Turn {
	c.waiting, c.waitDoc, c.loads = v, c.doc, 0
	t := c.turn
	t.Wait = w
	c.turn = Turn{}
	return t
}

// answer posts the caller's input to v's action (by default the document v came from) and
// runs what comes back.
func (c *Call) answer(ctx context.Context, v *node, params url.Values) (Turn, error) {
	c.waiting = nil
	u, err := resolve(c.waitDoc, v.attr("action", ""))
	if err == nil {
		err = c.load(ctx, v.attr("method", "POST"), u, params)
	}
	if err != nil {
		return c.fail(ctx, err)
	}
	return c.run(ctx)
}

// follow fetches the document at ref, counting towards Twilio's limit of redirects.
func (c *Call) follow(ctx context.Context, method, ref string, params url.Values) error {
	c.loads++
	if c.loads > maxRedirects {
		return fmt.Errorf("twiliosim: Twilio error 11215, more than %d redirects without the caller (the last from %s)", maxRedirects, c.doc)
	}
	u, err := resolve(c.doc, ref)
	if err != nil {
		return err
	}
	return c.load(ctx, method, u, params)
}

// load fetches the TwiML document at the public URL u and makes it the one being run.
func (c *Call) load(ctx context.Context, method, u string, params url.Values) error {
	resp, body, err := c.cfg.send(ctx, method, u, params)
	if err != nil {
		return err
	}
	c.turn.TwiML = append(c.turn.TwiML, string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("twiliosim: Twilio error 11200, %s %s answered %s: %s", method, u, resp.Status, excerpt(body))
	}
	if len(body) > maxTwiML {
		return fmt.Errorf("twiliosim: Twilio error 11750, %s %s answered more than 64 kB", method, u)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); !strings.Contains(mt, "xml") && mt != "text/html" {
		return fmt.Errorf("twiliosim: Twilio error 12300, %s %s answered Content-Type %q, not TwiML: %s", method, u, mt, excerpt(body))
	}
	root, err := parseTwiML(body)
	if err != nil {
		return fmt.Errorf("%w, from %s %s (%s): %s", err, method, u, resp.Status, excerpt(body))
	}
	c.doc, c.verbs = u, root.kids
	return nil
}

// enqueue puts the call in the Enqueue's queue and fetches its waitUrl.
func (c *Call) enqueue(ctx context.Context, v *node) error {
	if c.queue != nil {
		return errors.New("twiliosim: <Enqueue> in a call already in a queue")
	}
	q := &queue{sid: sid("QU"), method: v.attr("method", "POST"), entered: time.Now(), doc: c.doc, verbs: c.verbs}
	if a := v.attr("action", ""); a != "" {
		var err error
		if q.action, err = resolve(c.doc, a); err != nil {
			return err
		}
	}
	c.queue, c.verbs = q, nil
	wait := v.attr("waitUrl", "")
	if wait == "" {
		return nil // Twilio's hold music
	}
	p := c.queueParams("")
	p.Set("QueuePosition", "1")
	p.Set("AvgQueueTime", "0")
	p.Set("CurrentQueueSize", "1")
	p.Set("MaxQueueSize", "100")
	return c.follow(ctx, v.attr("waitUrlMethod", "POST"), wait, p)
}

// leave takes the call out of its queue with result: the action says what comes next, or
// without one the call goes on after the Enqueue.
func (c *Call) leave(ctx context.Context, result string) error {
	q := c.queue
	p := c.queueParams(result)
	c.queue, c.waiting = nil, nil
	if q.action == "" {
		c.doc, c.verbs = q.doc, q.verbs
		return nil
	}
	return c.follow(ctx, q.method, q.action, p)
}

// queueParams returns the standard parameters with the queue's QueueSid and QueueTime, and
// the QueueResult unless it is "".
func (c *Call) queueParams(result string) url.Values { return c.queueParamsOf(c.queue, result) }

func (c *Call) queueParamsOf(q *queue, result string) url.Values {
	p := c.params()
	if result != "" {
		p.Set("QueueResult", result)
	}
	p.Set("QueueSid", q.sid)
	p.Set("QueueTime", strconv.Itoa(int(time.Since(q.entered).Seconds())))
	return p
}

// end makes the last turn of a call that ends with reason and CallStatus status.
func (c *Call) end(ctx context.Context, reason, status string) (Turn, error) {
	t := c.turn
	c.turn = Turn{}
	t.Ended, t.EndReason = true, reason
	return t, c.finish(ctx, status)
}

// fail ends the call on err, as Twilio does after an application error.
func (c *Call) fail(ctx context.Context, err error) (Turn, error) {
	c.turn.Said = append(c.turn.Said, applicationError)
	t, ferr := c.end(ctx, "application-error", "completed")
	return t, errors.Join(err, ferr)
}

// finish ends the call with CallStatus status: a Dial's action hears that its call ended, a
// queue's action that the caller hung up, and the status callback that the call is over.
func (c *Call) finish(ctx context.Context, status string) error {
	w, wdoc := c.waiting, c.waitDoc
	c.ended, c.waiting, c.status = true, nil, status
	var errs []error
	if w != nil && w.name == "Dial" && w.attr("action", "") != "" {
		// The caller hung up on the other party: the Dial's action hears it, its answer ignored.
		u, err := resolve(wdoc, w.attr("action", ""))
		if err == nil {
			err = c.notify(ctx, w.attr("method", "POST"), u, c.dialParams("completed"))
		}
		errs = append(errs, err)
	}
	if q := c.queue; q != nil {
		if q.action != "" {
			errs = append(errs, c.notify(ctx, q.method, q.action, c.queueParams("hangup")))
		}
		c.queue = nil
	}
	p := c.params()
	p.Set("CallDuration", strconv.Itoa(int(time.Since(c.started).Seconds())))
	errs = append(errs, c.notify(ctx, http.MethodPost, c.cfg.PublicURL+statusPath, p))
	return errors.Join(errs...)
}

// notify makes a request whose answer Twilio ignores, but for its status.
func (c *Call) notify(ctx context.Context, method, u string, params url.Values) error {
	resp, body, err := c.cfg.send(ctx, method, u, params)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("twiliosim: Twilio error 11200, %s %s answered %s: %s", method, u, resp.Status, excerpt(body))
	}
	return nil
}

// params returns Twilio's standard voice request parameters.
func (c *Call) params() url.Values {
	from, to := c.cfg.From, c.cfg.To
	v := url.Values{
		"AccountSid": {c.cfg.AccountSid},
		"ApiVersion": {apiVersion},
		"CallSid":    {c.sid},
		"CallStatus": {c.status},
		"Direction":  {"inbound"},
		"From":       {from},
		"To":         {to},
		"Caller":     {from},
		"Called":     {to},
	}
	geo(v, "From", from)
	geo(v, "To", to)
	geo(v, "Caller", from)
	geo(v, "Called", to)
	return v
}

// resolve resolves ref against the document URL base, as Twilio does; "" is base itself.
func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("twiliosim: document URL %q: %w", base, err)
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", fmt.Errorf("twiliosim: URL %q in TwiML: %w", ref, err)
	}
	return b.ResolveReference(r).String(), nil
}

// excerpt returns the start of a response body, for an error message.
func excerpt(body []byte) string {
	const limit = 500
	body = bytes.TrimSpace(body)
	if len(body) > limit {
		return string(body[:limit]) + "..."
	}
	return string(body)
}
