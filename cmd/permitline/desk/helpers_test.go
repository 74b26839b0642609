package desk_test

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

// Monday 30 November 2026, 10:00: the helpdesk is open.
const monday = "2026-11-30 10:00"

const (
	alex       = "+447700900123"
	lineNumber = "+443455207007"
	password   = "correct horse battery"
)

// client is an agent's browser without JavaScript: a cookie jar, redirects not followed.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func newClient(t testing.TB, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type reply struct {
	status int
	body   string // as text: HTML character references read (html/template writes + as &#43;)
	raw    string
	header http.Header
}

func (c *client) do(req *http.Request) reply {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: html.UnescapeString(string(b)), raw: string(b), header: resp.Header}
}

func (c *client) get(path string) reply {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) reply {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token reads the CSRF token of the forms on a page.
func (c *client) token(path string) string {
	c.t.Helper()
	r := c.get(path)
	m := csrfField.FindStringSubmatch(r.body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s (%d):\n%s", path, r.status, r.body)
	}
	return m[1]
}

// signIn signs in through the form and returns the reply to the POST.
func (c *client) signIn(username, pw string) reply {
	c.t.Helper()
	tok := c.token("/desk/login")
	return c.post("/desk/login", url.Values{"csrf": {tok}, "username": {username}, "password": {pw}})
}

func (c *client) mustSignIn(username, pw string) {
	c.t.Helper()
	if r := c.signIn(username, pw); r.status != http.StatusSeeOther || r.header.Get("Location") != "/desk/" {
		c.t.Fatalf("signing in as %s: %d %s\n%s", username, r.status, r.header.Get("Location"), r.body)
	}
}

// act posts a form of a page with the page's CSRF token.
func (c *client) act(path string, form url.Values) reply {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.token("/desk/"))
	return c.post(path, form)
}

// alexKeys has Alex call the line and key each answer in turn.
func alexKeys(t testing.TB, l *servertest.Line, answers ...string) *twiliosim.Call {
	t.Helper()
	call, err := twiliosim.Dial(l.Ctx, l.Sim(alex, lineNumber))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.Next(l.Ctx); err != nil {
		t.Fatal(err)
	}
	for _, keys := range answers {
		if _, err := call.Press(l.Ctx, keys); err != nil {
			t.Fatal(err)
		}
	}
	return call
}

// queueForAgent has Alex call, key a wrong choice, then 0 for an agent: the call waits
// in the helpdesk queue.
func queueForAgent(t testing.TB, l *servertest.Line) (*twiliosim.Call, domain.Transfer) {
	t.Helper()
	call := alexKeys(t, l, "2580", "7")
	turn, err := call.Press(l.Ctx, "0")
	if err != nil {
		t.Fatal(err)
	}
	if turn.Wait.Kind != "queue" {
		t.Fatalf("the caller waits for %q, not in the queue: %v", turn.Wait.Kind, turn.Said)
	}
	var tr domain.Transfer
	err = l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(call.Sid()); return err })
	if err != nil {
		t.Fatal(err)
	}
	return call, tr
}

func transfer(t testing.TB, l *servertest.Line, id int64) domain.Transfer {
	t.Helper()
	tr, err := l.Svc.Transfer(l.Ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// stream reads server-sent events: each event's data, for events named "queue".
type stream struct {
	events chan string
	cancel context.CancelFunc
	resp   *http.Response
}

func (c *client) stream(ctx context.Context) *stream {
	c.t.Helper()
	return c.streamOf(ctx, "/desk/events", "queue")
}

// streamOf opens the event stream at path and passes on the events named event.
func (c *client) streamOf(ctx context.Context, path, event string) *stream {
	c.t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	hc := *c.hc
	hc.Timeout = 0 // a stream; the context bounds it
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		c.t.Fatal(err)
	}
	s := &stream{events: make(chan string, 100), cancel: cancel, resp: resp}
	go func() {
		defer close(s.events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var name string
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if name == event {
					s.events <- html.UnescapeString(strings.Join(data, "\n"))
				}
				name, data = "", nil
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	return s
}

// next waits for the next queue event that satisfies ok.
func (s *stream) next(t testing.TB, within time.Duration, ok func(string) bool) string {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case ev, open := <-s.events:
			if !open {
				t.Fatal("the event stream ended")
			}
			if ok(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no such queue event within %s", within)
		}
	}
}

func contextWithTimeout(t testing.TB, d time.Duration) (context.Context, context.CancelFunc) {
	t.Helper()
	return context.WithTimeout(context.Background(), d)
}

// xmlTokens is an XML document as its tokens, each element's attributes in name order:
// twilio-go writes the attributes of an element in no fixed order.
func xmlTokens(t testing.TB, doc string) []string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	var out []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%v in %s", err, doc)
		}
		if start, ok := tok.(xml.StartElement); ok {
			sort.Slice(start.Attr, func(i, j int) bool { return start.Attr[i].Name.Local < start.Attr[j].Name.Local })
			tok = start
		}
		out = append(out, fmt.Sprintf("%T %v", tok, xml.CopyToken(tok)))
	}
}

// sameXML reports whether two XML documents are the same but for the order of attributes.
func sameXML(t testing.TB, got, want string) bool {
	t.Helper()
	return slices.Equal(xmlTokens(t, got), xmlTokens(t, want))
}

// unknownCallerWaits rings the line from a number it does not know and presses 0 at the
// account prompt: the caller waits in the queue, unidentified.
func unknownCallerWaits(t testing.TB, l *servertest.Line) (*twiliosim.Call, domain.Transfer) {
	t.Helper()
	call, err := twiliosim.Dial(l.Ctx, l.Sim("+447700900999", lineNumber))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.Next(l.Ctx); err != nil {
		t.Fatal(err)
	}
	if turn, err := call.Press(l.Ctx, "0"); err != nil || turn.Wait.Kind != "queue" {
		t.Fatalf("0 at the account prompt: %v %+v", err, turn)
	}
	var tr domain.Transfer
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(call.Sid()); return err }); err != nil {
		t.Fatal(err)
	}
	return call, tr
}

// danaAtDesk starts the line on a Monday morning with one agent, Dana Reid, signed in to
// the desk.
func danaAtDesk(t testing.TB) (*servertest.Line, *client) {
	t.Helper()
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	c := newClient(t, l.Srv.URL)
	c.mustSignIn("dana", password)
	return l, c
}
