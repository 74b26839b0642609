// Package load is permitline's load generator: simulated residents call and text the line
// through twiliosim (every request signed and every TwiML response followed, as Twilio
// does), each a whole conversation, many at once; every HTTP round trip is timed by its
// step; the store is then checked against what the conversations heard; and the same
// client and concurrency measure two floors to compare the line with: an empty HTTP
// handler, and one committed SQLite write per request.
//
// Run starts the line in-process on a fresh database (seeded first), or drives one
// already running (Options.URL, seeding and checking its database file).
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"sort"
	"sync"
	"sync/atomic"
	"time"

	"permitline/cmd/permitline/server"
	"permitline/domain/pin"
	"permitline/fixtures"
)

// DemoAuthToken is the token the demo line signs with, and the in-process line's.
const DemoAuthToken = fixtures.DemoAuthToken

// DefaultNow is the in-process line's clock at the start: a Monday morning in term time,
// so visits are needed and the helpdesk is open.
var DefaultNow = time.Date(2026, time.November, 30, 9, 30, 0, 0, time.UTC)

// Options say what load to make.
type Options struct {
	// URL is a running line to drive ("" = start one in-process): one URL, or the URLs of
	// its nodes separated by commas, every webhook sent to the next node in turn (and to
	// the one after when a node does not answer). Only loopback addresses.
	URL string
	// PublicURL is the base URL the running line signs against ("" = URL).
	PublicURL string
	// AuthToken signs every webhook ("" = DemoAuthToken).
	AuthToken string
	// AccountSid is the account every webhook is sent for ("" = fixtures.DemoAccountSid).
	AccountSid string
	// DBPath is, with URL, the running line's database: seeded, then checked. In-process,
	// where to create the fresh database, kept afterwards ("" = a temporary file, removed).
	DBPath string
	// Now is the line's clock at the start (zero: DefaultNow in-process, the time with URL).
	// With URL it is what the running line's clock reads when Run is called: a line started
	// with --now reads that instant at its start and runs on from it.
	Now time.Time

	Calls       int           // conversations in all (default 2000)
	Concurrency int           // conversations at once (default 200)
	Mix         Mix           // proportions of each kind (nil: DefaultMix)
	Residents   int           // simulated residents (default 2000)
	History     int           // past visits inserted before the run (in-process only)
	Duration    time.Duration // stop starting conversations after this (0: no cap)
	Seed        uint64        // the random mix, days and quantities
	Floors      bool          // measure the HTTP and storage floors after the run
	// PIN hashes the seeded residents' PINs and, in-process, checks them on the line: the
	// production setting (HMAC-SHA256 under the key). A line at --url must hold the same
	// key. Without a key, an in-process run makes a random one for the run.
	PIN pin.Keyed

	// RetryFor carries the conversations across a restart of the line: a webhook that
	// fails at the connection level, or is answered 502 or 503, is sent again as it was
	// for up to this long (0: never; the failure ends the conversation). At most 15s,
	// Twilio's wait for an answer, which the attempts of one webhook share.
	RetryFor time.Duration
	// Think is how long each simulated person takes before each thing they do after
	// their first (keys, a card, a text, hanging up), as a caller listens to a prompt and
	// keys an answer; give or take half, at random from the seed (0: at once). What
	// Twilio fetches by itself at once (a queue's hold music) has no pause before it. It is
	// not in the latencies.
	Think time.Duration
	// Sent, when set, is called as each webhook is sent, with the number sent so far in
	// the run; it must be quick and safe to call from many goroutines at once.
	Sent func(n int64)

	// Progress, when set, gets a line a second while the run goes on.
	Progress io.Writer
}

