// Package desk is the helpdesk agents' web desk: the queue of callers waiting for an
// agent, updated live, and the call an agent takes, with its whole context and the
// caller's account at a glance, where the agent acts for the caller through the domain's
// own rules. It is plain server-rendered HTML (html/template, embedded) with a little
// JavaScript of its own that only keeps the queue live; every page works without it.
//
// Security: agents sign in with a password (attempts limited in the store, counted before
// the password is checked: see domain.SignInAgent); the session
// is an HMAC-signed cookie (HttpOnly, SameSite=Strict, Secure behind https, Path=/desk);
// every form carries a CSRF token derived from the session; every response carries a
// strict Content-Security-Policy and no-store.
package desk

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"permitline/domain"
	"permitline/ivr"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Calls moves a live call: puts a queued caller through to an agent, and hands a caller
// back to the automated line. *ivr.CallControl is one.
type Calls interface {
	Connect(ctx context.Context, callSid string, a domain.Agent) error
	Return(ctx context.Context, callSid string, to ivr.Back) error
}

// Config is what the desk needs besides the service.
type Config struct {
	// PublicURL is the base URL the desk is reached at; https makes the cookies Secure.
	PublicURL string
	// SessionKey signs sessions, CSRF tokens and messages (HMAC-SHA256), 32 bytes or more.
	// A shorter or empty key is replaced by a random one, so sessions end at a restart.
	SessionKey []byte
	// TrustedProxies are the addresses of the reverse proxies in front of the desk whose
	// X-Forwarded-For is believed when the sign-in limits name a client's address. Empty:
	// the connection's own address is the client's, whatever the headers say.
	TrustedProxies []netip.Prefix
}

// MinKeyLength is the shortest session key the desk accepts.
const MinKeyLength = 32

// desk is the handler.
type desk struct {
	svc    *domain.Service
	calls  Calls
	log    *slog.Logger
	key    []byte
	secure bool
	// now is the real time, for sessions and the sign-in limits; the service's clock
	// (which demos may set) is for everything about calls and accounts.
	now func() time.Time

	pages map[string]*template.Template
	mux   *http.ServeMux

	trustedProxies []netip.Prefix

	pollEvery, heartbeat time.Duration

	mu      sync.Mutex
	closing map[*http.Server]chan struct{} // closed when that server shuts down
}

// New returns the desk's handler, to be mounted at /desk. calls nil: taking a call still
// claims it, and the desk says the line cannot reach Twilio to put it through.
func New(cfg Config, svc *domain.Service, calls Calls, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key := cfg.SessionKey
	if len(key) < MinKeyLength {
		if len(key) > 0 {
			log.Warn("desk: the session key is shorter than 32 bytes; using a random one (agents sign in again after a restart)")
		}
		key = make([]byte, MinKeyLength)
		if _, err := rand.Read(key); err != nil {
			panic("desk: no randomness for a session key: " + err.Error())
		}
	}
	d := &desk{svc: svc, calls: calls, log: log.With("part", "desk"), key: append([]byte(nil), key...),
		secure: strings.HasPrefix(strings.ToLower(cfg.PublicURL), "https://"), now: time.Now,
		trustedProxies: append([]netip.Prefix(nil), cfg.TrustedProxies...),
		pollEvery:      time.Second, heartbeat: 15 * time.Second,
		closing: map[*http.Server]chan struct{}{}}
	d.pages = parsePages()
	d.routes()
	return d
}

