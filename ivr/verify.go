package ivr

import (
	"net/http"
	"strings"

	"github.com/twilio/twilio-go/client"
)

// MaxBody is the largest webhook body accepted; Twilio's are a few kilobytes.
const MaxBody = 64 << 10

// Verify returns middleware that accepts only requests signed by Twilio with the auth
// token: a form POST no larger than MaxBody whose X-Twilio-Signature matches the public
// URL Twilio requested (publicURL plus the path and query, so it works behind a proxy or
// a TLS terminator), sent for our account (accountSid) with every Sid of the shape Twilio
// gives it (checkSids). Anything else gets a 4xx and reaches no handler.
//
// publicURL is normalised (NormalisePublicURL) and may carry a path prefix: a request
// reaches the server with the prefix (a proxy that keeps it) or without (one that strips
// it), and either way the URL signed is the public one, the prefix once.
// https://www.twilio.com/docs/usage/webhooks/webhooks-security
func Verify(publicURL, authToken, accountSid string) func(http.Handler) http.Handler {
	validator := client.NewRequestValidator(authToken)
	base := strings.TrimSuffix(publicURL, "/")
	prefix := pathPrefix(base)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				http.Error(w, "POST only", http.StatusMethodNotAllowed)
				return
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
				http.Error(w, "a form body is expected", http.StatusUnsupportedMediaType)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
			if err := r.ParseForm(); err != nil {
				http.Error(w, "malformed or oversized body", http.StatusBadRequest)
				return
			}
			sig := r.Header.Get("X-Twilio-Signature")
			params := make(map[string]string, len(r.PostForm))
			for k, vs := range r.PostForm {
				if len(vs) != 1 {
					http.Error(w, "repeated parameter "+k, http.StatusBadRequest)
					return
				}
				params[k] = vs[0]
			}
			rest := r.URL.RequestURI()
			if prefix != "" && (rest == prefix || strings.HasPrefix(rest, prefix+"/") || strings.HasPrefix(rest, prefix+"?")) {
				rest = rest[len(prefix):]
			}
			if sig == "" || !validator.Validate(base+rest, params, sig) {
				http.Error(w, "invalid signature", http.StatusForbidden)
				return
			}
			need := "CallSid"
			if strings.HasPrefix(strings.TrimPrefix(r.URL.Path, prefix), "/twilio/sms") {
				need = "MessageSid"
			}
			if err := checkSids(r.PostForm, accountSid, need); err != nil {
				http.Error(w, "not a webhook of this account: "+err.Error(), http.StatusBadRequest)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