func (o *Options) defaults() error {
	if o.Calls == 0 {
		o.Calls = 2000
	}
	if o.Concurrency == 0 {
		o.Concurrency = 200
	}
	if o.Residents == 0 {
		o.Residents = 2000
	}
	if o.Mix == nil {
		o.Mix = DefaultMix()
	}
	if o.AuthToken == "" {
		o.AuthToken = DemoAuthToken
	}
	if o.AccountSid == "" {
		o.AccountSid = fixtures.DemoAccountSid
	}
	if !o.PIN.HasKey() {
		if o.URL != "" {
			return fmt.Errorf("seeding residents for a running line needs its PIN key: %w", pin.ErrNoKey)
		}
		k, _, err := pin.NewRandomKey()
		if err != nil {
			return err
		}
		o.PIN = pin.NewKeyed(k)
	}
	if o.Now.IsZero() && o.URL == "" {
		o.Now = DefaultNow // a running line's clock is asked for in Run
	}
	switch {
	case o.Calls < 1 || o.Concurrency < 1 || o.Residents < 1 || o.History < 0:
		return errors.New("calls, concurrency and residents must be at least 1, history at least 0")
	case o.Think < 0:
		return errors.New("--think cannot be negative")
	case o.RetryFor < 0 || o.RetryFor > webhookTimeout:
		return fmt.Errorf("--retry-for %s: from 0 to %s, Twilio's wait for a webhook's answer", o.RetryFor, webhookTimeout)
	case o.Concurrency > o.Residents:
		return fmt.Errorf("concurrency %d is more than the %d residents: each conversation at a time needs its own resident",
			o.Concurrency, o.Residents)
	case o.Residents > 999_999:
		return errors.New("at most 999999 residents (their numbers are +447400 and six digits)")
	case o.Mix.total() == 0:
		return errors.New("the mix gives no conversations")
	case o.URL != "" && o.DBPath == "":
		return errors.New("driving a running line needs its database file (--db), to seed residents and to check the store")
	case o.URL != "" && o.History > 0:
		return errors.New("history is inserted before the line opens the database: it needs the in-process line")
	}
	if o.URL != "" {
		if _, err := parseNodes(o.URL); err != nil {
			return err
		}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ErrorCount is one distinct error and how often it happened.
type ErrorCount struct {
	What    string `json:"what"`
	Count   int    `json:"count"`
	Example string `json:"example"`
}

// Report is what a run measured and found.
type Report struct {
	Target       string       `json:"target"` // "in-process" or the URL
	DBPath       string       `json:"db"`
	DBKept       bool         `json:"db_kept"`
	Now          time.Time    `json:"clock_start"`
	Calls        int          `json:"calls"`
	Concurrency  int          `json:"concurrency"`
	Residents    int          `json:"residents"`
	History      int          `json:"history"`
	Mix          string       `json:"mix"`
	Seed         uint64       `json:"seed"`
	PINHash      string       `json:"pin_hash"` // how the seeded PINs are hashed: "hmac-sha256"
	RetryFor     Millis       `json:"retry_for_ms"`
	Think        Millis       `json:"think_ms"`
	SeedTime     Millis       `json:"seed_ms"`
	HistoryTime  Millis       `json:"history_ms"`
	Interrupted  bool         `json:"interrupted,omitempty"`
	Capped       bool         `json:"capped_by_duration,omitempty"`
	ServerErrors []ErrorCount `json:"server_errors"`    // the in-process line's error logs
	Writer       *Writer      `json:"writer,omitempty"` // the in-process line's SQLite writer

	Conversations  int            `json:"conversations"` // started (all, unless capped)
	ByKind         map[Kind]int   `json:"by_kind"`
	Completed      int            `json:"completed"`
	Refused        map[string]int `json:"refused"` // by rule
	Failed         int            `json:"failed"`
	Apologised     int            `json:"apologised"`     // conversations that heard an apology (the line's, or Twilio's application error)
	MostApologies  int            `json:"most_apologies"` // the most apologies one conversation heard
	Webhooks       int            `json:"webhooks"`
	Retried        int            `json:"retried_requests"`      // sent again after a connection error, 502 or 503
	Resent         int            `json:"resent_attempts"`       // the attempts after the first, all together
	Nodes          int            `json:"nodes,omitempty"`       // with --url, the line's nodes the webhooks were spread over
	FailedOver     int            `json:"failed_over,omitempty"` // sent to another node after a connection error
	Elapsed        Millis         `json:"elapsed_ms"`
	Thought        Millis         `json:"think_total_ms"` // every person's pauses, added up
	WebhooksPerSec float64        `json:"webhooks_per_second"`
	// CPUPerWebhook is the process's CPU time a webhook (in-process runs only: the line
	// and the simulated Twilio together), 0 when it cannot be read.
	CPUPerWebhook Millis `json:"cpu_per_webhook_ms,omitempty"`
	// Machine is how the whole machine's CPUs were spent over the run (busy, stolen by a
	// virtual machine's host), where the kernel tells.
	Machine *MachineCPU  `json:"machine_cpu,omitempty"`
	Steps   []Latency    `json:"steps"`
	Overall Latency      `json:"overall"`
	Errors  []ErrorCount `json:"errors"`
	Check   CheckResult  `json:"check"`
	Floors  *Floors      `json:"floors,omitempty"`

	// Expect is what the conversations heard, for Check.
	Expect Expect `json:"-"`
}

// OK reports whether the run had no error, the store passed the check and nothing cut the run short.
func (r Report) OK() bool {
	return r.Failed == 0 && len(r.Errors) == 0 && r.Check.OK() && !r.Interrupted
}

// tally gathers the conversations' results.
type tally struct {
	mu      sync.Mutex
	samples map[string][]time.Duration
	errs    map[string]*ErrorCount
	refused map[string]int
	byKind  map[Kind]int
	done    int
	failed  int
	thought time.Duration
	expect  Expect
	// apologised counts the conversations that heard an apology; mostApologies is the
	// most one heard.
	apologised, mostApologies int

	doneN, failedN, refusedN atomic.Int64
}

func (t *tally) add(c *conv, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range c.tr.samples {
		t.samples[s.kind] = append(t.samples[s.kind], s.d)
	}
	t.expect.Visits = append(t.expect.Visits, c.visits...)
	t.expect.Payments = append(t.expect.Payments, c.payments...)
	t.byKind[c.kind]++
	t.thought += c.thought
	if c.apologies > 0 {
		t.apologised++
		t.mostApologies = max(t.mostApologies, c.apologies)
	}
	t.doneN.Add(1)
	if err == nil {
		t.done++
		return
	}
	if rule, ok := isRefusal(err); ok {
		t.refused[rule]++
		t.refusedN.Add(1)
		return
	}
	t.failed++
	t.failedN.Add(1)
	class, example := err.Error(), err.Error()
	var ce *convError
	if errors.As(err, &ce) {
		class, example = string(c.kind)+" "+ce.class, ce.example
	}
	e := t.errs[class]
	if e == nil {
		e = &ErrorCount{What: class, Example: example}
		t.errs[class] = e
	}
	e.Count++
}

func sortedErrors(m map[string]*ErrorCount) []ErrorCount {
	out := []ErrorCount{}
	for _, e := range m {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].What < out[j].What
	})
	return out
}

