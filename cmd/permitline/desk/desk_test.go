package desk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"permitline/cmd/permitline/desk"
	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// postRoutes are every form the desk takes, for a call id.
func postRoutes(id int64, ref string) []string {
	c := "/desk/calls/" + strconv.FormatInt(id, 10)
	return []string{"/desk/logout", c + "/take", c + "/connect", c + "/visits", c + "/visits/" + ref + "/cancel",
		c + "/visits/" + ref + "/resend", c + "/vehicles", c + "/pay", c + "/return", c + "/finish"}
}

func TestEveryRouteNeedsASession(t *testing.T) {
	l := servertest.New(t, monday)
	_, tr := queueForAgent(t, l)
	anon := newClient(t, l.Srv.URL)
	for _, path := range []string{"/desk/", "/desk/events", "/desk/today", fmt.Sprintf("/desk/calls/%d", tr.ID)} {
		r := anon.get(path)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/desk/login" {
			t.Errorf("GET %s without a session: %d %q, want a redirect to the sign-in page", path, r.status, r.header.Get("Location"))
		}
	}
	form := url.Values{"vrm": {"AB12CDE"}, "date": {"2026-12-01"}, "note": {"x"}, "csrf": {"made-up"}}
	for _, path := range postRoutes(tr.ID, "ABCDEF") {
		if r := anon.post(path, form); r.status != http.StatusForbidden {
			t.Errorf("POST %s without a session: %d, want 403", path, r.status)
		}
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferQueued || got.AgentID != 0 {
		t.Fatalf("refused requests changed the call: %+v", got)
	}
	if n := len(l.Twilio.CallUpdates()); n != 0 {
		t.Fatalf("refused requests reached Twilio %d times", n)
	}
	// The sign-in page and the static files are open to all.
	for _, path := range []string{"/desk/login", "/desk/static/desk.js", "/desk/static/desk.css"} {
		if r := anon.get(path); r.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
	if r := anon.get("/desk"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/desk/" {
		t.Errorf("GET /desk: %d %s", r.status, r.header.Get("Location"))
	}
}

func TestEveryFormNeedsTheSessionsCSRFToken(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	l.AddAgent("eli", "Eli Stone", "07700 900502", password)
	_, tr := queueForAgent(t, l)
	dana, eli := newClient(t, l.Srv.URL), newClient(t, l.Srv.URL)
	dana.mustSignIn("dana", password)
	eli.mustSignIn("eli", password)
	before := len(l.Upcoming("Alex Morgan"))

	// A form without a token, with a made-up one, or with another agent's, is refused.
	for _, tok := range []string{"", "made-up", eli.token("/desk/")} {
		form := url.Values{"vrm": {"AB12CDE"}, "date": {"2026-12-01"}, "note": {"x"}}
		if tok != "" {
			form.Set("csrf", tok)
		}
		if r := dana.post(fmt.Sprintf("/desk/calls/%d/take", tr.ID), form); r.status != http.StatusForbidden {
			t.Fatalf("take with token %q: %d, want 403", tok, r.status)
		}
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferQueued {
		t.Fatalf("a refused take claimed the call: %+v", got)
	}

	// Dana takes the call properly, then every form without the token is refused.
	if r := dana.act(fmt.Sprintf("/desk/calls/%d/take", tr.ID), nil); r.status != http.StatusSeeOther {
		t.Fatalf("take: %d\n%s", r.status, r.body)
	}
	updates := len(l.Twilio.CallUpdates())
	for _, tok := range []string{"", "made-up", eli.token("/desk/")} {
		for _, path := range postRoutes(tr.ID, "ABCDEF") {
			form := url.Values{"vrm": {"AB12CDE"}, "date": {"2026-12-01"}, "note": {"x"}}
			if tok != "" {
				form.Set("csrf", tok)
			}
			if r := dana.post(path, form); r.status != http.StatusForbidden {
				t.Errorf("POST %s with token %q: %d, want 403", path, tok, r.status)
			}
		}
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferTaken || got.Note != "" {
		t.Fatalf("refused forms changed the call: %+v", got)
	}
	if n := len(l.Upcoming("Alex Morgan")); n != before {
		t.Fatalf("refused forms activated visits: %d, was %d", n, before)
	}
	if n := len(l.Twilio.CallUpdates()); n != updates {
		t.Fatalf("refused forms reached Twilio: %d updates, was %d", n, updates)
	}
	if r := dana.get("/desk/"); r.status != http.StatusOK {
		t.Fatalf("a refused sign-out signed Dana out: %d", r.status)
	}
	// With the token, signing out works.
	if r := dana.act("/desk/logout", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/desk/login" {
		t.Fatalf("sign out: %d %s", r.status, r.header.Get("Location"))
	}
	if r := dana.get("/desk/"); r.status != http.StatusSeeOther {
		t.Fatalf("after signing out: %d", r.status)
	}
}

func TestSignedOutSessionCannotBeReplayed(t *testing.T) {
	l, dana := danaAtDesk(t)
	u, _ := url.Parse(l.Srv.URL + "/desk/")
	var cookie *http.Cookie
	for _, c := range dana.hc.Jar.Cookies(u) {
		if c.Name == "desk_session" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	replay := func() int {
		req, _ := http.NewRequest(http.MethodGet, l.Srv.URL+"/desk/", nil)
		req.AddCookie(cookie)
		return newClient(t, l.Srv.URL).do(req).status
	}
	// The session works while signed in, across a restart (the desk's key is kept).
	l.Restart()
	if got := replay(); got != http.StatusOK {
		t.Fatalf("a signed-in session after a restart: %d, want 200", got)
	}
	if r := dana.act("/desk/logout", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/desk/login" {
		t.Fatalf("sign out: %d %s %s", r.status, r.header.Get("Location"), r.body)
	}
	if got := replay(); got != http.StatusSeeOther {
		t.Fatalf("a signed-out session still works when replayed: %d", got)
	}
	// Signing out is kept in the store: a restart does not bring the session back.
	l.Restart()
	if got := replay(); got != http.StatusSeeOther {
		t.Fatalf("a signed-out session works again after a restart: %d", got)
	}
	// Another sign-in of the same agent is not affected.
	dana.mustSignIn("dana", password)
	if r := dana.get("/desk/"); r.status != http.StatusOK {
		t.Fatalf("signing in again after signing out: %d", r.status)
	}
}

func TestSignIn(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	c := newClient(t, l.Srv.URL)

	login := c.get("/desk/login")
	if login.status != http.StatusOK || !strings.Contains(login.body, `<label for="password">`) {
		t.Fatalf("sign-in page: %d\n%s", login.status, login.body)
	}
	// The sign-in form itself needs its token.
	if r := c.post("/desk/login", url.Values{"username": {"dana"}, "password": {password}}); r.status != http.StatusForbidden {
		t.Fatalf("sign in without the form's token: %d", r.status)
	}
	for i := 1; i <= 5; i++ {
		r := c.signIn("dana", "wrong password "+strconv.Itoa(i))
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong username or password.") {
			t.Fatalf("wrong password %d: %d\n%s", i, r.status, r.body)
		}
		if r.header.Get("Set-Cookie") != "" && strings.Contains(r.header.Get("Set-Cookie"), "desk_session=") {
			t.Fatal("a wrong password got a session")
		}
	}
	r := c.signIn("dana", password)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Too many failed sign-ins") {
		t.Fatalf("the 6th attempt within 15 minutes, with the right password: %d (Retry-After %q)\n%s",
			r.status, r.header.Get("Retry-After"), r.body)
	}
	if r := c.get("/desk/"); r.status != http.StatusSeeOther {
		t.Fatalf("a limited attempt signed in: %d", r.status)
	}
}

// signInAs returns a sign-in through h from a client address, with the headers given:
// the form fetched first for its cookie and token, as a browser would.
func signInAs(t *testing.T, h http.Handler, ip, user, pw string, header http.Header) int {
	t.Helper()
	get := httptest.NewRequest(http.MethodGet, "/desk/login", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, get)
	tok := csrfField.FindStringSubmatch(w.Body.String())[1]
	post := httptest.NewRequest(http.MethodPost, "/desk/login",
		strings.NewReader(url.Values{"csrf": {tok}, "username": {user}, "password": {pw}}.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		post.Header[k] = v
	}
	post.RemoteAddr = ip + ":40000"
	for _, c := range w.Result().Cookies() {
		post.AddCookie(c)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, post)
	return w.Code
}

// An attacker hammering an agent's username from one address locks only that address out
// for that username; made-up usernames from one office address do not lock the office's
// agents out; X-Forwarded-For picks no address unless it comes from a trusted proxy.
func TestSignInLimitsPerUsernameAndPerAddress(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	l.AddAgent("eli", "Eli Stone", "07700 900502", password)
	h := desk.New(desk.Config{PublicURL: "http://desk.test", SessionKey: servertest.SessionKey}, l.Svc, nil, nil)
	try := func(ip, user, pw string) int { return signInAs(t, h, ip, user, pw, nil) }

	for i := range 5 {
		if got := try("203.0.113.9", "dana", "nope nope nope"); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, got)
		}
	}
	if got := try("203.0.113.9", "dana", password); got != http.StatusTooManyRequests {
		t.Fatalf("the attacker's address after 5 failures, right password: %d", got)
	}
	if got := try("198.51.100.7", "dana", password); got != http.StatusSeeOther {
		t.Fatalf("dana at her own desk while her username is hammered elsewhere: %d", got)
	}
	// Five made-up usernames from the office's one proxy address: the office still signs in.
	for i := range 5 {
		if got := try("192.0.2.1", fmt.Sprintf("nobody%d", i), "nope nope nope"); got != http.StatusUnauthorized {
			t.Fatalf("made-up username %d from the office: %d", i+1, got)
		}
	}
	if got := try("192.0.2.1", "eli", password); got != http.StatusSeeOther {
		t.Fatalf("eli at the office after 5 made-up usernames from it: %d", got)
	}

	// A forged X-Forwarded-For does not give the attacker a fresh address for each guess.
	for i := range 6 {
		got := signInAs(t, h, "203.0.113.10", "eli", "nope nope nope",
			http.Header{"X-Forwarded-For": {fmt.Sprintf("10.9.8.%d", i)}})
		if want := map[bool]int{true: http.StatusUnauthorized, false: http.StatusTooManyRequests}[i < 5]; got != want {
			t.Fatalf("guess %d with a forged X-Forwarded-For: %d, want %d", i+1, got, want)
		}
	}
	// Behind a trusted proxy, the client is the address the proxy saw; what the client
	// wrote to the left of it is not believed.
	proxy := netip.MustParsePrefix("192.0.2.250/32")
	hp := desk.New(desk.Config{PublicURL: "http://desk.test", SessionKey: servertest.SessionKey,
		TrustedProxies: []netip.Prefix{proxy}}, l.Svc, nil, nil)
	for i := range 6 {
		got := signInAs(t, hp, "192.0.2.250", "dana", "nope nope nope",
			http.Header{"X-Forwarded-For": {fmt.Sprintf("10.9.8.%d, 203.0.113.77", i)}})
		if want := map[bool]int{true: http.StatusUnauthorized, false: http.StatusTooManyRequests}[i < 5]; got != want {
			t.Fatalf("guess %d through the proxy: %d, want %d", i+1, got, want)
		}
	}
	if got := signInAs(t, hp, "192.0.2.250", "dana", password, http.Header{"X-Forwarded-For": {"198.51.100.8"}}); got != http.StatusSeeOther {
		t.Fatalf("dana through the same proxy from her own address: %d", got)
	}
}

// Sixty wrong sign-ins at once for one username: the attempts are counted before any
// password is checked, so at most the limit of passwords are checked, and the rest are
// answered "too many".
func TestConcurrentSignInsCheckAtMostTheLimit(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	var mu sync.Mutex
	checks := 0
	svc := domain.New(domain.Config{Store: l.Store, Clock: l.Clock, AgentPasswordCost: bcrypt.MinCost,
		CheckPassword: func(hash, pw []byte) error {
			mu.Lock()
			checks++
			mu.Unlock()
			time.Sleep(20 * time.Millisecond) // a check takes a while: the others arrive meanwhile
			return bcrypt.CompareHashAndPassword(hash, pw)
		}})
	srv := httptest.NewServer(desk.New(desk.Config{PublicURL: "http://127.0.0.1", SessionKey: servertest.SessionKey}, svc, nil, nil))
	defer srv.Close()

	const n = 60
	type attempt struct {
		c    *client
		form url.Values
	}
	var attempts []attempt
	for i := range n {
		c := newClient(t, srv.URL)
		attempts = append(attempts, attempt{c, url.Values{"csrf": {c.token("/desk/login")}, "username": {"dana"},
			"password": {fmt.Sprintf("guess number %d", i)}}})
	}
	statuses := make([]int, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i, a := range attempts {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			statuses[i] = a.c.post("/desk/login", a.form).status
		}()
	}
	start.Done()
	done.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if checks != domain.SignInPairLimit || count[http.StatusUnauthorized] != checks ||
		count[http.StatusTooManyRequests] != n-checks {
		t.Fatalf("%d passwords checked (limit %d); answers %v", checks, domain.SignInPairLimit, count)
	}
}

func TestCookiesAndHeaders(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	_, tr := queueForAgent(t, l)
	c := newClient(t, l.Srv.URL)
	r := c.signIn("dana", password)
	session := cookieNamed(r.header, "desk_session")
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/desk" || session.Secure {
		t.Fatalf("session cookie over http: %+v", session)
	}
	if session.MaxAge <= 0 || session.MaxAge > 12*3600 {
		t.Fatalf("session lasts %d s", session.MaxAge)
	}
	// Every response carries the headers: pages, the stream's refusal, static files, errors.
	for _, path := range []string{"/desk/login", "/desk/", "/desk/today", fmt.Sprintf("/desk/calls/%d", tr.ID),
		"/desk/calls/999999", "/desk/static/desk.css", "/desk/static/desk.js", "/desk/nowhere"} {
		r := c.get(path)
		if got := r.header.Get("Content-Security-Policy"); got != csp {
			t.Errorf("GET %s (%d): CSP %q", path, r.status, got)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") != "no-referrer" ||
			r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: headers %v", path, r.header)
		}
		if strings.Contains(r.raw, "<script>") || strings.Contains(r.raw, "style=") || strings.Contains(r.raw, "<style") ||
			strings.Contains(r.raw, " onclick=") {
			t.Errorf("GET %s has inline script or style", path)
		}
	}
	if r := newClient(t, l.Srv.URL).post("/desk/logout", nil); r.header.Get("Content-Security-Policy") != csp {
		t.Errorf("a refused POST has no CSP")
	}

	// Behind https, every cookie is Secure.
	h := desk.New(desk.Config{PublicURL: "https://permits.example.gov.uk", SessionKey: servertest.SessionKey}, l.Svc, nil, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/desk/login", nil))
	pre := cookieNamed(w.Header(), "desk_login")
	if pre == nil || !pre.Secure || !pre.HttpOnly || pre.SameSite != http.SameSiteStrictMode {
		t.Fatalf("sign-in form cookie behind https: %+v", pre)
	}
	tok := csrfField.FindStringSubmatch(w.Body.String())[1]
	post := httptest.NewRequest(http.MethodPost, "/desk/login",
		strings.NewReader(url.Values{"csrf": {tok}, "username": {"dana"}, "password": {password}}.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.AddCookie(pre)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, post)
	s := cookieNamed(w.Header(), "desk_session")
	if w.Code != http.StatusSeeOther || s == nil || !s.Secure || !s.HttpOnly || s.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie behind https (%d): %+v", w.Code, s)
	}
}

func cookieNamed(h http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name && c.Value != "" {
			return c
		}
	}
	return nil
}

