package ivr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
	"permitline/domain/phone"
	"permitline/flows"
	"permitline/ivr/twilioapi"
)

// CallControl moves a live call through Twilio's REST API (twilio-go's UpdateCall): it
// puts a caller waiting in the helpdesk queue through to the agent who took the call,
// and hands a caller back to the automated line. An update that fails for a reason that
// may pass (the network, a timeout, Twilio's 5xx or 429) is tried again, within Retry.
type CallControl struct {
	// Retry is how a failed update is tried again; zero fields take the production
	// values. Set it before use.
	Retry Retry
	// From is the line's own number (E.164), the caller's number a resident called back
	// sees; empty, no callback can be made. Set it before use.
	From string

	sid, token string
	hc         *http.Client // every attempt's client is a copy, bound to the caller's context
	base       string       // public base URL of the line
	v          Voice
}

// NewCallControl returns call control for the account; httpClient nil means Twilio itself.
func NewCallControl(accountSid, authToken, publicURL string, v Voice, httpClient *http.Client) *CallControl {
	if httpClient == nil {
		// twilio-go's own client: no redirects followed, twilioapi's timeout.
		httpClient = &http.Client{Timeout: twilioapi.DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &CallControl{sid: accountSid, token: authToken, hc: httpClient, base: publicURL, v: v.orDefaults()}
}

// Retry says how often, and for how long, a failed call update is tried again.
type Retry struct {
	// Waits are the pauses before the second, third... attempts: len(Waits)+1 attempts
	// at most. nil means 250ms, 500ms, 1s, 2s, 4s; an empty slice, no retry.
	Waits []time.Duration
	// Budget bounds an update, its attempts and waits together: an attempt still running
	// then is cut off, and no wait that would end after it is begun. 0 means 10s.
	Budget time.Duration
	// Attempt bounds one attempt, as well as the HTTP client's own timeout. 0 means 5s.
	Attempt time.Duration
}

// defaultRetry is the production schedule: six attempts within about 10 seconds, what an
// agent waiting on the desk and a caller waiting in the queue can bear.
var defaultRetry = Retry{
	Waits:   []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second},
	Budget:  10 * time.Second,
	Attempt: 5 * time.Second,
}

func (r Retry) withDefaults() Retry {
	if r.Waits == nil {
		r.Waits = defaultRetry.Waits
	}
	if r.Budget <= 0 {
		r.Budget = defaultRetry.Budget
	}
	if r.Attempt <= 0 {
		r.Attempt = defaultRetry.Attempt
	}
	return r
}

// ErrCallerGone is the error (wrapped) of an update of a call that is no longer there to
// update: Twilio does not know it (20404) or it is no longer in progress (21220), because
// the caller hung up. Trying again cannot help.
var ErrCallerGone = errors.New("the caller has gone: the call has ended, or Twilio does not know it")

// Connect puts the caller through to the agent: the queued call is updated with TwiML
// that dials the agent's phone or Twilio Client identity. The Dial's action hears how the
// attempt ended (Handler.Dialed): without one, Twilio would end the caller's call when the
// agent's phone is busy or not answered.
// https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource
// https://www.twilio.com/docs/voice/twiml/dial#action
func (c *CallControl) Connect(ctx context.Context, callSid string, a domain.Agent) error {
	dial := &twiml.VoiceDial{AnswerOnBridge: "true", Action: c.base + DialedPath, Method: "POST"}
	switch {
	case a.ClientIdentity != "":
		dial.InnerElements = []twiml.Element{&twiml.VoiceClient{Identity: a.ClientIdentity}}
	case a.Phone != "":
		dial.InnerElements = []twiml.Element{&twiml.VoiceNumber{PhoneNumber: a.Phone}}
	default:
		return fmt.Errorf("agent %s has neither a phone nor a client identity", a.Username)
	}
	doc, err := twiml.Voice([]twiml.Element{
		&twiml.VoiceSay{Message: "Putting you through to " + firstName(a.Name) + ".", Voice: c.v.Name, Language: c.v.Language},
		dial,
	})
	if err != nil {
		return err
	}
	if err := c.update(ctx, callSid, func() *openapi.UpdateCallParams {
		return (&openapi.UpdateCallParams{}).SetTwiml(doc)
	}); err != nil {
		return fmt.Errorf("putting call %s through to %s: %w", callSid, a.Username, err)
	}
	return nil
}

// Where Twilio tells the line about a call back: the resident answered (the TwiML that
// puts them through), and how the call ended.
const (
	CallbackAnswerPath = "/twilio/voice/callback"
	CallbackStatusPath = "/twilio/voice/callback/status"
)

// ErrNoLineNumber is the error of a callback asked of call control without the line's number.
var ErrNoLineNumber = errors.New("the line's phone number is not set (PERMITLINE_PHONE_NUMBER): no callback can be made")

// CallBack calls the resident of a callback an agent has taken, from the line's number
// (twilio-go's CreateCall). Answered, the call fetches CallbackAnswerPath, which puts the
// resident through to the agent; its end (completed, busy, no-answer, failed, canceled) is
// reported to CallbackStatusPath. Both carry the callback's ID (?cb=). Creating a call is
// not idempotent, so it is tried once, bounded by Retry.Attempt: a second attempt after a
// timeout could ring the resident twice. It returns the new call's CallSid.
// https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource
func (c *CallControl) CallBack(ctx context.Context, cb domain.Callback, a domain.Agent) (string, error) {
	if c.From == "" {
		return "", ErrNoLineNumber
	}
	if a.ClientIdentity == "" && a.Phone == "" {
		return "", fmt.Errorf("agent %s has neither a phone nor a client identity", a.Username)
	}
	q := "?cb=" + strconv.FormatInt(cb.ID, 10)
	p := (&openapi.CreateCallParams{}).SetTo(cb.Number).SetFrom(c.From).
		SetUrl(c.base + CallbackAnswerPath + q).SetMethod("POST").
		SetStatusCallback(c.base + CallbackStatusPath + q).SetStatusCallbackMethod("POST").
		SetStatusCallbackEvent([]string{"completed"})
	ctx, cancel := context.WithTimeout(ctx, c.Retry.withDefaults().Attempt)
	defer cancel()
	hc := *c.hc
	hc.Transport = ctxTransport{ctx: ctx, base: c.hc.Transport}
	call, err := twilioapi.New(c.sid, c.token, &hc).Api.CreateCall(p)
	if err != nil {
		return "", fmt.Errorf("calling back %s for callback %d: %w", phone.Mask(cb.Number), cb.ID, err)
	}
	if call.Sid == nil || *call.Sid == "" {
		return "", fmt.Errorf("calling back %s for callback %d: Twilio answered without a CallSid", phone.Mask(cb.Number), cb.ID)
	}
	return *call.Sid, nil
}

// update updates the call, trying again under c.Retry while the failure may pass and ctx
// lasts. twilio-go's calls take no context, so each attempt's HTTP client carries ctx.
func (c *CallControl) update(ctx context.Context, callSid string, params func() *openapi.UpdateCallParams) error {
	r := c.Retry.withDefaults()
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	budget, cancel := context.WithTimeout(ctx, r.Budget)
	defer cancel()
	deadline, _ := budget.Deadline()
	for attempt := 1; ; attempt++ {
		err := c.attempt(budget, r.Attempt, callSid, params())
		if err == nil {
			return nil
		}
		if callerGone(err) {
			return fmt.Errorf("%w (%w)", ErrCallerGone, err)
		}
		if !transient(err) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w after %s; the last: %w", ctx.Err(), attempts(attempt), err)
		}
		if attempt > len(r.Waits) || time.Now().Add(r.Waits[attempt-1]).After(deadline) {
			return fmt.Errorf("gave up after %s in %v: %w", attempts(attempt), time.Since(start).Round(time.Millisecond), err)
		}
		t := time.NewTimer(r.Waits[attempt-1])
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w after %s; the last: %w", ctx.Err(), attempts(attempt), err)
		}
	}
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// attempt makes one UpdateCall, bounded by ctx and by limit.
func (c *CallControl) attempt(ctx context.Context, limit time.Duration, callSid string, p *openapi.UpdateCallParams) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel() // also ends a response body twilio-go leaves open
	hc := *c.hc
	hc.Transport = ctxTransport{ctx: ctx, base: c.hc.Transport}
	_, err := twilioapi.New(c.sid, c.token, &hc).Api.UpdateCall(callSid, p)
	return err
}

