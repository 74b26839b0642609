package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"permitline/cmd/permitline/desk"
	"permitline/cmd/permitline/metrics"
	"permitline/cmd/permitline/server"
	"permitline/domain/phone"
	"permitline/domain/pin"
	"permitline/fixtures"
	"permitline/ivr"
	"permitline/ivr/twilioapi"
	"permitline/sms"
	"permitline/sms/outbound"
)

// DemoAuthToken signs webhooks on the demo line.
const DemoAuthToken = fixtures.DemoAuthToken

// sender returns the sender of outgoing texts, or nil when texts are not configured: they
// then wait in the outbox until a server that can send them runs. sendErrored, when set,
// counts each request to send a text that failed.
func (e *env) sender(publicURL, token, sid string, api twilioAPI, sendErrored func(), log *slog.Logger) *outbound.Sender {
	from := os.Getenv("PERMITLINE_SMS_FROM")
	if api.client != nil && from == "" {
		from = "+447700900000"
	}
	if sid == "" || from == "" {
		log.Warn("outgoing texts are off: set TWILIO_ACCOUNT_SID and PERMITLINE_SMS_FROM; texts wait in the outbox")
		return nil
	}
	if api.every == 0 {
		api.every = outbound.DefaultEvery
	}
	return outbound.New(outbound.Config{API: twilioapi.New(sid, token, api.client).Api, From: from,
		StatusCallback: publicURL + "/twilio/sms/status", SendErrored: sendErrored}, e.svc, sms.Notice, log)
}

// voiceFromEnv is the line's voice; a setting left unset is ivr.DefaultVoice's.
func voiceFromEnv() ivr.Voice {
	return ivr.Voice{Name: os.Getenv("PERMITLINE_VOICE"), PaymentConnector: os.Getenv("PERMITLINE_PAY_CONNECTOR"),
		Queue: os.Getenv("PERMITLINE_QUEUE")}
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags("serve")
	addr := fs.String("addr", envOr("PERMITLINE_ADDR", defaultAddr), "address to listen on")
	publicURL := fs.String("public-url", os.Getenv("PERMITLINE_PUBLIC_URL"), "the base URL Twilio reaches the service at")
	number := fs.String("phone-number", os.Getenv("PERMITLINE_PHONE_NUMBER"), "the line's own number, which residents called back see (E.164)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	from, err := lineNumberFlag(*number)
	if err != nil {
		return err
	}
	token, sid, err := twilioAccountFromEnv()
	if err != nil {
		return err
	}
	public := ""
	if *publicURL != "" {
		if public, err = ivr.NormalisePublicURL(*publicURL); err != nil {
			return usageErr("--public-url (or PERMITLINE_PUBLIC_URL): %v", err)
		}
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	if !e.svc.HasPINKey() {
		return fmt.Errorf("serve: %w", pin.ErrNoKey)
	}
	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	return e.serve(ctx, ln, public, token, sid, twilioAPI{from: from})
}

// lineNumberFlag reads the line's own number (--phone-number): E.164, or national UK, made
// E.164; empty, the line makes no callbacks and says so.
func lineNumberFlag(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	e164, err := phone.Parse(s)
	if err != nil {
		return "", usageErr("--phone-number (or PERMITLINE_PHONE_NUMBER): %v", err)
	}
	return e164, nil
}

// listen binds the line's address, before anything says the line is running. An address
// in use, or one that cannot be had, says which flag picks another.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		example := ""
		if host, port, err := net.SplitHostPort(addr); err == nil {
			if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65535 {
				example = ", e.g. --addr " + net.JoinHostPort(host, strconv.Itoa(n+1))
			}
		}
		return nil, fmt.Errorf("%s is already in use (another permitline, or another program, listens there): "+
			"pick another address with --addr HOST:PORT (or PERMITLINE_ADDR)%s", addr, example)
	case err != nil:
		return nil, fmt.Errorf("cannot listen on %s: %w; pick another address with --addr HOST:PORT (or PERMITLINE_ADDR)", addr, err)
	}
	return ln, nil
}

// Twilio's credentials have fixed shapes: an auth token is 32 hex digits, an account Sid
// AC and 32 hex digits.
var (
	authTokenShape  = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	accountSidShape = regexp.MustCompile(`^AC[0-9a-f]{32}$`)
)

