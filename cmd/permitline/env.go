package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/sqlite"
	"permitline/fixtures"
)

// errUsage marks an error in the command's words; run prints the usage line with it.
var errUsage = errors.New("bad arguments")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// env is the one dependency struct a command builds and hands down.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger

	command string // the command's name, as given to flags
	dbPath  string
	now     string
	clock   domain.Clock
	store   *sqlite.Store
	svc     *domain.Service

	// pinKeyNote says where demo keeps its PIN key (see pinKeys).
	pinKeyNote string
}

func (e *env) close() {
	if e.store != nil {
		e.store.Close()
	}
}

// flags returns a flag set with the flags every command shares.
func (e *env) flags(name string) *flag.FlagSet {
	e.command = name
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.dbPath, "db", envOr("PERMITLINE_DB", "./permitline.db"), "SQLite database file")
	fs.StringVar(&e.now, "now", os.Getenv("PERMITLINE_NOW"), "the RFC3339 instant the clock reads (the server's clock runs on from it)")
	return fs
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// parse parses flags and positional arguments in any order, and checks the count of
// positional arguments (any count when positional is negative).
func parse(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageErr("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if positional >= 0 && len(pos) != positional {
		return nil, usageErr("expected %d argument(s), got %d", positional, len(pos))
	}
	return pos, nil
}

// parseUpTo is parse for commands whose positional arguments are optional.
func parseUpTo(fs *flag.FlagSet, args []string, most int) ([]string, error) {
	pos, err := parse(fs, args, -1)
	if err != nil {
		return nil, err
	}
	if len(pos) > most {
		return nil, usageErr("expected at most %d argument(s), got %d", most, len(pos))
	}
	return pos, nil
}

// parseAndOpen parses a command's arguments (see parse), then opens the store (see open).
func (e *env) parseAndOpen(ctx context.Context, fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	pos, err := parse(fs, args, positional)
	if err != nil {
		return nil, err
	}
	return pos, e.open(ctx)
}

// open sets up the clock, opens the store (see openStore; migrations are applied) and builds the service.
func (e *env) open(ctx context.Context) error {
	e.clock = domain.SystemClock{}
	if e.now != "" {
		t, err := time.Parse(time.RFC3339, e.now)
		if err != nil {
			return usageErr("--now %q is not RFC3339 (e.g. 2026-12-05T09:30:00Z)", e.now)
		}
		if runsOn(e.command) {
			e.clock = domain.StartingAt(t)
		} else {
			// A one-shot command's clock stands at t. Each command is a separate process,
			// so a clock restarted at the same --now and running on would read earlier
			// than what the previous command recorded: a registration approved "in the
			// future" is not valid yet (R3), a permit bought "later" is not usable (R15).
			e.clock = domain.NewManualClock(t)
		}
	}
	holidays, err := fixtures.BankHolidays()
	if err != nil {
		return err
	}
	sync := sqlite.Sync(strings.ToUpper(envOr("PERMITLINE_SQLITE_SYNC", string(sqlite.SyncNormal))))
	if e.store, err = e.openStore(ctx, sync); err != nil {
		return err
	}
	pins, err := e.pinKeys()
	if err != nil {
		return err
	}
	e.svc = domain.New(domain.Config{Store: e.store, Clock: e.clock, Holidays: holidays, PIN: pins})
	return nil
}

// runsOn reports whether a command keeps running (the line's server), so its clock must
// start at --now and run on; every other command acts at one instant.
func runsOn(command string) bool {
	switch command {
	case "serve", "demo":
		return true
	}
	return false
}

// admin is the back-office actor, named after the user running the command.
func admin() domain.Actor {
	name := os.Getenv("USER")
	if name == "" {
		name = "back office"
	}
	return domain.Admin(name)
}

// parseWhen reads a moment: RFC3339, or a London wall time "2006-01-02T15:04" / "2006-01-02 15:04".
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, calendar.London); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageErr("time %q is not RFC3339 or YYYY-MM-DDTHH:MM (London)", s)
}

// parseDay reads a date: YYYY-MM-DD, today or tomorrow (London).
func parseDay(s string, now time.Time) (calendar.Date, error) {
	switch strings.ToLower(s) {
	case "", "today":
		return calendar.DateOf(now), nil
	case "tomorrow":
		return calendar.DateOf(now).AddDays(1), nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return d, usageErr("%v", err)
	}
	return d, nil
}

// london formats an instant as London wall time.
func london(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(calendar.London).Format("Mon 2 Jan 2006 15:04")
}