// callerGone reports whether Twilio answered that the call cannot be updated because it
// is over: not found, or no longer in progress.
func callerGone(err error) bool {
	var rest *twclient.TwilioRestError
	return errors.As(err, &rest) && (rest.Status == http.StatusNotFound || rest.Code == 20404 || rest.Code == 21220)
}

// transient reports whether a failed update may succeed if tried again: Twilio's 5xx,
// 429 and 408, and anything that is not an answer from Twilio (the network, a timeout, an
// answer that could not be read). Any other 4xx can never succeed as it stands.
func transient(err error) bool {
	var rest *twclient.TwilioRestError
	if errors.As(err, &rest) {
		return rest.Status >= 500 || rest.Status == http.StatusTooManyRequests || rest.Status == http.StatusRequestTimeout
	}
	var v1 *twclient.RestErrorV1
	if errors.As(err, &v1) {
		s := v1.HttpStatusCode
		return s >= 500 || s == http.StatusTooManyRequests || s == http.StatusRequestTimeout
	}
	return true
}

// ctxTransport sends each request under ctx as well as the request's own context (the
// HTTP client's timeout), until its response body is closed.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper // nil: http.DefaultTransport
}

func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	stop := context.AfterFunc(t.ctx, func() { cancel(context.Cause(t.ctx)) })
	release := func() { stop(); cancel(nil) }
	resp, err := base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// releasingBody releases its request's context once closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// Back says where a caller handed back to the line goes.