// stepOrder puts step kinds in the order a conversation meets them.
func stepOrder(kind string) int {
	order := []string{"voice.incoming", "voice.pin", "voice.menu", "voice.vehicle", "voice.vrm", "voice.vrm_confirm",
		"voice.date", "voice.day_month", "voice.confirm", "voice.cancel_pick", "voice.cancel_confirm", "voice.quantity",
		"voice.quote", "voice.pay", "voice.queue_wait", "voice.queue_done", "voice.status", "sms.activate", "sms.yes",
		"sms.cancel"}
	for i, k := range order {
		if k == kind {
			return i
		}
	}
	return len(order)
}

// logCounter counts the line's log records at error level, by message and error.
type logCounter struct {
	slog.Handler
	mu     *sync.Mutex
	counts map[string]*ErrorCount
}

func newLogCounter() *logCounter {
	return &logCounter{mu: &sync.Mutex{}, counts: map[string]*ErrorCount{}}
}

func (h *logCounter) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelError {
		msg := rec.Message
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" {
				msg += ": " + a.Value.String()
			}
			return true
		})
		class := digitRuns.ReplaceAllString(msg, "N")
		h.mu.Lock()
		e := h.counts[class]
		if e == nil {
			e = &ErrorCount{What: class, Example: msg}
			h.counts[class] = e
		}
		e.Count++
		h.mu.Unlock()
	}
	return h.Handler.Handle(ctx, rec)
}

func (h *logCounter) WithAttrs(as []slog.Attr) slog.Handler {
	return &logCounter{Handler: h.Handler.WithAttrs(as), mu: h.mu, counts: h.counts}
}

func (h *logCounter) WithGroup(name string) slog.Handler {
	return &logCounter{Handler: h.Handler.WithGroup(name), mu: h.mu, counts: h.counts}
}

func (h *logCounter) list() []ErrorCount {
	h.mu.Lock()
	defer h.mu.Unlock()
	return sortedErrors(h.counts)
}

// Millis is a duration that JSON writes in milliseconds.
type Millis time.Duration

// MarshalJSON writes the duration in milliseconds, to the microsecond.
func (m Millis) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", float64(m)/float64(time.Millisecond))), nil
}

// String writes the duration for people: 12.3ms, 1.24s.
func (m Millis) String() string {
	d := time.Duration(m)
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// lineClock asks a running line for its clock (on /healthz), which a demo or a test sets
// apart from the time of day; a line that does not say is taken to run on the time of day.
func lineClock(ctx context.Context, base string) time.Time {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	asked := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return asked
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return asked
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	t, err := time.Parse(time.RFC3339Nano, resp.Header.Get(server.ClockHeader))
	if err != nil {
		return asked
	}
	return t.Add(time.Since(asked) / 2) // half the round trip: when the line read it, give or take
}
