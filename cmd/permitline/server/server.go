// Package server wires the service's HTTP side: the routes, the middleware every route
// shares, and the Twilio webhooks, each through one wrapper (webhook: timeout, signature
// check, form, log, panic recovery, fallback reply). It is the only package that imports
// the router.
package server

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"permitline/cmd/permitline/desk"
	"permitline/cmd/permitline/metrics"
	"permitline/domain"
	"permitline/flows"
	"permitline/ivr"
	"permitline/sms"
)

// Config is what the HTTP side needs.
type Config struct {
	// Store is the store the service runs on, named and pinged on /healthz; nil: /healthz
	// answers without asking it.
	Store StoreHealth
	// PublicURL is the base URL Twilio reaches the service at, normalised
	// (ivr.NormalisePublicURL): it may carry a path prefix, and has no trailing slash.
	PublicURL string
	// AuthToken is the Twilio auth token webhooks are signed with.
	AuthToken string
	// AccountSid is the Twilio account the line belongs to: a webhook for any other is refused.
	AccountSid string
	Voice      ivr.Voice
	// TextStatus records Twilio's delivery status callbacks of outgoing texts (an
	// outbound.Sender's RecordStatus); nil: the callbacks are acknowledged and nothing is
	// recorded.
	TextStatus func(context.Context, sms.StatusForm) error
	// Calls puts callers through to the helpdesk agents and hands them back to the line
	// (an *ivr.CallControl); nil: the desk still lets agents take calls, and says it
	// cannot reach Twilio.
	Calls desk.Calls
	// SessionKey signs the agents' desk sessions (32 bytes or more); empty: a random key
	// is made at start, so agents sign in again after a restart.
	SessionKey []byte
	// TrustedProxies are the reverse proxies whose X-Forwarded-For the desk believes for
	// its sign-in limits (desk.Config.TrustedProxies); empty: none.
	TrustedProxies []netip.Prefix
	// Metrics counts the webhooks and serves GET /metrics (metricsAccess says who may
	// read it: MetricsToken's holders, or without a token this machine alone); nil: no
	// /metrics, and nothing counted.
	Metrics      *metrics.Metrics
	MetricsToken string
}