func TestWaitingCallAppearsLiveWithItsContext(t *testing.T) {
	l, c := danaAtDesk(t)

	ctx, cancel := contextWithTimeout(t, 20*time.Second)
	defer cancel()
	s := c.stream(ctx)
	defer s.cancel()
	if ct := s.resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("stream content type %q", ct)
	}
	s.next(t, 5*time.Second, func(ev string) bool { return strings.Contains(ev, "No one is waiting") })

	// The caller asks for an agent after the stream is open; the stream shows them.
	call, tr := queueForAgent(t, l)
	ev := s.next(t, 5*time.Second, func(ev string) bool { return strings.Contains(ev, "+********0123") })
	for _, want := range []string{`id="queue"`, "PIN passed", "The caller asked for a person.",
		"The caller pressed a key that isn't one of the choices.", l.People["Alex Morgan"].Account,
		"The caller was at the main menu.", "pressed 7", "3 tries left before the lockout", fmt.Sprintf(`action="/desk/calls/%d/take"`, tr.ID),
		`name="csrf"`} {
		if !strings.Contains(ev, want) {
			t.Errorf("the live queue lacks %q:\n%s", want, ev)
		}
	}
	if strings.Contains(ev, "900123") || strings.Contains(ev, "07700") {
		t.Errorf("the waiting caller's number shows in full:\n%s", ev)
	}
	page := c.get("/desk/")
	for _, want := range []string{"+********0123", "PIN passed", "The caller asked for a person.", "Helpdesk: Open now, until 18:00",
		"Today, Monday 30 November: 08:00 to 18:00."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("GET /desk/ lacks %q:\n%s", want, page.body)
		}
	}

	// The caller hangs up: they leave the list at once.
	if err := call.Hangup(l.Ctx); err != nil {
		t.Fatal(err)
	}
	s.next(t, 5*time.Second, func(ev string) bool { return !strings.Contains(ev, "+********0123") })
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferAbandoned {
		t.Fatalf("after hanging up: %s", got.Status)
	}
	if r := c.get("/desk/"); strings.Contains(r.body, "+********0123") {
		t.Fatal("the caller who hung up is still listed")
	}
	// Taking the call now says why it can't be.
	if r := c.act(fmt.Sprintf("/desk/calls/%d/take", tr.ID), nil); r.status != http.StatusConflict || !strings.Contains(r.body, "the caller has hung up") {
		t.Fatalf("taking an abandoned call: %d\n%s", r.status, r.body)
	}
}

