package desk

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
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

// ended reports whether a well-signed session has ended: expired, or signed out on any
// node (kept in the store, so a restart does not bring it back). It also records the
// session as seen, for the count of agents signed in (at most once a minute: see
// domain.Service.SeeSession). When the store cannot say, it has ended.
func (d *desk) ended(ctx context.Context, s session) bool {
	if !d.now().Before(s.expires) {
		return true
	}
	out, err := d.svc.SeeSession(ctx, s.agentID, s.nonce)
	if err != nil {
		d.log.Error("checking a desk session", "agent", s.agentID, "error", err)
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

// clientIP is the address the request came from, as the sign-in limits count it. It is
// the connection's own address (RemoteAddr): a header such as X-Forwarded-For is
// anyone's to write, and believing it would let an attacker pick a fresh address for
// every guess, or another's to lock out. Only when the connection comes from a proxy the
// desk is told to trust (Config.TrustedProxies) is X-Forwarded-For read: from its right
// end, each address a trusted proxy added is skipped, and the first other one is the
// client (what the client itself wrote to the left of it is never believed).
func (d *desk) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if !d.trusted(addr) {
		return addr.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: believe nothing further left
		}
		addr = hop.Unmap()
		if !d.trusted(addr) {
			break
		}
	}
	return addr.String()
}

// trusted reports whether addr is one of the proxies the desk believes.
func (d *desk) trusted(addr netip.Addr) bool {
	for _, p := range d.trustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies reads a list of proxy addresses or networks, separated by commas
// ("10.0.0.5, 192.168.1.0/24"), as PERMITLINE_TRUSTED_PROXIES gives them; empty is none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a network such as 10.0.0.0/8", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
