package desk

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The desk's cookies.
const (
	sessionCookie = "desk_session"
	loginCookie   = "desk_login" // before signing in: what the sign-in form's CSRF token is bound to
	flashCookie   = "desk_flash" // a message for the next page, after a redirect
)

// sessionTTL is how long a sign-in lasts: a long shift.
const sessionTTL = 12 * time.Hour

var b64 = base64.RawURLEncoding

// mac is HMAC-SHA256 under the desk's key over a purpose and parts, each kept apart,
// so a value signed for one purpose is never valid for another.
func (d *desk) mac(purpose string, parts ...string) []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("desk: no randomness: " + err.Error())
	}
	return b64.EncodeToString(b)
}

// validToken compares a token from a form with the expected one in constant time.
func validToken(given, want string) bool {
	return given != "" && want != "" && hmac.Equal([]byte(given), []byte(want))
}

// session is a signed-in agent: "agentID.expiryUnix.nonce.signature".
type session struct {
	agentID int64
	expires time.Time
	nonce   string // tells this sign-in apart, so signing out can revoke it
	raw     string
}

func (d *desk) newSession(agentID int64) session {
	exp := d.now().Add(sessionTTL).Truncate(time.Second)
	nonce := randomToken(16)
	payload := strconv.FormatInt(agentID, 10) + "." + strconv.FormatInt(exp.Unix(), 10) + "." + nonce
	return session{agentID: agentID, expires: exp, nonce: nonce,
		raw: payload + "." + b64.EncodeToString(d.mac("session", payload))}
}

// parseSession reads a session cookie signed with the desk's key; whether the session has
// ended (expired, or signed out) is ended's to say.
func (d *desk) parseSession(raw string) (session, bool) {
	i := strings.LastIndexByte(raw, '.')
	if i < 0 || len(raw) > 200 {
		return session{}, false
	}
	payload, sig := raw[:i], raw[i+1:]
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, d.mac("session", payload)) {
		return session{}, false
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 {
		return session{}, false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return session{}, false
	}
	return session{agentID: id, expires: time.Unix(exp, 0), nonce: parts[2], raw: raw}, true
}

// ended reports whether a well-signed session has ended: expired, or signed out (kept in
// the store, so a restart does not bring it back). When the store cannot say, it has.
func (d *desk) ended(ctx context.Context, s session) bool {
	if !d.now().Before(s.expires) {
		return true
	}
	out, err := d.svc.SessionSignedOut(ctx, s.nonce)
	if err != nil {
		d.log.Error("checking a desk session", "agent", s.agentID, "error", err)
		return true
	}
	return out
}

// csrfToken is the token every form of a session carries: derived from the session, so
// it needs no storage and dies with it.
func (d *desk) csrfToken(sessionRaw string) string {
	return b64.EncodeToString(d.mac("csrf", sessionRaw))
}

// loginToken is the sign-in form's CSRF token, bound to the desk_login cookie.
func (d *desk) loginToken(nonce string) string {
	return b64.EncodeToString(d.mac("login", nonce))
}

func (d *desk) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/desk", HttpOnly: true, Secure: d.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge / time.Second)}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	return c
}

// flash is a message shown once on the next page.
type flash struct {
	Kind string // "ok" or "error"
	Text string
}

func (d *desk) setFlash(w http.ResponseWriter, kind, text string) {
	payload := b64.EncodeToString([]byte(kind + "\x00" + text))
	http.SetCookie(w, d.cookie(flashCookie, payload+"."+b64.EncodeToString(d.mac("flash", payload)), time.Minute))
}

// takeFlash reads the message left for this page, and clears it.
func (d *desk) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, d.cookie(flashCookie, "", -1))
	payload, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return nil
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, d.mac("flash", payload)) {
		return nil
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return nil
	}
	kind, text, _ := strings.Cut(string(raw), "\x00")
	return &flash{Kind: kind, Text: text}
}

// clientIP is the address the request came from (the proxy's, behind one).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts failures per key in a sliding window, in memory.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
	adds   int
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// blocked reports whether the key has used up its failures, and when it may try again.
func (l *limiter) blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.recent(key, now)
	if len(ts) < l.max {
		return false, 0
	}
	return true, ts[len(ts)-l.max].Add(l.window).Sub(now)
}

// fail records a failure.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[key] = append(l.recent(key, now), now)
	if l.adds++; l.adds%256 == 0 { // forget keys whose failures have all expired
		for k := range l.fails {
			if len(l.recent(k, now)) == 0 {
				delete(l.fails, k)
			}
		}
	}
}

// reset forgets a key's failures (a successful sign-in).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// recent drops the key's failures older than the window; l.mu is held.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	ts := l.fails[key]
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-l.window)) {
		i++
	}
	if i == len(ts) {
		delete(l.fails, key)
		return nil
	}
	ts = ts[i:]
	l.fails[key] = ts
	return ts
}