// New returns the service's HTTP handler.
func New(cfg Config, svc *domain.Service, log *slog.Logger) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)

	voice := ivr.NewHandler(ivr.Config{PublicURL: cfg.PublicURL, Voice: cfg.Voice}, svc, flows.NewVoiceEngine(), log)
	texts := sms.NewHandler(svc, log)
	status := func(ctx context.Context, _ *slog.Logger, f sms.StatusForm) (string, error) {
		if cfg.TextStatus == nil {
			return "", nil
		}
		return "", cfg.TextStatus(ctx, f)
	}
	t := &twilioRoutes{sigs: newSignatures(cfg.PublicURL, cfg.AuthToken, cfg.AccountSid), log: log,
		timeout: WebhookTimeout}
	if cfg.Metrics != nil {
		t.observe = cfg.Metrics.Webhook
	}
	twilio := func(r chi.Router) {
		r.Post("/twilio/voice", webhook(t, ivr.DecodeCall, voice.Incoming, voice.Fallback))
		r.Post("/twilio/voice/step", webhook(t, ivr.DecodeStep, voice.Step, voice.Fallback))
		r.Post("/twilio/voice/status", webhook(t, ivr.DecodeStatus, voice.Status, nil))
		r.Post("/twilio/voice/queue/wait", webhook(t, ivr.DecodeQueue, voice.QueueWait, voice.Fallback))
		r.Post(ivr.QueueKeyPath, webhook(t, ivr.DecodeQueue, voice.QueueKey, voice.Fallback))
		r.Post("/twilio/voice/queue/done", webhook(t, ivr.DecodeQueue, voice.QueueDone, voice.Fallback))
		r.Post("/twilio/voice/resume", webhook(t, ivr.DecodeResume, voice.Resume, voice.Fallback))
		r.Post(ivr.DialedPath, webhook(t, ivr.DecodeDial, voice.Dialed, voice.Fallback))
		r.Post(ivr.CallbackAnswerPath, webhook(t, ivr.DecodeCallback, voice.CallbackAnswer, voice.Fallback))
		r.Post(ivr.CallbackStatusPath, webhook(t, ivr.DecodeCallback, voice.CallbackStatus, nil))
		r.Post(ivr.RecordingPath, webhook(t, ivr.DecodeRecording, voice.Recording, nil))
		r.Post("/twilio/sms", webhook(t, sms.DecodeMessage, texts.Incoming, texts.Fallback))
		r.Post("/twilio/sms/status", webhook(t, sms.DecodeStatus, status, nil))
	}
	// Behind a reverse proxy, a public URL with a path prefix (https://council.example/permits)
	// reaches the server with the prefix kept or stripped, as the proxy is set up: Twilio's
	// routes answer both ways, and the signature is checked against the public URL either way.
	r.Group(twilio)
	if prefix := ivr.PathPrefix(cfg.PublicURL); prefix != "" {
		r.Route(prefix, func(r chi.Router) { r.Group(twilio) })
	}

	// Twilio's webhooks have their own timeout (webhook); the desk's live queue is a stream
	// that stays open, so it alone goes without.
	r.Group(func(r chi.Router) {
		r.Use(except("/desk/events", middleware.Timeout(WebhookTimeout)))
		desk := deskHandler(cfg, svc, log)
		version := Version()
		r.Get("/", start(cfg.PublicURL, cfg.Metrics != nil, svc, log))
		r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			// The service's clock (set with --now in a demo or a test), for tools driving the line.
			w.Header().Set(ClockHeader, svc.Now().UTC().Format(time.RFC3339Nano))
			w.Header().Set(VersionHeader, version)
			if cfg.Store != nil {
				w.Header().Set(StoreHeader, cfg.Store.Engine())
				ctx, cancel := context.WithTimeout(r.Context(), StorePingTimeout)
				defer cancel()
				if err := cfg.Store.Ping(ctx); err != nil {
					log.Error("healthz: the store does not answer", "engine", cfg.Store.Engine(), "err", err)
					w.WriteHeader(http.StatusServiceUnavailable)
					_, _ = w.Write([]byte("the store does not answer\n"))
					return
				}
			}
			_, _ = w.Write([]byte("ok\n"))
		})
		r.Mount("/desk", desk)
		if cfg.Metrics != nil {
			r.Method(http.MethodGet, "/metrics", metricsAccess(cfg.MetricsToken, cfg.Metrics.Handler()))
		}
	})
	return r
}

// deskHandler is the agents' desk.
func deskHandler(cfg Config, svc *domain.Service, log *slog.Logger) http.Handler {
	key := cfg.SessionKey
	if len(key) == 0 {
		key = make([]byte, desk.MinKeyLength)
		if _, err := rand.Read(key); err != nil {
			panic("server: no randomness for the desk's session key: " + err.Error())
		}
	}
	return desk.New(desk.Config{PublicURL: cfg.PublicURL, SessionKey: key, TrustedProxies: cfg.TrustedProxies},
		svc, cfg.Calls, log)
}

// except applies mw to every request but those for path.
func except(path string, mw func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		wrapped := mw(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == path {
				next.ServeHTTP(w, r)
				return
			}
			wrapped.ServeHTTP(w, r)
		})
	}
}

// ClockHeader carries the service's clock on /healthz.
const ClockHeader = "Permitline-Clock"

// StoreHeader names the store's engine on /healthz: sqlite or postgres.
const StoreHeader = "Permitline-Store"

// StorePingTimeout bounds /healthz's ping of the store: a store slower than this is down.
const StorePingTimeout = 2 * time.Second

// StoreHealth is what /healthz asks of the store.
type StoreHealth interface {
	// Engine names the engine: sqlite or postgres.
	Engine() string
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
}

// HTTPServer is the HTTP server the line runs behind. Its write timeout is Twilio's: a
// webhook not answered in 15 seconds has been given up on.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second}
}
