package server

import (
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// metricsAccess guards GET /metrics, which is for the ops team: the figures say how busy
// the line is and how its texts fare, nothing about any caller, but are not for the
// public. With a token (PERMITLINE_METRICS_TOKEN) a scrape must carry it as a bearer
// token ("Authorization: Bearer TOKEN"), from wherever it comes; anything else is
// answered 401. Without one, only a scraper on the server's own machine is answered: a
// request from a loopback address that came through no proxy (a reverse proxy on the
// same machine reaches the server from loopback too, so a request carrying
// X-Forwarded-For, Forwarded or X-Real-IP is refused); any other is answered 403.
func metricsAccess(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="permitline metrics"`)
				http.Error(w, "a bearer token is needed for /metrics", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if !fromLoopback(r) {
			http.Error(w, "/metrics answers only this machine (or set PERMITLINE_METRICS_TOKEN)", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fromLoopback reports whether r came straight from this machine, through no proxy.
func fromLoopback(r *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// WebhookObserver counts a webhook answered: its route pattern, status and time taken
// (a *metrics.Metrics's Webhook).
type WebhookObserver func(route string, status int, d time.Duration)

// observed wraps a webhook's response so that observe hears how it ended, once.
func observed(observe WebhookObserver, w http.ResponseWriter, r *http.Request) (http.ResponseWriter, func()) {
	if observe == nil {
		return w, func() {}
	}
	start := time.Now()
	ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
	return ww, func() {
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK // nothing written: net/http answers 200
		}
		observe(routePattern(r), status, time.Since(start))
	}
}

// routePattern is the router's pattern for r ("/twilio/voice/step"), never the raw path:
// a label per path would be one per query or made-up URL.
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			return strings.TrimSuffix(p, "/*")
		}
	}
	return "unmatched"
}
