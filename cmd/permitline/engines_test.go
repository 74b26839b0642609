package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server"
	"permitline/domain"
	"permitline/domain/sqlite"
	"permitline/domain/storetest"
	"permitline/fixtures"
)

// The back office's commands work on either engine: migrate, a scheme import, an account
// opened, registered and sold permits, and shown.
func TestCommandsOnEachEngine(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, e storetest.Engine) {
		c := &cli{t: t, db: e.Address(t), now: testNow}
		if got := c.ok("migrate"); !strings.Contains(got, "schema version") || strings.Contains(got, "secret") {
			t.Errorf("migrate: %q", got)
		}
		a := c.registeredWithPermits()
		if got := c.ok("resident", "show", a); !strings.Contains(got, "Ann Smith") {
			t.Errorf("resident show: %q", got)
		}
		if got := c.ok("refunds", "list"); got != "no refunds due\n" {
			t.Errorf("refunds list: %q", got)
		}
		if e.Name == "postgres" {
			r := c.run("demo", "--seed-only")
			if r.code == 0 || !strings.Contains(r.stderr, "SQLite database file only") {
				t.Errorf("demo on PostgreSQL: exit %d, stderr %q; want it refused", r.code, r.stderr)
			}
			// load drives a line on PostgreSQL through --url; its in-process line is SQLite's.
			r = c.run("load", "--calls", "1")
			if r.code == 0 || !strings.Contains(r.stderr, "give load --url and --db") {
				t.Errorf("load in-process on PostgreSQL: exit %d, stderr %q; want it refused, saying how", r.code, r.stderr)
			}
		}
	})
}

// /healthz names the store's engine, and answers 503 when the store does not answer.
func TestHealthzAsksTheStore(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, eng storetest.Engine) {
		e := &env{dbPath: eng.Address(t), command: "migrate"}
		st, err := e.openStore(context.Background(), sqlite.SyncNormal)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		svc := domain.New(domain.Config{Store: st, Clock: domain.NewManualClock(time.Date(2026, time.November, 30, 9, 0, 0, 0, time.UTC)),
			Holidays: fixtures.MustBankHolidays()})
		srv := httptest.NewServer(server.New(server.Config{PublicURL: "http://line.example", Store: st}, svc,
			slog.New(slog.NewTextHandler(io.Discard, nil))))
		defer srv.Close()
		get := func() (int, string) {
			resp, err := http.Get(srv.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			return resp.StatusCode, resp.Header.Get(server.StoreHeader)
		}
		if code, engine := get(); code != http.StatusOK || engine != eng.Name {
			t.Errorf("/healthz: %d, engine %q; want 200, %q", code, engine, eng.Name)
		}
		st.Close()
		if code, _ := get(); code != http.StatusServiceUnavailable {
			t.Errorf("/healthz with the store closed: %d, want 503", code)
		}
	})
}
