// Package servertest runs the whole HTTP service for tests: a fresh SQLite file seeded
// with the demo accounts, the real router and handlers behind a real HTTP server, and a
// clock the test sets. Restart rebuilds everything but the database file, as a new
// process would.
package servertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"permitline/cmd/permitline/metrics"
	"permitline/cmd/permitline/server"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/domain/postgres"
	"permitline/domain/sqlite"
	"permitline/domain/storetest"
	"permitline/fixtures"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
	"permitline/sms"
	"permitline/sms/fakeapi"
)

// Token is the auth token the test server checks signatures with.
const Token = "test0000000000000000000000000000"

// AccountSid is the Twilio account of the line under test: the webhooks' (the simulated
// Twilio's default) and the desk's call control against the fake API.
const AccountSid = fixtures.DemoAccountSid

// LineNumber is the line's own number, from which it calls residents back.
const LineNumber = "+441632960001"

// Key is the PIN key of the test line (pin.TestKey): fixed, so hashes survive Restart.
const Key = pin.TestKey

// SessionKey signs the desk's sessions in tests: fixed, so a sign-in survives Restart.
var SessionKey = []byte("servertest-desk-session-key-0123456789")

// Line is the service under test.
type Line struct {
	T      testing.TB
	Ctx    context.Context
	Path   string
	Clock  *domain.ManualClock
	Store  domain.Store
	Svc    *domain.Service
	Srv    *httptest.Server
	People map[string]fixtures.DemoPerson // by name
	// TextStatus, when set, records the delivery status callbacks of outgoing texts.
	TextStatus func(context.Context, sms.StatusForm) error
	// Twilio is the local fake of Twilio's REST API the desk's call control reaches (put
	// through, hand back): its CallUpdates are the requests Twilio would have received.
	Twilio *fakeapi.Server
	// TwilioSrv serves Twilio.
	TwilioSrv *httptest.Server

	// Logs holds what the service logged, as slog's text lines.
	Logs *LogBuffer
	// Metrics is the line's figures, served at /metrics: new at every Restart, as in a new
	// process. MetricsToken, when set before Restart, is the bearer token /metrics asks for.
	Metrics      *metrics.Metrics
	MetricsToken string
	// PINs, when set before Restart, is the PIN hasher the line is rebuilt with (the
	// default: Key alone); a test can wrap it to count or rotate.
	PINs *pin.Keyed

	mu      sync.RWMutex
	handler http.Handler
}

// LogBuffer collects log lines written from any goroutine.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

// Write appends to the buffer.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// New starts the service at the London wall time now ("2006-01-02 15:04").
func New(t testing.TB, now string) *Line {
	t.Helper()
	return NewAt(t, now, filepath.Join(t.TempDir(), "line.db"))
}

// NewOn is New on a fresh store of engine e.
func NewOn(t testing.TB, now string, e storetest.Engine) *Line {
	t.Helper()
	return NewAt(t, now, e.Address(t))
}

// NewAt is New on the database at path: a SQLite file or a PostgreSQL address.
func NewAt(t testing.TB, now, path string) *Line {
	t.Helper()
	l := &Line{T: t, Ctx: context.Background(), Path: path,
		Clock: domain.NewManualClock(At(t, now)), People: map[string]fixtures.DemoPerson{}, Logs: &LogBuffer{}}
	l.Srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.RLock()
		h := l.handler
		l.mu.RUnlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(l.Srv.Close)
	l.Twilio = fakeapi.New()
	l.TwilioSrv = httptest.NewServer(l.Twilio)
	t.Cleanup(l.TwilioSrv.Close)
	l.Restart()
	t.Cleanup(func() { l.Store.Close() })
	people, err := fixtures.SeedDemo(l.Ctx, l.Store, fixtures.MustBankHolidays(), l.Clock.Now(), bcrypt.MinCost,
		pin.MustKeyed(Key))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		l.People[p.Name] = p
	}
	return l
}

func (l *Line) pins() pin.Keyed {
	if l.PINs != nil {
		return *l.PINs
	}
	return pin.MustKeyed(Key)
}

