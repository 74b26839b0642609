package load

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// maxShown is how many check mismatches are printed before "... and N more".
const maxShown = 50

// Print writes the report for people.
func (r Report) Print(w io.Writer) error {
	p := &printer{w: w}
	if r.Target == "in-process" {
		kept := "removed afterwards"
		if r.DBKept {
			kept = "kept"
		}
		p.f("permitline load: the line in-process on a fresh database (%s, %s), its clock from %s\n",
			r.DBPath, kept, r.Now.Format("Mon 2 Jan 2006 15:04 MST"))
	} else {
		p.f("permitline load: the line at %s (database %s), clock taken as %s\n", r.Target, r.DBPath,
			r.Now.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	p.f("  seeding: %d residents in %s, through the domain's store, 200 to a transaction (schemes, address, PIN,\n"+
		"    registration, 2-4 permits bought in the back office, a saved vehicle)\n", r.Residents, r.SeedTime)
	p.f("  PINs keyed as the line keeps them (HMAC-SHA256 under the run's PIN key), each checked inside its\n" +
		"    step's write transaction\n")
	if r.History > 0 {
		p.f("  history: %d past visits (with their permits and payments) written in bulk by the store in %s\n", r.History, r.HistoryTime)
	}
	var kinds []string
	for _, k := range Kinds {
		if r.ByKind[k] > 0 {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, r.ByKind[k]))
		}
	}
	p.f("run: %d of %d conversations (%s), concurrency %d, mix %s, seed %d\n", r.Conversations, r.Calls,
		strings.Join(kinds, ", "), r.Concurrency, r.Mix, r.Seed)
	if r.Think > 0 {
		p.f("  think time %s, give or take half, before each answer after a conversation's first request\n"+
			"    (%s in all, outside the latencies); the first %d calls came in over %s\n", r.Think, r.Thought,
			r.Concurrency, time.Duration(r.Think)*rampCalls)
	}
	if r.Capped {
		p.f("  stopped starting conversations at the --duration cap\n")
	}
	if r.Interrupted {
		p.f("  INTERRUPTED: the run was stopped before it finished\n")
	}
	p.f("  %s: %d completed, %d refused%s, %d failed\n", r.Elapsed, r.Completed, refusedTotal(r.Refused),
		refusedDetail(r.Refused), r.Failed)
	p.f("  %d webhooks: %.0f webhooks/s\n", r.Webhooks, r.WebhooksPerSec)
	if m := r.Machine; m != nil {
		p.f("  the machine's CPUs: %.0f%% busy, %.0f%% stolen by its host\n", m.BusyPct, m.StolenPct)
		if m.DiskWaitPct != nil {
			p.f("  the machine's disk: some process waited on it %.1f%% of the run\n", *m.DiskWaitPct)
		}
	}
	if r.Apologised == 0 {
		p.f("  apologies heard: none\n")
	} else {
		p.f("  apologies heard (the line could not answer a step): by %d conversations, at most %d in one\n",
			r.Apologised, r.MostApologies)
	}
	if r.CPUPerWebhook > 0 {
		p.f("  CPU time: %s a webhook (this process: the line and the simulated Twilio, both ends of each request)\n",
			r.CPUPerWebhook)
	}
	if r.Nodes > 1 {
		p.f("  spread over %d nodes in turn; %d requests sent to another node after a connection error\n", r.Nodes, r.FailedOver)
	}
	if r.RetryFor > 0 {
		p.f("  retried %d requests after connection errors or 502/503 (%d attempts more; each request for up to %s,\n"+
			"    the wait counted in its step's latency)\n", r.Retried, r.Resent, r.RetryFor)
	}
	p.f("\n")

	p.f("%-22s %7s %9s %9s %9s %9s\n", "step kind", "count", "p50", "p95", "p99", "max")
	for _, l := range append(append([]Latency(nil), r.Steps...), r.Overall) {
		p.f("%-22s %7d %9s %9s %9s %9s\n", l.Kind, l.Count, l.P50, l.P95, l.P99, l.Max)
	}
	p.f("\n")

	if len(r.Errors) == 0 {
		p.f("errors: none\n")
	} else {
		p.f("errors: %d conversations failed, %d distinct errors:\n", r.Failed, len(r.Errors))
		for _, e := range r.Errors {
			p.f("  %5d × %s\n          e.g. %s\n", e.Count, e.What, e.Example)
		}
	}
	if r.Target == "in-process" {
		if len(r.ServerErrors) == 0 {
			p.f("errors the line logged: none\n")
		} else {
			p.f("errors the line logged:\n")
			for _, e := range r.ServerErrors {
				p.f("  %5d × %s\n", e.Count, e.What)
			}
		}
	}

	if w := r.Writer; w != nil {
		p.f("the line's one SQLite writer: %d updates in %d transactions (%.1f a commit), "+
			"%.0f%% of the run inside an update\n"+
			"  (%s of work an update on average); an update from call to commit: p50 %s, p99 %s\n",
			w.Updates, w.Transactions, float64(w.Updates)/float64(max(w.Transactions, 1)), 100*w.Busy, w.Work,
			w.Update.P50, w.Update.P99)
	}
	c := r.Check
	if c.OK() {
		p.f("end-of-run check: passed (%d visits and %d payments heard, each found once as heard; %d permits counted)\n",
			c.Visits, c.Payments, c.Permits)
	} else {
		p.f("end-of-run check: FAILED, %d mismatches (%d visits and %d payments heard, %d permits counted):\n",
			len(c.Mismatches), c.Visits, c.Payments, c.Permits)
		for i, m := range c.Mismatches {
			if i == maxShown {
				p.f("  ... and %d more\n", len(c.Mismatches)-maxShown)
				break
			}
			p.f("  %s\n", m)
		}
	}

	if f := r.Floors; f != nil {
		p.f("\nfloors (the same client and concurrency %d, %d requests each):\n", r.Concurrency, f.HTTP.Requests)
		for _, fl := range []Floor{f.HTTP, f.Storage} {
			errs := ""
			if fl.Errors > 0 {
				errs = fmt.Sprintf(", %d errors", fl.Errors)
			}
			cpu := ""
			if fl.CPUPerRequest > 0 {
				cpu = fmt.Sprintf("   CPU %s a request", fl.CPUPerRequest)
			}
			p.f("  %-38s %7.0f requests/s   p50 %s   p99 %s   max %s%s%s\n", fl.Name, fl.RPS, fl.Latency.P50,
				fl.Latency.P99, fl.Latency.Max, cpu, errs)
		}
		p.f("  ratio to floor: %.2f (%.0f webhooks/s ÷ %.0f requests/s, the %s)\n", f.Ratio, r.WebhooksPerSec,
			min(f.HTTP.RPS, f.Storage.RPS), f.Lower)
		if f.CPURatio > 0 {
			p.f("  CPU ratio: %.2f (the %s's CPU time a request ÷ the run's a webhook)\n", f.CPURatio, f.Lower)
		}
	}
	return p.err
}

// PrintJSON writes the report as one JSON document.
func (r Report) PrintJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func refusedTotal(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func refusedDetail(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return " (" + strings.Join(parts, ", ") + ")"
}
