package load

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"permitline/cmd/permitline/server"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/sqlite"
	"permitline/fixtures"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
)

// Run seeds, runs the conversations, checks the store and measures the floors. The
// error is for a run that could not be made; a run with errors or mismatches returns
// its report (see Report.OK).
func Run(ctx context.Context, o Options) (Report, error) {
	if err := o.defaults(); err != nil {
		return Report{}, err
	}
	if o.Now.IsZero() {
		o.Now = lineClock(ctx, strings.TrimSpace(strings.Split(o.URL, ",")[0]))
	}
	called := time.Now() // a running line's clock reads o.Now now, and runs on through the seeding
	lr := newLoadRun(o)
	tmp, err := os.MkdirTemp("", "permitline-load-")
	if err != nil {
		return lr.rep, err
	}
	defer os.RemoveAll(tmp)
	defer lr.stopLine()
	if err := lr.target(tmp); err != nil {
		return lr.rep, err
	}
	residents, err := lr.seed(ctx)
	if err != nil {
		return lr.rep, err
	}
	if err := lr.start(ctx, called); err != nil {
		return lr.rep, err
	}
	if lr.rep.Expect.VisitsBefore, lr.rep.Expect.PaymentsBefore, err = watermarks(ctx, lr.rep.DBPath); err != nil {
		return lr.rep, err
	}
	lr.play(ctx, residents)
	if ctx.Err() != nil {
		return lr.rep, ctx.Err()
	}
	if lr.rep.Check, err = Check(ctx, lr.rep.DBPath, lr.rep.Expect); err != nil {
		return lr.rep, fmt.Errorf("checking the store: %w", err)
	}
	if err := lr.measureFloors(ctx, tmp); err != nil {
		return lr.rep, fmt.Errorf("measuring the floors: %w", err)
	}
	return lr.rep, nil
}

// loadRun is one Run on its way through its phases: target, seed, start, play (and
// measure), check, floors.
type loadRun struct {
	o        Options
	rep      Report
	r        *runner
	webhooks *atomic.Int64   // sent so far
	retry    *retryTransport // the conversations' transport, which counts the retries
	nodes    *nodesTransport // with URL, what spreads the webhooks over the line's nodes

	// The in-process line's: nil when driving a running line.
	stop       func()
	serverErrs *logCounter
	writer     *timedStore
}

// newLoadRun sets out the report's heading and the conversations' client.
func newLoadRun(o Options) *loadRun {
	var base http.RoundTripper = baseTransport(o.Concurrency)
	var nodes *nodesTransport
	if o.URL != "" {
		urls, _ := parseNodes(o.URL) // checked by defaults
		nodes = &nodesTransport{base: base, nodes: urls}
		base = nodes
	}
	lr := &loadRun{o: o, webhooks: new(atomic.Int64), nodes: nodes,
		rep: Report{Target: "in-process", Now: o.Now, Calls: o.Calls, Concurrency: o.Concurrency, Residents: o.Residents,
			History: o.History, Mix: o.Mix.String(), Seed: o.Seed, PINHash: "hmac-sha256", RetryFor: Millis(o.RetryFor),
			Think: Millis(o.Think), ByKind: map[Kind]int{}, Refused: map[string]int{}},
		r:     &runner{holidays: fixtures.MustBankHolidays(), now: o.Now, today: calendar.DateOf(o.Now)},
		retry: &retryTransport{base: base, within: o.RetryFor}}
	client := newClient(lr.retry, lr.webhooks, o.Sent)
	lr.r.sim = twiliosim.Config{AuthToken: o.AuthToken, AccountSid: o.AccountSid, Client: client}
	lr.r.vrmBase = vrmRun + int(o.Seed%1_000_000)*97
	return lr
}

// target picks the database: a fresh file for the in-process line (in tmp unless
// Options.DBPath names one), or the running line's.
func (lr *loadRun) target(tmp string) error {
	if lr.o.URL != "" {
		lr.rep.Target, lr.rep.DBPath, lr.rep.DBKept = lr.o.URL, lr.o.DBPath, true
		first := lr.nodes.nodes[0].String()
		lr.r.sim.BaseURL, lr.r.sim.PublicURL = first, lr.o.PublicURL
		lr.rep.Nodes = len(lr.nodes.nodes)
		// A running line's database may hold an earlier run's visits: other registrations.
		lr.r.vrmBase += int(time.Now().UnixNano()%1_000_000) * 97
		return nil
	}
	lr.rep.DBPath = lr.o.DBPath
	if lr.rep.DBPath == "" {
		lr.rep.DBPath = filepath.Join(tmp, "line.db")
	} else if _, err := os.Stat(lr.rep.DBPath); err == nil {
		return fmt.Errorf("%s already exists: the in-process line starts on a fresh database", lr.rep.DBPath)
	}
	lr.rep.DBKept = lr.o.DBPath != ""
	return nil
}