// Restart closes the store and builds a new service and router on the same file.
func (l *Line) Restart() {
	l.T.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Store != nil {
		l.Store.Close()
	}
	var err error
	if postgres.IsAddress(l.Path) {
		l.Store, err = postgres.Open(l.Ctx, l.Path)
	} else {
		l.Store, err = sqlite.Open(l.Ctx, l.Path)
	}
	if err != nil {
		l.T.Fatal(err)
	}
	l.Svc = domain.New(domain.Config{Store: l.Store, Clock: l.Clock, Holidays: fixtures.MustBankHolidays(),
		AgentPasswordCost: bcrypt.MinCost, PIN: l.pins(), IDs: domain.NewSeededIDs(7)})
	log := slog.New(slog.NewTextHandler(l.Logs, nil))
	l.Metrics = metrics.New(l.Svc, log)
	if err := l.Metrics.Register(metrics.HelpdeskCollector(l.Svc, log)); err != nil {
		l.T.Fatal(err)
	}
	voice := ivr.DefaultVoice
	target, err := url.Parse(l.TwilioSrv.URL)
	if err != nil {
		l.T.Fatal(err)
	}
	calls := ivr.NewCallControl(AccountSid, Token, l.Srv.URL, voice,
		&http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second})
	calls.From = LineNumber
	l.handler = server.New(server.Config{PublicURL: l.Srv.URL, AuthToken: Token, AccountSid: AccountSid, Voice: voice,
		Calls: calls, SessionKey: SessionKey, Metrics: l.Metrics, MetricsToken: l.MetricsToken,
		TextStatus: func(ctx context.Context, f sms.StatusForm) error {
			if l.TextStatus == nil {
				return nil
			}
			return l.TextStatus(ctx, f)
		}}, l.Svc, log)
}

// AddAgent adds a helpdesk agent through the domain, put through to phone.
func (l *Line) AddAgent(username, name, phone, password string) domain.Agent {
	l.T.Helper()
	a, err := l.Svc.AddAgent(l.Ctx, domain.Admin("test"), domain.NewAgent{Username: username, Name: name,
		Phone: phone, Password: password})
	if err != nil {
		l.T.Fatal(err)
	}
	return a
}

// At returns the instant of a London wall time "2006-01-02 15:04".
func At(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Sim returns the simulated Twilio's settings for a caller or texter.
func (l *Line) Sim(from, to string) twiliosim.Config {
	return twiliosim.Config{BaseURL: l.Srv.URL, AuthToken: Token, From: from, To: to}
}

// Sid returns a Twilio Sid of the right shape: prefix (CA, SM, QU...) and n as 32 hex digits.
func Sid(prefix string, n int) string { return fmt.Sprintf("%s%032x", prefix, n) }

// SignedPost sends a raw webhook, signed as Twilio would, and returns status and body.
// Twilio sends the AccountSid with every webhook: params without one get the line's.
func (l *Line) SignedPost(path string, params url.Values) (int, string) {
	l.T.Helper()
	if _, ok := params["AccountSid"]; !ok {
		params = maps.Clone(params)
		if params == nil {
			params = url.Values{}
		}
		params.Set("AccountSid", AccountSid)
	}
	req, err := twiliosim.NewRequest(l.Ctx, Token, l.Srv.URL+path, params)
	if err != nil {
		l.T.Fatal(err)
	}
	return Do(l.T, req)
}

// Do sends a request and returns its status and body.
func Do(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Upcoming lists a demo person's account's visits from today on.
func (l *Line) Upcoming(name string) []domain.Visit {
	l.T.Helper()
	vs, err := l.Svc.UpcomingVisits(l.Ctx, domain.Admin("test"), l.People[name].Account)
	if err != nil {
		l.T.Fatal(err)
	}
	return vs
}

// Resident returns a demo account holder as the actor on a channel, as the line would
// identify them.
func (l *Line) Resident(name string, ch domain.Channel) domain.Actor {
	l.T.Helper()
	var res domain.Resident
	err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		res, err = r.ResidentByAccount(l.People[name].Account)
		return err
	})
	if err != nil {
		l.T.Fatal(err)
	}
	return domain.ResidentCaller(res).Actor(ch)
}

// Balance returns a demo person's account's balance.
func (l *Line) Balance(name string) domain.Balance {
	l.T.Helper()
	b, err := l.Svc.Balance(l.Ctx, domain.Admin("test"), l.People[name].Account)
	if err != nil {
		l.T.Fatal(err)
	}
	return b
}

// Golden compares got with the recorded file at path, or rewrites the file when update is
// set; a difference names the first line where the two part.
func Golden(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to record it)", err)
	}
	if got == string(want) {
		return
	}
	w, g := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			t.Fatalf("%s changed at line %d (review, then rerun with -update):\nwant: %s\n got: %s", path, i+1, a, b)
		}
	}
}
