package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"permitline/cmd/permitline/server"
	"permitline/ivr"
)

// DemoAuthToken signs webhooks on the demo line; it is not a Twilio account's token.
const DemoAuthToken = "demo-auth-token"

func voiceFromEnv() ivr.Voice {
	return ivr.Voice{Name: envOr("PERMITLINE_VOICE", "Polly.Amy"), Language: "en-GB",
		PaymentConnector: envOr("PERMITLINE_PAY_CONNECTOR", "Default"), Queue: envOr("PERMITLINE_QUEUE", "helpdesk")}
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
	return e.serve(ctx, *addr, *publicURL, token)
}

// serve runs the HTTP server until ctx ends, then finishes the webhooks in flight.
func (e *env) serve(ctx context.Context, addr, publicURL, token string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h := server.New(server.Config{PublicURL: publicURL, AuthToken: token, Voice: voiceFromEnv()}, e.svc, log)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second}
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
