package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"permitline/cmd/permitline/desk"
	"permitline/cmd/permitline/server"
	"permitline/domain/pin"
	"permitline/fixtures"
	"permitline/ivr"
	"permitline/sms"
	"permitline/sms/outbound"
)

// DemoAuthToken signs webhooks on the demo line.
const DemoAuthToken = fixtures.DemoAuthToken

// sender returns the sender of outgoing texts, or nil when texts are not configured: they
// then wait in the outbox until a server that can send them runs.
func (e *env) sender(publicURL, token string, api twilioAPI, log *slog.Logger) *outbound.Sender {
	sid, from := envOr("TWILIO_ACCOUNT_SID", api.accountSid), os.Getenv("PERMITLINE_SMS_FROM")
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
	return outbound.New(outbound.Config{AccountSid: sid, AuthToken: token, From: from,
		StatusCallback: publicURL + "/twilio/sms/status", HTTPClient: api.client}, e.svc, sms.Notice, log)
}

// voiceFromEnv is the line's voice; a setting left unset is ivr.DefaultVoice's.
func voiceFromEnv() ivr.Voice {
	return ivr.Voice{Name: os.Getenv("PERMITLINE_VOICE"), PaymentConnector: os.Getenv("PERMITLINE_PAY_CONNECTOR"),
		Queue: os.Getenv("PERMITLINE_QUEUE")}
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flags("serve")
	addr := fs.String("addr", envOr("PERMITLINE_ADDR", "127.0.0.1:8080"), "address to listen on")
	publicURL := fs.String("public-url", os.Getenv("PERMITLINE_PUBLIC_URL"), "the base URL Twilio reaches the service at")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	token := os.Getenv("TWILIO_AUTH_TOKEN")
	if token == "" {
		return errors.New("TWILIO_AUTH_TOKEN is not set: webhooks cannot be checked without it (try `permitline demo`)")
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	if !e.svc.HasPINKey() {
		return fmt.Errorf("serve: %w", pin.ErrNoKey)
	}
	return e.serve(ctx, *addr, *publicURL, token, twilioAPI{})
}

// twilioAPI is where outgoing texts go: Twilio itself, or in the demo a local fake of its
// REST API reached through client.
type twilioAPI struct {
	accountSid string
	client     *http.Client // nil: Twilio itself
	every      time.Duration
}

// serve runs the HTTP server, the sender of texts and the pruning of old conversations
// until ctx ends, then finishes the webhooks in flight.
func (e *env) serve(ctx context.Context, addr, publicURL, token string, api twilioAPI) error {
	proxies, err := desk.ParseTrustedProxies(os.Getenv("PERMITLINE_TRUSTED_PROXIES"))
	if err != nil {
		return usageErr("PERMITLINE_TRUSTED_PROXIES: %v", err)
	}
	serverGC()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := server.Config{PublicURL: publicURL, AuthToken: token, Voice: voiceFromEnv(), TrustedProxies: proxies}
	if sid := envOr("TWILIO_ACCOUNT_SID", api.accountSid); sid != "" {
		cfg.Calls = ivr.NewCallControl(sid, token, publicURL, cfg.Voice, api.client)
	} else {
		log.Warn("the desk cannot put calls through: set TWILIO_ACCOUNT_SID")
	}
	if key := os.Getenv("PERMITLINE_SESSION_KEY"); len(key) >= 32 {
		cfg.SessionKey = []byte(key)
	} else {
		log.Warn("desk sign-ins end when the server restarts: set PERMITLINE_SESSION_KEY (32 characters or more)")
	}
	if sender := e.sender(publicURL, token, api, log); sender != nil {
		cfg.TextStatus = sender.StatusCallback
		go sender.Run(ctx, api.every)
	}
	go pruneConversations(ctx, e.svc, log, pruneEvery)
	h := server.New(cfg, e.svc, log)
	srv := server.HTTPServer(h)
	log.Info("listening", "addr", ln.Addr().String(), "public_url", publicURL, "db", e.dbPath)
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
