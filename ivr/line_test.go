package ivr_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

const token = servertest.Token

// line is the service under test, with the voice assertions below.
type line struct {
	*servertest.Line
	payments int // successful payments so far, for repeatable confirmation codes
}

func newLine(t *testing.T, now string) *line { return &line{Line: servertest.New(t, now)} }

func at(t testing.TB, s string) time.Time { return servertest.At(t, s) }

func (l *line) cfg(from string) twiliosim.Config {
	cfg := l.Sim(from, "+443455207007")
	cfg.PaymentCode = func() string {
		l.payments++
		return fmt.Sprintf("ch_%024x", uint64(l.payments)*0x9e3779b97f4a7c15)
	}
	return cfg
}

// call is one simulated call with the test's assertions built in.
type call struct {
	l    *line
	c    *twiliosim.Call
	turn twiliosim.Turn
}

func (l *line) dial(from string) *call {
	l.T.Helper()
	c, err := twiliosim.Dial(l.Ctx, l.cfg(from))
	if err != nil {
		l.T.Fatal(err)
	}
	turn, err := c.Next(l.Ctx)
	if err != nil {
		l.T.Fatal(err)
	}
	return &call{l: l, c: c, turn: turn}
}

func (c *call) heard() string { return strings.Join(c.turn.Said, " ") }

// expect fails unless everything said since the last answer contains each phrase.
func (c *call) expect(phrases ...string) *call {
	c.l.T.Helper()
	for _, p := range phrases {
		if !strings.Contains(c.heard(), p) {
			c.l.T.Fatalf("expected to hear %q; heard:\n%s\n(waiting for %+v)", p, c.heard(), c.turn.Wait)
		}
	}
	return c
}

func (c *call) never(phrases ...string) *call {
	c.l.T.Helper()
	for _, p := range phrases {
		if strings.Contains(c.heard(), p) {
			c.l.T.Fatalf("did not expect to hear %q; heard:\n%s", p, c.heard())
		}
	}
	return c
}

func (c *call) press(keys string) *call {
	c.l.T.Helper()
	return c.took(c.c.Press(c.l.Ctx, keys))
}

func (c *call) say(speech string) *call {
	c.l.T.Helper()
	return c.took(c.c.Say(c.l.Ctx, speech))
}

func (c *call) silence() *call {
	c.l.T.Helper()
	return c.took(c.c.Silence(c.l.Ctx))
}

func (c *call) pay(card string) *call {
	c.l.T.Helper()
	return c.took(c.c.PayWith(c.l.Ctx, card))
}

// record leaves a message of seconds at the <Record>.
func (c *call) record(seconds int) *call {
	c.l.T.Helper()
	return c.took(c.c.RecordSeconds(c.l.Ctx, seconds))
}

// took takes the turn an answer brought, failing the test if the answer failed.
func (c *call) took(turn twiliosim.Turn, err error) *call {
	c.l.T.Helper()
	if err != nil {
		c.l.T.Fatalf("answering at %+v: %v", c.turn.Wait, err)
	}
	c.turn = turn
	return c
}

func (c *call) waitsFor(kind string) *call {
	c.l.T.Helper()
	if c.turn.Ended || c.turn.Wait.Kind != kind {
		c.l.T.Fatalf("want the call waiting for %s, got ended=%t (%s) wait=%+v; heard:\n%s", kind, c.turn.Ended,
			c.turn.EndReason, c.turn.Wait, c.heard())
	}
	return c
}

func (c *call) ended() *call {
	c.l.T.Helper()
	if !c.turn.Ended {
		c.l.T.Fatalf("want the call ended; it waits for %+v; heard:\n%s", c.turn.Wait, c.heard())
	}
	return c
}

func (l *line) signedPost(path string, params url.Values) (int, string) {
	return l.SignedPost(path, params)
}

func do(t *testing.T, req *http.Request) (int, string) { return servertest.Do(t, req) }

// canonical re-serialises an XML document with each element's attributes sorted: TwiML's
// meaning does not depend on attribute order, and twilio-go does not fix one.
func canonical(t testing.TB, doc string) string {
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

func (l *line) upcoming(name string) []domain.Visit { return l.Upcoming(name) }

func (l *line) balance(name string) domain.Balance { return l.Balance(name) }

// Alex Morgan (07700 900123, PIN 2580) is in Coleridge West, Mon-Fri 09:00-18:00, with two
// permits (8 visits left after the demo's past visit), a saved AB12CDE and a recent KX65ABC.
const alex = "+447700900123"

func (l *line) alexAtMenu() *call {
	l.T.Helper()
	return l.dial(alex).expect("key your phone PIN").never("Alex").press("2580").
		expect("Thank you, Alex.", "To activate a visit, press 1.").waitsFor("gather")
}