func TestTwoAgentsClaimOneCall(t *testing.T) {
	l := servertest.New(t, monday)
	agents := []domain.Agent{l.AddAgent("dana", "Dana Reid", "07700 900501", password),
		l.AddAgent("eli", "Eli Stone", "07700 900502", password)}
	clients := []*client{newClient(t, l.Srv.URL), newClient(t, l.Srv.URL)}
	toks := make([]string, 2)
	for i, c := range clients {
		c.mustSignIn(agents[i].Username, password)
		toks[i] = c.token("/desk/")
	}
	call, tr := queueForAgent(t, l)

	replies := make([]reply, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			replies[i] = c.post(fmt.Sprintf("/desk/calls/%d/take", tr.ID), url.Values{"csrf": {toks[i]}})
		}()
	}
	close(start)
	wg.Wait()

	winner, loser := 0, 1
	if replies[1].status == http.StatusSeeOther {
		winner, loser = 1, 0
	}
	if replies[winner].status != http.StatusSeeOther || replies[loser].status != http.StatusConflict {
		t.Fatalf("claims answered %d and %d: exactly one wins", replies[0].status, replies[1].status)
	}
	if !strings.Contains(replies[loser].body, "another agent took this call") {
		t.Fatalf("the loser is not told:\n%s", replies[loser].body)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferTaken || got.AgentID != agents[winner].ID {
		t.Fatalf("the call after the race: %+v", got)
	}
	ups := l.Twilio.CallUpdates()
	if len(ups) != 1 {
		t.Fatalf("Twilio got %d call updates, want the winner's one: %+v", len(ups), ups)
	}
	first := strings.Fields(agents[winner].Name)[0]
	want := `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Amy" language="en-GB">Putting you through to ` +
		first + `.</Say><Dial answerOnBridge="true" action="` + l.Srv.URL + `/twilio/voice/dialed" method="POST"><Number>` + agents[winner].Phone + `</Number></Dial></Response>`
	if ups[0].CallSid != call.Sid() || !sameXML(t, ups[0].Twiml, want) || ups[0].URL != "" || ups[0].AccountSid != servertest.AccountSid {
		t.Fatalf("the winner's Connect:\n%+v\nwant TwiML:\n%s", ups[0], want)
	}
	if !strings.HasPrefix(agents[winner].Phone, "+447700900") {
		t.Fatalf("agent phone %s", agents[winner].Phone)
	}
	// The winner sees the whole number; the loser sees the call read-only.
	if r := clients[winner].get(replies[winner].header.Get("Location")); !strings.Contains(r.body, "07700 900123") ||
		!strings.Contains(r.body, `id="activate-form"`) {
		t.Fatalf("the winner's call page:\n%s", r.body)
	}
	r := clients[loser].get(fmt.Sprintf("/desk/calls/%d", tr.ID))
	if !strings.Contains(r.body, "only they can act on it") || strings.Contains(r.body, `id="activate-form"`) {
		t.Fatalf("the loser's view of the call:\n%s", r.body)
	}
	if r := clients[loser].act(fmt.Sprintf("/desk/calls/%d/visits", tr.ID), url.Values{"vrm": {"AB12CDE"}}); r.status != http.StatusForbidden {
		t.Fatalf("the loser acting on the call: %d", r.status)
	}
}

