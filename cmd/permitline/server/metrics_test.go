package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twilioapi"
	"permitline/ivr/twiliosim"
	"permitline/sms"
	"permitline/sms/fakeapi"
	"permitline/sms/outbound"
)

// counting is a transport that notes every webhook the simulated Twilio sends, by path
// and the status it was answered with: what /metrics must report.
type counting struct {
	mu   sync.Mutex
	seen map[[2]string]int // {path, status}
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		c.note(r.URL.Path, resp.StatusCode)
	}
	return resp, err
}

func (c *counting) note(path string, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[[2]string{path, strconv.Itoa(status)}]++
}

// scrape GETs /metrics as a scraper on this machine and parses the answer.
func scrape(t *testing.T, l *servertest.Line) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(l.Srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %s %s", resp.Status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// gauge is the value of a family's one unlabelled gauge.
func gauge(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil || len(f.Metric) != 1 || f.Metric[0].Gauge == nil {
		t.Fatalf("%s: want one gauge, got %v", name, f)
	}
	return f.Metric[0].Gauge.GetValue()
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// A morning's work through the real webhooks, then /metrics: every webhook counted once
// by its route and status, the latency histogram holding each, the outbox's backlog and
// failures as the store has them, the helpdesk queue's waiting call.
func TestMetricsReportWhatTheLineDid(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	alex := l.People["Alex Morgan"].Phone
	sent := &counting{seen: map[[2]string]int{}}

	// A call: Alex activates a visit for AB12 CDE tomorrow, which queues its confirmation
	// now and its reminder for 07:00 tomorrow.
	sim := l.Sim(alex, "+443455207007")
	sim.Client = &http.Client{Transport: sent, Timeout: 15 * time.Second}
	call, err := twiliosim.Dial(l.Ctx, sim)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.Next(l.Ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"2580", "1", "1", "2", "1"} {
		if _, err := call.Press(l.Ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := call.Hangup(l.Ctx); err != nil {
		t.Fatal(err)
	}
	if vs := l.Upcoming("Alex Morgan"); len(vs) != 1 {
		t.Fatalf("visits: %+v", vs)
	}
	// A text, and a forged webhook.
	code, _ := l.SignedPost("/twilio/sms", url.Values{"MessageSid": {servertest.Sid("SM", 1)}, "From": {alex},
		"To": {"+447700900000"}, "Body": {"BAL"}})
	sent.note("/twilio/sms", code)
	forged, err := twiliosim.NewRequest(l.Ctx, "not the line's token 0000000000000", l.Srv.URL+"/twilio/voice",
		url.Values{"CallSid": {servertest.Sid("CA", 2)}, "AccountSid": {servertest.AccountSid}, "From": {alex}})
	if err != nil {
		t.Fatal(err)
	}
	code, _ = servertest.Do(t, forged)
	if code != http.StatusForbidden {
		t.Fatalf("forged webhook answered %d", code)
	}
	sent.note("/twilio/voice", code)
	// A caller waiting for an agent.
	if err := l.Svc.QueueUnknownCaller(l.Ctx, servertest.Sid("CA", 3), "+447700900999"); err != nil {
		t.Fatal(err)
	}
	l.Clock.Set(l.Clock.Now().Add(90 * time.Second))

	fams := scrape(t, l)
	got := map[[2]string]int{}
	for _, m := range fams["permitline_webhooks_total"].GetMetric() {
		got[[2]string{label(m, "route"), label(m, "status")}] = int(m.GetCounter().GetValue())
	}
	if fmt.Sprint(got) != fmt.Sprint(sent.seen) {
		t.Errorf("webhooks by route and status:\n got %v\nwant %v", got, sent.seen)
	}
	if sent.seen[[2]string{"/twilio/voice/step", "200"}] < 5 || sent.seen[[2]string{"/twilio/voice", "403"}] != 1 {
		t.Errorf("the morning did not go as planned: %v", sent.seen)
	}
	perRoute := map[string]int{}
	for k, n := range sent.seen {
		perRoute[k[0]] += n
	}
	for _, m := range fams["permitline_webhook_duration_seconds"].GetMetric() {
		h := m.GetHistogram()
		route := label(m, "route")
		if int(h.GetSampleCount()) != perRoute[route] || h.GetSampleSum() <= 0 {
			t.Errorf("latency of %s: %d samples summing %gs, want %d", route, h.GetSampleCount(), h.GetSampleSum(), perRoute[route])
		}
		delete(perRoute, route)
	}
	if len(perRoute) != 0 {
		t.Errorf("routes with no latency: %v", perRoute)
	}

	// The backlog against the store: the confirmation is due, and has waited 90 s.
	var due []domain.Outgoing
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		due, err = r.DueOutgoing(l.Clock.Now(), l.Clock.Now().Add(-outbound.StaleAfter), 100)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].Kind != domain.NoticeActivated {
		t.Fatalf("texts due in the store: %+v", due)
	}
	queued, err := l.Svc.QueuedTransfers(l.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{
		"permitline_outbox_waiting_texts":          float64(len(due)),
		"permitline_outbox_oldest_waiting_seconds": 90,
		"permitline_outbox_scheduled_texts":        1,
		"permitline_outbox_failed_texts":           0,
		"permitline_helpdesk_queued_calls":         float64(len(queued)),
		"permitline_store_writer_queue":            0,
	} {
		if v := gauge(t, fams, name); v != want {
			t.Errorf("%s = %g, want %g", name, v, want)
		}
	}
	if len(queued) != 1 {
		t.Errorf("queued calls in the store: %+v", queued)
	}
	if v := fams["permitline_text_send_errors_total"].GetMetric()[0].GetCounter().GetValue(); v != 0 {
		t.Errorf("send errors before any send: %g", v)
	}
	if fams["go_goroutines"] == nil || fams["process_cpu_seconds_total"] == nil {
		t.Errorf("the Go and process collectors are missing")
	}

	// Twilio refuses the confirmation for good: one send errored, one text failed, none waits.
	fake := fakeapi.New()
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	target, _ := url.Parse(api.URL)
	s := outbound.New(outbound.Config{API: twilioapi.New(servertest.AccountSid, servertest.Token,
		&http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second}).Api,
		From: "+447700900000", SendErrored: l.Metrics.SendErrored}, l.Svc, sms.Notice,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	fake.FailNextWith(1, http.StatusBadRequest, 21211, "The 'To' number is not a valid phone number.")
	if _, err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	fams = scrape(t, l)
	for name, want := range map[string]float64{
		"permitline_outbox_waiting_texts":          0,
		"permitline_outbox_oldest_waiting_seconds": 0,
		"permitline_outbox_scheduled_texts":        1,
		"permitline_outbox_failed_texts":           1,
	} {
		if v := gauge(t, fams, name); v != want {
			t.Errorf("after the refusal, %s = %g, want %g", name, v, want)
		}
	}
	if v := fams["permitline_text_send_errors_total"].GetMetric()[0].GetCounter().GetValue(); v != 1 {
		t.Errorf("send errors: %g, want 1", v)
	}
}

// /metrics is for the ops team: without a token, this machine alone and not through a
// proxy; with one, its holders alone.
func TestMetricsAreForTheOpsTeamOnly(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	get := func(header, value string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, l.Srv.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		if header != "" {
			req.Header.Set(header, value)
		}
		code, _ := servertest.Do(t, req)
		return code
	}
	if code := get("", ""); code != http.StatusOK {
		t.Errorf("from this machine: %d", code)
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-IP"} {
		if code := get(h, "192.0.2.7"); code != http.StatusForbidden {
			t.Errorf("through a proxy (%s): %d", h, code)
		}
	}
	l.MetricsToken = "ops-team-token-0123456789"
	l.Restart()
	for _, tc := range []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{"ops-team-token-0123456789", http.StatusUnauthorized},
		{"Bearer ops-team-token-0123456789", http.StatusOK},
	} {
		if code := get("Authorization", tc.auth); code != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.auth, code, tc.want)
		}
	}
}