// seed makes sure the simulated residents exist, an hour before the run's clock, and
// (in-process) writes the history.
func (lr *loadRun) seed(ctx context.Context) ([]*resident, error) {
	t0 := time.Now()
	residents, err := seedResidents(ctx, seeding{path: lr.rep.DBPath, now: lr.o.Now.Add(-time.Hour), pins: lr.o.PIN}, lr.o.Residents)
	if err != nil {
		return nil, fmt.Errorf("seeding: %w", err)
	}
	lr.rep.SeedTime = Millis(time.Since(t0))
	if lr.o.URL == "" {
		t0 = time.Now()
		if err := seedHistory(ctx, lr.rep.DBPath, residents, lr.o.History, lr.o.Now, lr.r.holidays); err != nil {
			return nil, fmt.Errorf("inserting history: %w", err)
		}
		lr.rep.HistoryTime = Millis(time.Since(t0))
	}
	return residents, nil
}

// start starts the in-process line; a running line's clock has run on since Run was called.
func (lr *loadRun) start(ctx context.Context, called time.Time) error {
	if lr.o.URL != "" {
		lr.r.now, lr.r.started = lr.o.Now, called
		lr.r.today = calendar.DateOf(lr.r.now)
		return nil
	}
	lr.serverErrs, lr.writer = newLogCounter(), &timedStore{}
	base, stop, err := startLine(ctx, lr.rep.DBPath, lr.o, lr.r, lr.serverErrs, lr.writer)
	if err != nil {
		return err
	}
	lr.r.sim.BaseURL, lr.stop = base, stop
	return nil
}

// stopLine shuts the in-process line down, once.
func (lr *loadRun) stopLine() {
	if lr.stop != nil {
		lr.stop()
		lr.stop = nil
	}
}

// play runs the conversations, Options.Concurrency at a time, each on a resident no
// other has meanwhile, until all are done or the --duration cap; then stops the line
// and measures what the run did.
func (lr *loadRun) play(ctx context.Context, residents []*resident) {
	o := lr.o
	t := &tally{samples: map[string][]time.Duration{}, errs: map[string]*ErrorCount{}, refused: map[string]int{},
		byKind: map[Kind]int{}}
	pool := make(chan *resident, len(residents))
	for _, res := range residents {
		pool <- res
	}
	feedCtx, cancelFeed := context.WithCancel(ctx)
	defer cancelFeed()
	if o.Duration > 0 {
		var cancelCap context.CancelFunc
		feedCtx, cancelCap = context.WithTimeout(feedCtx, o.Duration)
		defer cancelCap()
	}
	started, cpu, machine := time.Now(), startCPU(), readMachineTicks()
	w := &workers{run: lr, jobs: feed(feedCtx, o.Calls), kinds: o.Mix.assign(o.Calls, o.Seed), pool: pool, t: t}
	progressDone := make(chan struct{})
	if o.Progress != nil {
		go progress(o.Progress, o.Calls, t, lr.webhooks, lr.retry, progressDone)
	}
	var wg sync.WaitGroup
	for n := range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.work(ctx, n)
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	close(progressDone)
	lr.stopLine()
	cpu.stop()
	lr.rep.Machine = machineSince(machine)
	lr.measure(ctx, t, int(w.started.Load()), elapsed, cpu)
}

// workers are the run's simulated people, each taking the next conversation when done
// with one.
type workers struct {
	run     *loadRun
	jobs    <-chan int     // the conversations to have, by number
	kinds   []Kind         // of each conversation
	pool    chan *resident // the residents no conversation has now
	t       *tally
	started atomic.Int64
}

// work is the n-th worker: it has conversations until there are none left.
func (w *workers) work(ctx context.Context, n int) {
	o := w.run.o
	// With a think time, calls come in spread out, as they do on a real line,
	// rather than all in the same millisecond: over rampCalls think times.
	if err := sleep(ctx, o.Think*rampCalls*time.Duration(n)/time.Duration(o.Concurrency)); err != nil {
		return
	}
	for i := range w.jobs {
		w.started.Add(1)
		res := <-w.pool
		c := &conv{i: i, kind: w.kinds[i], res: res, tr: &trace{},
			rng: rand.New(rand.NewPCG(o.Seed, uint64(i))), think: o.Think, pace: paceOf(o.Seed, i)}
		err := w.run.r.converse(withTrace(ctx, c.tr), c)
		w.pool <- res
		w.t.add(c, err)
	}
}