func TestAgentActsForTheCaller(t *testing.T) {
	l := servertest.New(t, monday)
	dana := l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	c := newClient(t, l.Srv.URL)
	c.mustSignIn("dana", password)
	_, tr := queueForAgent(t, l)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	if r := c.act(callPath+"/take", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != callPath {
		t.Fatalf("take: %d %s", r.status, r.header.Get("Location"))
	}
	page := c.get(callPath)
	for _, want := range []string{"The call is yours", "07700 900123", "Alex Morgan", "PIN passed", "12 Coleridge Road",
		"Coleridge West", "Visits left", "left to buy this permit year", "renews on 1 April 2027", "KX65 ABC",
		"What happened on the line", "pressed 7", `type="date"`, `value="2026-11-30"`, `min="2026-11-30"`, `max="2026-12-14"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the call page lacks %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("the call page:\n%s", page.body)
	}
	before := l.Balance("Alex Morgan").VisitsLeft

	// A visit for tomorrow, activated by the agent.
	r := c.act(callPath+"/visits", url.Values{"vrm": {"ab12 cde"}, "date": {"2026-12-01"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("activate: %d\n%s", r.status, r.body)
	}
	var v domain.Visit
	for _, x := range l.Upcoming("Alex Morgan") {
		if x.VRM == "AB12CDE" && x.Date.String() == "2026-12-01" {
			v = x
		}
	}
	if v.ID == 0 || v.By != dana.Actor() || v.By.Kind != domain.ActorAgent || v.By.Channel != domain.ChannelAgent {
		t.Fatalf("the stored visit: %+v", v)
	}
	if got := l.Balance("Alex Morgan").VisitsLeft; got != before-1 {
		t.Fatalf("visits left %d, was %d", got, before)
	}
	view, err := l.Svc.Account(l.Ctx, domain.Admin("test"), l.People["Alex Morgan"].Account)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range view.Activity {
		if e.Action == "visit.activate" && strings.Contains(e.Detail, v.Ref) {
			found = e.Actor == dana.Actor()
		}
	}
	if !found {
		t.Fatalf("the audit does not show the agent activating %s: %+v", v.Ref, view.Activity)
	}
	page = c.get(callPath)
	for _, want := range []string{"Visit " + v.Ref + " activated: AB12 CDE on Tue 1 Dec", v.Ref, "Dana Reid (agent, at the desk): <strong>activated a visit</strong>"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("after activating, the page lacks %q", want)
		}
	}

	// The same vehicle the same day again: R18, named, and nothing changes.
	r = c.act(callPath+"/visits", url.Values{"vrm": {"AB12CDE"}, "date": {"2026-12-01"}})
	wantR18 := "R18: AB12 CDE already has visit " + v.Ref + " on Tue 1 Dec"
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, wantR18) || !strings.Contains(r.body, `value="AB12CDE"`) {
		t.Fatalf("a duplicate visit: %d, want %q\n%s", r.status, wantR18, r.body)
	}
	if got := l.Balance("Alex Morgan").VisitsLeft; got != before-1 {
		t.Fatalf("a refused visit used a visit: %d left", got)
	}
	// A date out of range, and a made-up plate, are explained with their rule.
	if r := c.act(callPath+"/visits", url.Values{"vrm": {"AB12CDE"}, "date": {"2027-01-30"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "R12: a visit can be activated for today or up to 14 days ahead") {
		t.Fatalf("a date too far ahead: %d\n%s", r.status, r.body)
	}
	if r := c.act(callPath+"/vehicles", url.Values{"vrm": {"HELLO"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `R12: "HELLO" is not a valid UK registration`) {
		t.Fatalf("a made-up plate: %d\n%s", r.status, r.body)
	}

	// Save a vehicle, resend the confirmation, cancel the visit.
	if r := c.act(callPath+"/vehicles", url.Values{"vrm": {"y123abc"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save a vehicle: %d\n%s", r.status, r.body)
	}
	if r := c.act(callPath+"/visits/"+v.Ref+"/resend", nil); r.status != http.StatusSeeOther {
		t.Fatalf("resend: %d\n%s", r.status, r.body)
	}
	if r := c.act(callPath+"/visits/ZZZZZZ/cancel", nil); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "not one of this account") {
		t.Fatalf("cancelling a visit of no one's: %d\n%s", r.status, r.body)
	}
	if r := c.act(callPath+"/visits/"+v.Ref+"/cancel", nil); r.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d\n%s", r.status, r.body)
	}
	if got := l.Balance("Alex Morgan").VisitsLeft; got != before {
		t.Fatalf("after cancelling, %d visits left, want %d", got, before)
	}
	page = c.get(callPath)
	for _, want := range []string{"Y123 ABC (saved)", "<strong>saved a vehicle</strong>", "<strong>sent a text again</strong>", "<strong>cancelled a visit</strong>", "is cancelled"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Both note fields stop where the domain refuses a note.
	if n := strings.Count(page.body, fmt.Sprintf(`maxlength="%d"`, domain.MaxNoteLen)); n != 2 {
		t.Errorf("%d note fields limited to %d characters, want 2", n, domain.MaxNoteLen)
	}

	// Send to payment: Twilio is asked to move the call to the line's payment step.
	if r := c.act(callPath+"/pay", nil); r.status != http.StatusSeeOther {
		t.Fatalf("send to payment: %d\n%s", r.status, r.body)
	}
	ups := l.Twilio.CallUpdates()
	last := ups[len(ups)-1]
	if last.CallSid != tr.CallSid || last.URL != l.Srv.URL+"/twilio/voice/resume?to=buy" || !strings.HasSuffix(last.URL, "/twilio/voice/resume?to=buy") ||
		last.Method != http.MethodPost || last.Twiml != "" {
		t.Fatalf("send to payment reached Twilio as %+v", last)
	}
	if page := c.get(callPath); !strings.Contains(page.body, "<strong>sent the caller to the line's payment step</strong>") {
		t.Errorf("the account's history lacks the call sent to payment:\n%s", page.body)
	}

	// Finish with a note: the supervisor's page shows it.
	if r := c.act(callPath+"/finish", url.Values{"note": {"Visit for AB12 CDE booked then cancelled; sent to pay for 2 permits."}}); r.status != http.StatusSeeOther ||
		r.header.Get("Location") != "/desk/" {
		t.Fatalf("finish: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferDone || got.AgentID != dana.ID {
		t.Fatalf("the finished call: %+v", got)
	}
	today := c.get("/desk/today")
	for _, want := range []string{"finished", "Dana Reid", "Visit for AB12 CDE booked then cancelled; sent to pay for 2 permits.",
		"+********0123", "The caller asked for a person after a problem: they pressed a key that isn't one of the choices."} {
		if !strings.Contains(today.body, want) {
			t.Errorf("today's calls lack %q:\n%s", want, today.body)
		}
	}
	// A finished call is read-only, even for its agent.
	if r := c.act(callPath+"/visits", url.Values{"vrm": {"AB12CDE"}}); r.status != http.StatusConflict {
		t.Fatalf("acting on a finished call: %d", r.status)
	}
}

func TestHandBackToTheLine(t *testing.T) {
	l, c := danaAtDesk(t)
	_, tr := queueForAgent(t, l)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	c.act(callPath+"/take", nil)
	// A note too long is refused before the call moves, at the hand-back and at the finish.
	long := strings.Repeat("x", domain.MaxNoteLen+1)
	moves := len(l.Twilio.CallUpdates())
	for _, action := range []string{"/return", "/finish"} {
		r := c.act(callPath+action, url.Values{"note": {long}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "longer than 2,000 characters") {
			t.Fatalf("%s with a note too long: %d\n%s", action, r.status, r.body)
		}
	}
	if n := len(l.Twilio.CallUpdates()); n != moves {
		t.Fatalf("a refused hand-back moved the call (%d updates, was %d)", n, moves)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferTaken || got.Note != "" {
		t.Fatalf("a refused note changed the call: %+v", got)
	}
	if r := c.act(callPath+"/return", url.Values{"note": {"wanted the menu"}}); r.status != http.StatusSeeOther {
		t.Fatalf("hand back: %d\n%s", r.status, r.body)
	}
	ups := l.Twilio.CallUpdates()
	if last := ups[len(ups)-1]; last.URL != l.Srv.URL+"/twilio/voice/resume?to=menu" {
		t.Fatalf("hand back reached Twilio as %+v", last)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferReturned || got.Note != "wanted the menu" {
		t.Fatalf("the handed-back call: %+v", got)
	}
	// Twilio fetches the resume URL: the caller is back at the menu, still identified.
	status, body := l.SignedPost("/twilio/voice/resume?to=menu", url.Values{"CallSid": {tr.CallSid}, "From": {alex},
		"To": {lineNumber}, "CallStatus": {"in-progress"}, "AccountSid": {servertest.AccountSid}})
	if status != http.StatusOK || !strings.Contains(body, "To activate a visit, press 1.") {
		t.Fatalf("resumed call: %d\n%s", status, body)
	}
}

func TestWithoutTwilioTakingStillClaims(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	srv := httptest.NewServer(desk.New(desk.Config{PublicURL: "http://127.0.0.1", SessionKey: servertest.SessionKey}, l.Svc, nil, nil))
	defer srv.Close()
	_, tr := queueForAgent(t, l)
	c := newClient(t, srv.URL)
	c.mustSignIn("dana", password)
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	if r := c.act(callPath+"/take", nil); r.status != http.StatusSeeOther {
		t.Fatalf("take: %d", r.status)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferTaken {
		t.Fatalf("not claimed: %s", got.Status)
	}
	if r := c.get(callPath); !strings.Contains(r.body, "can’t reach Twilio") {
		t.Fatalf("the page doesn't say Twilio is out of reach:\n%s", r.body)
	}
	if r := c.act(callPath+"/pay", nil); r.status != http.StatusServiceUnavailable {
		t.Fatalf("send to payment without Twilio: %d", r.status)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferTaken {
		t.Fatalf("a failed hand-over changed the call: %s", got.Status)
	}
	if n := len(l.Twilio.CallUpdates()); n != 0 {
		t.Fatalf("%d updates", n)
	}
}

// lookups counts the account look-ups audited on a demo person's account by an agent.
func lookups(t *testing.T, l *servertest.Line, name string, a domain.Agent) int {
	t.Helper()
	view, err := l.Svc.Account(l.Ctx, domain.Admin("test"), l.People[name].Account)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range view.Activity {
		if e.Action == "account.lookup" {
			if e.Actor != a.Actor() || e.Actor.Channel != domain.ChannelAgent {
				t.Fatalf("a look-up audited as %+v, want %+v", e.Actor, a.Actor())
			}
			n++
		}
	}
	return n
}

// Only the agent holding a call the line could not identify may look up an account for
// it, and the look-up is audited with their name; no one else sees a caller's account.
func TestOnlyTheHolderLooksUpAnAccount(t *testing.T) {
	l := servertest.New(t, monday)
	dana := l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	eli := l.AddAgent("eli", "Eli Stone", "07700 900502", password)
	cd, ce := newClient(t, l.Srv.URL), newClient(t, l.Srv.URL)
	cd.mustSignIn("dana", password)
	ce.mustSignIn("eli", password)

	// A caller the line does not know, put through to the helpdesk.
	call, err := twiliosim.Dial(l.Ctx, l.Sim("+447700900999", lineNumber))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.Next(l.Ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ { // wrong account numbers until the line puts them through
		turn, err := call.Press(l.Ctx, "12345678")
		if err != nil || i == 5 {
			t.Fatalf("the unknown caller: %v %+v", err, turn)
		}
		if turn.Wait.Kind == "queue" {
			break
		}
	}
	var tr domain.Transfer
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(call.Sid()); return err }); err != nil {
		t.Fatal(err)
	}
	if tr.ResidentID != 0 {
		t.Fatalf("the caller was identified: %+v", tr)
	}
	alex := l.People["Alex Morgan"].Account
	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	lookUp := callPath + "?account=" + alex

	refused := func(c *client, who string) {
		t.Helper()
		r := c.get(lookUp)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "Only the agent who holds this call can look up an account") ||
			strings.Contains(r.body, "Alex Morgan") || strings.Contains(r.body, "Coleridge Road") {
			t.Fatalf("%s looking up an account: %d\n%s", who, r.status, r.body)
		}
	}
	refused(ce, "an agent, on a waiting call")
	if r := ce.get(callPath); r.status != http.StatusOK || strings.Contains(r.body, `name="account"`) {
		t.Fatalf("the waiting call's page offers a look-up: %d\n%s", r.status, r.body)
	}
	if r := cd.act(callPath+"/take", nil); r.status != http.StatusSeeOther {
		t.Fatalf("take: %d", r.status)
	}
	refused(ce, "another agent, on dana's call")
	if n := lookups(t, l, "Alex Morgan", eli); n != 0 {
		t.Fatalf("%d look-ups audited after refusals", n)
	}

	for range 2 { // a look-up, and the page shown again: audited once
		if r := cd.get(lookUp); r.status != http.StatusOK || !strings.Contains(r.body, "Account "+alex+": Alex Morgan") {
			t.Fatalf("the holder looking up the account: %d\n%s", r.status, r.body)
		}
	}
	if n := lookups(t, l, "Alex Morgan", dana); n != 1 {
		t.Fatalf("%d look-ups audited, want 1", n)
	}
	if r := cd.get(lookUp); !strings.Contains(r.body, "Dana Reid (agent, at the desk): <strong>opened the account for a caller</strong>") {
		t.Fatalf("the look-up is not in the account's activity:\n%s", r.body)
	}
	if r := cd.get(callPath + "?account=99999999"); r.status != http.StatusOK || !strings.Contains(r.body, "There is no account 99999999") {
		t.Fatalf("looking up no account: %d\n%s", r.status, r.body)
	}

	if r := cd.act(callPath+"/finish", url.Values{"note": {"helped"}}); r.status != http.StatusSeeOther {
		t.Fatalf("finish: %d", r.status)
	}
	refused(cd, "the agent, once the call is over")

	// A caller the line identified: only the holder sees their account.
	_, known := queueForAgent(t, l)
	knownPath := fmt.Sprintf("/desk/calls/%d", known.ID)
	if r := ce.get(knownPath); r.status != http.StatusOK || strings.Contains(r.body, "Coleridge Road") ||
		!strings.Contains(r.body, "shows to the agent who holds the call") {
		t.Fatalf("a waiting identified caller's account shown before the call is taken: %d\n%s", r.status, r.body)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := desk.ParseTrustedProxies(" 10.0.0.5, 192.168.1.7/24 ,,::1")
	if err != nil || fmt.Sprint(got) != "[10.0.0.5/32 192.168.1.0/24 ::1/128]" {
		t.Fatalf("%v %v", got, err)
	}
	if got, err := desk.ParseTrustedProxies(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
	if _, err := desk.ParseTrustedProxies("proxy.example"); err == nil {
		t.Fatal("a name taken as a proxy")
	}
}