// twilioAccountFromEnv reads the Twilio account the line serves (TWILIO_AUTH_TOKEN and
// TWILIO_ACCOUNT_SID) and refuses what cannot be a real account's: every webhook is checked
// against both, so a typo or the demo's token would leave the line open or deaf.
func twilioAccountFromEnv() (token, sid string, err error) {
	token, sid = os.Getenv("TWILIO_AUTH_TOKEN"), os.Getenv("TWILIO_ACCOUNT_SID")
	switch {
	case token == "":
		return "", "", errors.New("TWILIO_AUTH_TOKEN is not set: webhooks cannot be checked without it " +
			"(set it to the account's auth token, from the Twilio console; or try `permitline demo`)")
	case token == fixtures.DemoAuthToken:
		return "", "", errors.New("TWILIO_AUTH_TOKEN is the demo's token, which anyone can read in the source: " +
			"set it to the account's auth token, from the Twilio console")
	case !authTokenShape.MatchString(token):
		return "", "", fmt.Errorf("TWILIO_AUTH_TOKEN is not a Twilio auth token (32 hex digits; this one has %s): "+
			"copy it again from the Twilio console", plural(len(token), "character", "characters"))
	case sid == "":
		return "", "", errors.New("TWILIO_ACCOUNT_SID is not set: webhooks are checked against the account " +
			"(set it to the account's Sid, AC and 32 hex digits, from the Twilio console)")
	case !accountSidShape.MatchString(sid):
		return "", "", errors.New("TWILIO_ACCOUNT_SID is not a Twilio account Sid (AC and 32 hex digits): " +
			"copy it again from the Twilio console")
	}
	return token, sid, nil
}

// twilioAPI is where outgoing texts go: Twilio itself, or in the demo a local fake of its
// REST API reached through client.
type twilioAPI struct {
	client *http.Client // nil: Twilio itself
	every  time.Duration
	from   string // the line's own number (E.164), callbacks' caller ID; "": no callbacks
}

// serve runs the HTTP server on ln (see listen), the sender of texts and the pruning of old
// conversations until ctx ends, then finishes the webhooks in flight. publicURL is
// normalised (ivr.NormalisePublicURL), or "" for the address listened on; every absolute
// URL the line gives Twilio is built from it.
func (e *env) serve(ctx context.Context, ln net.Listener, publicURL, token, sid string, api twilioAPI) error {
	proxies, err := desk.ParseTrustedProxies(os.Getenv("PERMITLINE_TRUSTED_PROXIES"))
	if err != nil {
		return usageErr("PERMITLINE_TRUSTED_PROXIES: %v", err)
	}
	serverGC()
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	var logs slog.Handler = slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	if e.now != "" {
		// The line runs on a clock of its own (--now): each log line says what it read.
		logs = withClock(logs, e.clock)
	}
	log := slog.New(logs)
	cfg := server.Config{PublicURL: publicURL, AuthToken: token, AccountSid: sid, Voice: voiceFromEnv(), TrustedProxies: proxies,
		Store: e.store}
	calls := ivr.NewCallControl(sid, token, publicURL, cfg.Voice, api.client)
	calls.From = api.from
	if api.from == "" {
		log.Warn("the line cannot call residents back: set PERMITLINE_PHONE_NUMBER (or --phone-number)")
	}
	cfg.Calls = calls
	if key := os.Getenv("PERMITLINE_SESSION_KEY"); len(key) >= 32 {
		cfg.SessionKey = []byte(key)
	} else {
		log.Warn("desk sign-ins end when the server restarts: set PERMITLINE_SESSION_KEY (32 characters or more)")
	}
	// /metrics is served to the ops team alone: PERMITLINE_METRICS_TOKEN's holders, or
	// without one this machine alone (server.Config.Metrics).
	figures := metrics.New(e.svc, log)
	if err := figures.Register(metrics.HelpdeskCollector(e.svc, log)); err != nil {
		return fmt.Errorf("the helpdesk's figures: %w", err)
	}
	cfg.Metrics, cfg.MetricsToken = figures, os.Getenv("PERMITLINE_METRICS_TOKEN")
	if sender := e.sender(publicURL, token, sid, api, figures.SendErrored, log); sender != nil {
		cfg.TextStatus = sender.RecordStatus
		go sender.Run(ctx, api.every)
	}
	go pruneConversations(ctx, e.svc, log, pruneEvery)
	h := server.New(cfg, e.svc, log)
	srv := server.HTTPServer(h)
	log.Info("listening", "addr", ln.Addr().String(), "public_url", publicURL, "db", e.dbName())
	fmt.Fprintf(e.stdout, "permitline is listening on %s (public URL %s)\n", ln.Addr(), publicURL)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing the webhooks in flight")
	shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

// serverGC trades memory for CPU in a long-running server. With Go's default (GOGC=100)
// a heap of a few live megabytes is collected every time it doubles: dozens of times a
// second at renewal-day rates. 400 lets it grow to five times its live size between
// collections (tens of megabytes here). An operator's GOGC wins.
func serverGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