// feed hands out the conversations' numbers, 0 to calls-1, until ctx ends.
func feed(ctx context.Context, calls int) <-chan int {
	jobs := make(chan int)
	go func() {
		defer close(jobs)
		for i := range calls {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return jobs
}

// measure writes what the conversations did into the report: counts, latencies by step,
// throughput, CPU time, errors, the in-process line's writer, and what they heard.
func (lr *loadRun) measure(ctx context.Context, t *tally, conversations int, elapsed time.Duration, cpu *cpuSpan) {
	rep := &lr.rep
	rep.Conversations = conversations
	rep.Capped = rep.Conversations < lr.o.Calls && ctx.Err() == nil
	rep.Interrupted = ctx.Err() != nil
	rep.ByKind, rep.Completed, rep.Refused, rep.Failed = t.byKind, t.done, t.refused, t.failed
	rep.Apologised, rep.MostApologies = t.apologised, t.mostApologies
	rep.Elapsed, rep.Thought = Millis(elapsed), Millis(t.thought)
	var all []time.Duration
	for kind, ds := range t.samples {
		rep.Webhooks += len(ds)
		all = append(all, ds...)
		rep.Steps = append(rep.Steps, latencyOf(kind, ds))
	}
	sort.Slice(rep.Steps, func(i, j int) bool { return stepOrder(rep.Steps[i].Kind) < stepOrder(rep.Steps[j].Kind) })
	rep.Overall = latencyOf("overall", all)
	if elapsed > 0 {
		rep.WebhooksPerSec = float64(rep.Webhooks) / elapsed.Seconds()
	}
	rep.Errors = sortedErrors(t.errs)
	rep.Retried, rep.Resent = int(lr.retry.retried.Load()), int(lr.retry.resent.Load())
	if lr.nodes != nil {
		rep.FailedOver = int(lr.nodes.failedOver.Load())
	}
	if lr.serverErrs != nil { // in-process: the line's CPU is this process's
		rep.CPUPerWebhook = cpu.per(rep.Webhooks)
		rep.ServerErrors = lr.serverErrs.list()
		rep.Writer = lr.writer.summary(elapsed)
	}
	rep.Expect.Visits, rep.Expect.Payments = t.expect.Visits, t.expect.Payments
}

// measureFloors measures the floors with as many requests as the run's webhooks, if
// the options ask for them.
func (lr *loadRun) measureFloors(ctx context.Context, tmp string) error {
	if !lr.o.Floors || lr.rep.Webhooks == 0 {
		return nil
	}
	// The floors' own client: with no retries, which would hide their errors.
	floorClient := newClient(baseTransport(lr.o.Concurrency), new(atomic.Int64), nil)
	var err error
	lr.rep.Floors, err = measureFloors(ctx, floorClient, tmp, lr.rep.DBPath, lr.o.AuthToken, lr.rep.Webhooks, lr.o.Concurrency,
		lr.rep.WebhooksPerSec, lr.rep.CPUPerWebhook)
	return err
}

// rampCalls is how many think times the first conversations' starts are spread over,
// about as long as a call takes to reach its first choice.
const rampCalls = 5

// startLine runs the whole HTTP service on 127.0.0.1, on the database at path, with the
// line's clock starting at o.Now; stop shuts it down and closes the store.
func startLine(ctx context.Context, path string, o Options, r *runner, errs *logCounter, store *timedStore) (string, func(), error) {
	var err error
	if store.Store, err = sqlite.Open(ctx, path); err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		store.Close()
		return "", nil, err
	}
	base := "http://" + ln.Addr().String()
	r.now, r.started = o.Now, time.Now()
	r.today = calendar.DateOf(r.now)
	svc := domain.New(domain.Config{Store: store, Clock: domain.StartingAt(o.Now), Holidays: r.holidays, PIN: o.PIN})
	// Logs as permitline serve writes them (JSON lines), but to nowhere; errors are counted.
	errs.Handler = slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
	h := server.New(server.Config{PublicURL: base, AuthToken: o.AuthToken, AccountSid: o.AccountSid, Voice: ivr.DefaultVoice}, svc, slog.New(errs))
	srv := server.HTTPServer(h)
	go func() { _ = srv.Serve(ln) }()
	return base, func() {
		shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		store.Close()
	}, nil
}

// progress writes a line a second until done is closed.
func progress(w io.Writer, total int, t *tally, webhooks *atomic.Int64, retry *retryTransport, done <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last, lastAt := webhooks.Load(), time.Now()
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			n := webhooks.Load()
			rate := float64(n-last) / now.Sub(lastAt).Seconds()
			last, lastAt = n, now
			retried := ""
			if retry.within > 0 {
				retried = fmt.Sprintf(", %d retried", retry.retried.Load())
			}
			fmt.Fprintf(w, "load: %d/%d conversations, %d webhooks, %.0f webhooks/s, %d errors, %d refused%s\n",
				t.doneN.Load(), total, n, rate, t.failedN.Load(), t.refusedN.Load(), retried)
		}
	}
}
