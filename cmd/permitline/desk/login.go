package desk

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"permitline/domain"
)

type loginView struct {
	page
	Username string
	Error    string
}

// loginPage shows the sign-in form, and binds its CSRF token to a cookie of its own.
func (d *desk) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := d.signedIn(r); ok {
		http.Redirect(w, r, "/desk/", http.StatusSeeOther)
		return
	}
	d.renderLogin(w, r, http.StatusOK, "", "")
}

func (d *desk) renderLogin(w http.ResponseWriter, r *http.Request, status int, username, msg string) {
	// One sign-in cookie serves every open sign-in form, so two tabs don't void each other.
	nonce := randomToken(16)
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		nonce = c.Value
	}
	http.SetCookie(w, d.cookie(loginCookie, nonce, time.Hour))
	p := &loginView{page: d.page(r, nil, "Sign in"), Username: username, Error: msg}
	p.CSRF = d.loginToken(nonce)
	p.Flash = d.takeFlash(w, r)
	d.render(w, status, "login.html", p)
}

// login signs an agent in. The attempt is counted against the sign-in limits (per
// username and address, per address, per username from new addresses: see
// domain.SignInAgent) before the password is looked at, in the store, so neither a burst
// of attempts at once nor a restart gets round them; a refused attempt is answered 429.
func (d *desk) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		d.errorPage(w, r, nil, http.StatusBadRequest, "The form could not be read.")
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !validToken(r.PostForm.Get("csrf"), d.loginToken(c.Value)) {
		d.forbidden(w, r, "The sign-in form has expired. Go back, reload the page and try again.")
		return
	}
	username := strings.ToLower(strings.TrimSpace(r.PostForm.Get("username")))
	if len(username) > 100 {
		username = username[:100]
	}
	password := r.PostForm.Get("password")
	if username == "" || password == "" {
		d.renderLogin(w, r, http.StatusUnprocessableEntity, username, "Enter your username and your password.")
		return
	}
	ip := d.clientIP(r)
	a, err := d.svc.SignInAgent(r.Context(), username, password, ip, d.now())
	var limited *domain.TooManySignInsError
	switch {
	case errors.As(err, &limited):
		d.log.Warn("sign-in refused: too many attempts", "username", username, "ip", ip, "limit", limited.Limit)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(limited.Wait.Seconds()))))
		d.renderLogin(w, r, http.StatusTooManyRequests, username,
			fmt.Sprintf("Too many failed sign-ins. Wait %s, then try again, or ask the supervisor to check your account.", minutes(limited.Wait)))
		return
	case errors.Is(err, domain.ErrBadCredentials):
		d.log.Info("sign-in failed", "username", username, "ip", ip)
		d.renderLogin(w, r, http.StatusUnauthorized, username, "Wrong username or password.")
		return
	case err != nil:
		d.internal(w, r, nil, "signing you in", err)
		return
	}
	s := d.newSession(a.ID)
	if err := d.svc.StartSession(r.Context(), a, s.nonce); err != nil {
		d.internal(w, r, nil, "signing you in", err)
		return
	}
	http.SetCookie(w, d.cookie(sessionCookie, s.raw, sessionTTL))
	http.SetCookie(w, d.cookie(loginCookie, "", -1))
	d.log.Info("signed in", "agent", a.Username, "ip", ip)
	http.Redirect(w, r, "/desk/", http.StatusSeeOther)
}

// logout ends the session: it is kept as signed out until it would have expired, and
// the cookie is cleared. If that cannot be kept, the agent is told so and stays signed in:
// a sign-out that only cleared the cookie would leave the session usable.
func (d *desk) logout(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := d.svc.SignOut(r.Context(), rq.agent, rq.session.nonce, rq.session.expires, d.now()); err != nil {
		d.internal(w, r, rq, "signing you out", err)
		return
	}
	http.SetCookie(w, d.cookie(sessionCookie, "", -1))
	d.setFlash(w, "ok", "You've signed out.")
	d.log.Info("signed out", "agent", rq.agent.Username)
	http.Redirect(w, r, "/desk/login", http.StatusSeeOther)
}

// minutes says a short wait in words.
func minutes(d time.Duration) string {
	m := int(math.Ceil(d.Minutes()))
	if m <= 1 {
		return "a minute"
	}
	return strconv.Itoa(m) + " minutes"
}
