package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"permitline/cmd/permitline/load"
	"permitline/fixtures"
)

const loadUsage = "load [--url URL[,URL...] [--public-url URL] --db PATH] [--calls N] [--concurrency C] [--mix KIND=N,...] " +
	"[--residents R] [--history V] [--duration D] [--seed S] [--think D] [--retry-for D] [--floors=false] [--json]"

// runLoad drives the line with simulated callers and texters, checks the store against
// what they heard, and measures the floors to compare with.
func runLoad(ctx context.Context, e *env, args []string) error {
	fs := e.flags("load")
	target := fs.String("url", "", "drive the line running at this URL, or at the URLs of its nodes separated by commas, each webhook to the next node (default: start it in-process on a fresh database)")
	public := fs.String("public-url", os.Getenv("PERMITLINE_PUBLIC_URL"), "the public URL the running line signs against (default --url)")
	calls := fs.Int("calls", 2000, "conversations in all")
	concurrency := fs.Int("concurrency", 200, "conversations at once")
	mix := fs.String("mix", load.DefaultMix().String(), "proportions of each kind of conversation")
	residents := fs.Int("residents", 2000, "simulated residents, seeded if missing")
	history := fs.Int("history", 0, "past visits to insert before the run (in-process only)")
	duration := fs.Duration("duration", 0, "stop starting conversations after this long (0: no cap)")
	seed := fs.Uint64("seed", 1, "seed of the random mix, days and quantities")
	think := fs.Duration("think", 0, "how long each simulated person takes before each answer after the first, "+
		"give or take half (0: at once)")
	retryFor := fs.Duration("retry-for", 0, "send a webhook again for up to this long after a connection error, 502 or 503, "+
		"as a load balancer holding it while the line restarts (at most 15s; 0: never)")
	floors := fs.Bool("floors", true, "measure the HTTP and storage floors after the run")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run (the whole process) to this file")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *target == "" && e.onPostgres() {
		// The line it starts in-process is on a fresh SQLite file; a running line's
		// database (--url) may be on either engine.
		return usageErr("load starts its own line on a fresh SQLite file; to load a line on PostgreSQL, start its nodes with serve and give load --url and --db")
	}
	m, err := load.ParseMix(*mix)
	if err != nil {
		return usageErr("%v", err)
	}
	pins, err := e.pinKeys()
	if err != nil {
		return err
	}
	o := load.Options{PIN: pins, URL: *target, PublicURL: *public, AuthToken: envOr("TWILIO_AUTH_TOKEN", DemoAuthToken),
		AccountSid: envOr("TWILIO_ACCOUNT_SID", fixtures.DemoAccountSid),
		Calls:      *calls, Concurrency: *concurrency, Mix: m, Residents: *residents, History: *history,
		Duration: *duration, Seed: *seed, Think: *think, RetryFor: *retryFor, Floors: *floors, Progress: e.stderr}
	// --db names the running line's database; in-process, a fresh file to keep (if given).
	dbSet := false
	fs.Visit(func(f *flag.Flag) { dbSet = dbSet || f.Name == "db" })
	if *target != "" || dbSet {
		o.DBPath = e.dbPath
	}
	if e.now != "" {
		if o.Now, err = time.Parse(time.RFC3339, e.now); err != nil {
			return usageErr("--now %q is not RFC3339 (e.g. 2026-11-30T09:30:00Z)", e.now)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *target == "" {
		serverGC() // the line runs in this process: as permitline serve runs it
	}
	rep, err := load.Run(ctx, o)
	if err != nil && rep.Calls == 0 {
		return usageErr("%v", err)
	}
	if rep.Webhooks > 0 || rep.Conversations > 0 {
		if *asJSON {
			if perr := rep.PrintJSON(e.stdout); perr != nil {
				return perr
			}
		} else if perr := rep.Print(e.stdout); perr != nil {
			return perr
		}
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return &exitError{code: 1, msg: fmt.Sprintf("permitline load: %d conversations failed, %d distinct errors, %d check mismatches",
			rep.Failed, len(rep.Errors), len(rep.Check.Mismatches))}
	}
	return nil
}
