package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/twilio/twilio-go/client"

	"permitline/ivr"
)

// MaxBody is the largest webhook body accepted; Twilio's are a few kilobytes.
const MaxBody = 64 << 10

// signatures checks that a request is a webhook Twilio sent for the line's account.
type signatures struct {
	validator  client.RequestValidator
	base       string // the public URL, normalised
	prefix     string // its path: "" or e.g. "/permits"
	accountSid string
}

// newSignatures checks webhooks signed with authToken for accountSid, sent to publicURL.
// publicURL is normalised (ivr.NormalisePublicURL) and may carry a path prefix: a request
// reaches the server with the prefix (a proxy that keeps it) or without (one that strips
// it), and either way the URL signed is the public one, the prefix once.
func newSignatures(publicURL, authToken, accountSid string) *signatures {
	base := strings.TrimSuffix(publicURL, "/")
	return &signatures{validator: client.NewRequestValidator(authToken), base: base, prefix: ivr.PathPrefix(base),
		accountSid: accountSid}
}

// check accepts only a request signed by Twilio with the auth token: a form POST no larger
// than MaxBody whose X-Twilio-Signature matches the public URL Twilio requested (the
// public URL plus the path and query, so it works behind a proxy or a TLS terminator),
// sent for our account with every Sid of the shape Twilio gives it (checkSids). It
// returns the form; anything else has been answered with a 4xx.
// https://www.twilio.com/docs/usage/webhooks/webhooks-security
func (s *signatures) check(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return nil, false
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		http.Error(w, "a form body is expected", http.StatusUnsupportedMediaType)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed or oversized body", http.StatusBadRequest)
		return nil, false
	}
	params := make(map[string]string, len(r.PostForm))
	for k, vs := range r.PostForm {
		if len(vs) != 1 {
			http.Error(w, "repeated parameter "+k, http.StatusBadRequest)
			return nil, false
		}
		params[k] = vs[0]
	}
	rest := r.URL.RequestURI()
	if p := s.prefix; p != "" && (rest == p || strings.HasPrefix(rest, p+"/") || strings.HasPrefix(rest, p+"?")) {
		rest = rest[len(p):]
	}
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" || !s.validator.Validate(s.base+rest, params, sig) {
		http.Error(w, "invalid signature", http.StatusForbidden)
		return nil, false
	}
	if err := checkSids(r.PostForm, s.accountSid); err != nil {
		http.Error(w, "not a webhook of this account: "+err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return r.PostForm, true
}
