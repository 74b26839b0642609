// Package twiliosim is the Twilio side of a call or text, simulated: it signs and sends the
// webhooks Twilio would send to permitline and, for a voice call, follows the TwiML that comes
// back the way Twilio does, so that a person at a terminal, a replay test or a load generator
// can take the caller's part.
//
// Signing: Sign appends to the URL, exactly as configured, each parameter's name and value in
// order of name (a repeated name's values in sorted order), then takes HMAC-SHA1 keyed by the
// auth token, in standard base64. With GET, Twilio puts the parameters in the query string and
// signs the URL alone. Every request is signed for Config.PublicURL and sent to Config.BaseURL.
//
// Calls are driven turn by turn: Dial posts the incoming call, Next runs verbs until the call
// needs the caller (a Gather, a Pay), sits in a queue or a Dial, or ends, and Press, Say,
// Silence, PayWith, LeaveQueue, EndDial and Hangup are what the caller or the network does
// next. As in Twilio:
//   - Press sends the keys up to the finishOnKey (not sent) or numDigits of them; no digits,
//     like Silence, goes on to the verb after the Gather, or with actionOnEmptyResult="true"
//     posts to the action without input. Say sends SpeechResult with a Confidence of 0.9.
//   - An action defaults to the URL of the document the Gather or Pay came from; relative URLs
//     resolve against the document's URL; a URL outside PublicURL is an error.
//   - PayWith answers as a Stripe-like connector: 4242424242424242 succeeds (with a
//     PaymentConfirmationCode only when chargeAmount > 0), 4000000000000002 is declined
//     (payment-connector-error), "*" is caller-interrupted, anything else input-matching-failed.
//     These fields come from secondary sources only (testdata/voice-pay-action-UNVERIFIED.form).
//   - Enqueue fetches its waitUrl and the call then waits in the queue; LeaveQueue posts the
//     QueueResult to the action and runs what it returns, or without an action goes on after
//     the Enqueue ("hangup" is Hangup). Leave in the wait document is LeaveQueue("leave").
//   - Dial waits with its targets; EndDial posts DialCallStatus to its action, or goes on.
//     UpdateTwiML is the REST API's update of the call with inline TwiML: out of a queue
//     (QueueResult=redirected), then that TwiML.
//   - When the call ends, by <Hangup>, <Reject> (CallStatus busy or no-answer), the end of the
//     TwiML, an error or Hangup, a queue's action hears QueueResult=hangup and the status
//     callback {BaseURL}/twilio/voice/status hears the CallStatus and CallDuration.
//   - More than 10 documents fetched without the caller (Redirect, waitUrl, Leave) is Twilio's
//     error 11215; a status other than 200, a Content-Type that is not XML, a body over 64 kB,
//     bad XML, a root other than <Response> or an unknown verb ends the call with an error
//     quoting the status and body, and the caller hears Twilio's "application error" message.
//
// Texts: SendSMS posts the incoming-message webhook to {BaseURL}/twilio/sms with a fresh
// MessageSid (ResendSMS reuses one, as Twilio's retries do) and returns the <Message> bodies
// of the reply: none for a 204 or an empty body; a status other than 200 or 204, or a reply
// that is not TwiML, is an error, with the status still returned.
//
// Pause is not timed and Play is only reported: the simulation never sleeps. A Call is not
// safe for concurrent use; run one goroutine per call.
package twiliosim

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// UserAgent is the User-Agent Twilio sends with its webhooks.
const UserAgent = "TwilioProxy/1.1"

// Sign returns the X-Twilio-Signature of a form POST of params to webhookURL.
func Sign(authToken, webhookURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(webhookURL)
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		values := append([]string(nil), params[k]...)
		sort.Strings(values)
		for _, v := range values {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// NewRequest returns Twilio's signed form POST of params to webhookURL.
func NewRequest(ctx context.Context, authToken, webhookURL string, params url.Values) (*http.Request, error) {
	return newRequest(ctx, authToken, http.MethodPost, webhookURL, webhookURL, params)
}

// newRequest builds a webhook sent to target but signed for public, the URL Twilio is
// configured with. With GET, Twilio puts the params in the query string and signs the URL alone.
func newRequest(ctx context.Context, authToken, method, target, public string, params url.Values) (*http.Request, error) {
	var body string
	switch method {
	case http.MethodPost:
		body = params.Encode()
	case http.MethodGet:
		if len(params) > 0 {
			target = withQuery(target, params)
			public = withQuery(public, params)
		}
		params = nil
	default:
		return nil, fmt.Errorf("twiliosim: method %q: Twilio only uses GET and POST", method)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Twilio-Signature", Sign(authToken, public, params))
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("I-Twilio-Idempotency-Token", uuid())
	return req, nil
}

// withQuery appends params to u's query string.
func withQuery(u string, params url.Values) string {
	if strings.Contains(u, "?") {
		return u + "&" + params.Encode()
	}
	return u + "?" + params.Encode()
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// sid returns a Twilio-style SID: the prefix and 32 hex digits.
func sid(prefix string) string { return prefix + randomHex(16) }

// uuid returns a random version 4 UUID.
func uuid() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}