func (d *desk) routes() {
	m := http.NewServeMux()
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	m.Handle("GET /desk/static/", http.StripPrefix("/desk/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /desk/login", d.loginPage)
	m.HandleFunc("POST /desk/login", d.login)
	m.HandleFunc("GET /desk", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/desk/", http.StatusSeeOther)
	})

	m.HandleFunc("POST /desk/logout", d.agentPost(d.logout))
	m.HandleFunc("GET /desk/{$}", d.agentGet(d.queuePage))
	m.HandleFunc("GET /desk/events", d.agentGet(d.events))
	m.HandleFunc("GET /desk/today", d.agentGet(d.todayPage))
	m.HandleFunc("GET /desk/supervisor", d.agentGet(d.supervisorPage))
	m.HandleFunc("GET /desk/refunds", d.agentGet(d.refundsPage))
	m.HandleFunc("GET /desk/calls/{id}", d.agentGet(d.callPage))
	m.HandleFunc("GET /desk/callbacks", d.agentGet(d.callbacksPage))
	m.HandleFunc("POST /desk/callbacks/{id}/take", d.agentPost(d.takeCallback))
	m.HandleFunc("POST /desk/callbacks/{id}/finish", d.agentPost(d.finishCallback))
	m.HandleFunc("GET /desk/callbacks/{id}", d.agentGet(d.callbackPage))
	m.HandleFunc("POST /desk/callbacks/{id}/cancel", d.agentPost(d.cancelCallback))
	m.HandleFunc("POST /desk/callbacks/{id}/unanswered", d.agentPost(d.heldCallback(d.callbackUnanswered)))
	m.HandleFunc("POST /desk/callbacks/{id}/visits", d.agentPost(d.heldCallback(d.activate)))
	m.HandleFunc("POST /desk/callbacks/{id}/visits/{ref}/cancel", d.agentPost(d.heldCallback(d.cancel)))
	m.HandleFunc("POST /desk/callbacks/{id}/visits/{ref}/resend", d.agentPost(d.heldCallback(d.resend)))
	m.HandleFunc("POST /desk/callbacks/{id}/vehicles", d.agentPost(d.heldCallback(d.addVehicle)))
	m.HandleFunc("POST /desk/callbacks/{id}/pin", d.agentPost(d.heldCallback(d.pinHelp)))
	m.HandleFunc("GET /desk/voicemails", d.agentGet(d.voicemailsPage))
	m.HandleFunc("GET /desk/voicemails/{id}/audio", d.agentGet(d.voicemailAudio))
	m.HandleFunc("POST /desk/voicemails/{id}/done", d.agentPost(d.voicemailDone))
	m.HandleFunc("POST /desk/calls/{id}/take", d.agentPost(d.take))
	m.HandleFunc("POST /desk/calls/{id}/connect", d.agentPost(d.held(d.connect)))
	m.HandleFunc("POST /desk/calls/{id}/visits", d.agentPost(d.held(d.activate)))
	m.HandleFunc("POST /desk/calls/{id}/visits/{ref}/cancel", d.agentPost(d.held(d.cancel)))
	m.HandleFunc("POST /desk/calls/{id}/visits/{ref}/resend", d.agentPost(d.held(d.resend)))
	m.HandleFunc("POST /desk/calls/{id}/vehicles", d.agentPost(d.held(d.addVehicle)))
	m.HandleFunc("POST /desk/calls/{id}/pay", d.agentPost(d.held(d.sendToPay)))
	m.HandleFunc("POST /desk/calls/{id}/return", d.agentPost(d.held(d.handBack)))
	m.HandleFunc("POST /desk/calls/{id}/pin", d.agentPost(d.held(d.pinHelp)))
	m.HandleFunc("POST /desk/calls/{id}/finish", d.agentPost(d.held(d.finish)))
	m.HandleFunc("/desk/", func(w http.ResponseWriter, r *http.Request) {
		d.errorPage(w, r, nil, http.StatusNotFound, "There is no such page on the desk.")
	})
	d.mux = m
}

// SecurityHeaders sets the headers every page the line serves carries: the
// Content-Security-Policy csp, and no sniffing, referrer, caching or framing.
func SecurityHeaders(h http.Header, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
}

// ServeHTTP sets the headers every response carries and routes the request.
func (d *desk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	SecurityHeaders(w.Header(), "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "+
		"media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	}
	d.mux.ServeHTTP(w, r)
}

// request is what a handler for a signed-in agent gets.
type request struct {
	agent   domain.Agent
	session session
	csrf    string
}

type agentHandler func(http.ResponseWriter, *http.Request, *request)

// agentGet lets a signed-in agent through, and sends anyone else to the sign-in page.
func (d *desk) agentGet(h agentHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rq, ok := d.signedIn(r)
		if !ok {
			http.Redirect(w, r, "/desk/login", http.StatusSeeOther)
			return
		}
		h(w, r, rq)
	}
}

// agentPost lets a signed-in agent's form through when it carries the session's CSRF
// token, and refuses anything else with 403 before doing anything.
func (d *desk) agentPost(h agentHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rq, ok := d.signedIn(r)
		if !ok {
			d.forbidden(w, r, "You're not signed in, or your session has ended. Sign in again.")
			return
		}
		if err := r.ParseForm(); err != nil {
			d.errorPage(w, r, rq, http.StatusBadRequest, "The form could not be read.")
			return
		}
		if !validToken(r.PostForm.Get("csrf"), rq.csrf) {
			d.forbidden(w, r, "The form has expired or did not come from the desk. Go back, reload the page and try again.")
			return
		}
		h(w, r, rq)
	}
}

// signedIn reads the session cookie and loads its agent.
func (d *desk) signedIn(r *http.Request) (*request, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	s, ok := d.parseSession(c.Value)
	if !ok || d.ended(r.Context(), s) {
		return nil, false
	}
	a, err := d.svc.AgentByID(r.Context(), s.agentID)
	if err != nil {
		if !domain.IsNotFound(err) {
			d.log.Error("loading a signed-in agent", "agent", s.agentID, "error", err)
		}
		return nil, false
	}
	return &request{agent: a, session: s, csrf: d.csrfToken(s.raw)}, true
}

func (d *desk) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	d.errorPage(w, r, nil, http.StatusForbidden, msg)
}

// render writes a page, buffered so that a template failure is a clean 500.
func (d *desk) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := d.pages[name].ExecuteTemplate(&buf, "base", data); err != nil {
		d.log.Error("rendering a page", "page", name, "error", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// errorPage shows a message on a page of its own.
func (d *desk) errorPage(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string) {
	p := &errorView{page: d.page(r, rq, "Sorry"), Status: status, Message: msg}
	p.Flash = nil
	d.render(w, status, "error.html", p)
}

// internal logs an unexpected error and says so.
func (d *desk) internal(w http.ResponseWriter, r *http.Request, rq *request, what string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	d.log.Error(what, "path", r.URL.Path, "error", err)
	d.errorPage(w, r, rq, http.StatusInternalServerError,
		"Something went wrong while "+what+". Nothing more was changed. Try again, or tell the supervisor.")
}

func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimPrefix(n, "templates/")
		if name == "base.html" || strings.HasPrefix(name, "_") {
			continue
		}
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/base.html", "templates/_*.html", n))
	}
	return out
}
