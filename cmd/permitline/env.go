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
	"permitline/flows/entry"
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
	store   store
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
	fs.StringVar(&e.dbPath, "db", envOr("PERMITLINE_DB", "./permitline.db"), "SQLite database file, or a PostgreSQL address (postgres://...)")
	fs.StringVar(&e.now, "now", os.Getenv("PERMITLINE_NOW"), "the moment the clock reads: RFC3339, London wall time or a date (the server's clock runs on from it)")
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
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, &helpError{fs}
		} else if err != nil {
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

// open sets up the clock (see setClock), opens the store (see openStore; migrations are
// applied) and builds the service.
func (e *env) open(ctx context.Context) error {
	if err := e.setClock(); err != nil {
		return err
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

// setClock sets the command's clock from --now (read as parseWhen reads a time), or the
// system clock; a command that reads dates against today calls it before opening the store.
func (e *env) setClock() error {
	e.clock = domain.SystemClock{}
	if e.now != "" {
		t, err := parseWhen(e.now)
		if err != nil {
			return usageErr("--now: %v", err)
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

// whenHelp says what parseWhen accepts.
const whenHelp = "give RFC3339 (2026-12-05T09:30:00Z), London wall time (2026-12-05T09:30 or \"2026-12-05 09:30\") or a date (2026-12-05, its start in London)"

// parseWhen reads a moment, the one reader of times on the command line (--now, --at):
// RFC3339; London wall time "2006-01-02T15:04", "2006-01-02 15:04" (seconds allowed); or
// a bare date "2006-01-02", the moment that day starts in London. A wall time the clocks
// skip (the hour lost in March) is refused.
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, calendar.London); err == nil {
			if t.Format(layout) != s {
				return time.Time{}, fmt.Errorf("%s does not happen in London: the clocks go forward an hour then", s)
			}
			return t, nil
		}
	}
	if d, err := calendar.ParseDate(s); err == nil {
		return d.Midnight(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: %s", s, whenHelp)
}

// dayHelp says what parseDay accepts.
const dayHelp = "give YYYY-MM-DD, today, tomorrow, a weekday (saturday), 5/12, 05/12/2026, 5 Dec or 5th December"

// parseDay reads a date, the one reader of dates on the command line: YYYY-MM-DD, or
// anything a resident may text (entry.TextDate: today, tomorrow, weekday names, 5/12,
// 05/12/2026, 5 Dec, 5th December), read against today in London.
func parseDay(s string, now time.Time) (calendar.Date, error) {
	today := calendar.DateOf(now)
	if strings.TrimSpace(s) == "" {
		return today, nil
	}
	if d, err := calendar.ParseDate(strings.TrimSpace(s)); err == nil {
		return d, nil
	}
	if d, ok := entry.TextDate(s, today); ok {
		return d, nil
	}
	return calendar.Date{}, fmt.Errorf("%q is not a date: %s", s, dayHelp)
}

// parseRequiring is parse, then required: the flags named must be given.
func parseRequiring(fs *flag.FlagSet, args []string, positional int, names ...string) ([]string, error) {
	pos, err := parse(fs, args, positional)
	if err != nil {
		return nil, err
	}
	return pos, required(fs, names...)
}

// required returns a usage error naming the first of the flags in names that was not
// given, or was given blank: nothing is opened or written before the words are right.
func required(fs *flag.FlagSet, names ...string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, n := range names {
		if f := fs.Lookup(n); !given[n] || f == nil || strings.TrimSpace(f.Value.String()) == "" {
			return usageErr("--%s is required", n)
		}
	}
	return nil
}
