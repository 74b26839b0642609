package ivr_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"permitline/cmd/permitline/server"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/sqlite"
	"permitline/fixtures"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
)

const token = "test-auth-token"

// line is the phone line on a fresh SQLite file with the demo accounts, behind a real
// HTTP server, with a clock the test sets. restart rebuilds everything but the file, as a
// new process would.
type line struct {
	t       *testing.T
	ctx     context.Context
	path    string
	clock   *domain.ManualClock
	store   *sqlite.Store
	svc     *domain.Service
	srv     *httptest.Server
	mu      sync.RWMutex
	handler http.Handler
	people  map[string]fixtures.DemoPerson // by name
}

func newLine(t *testing.T, now string) *line {
	t.Helper()
	l := &line{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "line.db"),
		clock: domain.NewManualClock(at(t, now)), people: map[string]fixtures.DemoPerson{}}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.RLock()
		h := l.handler
		l.mu.RUnlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(l.srv.Close)
	l.restart()
	t.Cleanup(func() { l.store.Close() })
	people, err := fixtures.SeedDemo(l.ctx, l.store, fixtures.MustBankHolidays(), l.clock.Now(), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		l.people[p.Name] = p
	}
	return l
}

// restart closes the store and builds a new service and server on the same file.
func (l *line) restart() {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.store != nil {
		l.store.Close()
	}
	var err error
	if l.store, err = sqlite.Open(l.ctx, l.path); err != nil {
		l.t.Fatal(err)
	}
	l.svc = domain.New(domain.Config{Store: l.store, Clock: l.clock, Holidays: fixtures.MustBankHolidays(),
		PINCost: bcrypt.MinCost, IDs: domain.NewSeededIDs(7)})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	l.handler = server.New(server.Config{PublicURL: l.srv.URL, AuthToken: token,
		Voice: ivr.Voice{Name: "Polly.Amy", PaymentConnector: "Default"}}, l.svc, log)
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (l *line) cfg(from string) twiliosim.Config {
	return twiliosim.Config{BaseURL: l.srv.URL, AuthToken: token, From: from, To: "+443455207007"}
}

// call is one simulated call with the test's assertions built in.
type call struct {
	l    *line
	c    *twiliosim.Call
	turn twiliosim.Turn
}

func (l *line) dial(from string) *call {
	l.t.Helper()
	c, err := twiliosim.Dial(l.ctx, l.cfg(from))
	if err != nil {
		l.t.Fatal(err)
	}
	turn, err := c.Next(l.ctx)
	if err != nil {
		l.t.Fatal(err)
	}
	return &call{l: l, c: c, turn: turn}
}

func (c *call) heard() string { return strings.Join(c.turn.Said, " ") }

// expect fails unless everything said since the last answer contains each phrase.
func (c *call) expect(phrases ...string) *call {
	c.l.t.Helper()
	for _, p := range phrases {
		if !strings.Contains(c.heard(), p) {
			c.l.t.Fatalf("expected to hear %q; heard:\n%s\n(waiting for %+v)", p, c.heard(), c.turn.Wait)
		}
	}
	return c
}

func (c *call) never(phrases ...string) *call {
	c.l.t.Helper()
	for _, p := range phrases {
		if strings.Contains(c.heard(), p) {
			c.l.t.Fatalf("did not expect to hear %q; heard:\n%s", p, c.heard())
		}
	}
	return c
}

func (c *call) press(keys string) *call {
	c.l.t.Helper()
	var err error
	if c.turn, err = c.c.Press(c.l.ctx, keys); err != nil {
		c.l.t.Fatalf("pressing %q: %v", keys, err)
	}
	return c
}

func (c *call) say(speech string) *call {
	c.l.t.Helper()
	var err error
	if c.turn, err = c.c.Say(c.l.ctx, speech); err != nil {
		c.l.t.Fatal(err)
	}
	return c
}

func (c *call) silence() *call {
	c.l.t.Helper()
	var err error
	if c.turn, err = c.c.Silence(c.l.ctx); err != nil {
		c.l.t.Fatal(err)
	}
	return c
}

func (c *call) pay(card string) *call {
	c.l.t.Helper()
	var err error
	if c.turn, err = c.c.PayWith(c.l.ctx, card); err != nil {
		c.l.t.Fatal(err)
	}
	return c
}

func (c *call) waitsFor(kind string) *call {
	c.l.t.Helper()
	if c.turn.Ended || c.turn.Wait.Kind != kind {
		c.l.t.Fatalf("want the call waiting for %s, got ended=%t (%s) wait=%+v; heard:\n%s", kind, c.turn.Ended,
			c.turn.EndReason, c.turn.Wait, c.heard())
	}
	return c
}

func (c *call) ended() *call {
	c.l.t.Helper()
	if !c.turn.Ended {
		c.l.t.Fatalf("want the call ended; it waits for %+v; heard:\n%s", c.turn.Wait, c.heard())
	}
	return c
}

// signedPost sends a raw webhook, signed as Twilio would, and returns status and body.
func (l *line) signedPost(path string, params url.Values) (int, string) {
	l.t.Helper()
	req, err := twiliosim.NewRequest(l.ctx, token, l.srv.URL+path, params)
	if err != nil {
		l.t.Fatal(err)
	}
	return do(l.t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// canonical re-serialises an XML document with each element's attributes sorted: TwiML's
// meaning does not depend on attribute order, and twilio-go does not fix one.
func canonical(t *testing.T, doc string) string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	var out bytes.Buffer
	enc := xml.NewEncoder(&out)
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			sort.Slice(se.Attr, func(i, j int) bool { return se.Attr[i].Name.Local < se.Attr[j].Name.Local })
			tok = se
		}
		if _, ok := tok.(xml.ProcInst); ok {
			continue
		}
		if err := enc.EncodeToken(xml.CopyToken(tok)); err != nil {
			t.Fatalf("re-encoding %s: %v", doc, err)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func (l *line) upcoming(name string) []domain.Visit {
	l.t.Helper()
	vs, err := l.svc.UpcomingVisits(l.ctx, domain.Admin("test"), l.people[name].Account)
	if err != nil {
		l.t.Fatal(err)
	}
	return vs
}

func (l *line) balance(name string) domain.Balance {
	l.t.Helper()
	b, err := l.svc.Balance(l.ctx, domain.Admin("test"), l.people[name].Account)
	if err != nil {
		l.t.Fatal(err)
	}
	return b
}

// Alex Morgan (07700 900123, PIN 2580) is in Coleridge West, Mon-Fri 09:00-18:00, with two
// permits (8 visits left after the demo's past visit), a saved AB12CDE and a recent KX65ABC.
const alex = "+447700900123"

func (l *line) alexAtMenu() *call {
	l.t.Helper()
	return l.dial(alex).expect("Hello Alex.", "key your phone PIN").press("2580").
		expect("To activate a visit, press 1.").waitsFor("gather")
}