type Back string

// Where a caller can be handed back to.
const (
	BackToMenu Back = flows.FlowMenu // the main menu, identified
	BackToPay  Back = flows.FlowBuy  // buying permits: the quantity, then the card payment
	// BackToNewPIN chooses a new PIN after an agent reset it on the call, then the main menu.
	BackToNewPIN Back = flows.FlowNewPIN
)

// Return hands the caller back to the line at the main menu or the payment step: the
// call is updated to fetch the line's resume URL, so card details never reach the agent.
func (c *CallControl) Return(ctx context.Context, callSid string, to Back) error {
	u := c.base + "/twilio/voice/resume?to=" + string(to)
	err := c.update(ctx, callSid, func() *openapi.UpdateCallParams {
		return (&openapi.UpdateCallParams{}).SetUrl(u).SetMethod("POST")
	})
	if err != nil {
		return fmt.Errorf("handing call %s back to the line: %w", callSid, err)
	}
	return nil
}

// Resume answers POST /twilio/voice/resume?to=menu|buy: an agent handed the caller back
// to the line. The agent has identified the caller, so the call carries on as verified.
func (h *Handler) Resume(ctx context.Context, _ *slog.Logger, f ResumeForm) (string, error) {
	doc, err := h.runner.Resume(ctx, f.CallSid, func(e *flows.Engine, sess *flows.Session) {
		e.HandBack(sess, string(f.Back))
	})
	if err != nil {
		return "", fmt.Errorf("resuming a call: %w", err)
	}
	return doc, nil
}

// ErrNotTwilioRecording is the error of a recording URL that is not Twilio's: the
// account's credentials go to api.twilio.com alone.
var ErrNotTwilioRecording = errors.New("not a recording URL of Twilio's API")

// Recording fetches a recording's audio as MP3 (its RecordingUrl + ".mp3"), with the
// account's credentials, for an agent to listen to. The caller closes the body.
// https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file
func (c *CallControl) Recording(ctx context.Context, recordingURL string) (io.ReadCloser, string, error) {
	u, err := url.Parse(recordingURL)
	if err != nil || u.Scheme != "https" || u.Host != "api.twilio.com" || u.User != nil {
		return nil, "", ErrNotTwilioRecording
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, recordingURL+".mp3", nil)
	if err != nil {
		return nil, "", fmt.Errorf("fetching a recording: %w", err)
	}
	req.SetBasicAuth(c.sid, c.token)
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("fetching a recording: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, "", fmt.Errorf("fetching a recording: Twilio answered %s", res.Status)
	}
	return res.Body, res.Header.Get("Content-Type"), nil
}
