package fakeapi

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Transport returns a RoundTripper for the twilio-go client's HTTP client that sends every
// request for Twilio (twilio.com or any host under it, e.g. api.twilio.com) to target
// instead, keeping the path and query, and refuses, with an error, any request for a host
// that is neither loopback (localhost, 127.0.0.0/8, ::1) nor target's host, so a test or a
// demo cannot reach Twilio or anything else. base carries the requests; nil means
// http.DefaultTransport.
func Transport(target *url.URL, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{target: target, base: base}
}

type transport struct {
	target *url.URL
	base   http.RoundTripper
}

// RefusedError is returned for a request to a host the transport will not reach.
type RefusedError struct {
	Host string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("fakeapi: refusing a request to %s: only Twilio (redirected to the fake) and loopback hosts are allowed", e.Host)
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := strings.ToLower(req.URL.Hostname())
	if isTwilio(host) {
		if t.target == nil {
			return nil, closeBody(req, &RefusedError{Host: req.URL.Host})
		}
		r := req.Clone(req.Context())
		u := *req.URL
		u.Scheme, u.Host = t.target.Scheme, t.target.Host
		r.URL, r.Host = &u, "" // the Host header follows the URL
		req = r
		host = strings.ToLower(u.Hostname())
	}
	if !t.allowed(host) {
		return nil, closeBody(req, &RefusedError{Host: req.URL.Host})
	}
	return t.base.RoundTrip(req)
}

func (t *transport) allowed(host string) bool {
	if t.target != nil && host == strings.ToLower(t.target.Hostname()) && host != "" {
		return true
	}
	return isLoopback(host)
}

// isTwilio reports whether host is twilio.com or a host under it.
func isTwilio(host string) bool {
	host = strings.TrimSuffix(host, ".")
	return host == "twilio.com" || strings.HasSuffix(host, ".twilio.com")
}

// isLoopback reports whether host names this machine without asking DNS: localhost (and
// names under .localhost) or a loopback address.
func isLoopback(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// closeBody closes a refused request's body, as a RoundTripper must, and returns err.
func closeBody(req *http.Request, err error) error {
	if req.Body != nil {
		req.Body.Close()
	}
	return err
}
