package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
	"permitline/fixtures"
	"permitline/ivr/twilioapi"
	"permitline/sms"
	"permitline/sms/fakeapi"
	"permitline/sms/outbound"
)

const (
	accountSid = "AC0123456789abcdef0123456789abcdef"
	authToken  = "fedcba9876543210fedcba9876543210"
	line       = "+447700900000"
	callback   = "https://permits.example.gov.uk/twilio/sms/status"
)

// env is a service on a fresh SQLite file with a clock the test sets, and a sender whose
// twilio-go client talks to the fake API.
type env struct {
	t      *testing.T
	ctx    context.Context
	clock  *domain.ManualClock
	store  *sqlite.Store
	svc    *domain.Service
	fake   *fakeapi.Server
	srv    *httptest.Server
	target *url.URL // srv's
	cfg    outbound.Config
	sender *outbound.Sender
	logs   *servertest.LogBuffer
	// renderErr, when set, makes the renderer fail.
	renderErr atomic.Pointer[error]
}

func newEnv(t *testing.T, now string, opts ...func(*outbound.Config)) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clock: domain.NewManualClock(servertest.At(t, now)), logs: &servertest.LogBuffer{}}
	store, err := sqlite.Open(e.ctx, filepath.Join(t.TempDir(), "permitline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e.store = store
	e.svc = domain.New(domain.Config{Store: store, Clock: e.clock, Holidays: fixtures.MustBankHolidays(),
		PIN: pin.TestKeyed(), IDs: domain.NewSeededIDs(uint64(len(t.Name())))})
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ImportSchemes(e.ctx, domain.Admin("test"), schemes); err != nil {
		t.Fatal(err)
	}

	e.fake = fakeapi.New()
	e.fake.Now = e.clock.Now
	e.srv = httptest.NewServer(e.fake)
	t.Cleanup(func() { e.srv.Close() })
	target, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	e.target = target
	e.cfg = outbound.Config{API: e.api(2 * time.Second), From: line, StatusCallback: callback}
	for _, o := range opts {
		o(&e.cfg)
	}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.sender = outbound.New(e.cfg, e.svc, e.render, log)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("sender's log:\n%s", e.logs)
		}
	})
	return e
}

// render is the test's renderer: the kind, the visit's reference and VRM; nothing for the
// reminder of a visit no longer active.
func (e *env) render(r domain.Reader, m domain.Outgoing, now time.Time) (string, bool, error) {
	if err := e.renderErr.Load(); err != nil {
		return "", false, *err
	}
	v, err := r.VisitByID(m.VisitID)
	if err != nil {
		return "", false, err
	}
	if m.Kind == domain.NoticeReminder && v.Status != domain.VisitActive {
		return "", false, nil
	}
	return fmt.Sprintf("%s %s %s", m.Kind, v.Ref, v.VRM), true, nil
}

func (e *env) set(now string) { e.clock.Set(servertest.At(e.t, now)) }

var payN atomic.Int64

// resident opens a registered account in Coleridge West (Mon-Fri 09:00-18:00) with one permit.
func (e *env) resident(phoneNo string) domain.Resident {
	e.t.Helper()
	admin := domain.Admin("test")
	res, err := e.svc.AddResident(e.ctx, admin, domain.NewResident{Name: "Test Resident " + phoneNo,
		Address: "1 Test Road " + phoneNo, Postcode: "CB1 1AA", Scheme: "Coleridge West", Phone: phoneNo, PIN: "2580"})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.ApproveRegistration(e.ctx, admin, res.Account, domain.Proof{Document: domain.DocDrivingLicence}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.BuyPermits(e.ctx, admin, res.Account, 1, domain.PaymentIn{Amount: domain.PermitPrice,
		ProviderRef: "TEST", IdempotencyKey: "test:" + strconv.FormatInt(payN.Add(1), 10)}); err != nil {
		e.t.Fatal(err)
	}
	return res
}

func voice(res domain.Resident) domain.Actor {
	return domain.Actor{Kind: domain.ActorResident, ID: res.ID, Name: res.Name, Channel: domain.ChannelVoice}
}

// activate activates a visit by phone; date "" means today.
func (e *env) activate(res domain.Resident, vrm, date string) domain.Visit {
	e.t.Helper()
	var d calendar.Date
	if date != "" {
		var err error
		if d, err = calendar.ParseDate(date); err != nil {
			e.t.Fatal(err)
		}
	}
	a, err := e.svc.ActivateVisit(e.ctx, voice(res), res.Account, domain.VisitRequest{VRM: vrm, Date: d})
	if err != nil {
		e.t.Fatal(err)
	}
	return a.Visit
}

func (e *env) flush(want int) {
	e.t.Helper()
	n, err := e.sender.Flush(e.ctx)
	if err != nil {
		e.t.Fatalf("flush: %v", err)
	}
	if n != want {
		e.t.Fatalf("flush sent %d, want %d", n, want)
	}
}

// outbox returns every row of the outbox, by id.
func (e *env) outbox() []domain.Outgoing {
	e.t.Helper()
	var out []domain.Outgoing
	err := e.svc.View(e.ctx, func(r domain.Reader) error {
		for id := int64(1); ; id++ {
			m, err := r.OutgoingByID(id)
			if errors.Is(err, domain.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			out = append(out, m)
		}
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// row returns the outbox row of kind for a visit.
func (e *env) row(kind domain.NoticeKind, v domain.Visit) domain.Outgoing {
	e.t.Helper()
	for _, m := range e.outbox() {
		if m.Kind == kind && m.VisitID == v.ID {
			return m
		}
	}
	e.t.Fatalf("no %s text for visit %s", kind, v.Ref)
	return domain.Outgoing{}
}

// wantRequests checks the fake was asked exactly n times, and accepted the bodies given.
func (e *env) wantRequests(n int, bodies ...string) []fakeapi.Message {
	e.t.Helper()
	msgs := e.fake.Messages()
	if got := e.fake.Requests(); got != n {
		e.t.Fatalf("the fake got %d requests, want %d; accepted %+v", got, n, msgs)
	}
	if len(msgs) != len(bodies) {
		e.t.Fatalf("the fake accepted %d messages, want %d: %+v", len(msgs), len(bodies), msgs)
	}
	for i, b := range bodies {
		if msgs[i].Body != b {
			e.t.Fatalf("message %d says %q, want %q", i, msgs[i].Body, b)
		}
	}
	return msgs
}

func body(kind domain.NoticeKind, v domain.Visit) string {
	return fmt.Sprintf("%s %s %s", kind, v.Ref, v.VRM)
}

// api is twilio-go's REST client for the test account, reaching the fake API through a
// client with the timeout.
func (e *env) api(timeout time.Duration) outbound.Messages {
	return twilioapi.New(accountSid, authToken, &http.Client{Transport: fakeapi.Transport(e.target, nil),
		Timeout: timeout}).Api
}

// statusCallback hands Twilio's status callback (query and form as Twilio sends them) to
// the sender, decoded as the webhook route decodes it, and returns the status the route
// answers: 204 when recorded, 400 for a form it refuses.
func (e *env) statusCallback(query string, form url.Values) int {
	e.t.Helper()
	q, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		e.t.Fatal(err)
	}
	f, err := sms.DecodeStatus(q, form)
	if err != nil {
		return http.StatusBadRequest
	}
	if err := e.sender.RecordStatus(e.ctx, f); err != nil {
		e.t.Fatal(err)
	}
	return http.StatusNoContent
}

func TestConfirmationSentOnce(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00") // a Monday
	res := e.resident("07700 900123")
	v := e.activate(res, "AB12CDE", "")
	e.flush(1)
	msgs := e.wantRequests(1, body(domain.NoticeActivated, v))
	m := msgs[0]
	row := e.row(domain.NoticeActivated, v)
	if m.To != "+447700900123" || m.From != line || m.AccountSid != accountSid ||
		m.StatusCallback != callback+"?outbox="+strconv.FormatInt(row.ID, 10) {
		t.Fatalf("sent %+v", m)
	}
	if row.Status != domain.OutboxSent || row.ProviderSid != m.Sid || row.Body != m.Body ||
		row.DeliveryStatus != "queued" || row.Attempts != 0 || !row.UpdatedAt.Equal(e.clock.Now()) {
		t.Fatalf("row %+v", row)
	}
	e.flush(0)
	e.clock.Advance(time.Hour)
	e.flush(0)
	e.wantRequests(1, body(domain.NoticeActivated, v))
	if logs := e.logs.String(); strings.Contains(logs, "+447700900123") || !strings.Contains(logs, "+********0123") {
		t.Fatalf("the log shows the number unmasked, or not at all:\n%s", logs)
	}
}

func TestReminderAtSevenOnTheDay(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	res := e.resident("07700 900123")
	v := e.activate(res, "AB12CDE", "2026-12-01")
	e.flush(1) // the confirmation only
	e.wantRequests(1, body(domain.NoticeActivated, v))
	if r := e.row(domain.NoticeReminder, v); r.Status != domain.OutboxPending || !r.NotBefore.Equal(servertest.At(t, "2026-12-01 07:00")) {
		t.Fatalf("reminder %+v", r)
	}
	e.clock.Set(servertest.At(t, "2026-12-01 07:00").Add(-time.Second))
	e.flush(0)
	e.set("2026-12-01 07:00")
	e.flush(1)
	e.flush(0)
	msgs := e.wantRequests(2, body(domain.NoticeActivated, v), body(domain.NoticeReminder, v))
	if msgs[1].To != "+447700900123" || e.row(domain.NoticeReminder, v).Status != domain.OutboxSent {
		t.Fatalf("reminder %+v", msgs[1])
	}
}

func TestReminderOfCancelledVisitSkipped(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	res := e.resident("07700 900123")
	v := e.activate(res, "AB12CDE", "2026-12-01")
	e.set("2026-11-30 11:00")
	if _, err := e.svc.CancelVisit(e.ctx, voice(res), v.Ref); err != nil {
		t.Fatal(err)
	}
	e.flush(2)
	e.set("2026-12-01 07:00")
	e.flush(0)
	e.wantRequests(2, body(domain.NoticeActivated, v), body(domain.NoticeCancelled, v))
	if r := e.row(domain.NoticeReminder, v); r.Status != domain.OutboxSkipped || r.Body != "" {
		t.Fatalf("reminder %+v", r)
	}
	e.clock.Advance(24 * time.Hour)
	e.flush(0)
	e.wantRequests(2, body(domain.NoticeActivated, v), body(domain.NoticeCancelled, v))
}

func TestRetriesWithBackoff(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	v := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	e.fake.FailNext(3, http.StatusInternalServerError)
	want := func(requests, attempts int, wait time.Duration) {
		t.Helper()
		e.wantRequests(requests)
		r := e.row(domain.NoticeActivated, v)
		if r.Status != domain.OutboxPending || r.Attempts != attempts || !r.NextTry.Equal(e.clock.Now().Add(wait)) ||
			!strings.Contains(r.LastError, "20500") {
			t.Fatalf("after %d requests: %+v", requests, r)
		}
	}
	e.flush(0)
	want(1, 1, 5*time.Second)
	e.flush(0) // not yet
	e.clock.Advance(4 * time.Second)
	e.flush(0)
	e.wantRequests(1)
	e.clock.Advance(time.Second)
	e.flush(0)
	want(2, 2, 10*time.Second)
	e.clock.Advance(10 * time.Second)
	e.flush(0)
	want(3, 3, 20*time.Second)
	e.clock.Advance(19 * time.Second)
	e.flush(0)
	e.wantRequests(3)
	e.clock.Advance(time.Second)
	e.flush(1)
	e.flush(0)
	e.clock.Advance(time.Hour)
	e.flush(0)
	e.wantRequests(4, body(domain.NoticeActivated, v))
	if r := e.row(domain.NoticeActivated, v); r.Status != domain.OutboxSent || r.Attempts != 3 || r.ProviderSid == "" {
		t.Fatalf("row %+v", r)
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 320 * time.Second, 10 * time.Minute, 10 * time.Minute}
	for i, w := range want {
		if got := outbound.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := outbound.Backoff(1000); got != 10*time.Minute {
		t.Errorf("Backoff(1000) = %s", got)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00", func(c *outbound.Config) { c.MaxAttempts = 3 })
	v := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	e.fake.FailNext(100, http.StatusServiceUnavailable)
	for i := range 3 {
		e.flush(0)
		e.clock.Advance(outbound.Backoff(i + 1))
	}
	e.clock.Advance(time.Hour)
	e.flush(0)
	e.wantRequests(3)
	if r := e.row(domain.NoticeActivated, v); r.Status != domain.OutboxFailed || r.Attempts != 3 || !strings.Contains(r.LastError, "20503") {
		t.Fatalf("row %+v", r)
	}
}

func TestServerDownRetried(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	v := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	addr := e.srv.Listener.Addr().String()
	e.srv.Close()
	e.flush(0)
	r := e.row(domain.NoticeActivated, v)
	if r.Status != domain.OutboxPending || r.Attempts != 1 || r.LastError == "" || !r.NextTry.Equal(e.clock.Now().Add(5*time.Second)) {
		t.Fatalf("row %+v", r)
	}
	// The API comes back on the same address.
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	e.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: e.fake}}
	e.srv.Start()
	e.flush(0) // not yet
	e.clock.Advance(5 * time.Second)
	e.flush(1)
	e.flush(0)
	e.wantRequests(1, body(domain.NoticeActivated, v))
	if r := e.row(domain.NoticeActivated, v); r.Status != domain.OutboxSent || r.Attempts != 1 {
		t.Fatalf("row %+v", r)
	}
}

func TestTimeoutRetried(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	e.cfg.API = e.api(200 * time.Millisecond)
	e.sender = outbound.New(e.cfg, e.svc, e.render, slog.New(slog.NewTextHandler(e.logs, nil)))
	v := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	e.fake.Delay(5 * time.Second)
	start := time.Now()
	e.flush(0)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("the pass took %s: the client's timeout was not used", d)
	}
	r := e.row(domain.NoticeActivated, v)
	if r.Status != domain.OutboxPending || r.Attempts != 1 || !strings.HasPrefix(r.LastError, "timed out: ") {
		t.Fatalf("row %+v", r)
	}
	e.fake.Delay(0)
	e.clock.Advance(5 * time.Second)
	e.flush(1)
	e.flush(0)
	e.wantRequests(1, body(domain.NoticeActivated, v)) // the abandoned request never reached "Twilio"
}

func TestRendererErrorRetried(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	v := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	boom := errors.New("no words today")
	e.renderErr.Store(&boom)
	e.flush(0)
	if r := e.row(domain.NoticeActivated, v); r.Status != domain.OutboxPending || r.Attempts != 1 || !strings.Contains(r.LastError, "no words today") {
		t.Fatalf("row %+v", r)
	}
	e.renderErr.Store(nil)
	e.clock.Advance(5 * time.Second)
	e.flush(1)
	e.wantRequests(1, body(domain.NoticeActivated, v))
}

func TestPermanentErrors(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	a := e.resident("07700 900123")
	b := e.resident("07700 900124")
	va := e.activate(a, "AB12CDE", "")
	e.fake.FailNextWith(1, http.StatusBadRequest, 21211, "The 'To' number +447700900123 is not a valid phone number.")
	e.flush(0)
	r := e.row(domain.NoticeActivated, va)
	if r.Status != domain.OutboxFailed || r.Attempts != 1 || !strings.Contains(r.LastError, "21211") ||
		strings.Contains(r.LastError, "+447700900123") {
		t.Fatalf("row %+v", r)
	}

	vb := e.activate(b, "CD34EFG", "2026-12-01") // a confirmation and a reminder
	e.fake.FailNextWith(1, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
	e.flush(0)
	if r := e.row(domain.NoticeActivated, vb); r.Status != domain.OutboxSkipped || !strings.Contains(r.LastError, "21610") {
		t.Fatalf("confirmation %+v", r)
	}
	if r := e.row(domain.NoticeReminder, vb); r.Status != domain.OutboxSkipped {
		t.Fatalf("reminder %+v", r)
	}
	var out bool
	if err := e.svc.View(e.ctx, func(r domain.Reader) (err error) { out, err = r.OptedOut(b.Phone); return err }); err != nil || !out {
		t.Fatalf("opted out: %v %v", out, err)
	}
	e.set("2026-12-01 08:00")
	e.flush(0)
	e.wantRequests(2)
}

// leaveSending puts a row in the state a sender that stopped after claiming it leaves.
func (e *env) leaveSending(m domain.Outgoing) {
	e.t.Helper()
	err := e.svc.Update(e.ctx, func(op *domain.Op) error {
		m.Status, m.Body, m.UpdatedAt = domain.OutboxSending, "claimed by a sender that stopped", op.Now()
		return op.Tx().UpdateOutgoing(m)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func TestStaleSendingRetriedUnlessCallbackSaysSent(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	a := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	b := e.activate(e.resident("07700 900124"), "CD34EFG", "")
	ra, rb := e.row(domain.NoticeActivated, a), e.row(domain.NoticeActivated, b)
	e.leaveSending(ra)
	e.leaveSending(rb)
	e.flush(0) // still held by the stopped sender

	// Twilio had b: its status callback names the row, as the sender never recorded the SID.
	const sid = "SM00000000000000000000000000000b0b"
	if code := e.statusCallback("?outbox="+strconv.FormatInt(rb.ID, 10), url.Values{"MessageSid": {sid},
		"MessageStatus": {"sent"}, "AccountSid": {accountSid}}); code != http.StatusNoContent {
		t.Fatalf("callback answered %d", code)
	}
	if r := e.row(domain.NoticeActivated, b); r.Status != domain.OutboxSent || r.ProviderSid != sid || r.DeliveryStatus != "sent" {
		t.Fatalf("b after its callback: %+v", r)
	}

	e.clock.Advance(outbound.StaleAfter)
	e.flush(0) // exactly two minutes: not yet
	e.clock.Advance(time.Second)
	e.flush(1)
	e.flush(0)
	e.clock.Advance(time.Hour)
	e.flush(0)
	msgs := e.wantRequests(1, body(domain.NoticeActivated, a))
	if msgs[0].To != "+447700900123" {
		t.Fatalf("sent %+v", msgs[0])
	}
	if r := e.row(domain.NoticeActivated, a); r.Status != domain.OutboxSent || r.Attempts != 1 || r.ProviderSid != msgs[0].Sid {
		t.Fatalf("a %+v", r)
	}
	if r := e.row(domain.NoticeActivated, b); r.Status != domain.OutboxSent || r.ProviderSid != sid {
		t.Fatalf("b %+v", r)
	}
}

func TestStatusCallback(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	v := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	e.flush(1)
	sid := e.wantRequests(1, body(domain.NoticeActivated, v))[0].Sid
	id := "?outbox=" + strconv.FormatInt(e.row(domain.NoticeActivated, v).ID, 10)
	post := func(status, code string) {
		t.Helper()
		f := url.Values{"MessageSid": {sid}, "MessageStatus": {status}, "AccountSid": {accountSid}}
		if code != "" {
			f.Set("ErrorCode", code)
		}
		if c := e.statusCallback(id, f); c != http.StatusNoContent {
			t.Fatalf("%s: answered %d", status, c)
		}
	}
	post("sent", "")
	if r := e.row(domain.NoticeActivated, v); r.DeliveryStatus != "sent" || r.Status != domain.OutboxSent {
		t.Fatalf("after sent: %+v", r)
	}
	e.clock.Advance(3 * time.Second)
	post("delivered", "")
	delivered := e.row(domain.NoticeActivated, v)
	if delivered.DeliveryStatus != "delivered" || delivered.Status != domain.OutboxSent || delivered.ProviderSid != sid {
		t.Fatalf("after delivered: %+v", delivered)
	}
	post("sent", "") // a late report does not undo a later one
	if r := e.row(domain.NoticeActivated, v); r.DeliveryStatus != "delivered" {
		t.Fatalf("after a late sent: %+v", r)
	}

	// An unknown message: 204 and nothing changes.
	before := e.outbox()
	if c := e.statusCallback("", url.Values{"MessageSid": {"SMffffffffffffffffffffffffffffffff"},
		"MessageStatus": {"delivered"}}); c != http.StatusNoContent {
		t.Fatalf("unknown sid: %d", c)
	}
	// A second message for a row that already has a SID does not take it over.
	if c := e.statusCallback(id, url.Values{"MessageSid": {"SMeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"},
		"MessageStatus": {"failed"}}); c != http.StatusNoContent {
		t.Fatalf("second sid: %d", c)
	}
	if c := e.statusCallback("", url.Values{"MessageStatus": {"delivered"}}); c != http.StatusBadRequest {
		t.Fatalf("without a sid: %d", c)
	}
	if after := e.outbox(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the outbox changed:\n%+v\n%+v", before, after)
	}

	// Undelivered, with Twilio's error code.
	w := e.activate(e.resident("07700 900124"), "CD34EFG", "")
	e.flush(1)
	sid = e.fake.Messages()[1].Sid
	post("undelivered", "30003")
	if r := e.row(domain.NoticeActivated, w); r.DeliveryStatus != "undelivered" || !strings.Contains(r.LastError, "30003") {
		t.Fatalf("undelivered: %+v", r)
	}
}

func TestLandlineGetsNothing(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	res := e.resident("01632 960123")
	e.activate(res, "AB12CDE", "2026-12-01")
	if rows := e.outbox(); len(rows) != 0 {
		t.Fatalf("queued for a landline: %+v", rows)
	}
	e.flush(0)
	e.set("2026-12-01 07:00")
	e.flush(0)
	e.wantRequests(0)
}

func (e *env) optOut(res domain.Resident) {
	e.t.Helper()
	if err := e.svc.Update(e.ctx, func(op *domain.Op) error { return op.SetOptOut(res.Phone, true) }); err != nil {
		e.t.Fatal(err)
	}
}

func TestOptedOutGetsNothing(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	// Opted out before the visit: nothing is queued.
	a := e.resident("07700 900123")
	e.optOut(a)
	e.activate(a, "AB12CDE", "2026-12-01")
	if rows := e.outbox(); len(rows) != 0 {
		t.Fatalf("queued for an opted-out number: %+v", rows)
	}
	// Opted out with texts queued: the domain drops them.
	b := e.resident("07700 900124")
	vb := e.activate(b, "CD34EFG", "2026-12-01")
	e.optOut(b)
	// Opted out while a stopped sender held a text: the sender drops it when it takes it back.
	c := e.resident("07700 900125")
	vc := e.activate(c, "EF56GHJ", "")
	e.leaveSending(e.row(domain.NoticeActivated, vc))
	e.optOut(c)

	e.flush(0)
	e.clock.Advance(3 * time.Minute)
	e.flush(0)
	e.set("2026-12-01 07:00")
	e.flush(0)
	e.wantRequests(0)
	for _, r := range []domain.Outgoing{e.row(domain.NoticeActivated, vb), e.row(domain.NoticeReminder, vb),
		e.row(domain.NoticeActivated, vc)} {
		if r.Status != domain.OutboxSkipped {
			t.Fatalf("row %+v", r)
		}
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	v := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if n, err := e.sender.Flush(ctx); err == nil || n != 0 {
		t.Fatalf("flush with a cancelled context: %d, %v", n, err)
	}
	if r := e.row(domain.NoticeActivated, v); r.Status != domain.OutboxPending || r.Attempts != 0 {
		t.Fatalf("row %+v", r)
	}
	e.wantRequests(0)
}

func TestRun(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00", func(c *outbound.Config) { c.Batch = 1 })
	v1 := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	v2 := e.activate(e.resident("07700 900124"), "CD34EFG", "")
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.sender.Run(ctx, time.Hour) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(e.fake.Messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	// A full batch is followed at once by another pass, without waiting the hour.
	e.wantRequests(2, body(domain.NoticeActivated, v1), body(domain.NoticeActivated, v2))
}

// With a clock that runs (nanoseconds, where the store keeps microseconds) a failure is
// still recorded on the text the sender claimed.
func TestRunningClock(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	v := e.activate(e.resident("07700 900123"), "AB12CDE", "")
	running := domain.StartingAt(servertest.At(t, "2026-11-30 10:00").Add(123456789 * time.Nanosecond))
	e.svc = domain.New(domain.Config{Store: e.store, Clock: running, Holidays: fixtures.MustBankHolidays()})
	e.sender = outbound.New(e.cfg, e.svc, e.render, slog.New(slog.NewTextHandler(e.logs, nil)))
	e.fake.FailNext(1, http.StatusInternalServerError)
	e.flush(0)
	r := e.row(domain.NoticeActivated, v)
	if r.Status != domain.OutboxPending || r.Attempts != 1 {
		t.Fatalf("row %+v", r)
	}
	e.svc = domain.New(domain.Config{Store: e.store, Clock: domain.StartingAt(r.NextTry.Add(time.Second)),
		Holidays: fixtures.MustBankHolidays()})
	e.sender = outbound.New(e.cfg, e.svc, e.render, slog.New(slog.NewTextHandler(e.logs, nil)))
	e.flush(1)
	e.wantRequests(2, body(domain.NoticeActivated, v))
}

// A status callback with ErrorCode 21610 (the recipient has opted out, as a Messaging
// Service reports it) records the opt-out: the number's queued texts are dropped, and
// nothing more is sent to it, as after a STOP.
func TestStatusCallbackUnsubscribedRecordsTheOptOut(t *testing.T) {
	e := newEnv(t, "2026-11-30 10:00")
	res := e.resident("07700 900123")
	v := e.activate(res, "AB12CDE", "2026-12-01") // a confirmation now, a reminder tomorrow
	e.flush(1)
	sid := e.wantRequests(1, body(domain.NoticeActivated, v))[0].Sid
	id := "?outbox=" + strconv.FormatInt(e.row(domain.NoticeActivated, v).ID, 10)
	if c := e.statusCallback(id, url.Values{"MessageSid": {sid}, "MessageStatus": {"failed"}, "ErrorCode": {"21610"},
		"AccountSid": {accountSid}, "To": {res.Phone}}); c != http.StatusNoContent {
		t.Fatalf("callback answered %d", c)
	}
	var out bool
	if err := e.svc.View(e.ctx, func(r domain.Reader) (err error) { out, err = r.OptedOut(res.Phone); return err }); err != nil || !out {
		t.Fatalf("opted out: %v %v", out, err)
	}
	if r := e.row(domain.NoticeActivated, v); r.DeliveryStatus != "failed" || !strings.Contains(r.LastError, "21610") {
		t.Fatalf("the confirmation: %+v", r)
	}
	if r := e.row(domain.NoticeReminder, v); r.Status != domain.OutboxSkipped {
		t.Fatalf("the reminder was not dropped: %+v", r)
	}
	// Texts queued later are not queued at all, and nothing more goes out.
	w := e.activate(res, "CD34EFG", "")
	e.set("2026-12-01 07:00")
	e.flush(0)
	e.wantRequests(1, body(domain.NoticeActivated, v))
	for _, m := range e.outbox() {
		if m.VisitID == w.ID {
			t.Fatalf("queued for an opted-out number: %+v", m)
		}
	}
	if !strings.Contains(e.logs.String(), "sms opt-out recorded") || strings.Contains(e.logs.String(), "+447700900123") {
		t.Fatalf("log:\n%s", e.logs)
	}

	// Another error code records no opt-out.
	other := e.resident("07700 900124")
	e.activate(other, "EF56GHJ", "")
	e.flush(1)
	sid = e.fake.Messages()[1].Sid
	if c := e.statusCallback("", url.Values{"MessageSid": {sid}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"},
		"AccountSid": {accountSid}}); c != http.StatusNoContent {
		t.Fatalf("callback answered %d", c)
	}
	if err := e.svc.View(e.ctx, func(r domain.Reader) (err error) { out, err = r.OptedOut(other.Phone); return err }); err != nil || out {
		t.Fatalf("30003 opted out: %v %v", out, err)
	}
}
