package desk_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
)

// queueCall puts the call sid from the number through to the queue at the clock's time.
func queueCall(t *testing.T, l *servertest.Line, sid, from string) domain.Transfer {
	t.Helper()
	var tr domain.Transfer
	err := l.Svc.Update(l.Ctx, func(o *domain.Op) (err error) {
		tr, err = o.QueueTransfer(domain.TransferIn{CallSid: sid, From: from, Reason: "asked for an agent", Context: []byte("{}")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestSupervisorFiguresAfterAMorningOfCalls(t *testing.T) {
	l, c := danaAtDesk(t)
	dana, err := l.Svc.AgentByID(l.Ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// 10:00 four calls come in; one taken after 30 s, one after 90 s (then finished), one
	// hangs up, one still waits; a fifth asks to be called back and the callback is made.
	a := queueCall(t, l, "CA1", "+447700900201")
	b := queueCall(t, l, "CA2", "+447700900202")
	ab := queueCall(t, l, "CA3", "+447700900203")
	l.Clock.Advance(30 * time.Second)
	if _, err := l.Svc.ClaimTransfer(l.Ctx, dana, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Svc.EndTransfer(l.Ctx, dana, a.ID, domain.TransferDone, ""); err != nil {
		t.Fatal(err)
	}
	if err := l.Svc.Update(l.Ctx, func(o *domain.Op) error { return o.LeaveQueue("CA3", domain.TransferAbandoned) }); err != nil {
		t.Fatal(err)
	}
	l.Clock.Advance(60 * time.Second)
	if _, err := l.Svc.ClaimTransfer(l.Ctx, dana, b.ID); err != nil {
		t.Fatal(err)
	}
	queueCall(t, l, "CA4", "+447700900204")
	l.Clock.Advance(45 * time.Second)
	_ = ab
	want := domain.HelpdeskFigures{Waiting: 1, LongestWait: 45 * time.Second, AgentsOnCall: 1, AgentsSignedIn: 1, Offered: 4, Answered: 2,
		AnsweredInTime: 1, Abandoned: 1, AverageWait: 60 * time.Second, ServiceLevel: 25, Target: 80}
	got, err := l.Svc.TodayFigures(l.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	want.At = got.At
	if got != want {
		t.Fatalf("figures:\n got %+v\nwant %+v", got, want)
	}
	page := c.get("/desk/supervisor")
	if page.status != http.StatusOK {
		t.Fatalf("supervisor page: %d", page.status)
	}
	for _, s := range []string{`id="calls-waiting"><strong>1<`, `id="longest-wait">45 s<`, `id="calls-offered">4<`,
		`id="calls-answered">2<`, `id="answered-in-time">1<`, `25%</strong> against 80%`, `id="calls-abandoned">1<`,
		`id="average-wait">1 min 00 s<`, `id="callbacks-made">0<`, `id="agents-on-call">1<`, "+********0204"} {
		if !strings.Contains(page.body, s) {
			t.Errorf("the supervisor page lacks %s", s)
		}
	}
	w := httptest.NewRecorder()
	l.Metrics.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]float64{"calls_waiting": 1, "longest_wait_seconds": 45, "calls_offered_today": 4,
		"calls_answered_today": 2, "calls_answered_in_time_today": 1, "calls_abandoned_today": 1,
		"average_wait_seconds_today": 60, "service_level_percent_today": 25, "service_level_target_percent": 80,
		"callbacks_made_today": 0, "agents_on_call": 1, "agents_signed_in": 1, "callbacks_due": 0, "voicemails_waiting": 0} {
		f := fams["permitline_helpdesk_"+name]
		if f == nil || f.Metric[0].GetGauge().GetValue() != v {
			t.Errorf("permitline_helpdesk_%s: %v, want %v", name, f, v)
		}
	}
}

func TestSupervisorFiguresAreLive(t *testing.T) {
	l, c := danaAtDesk(t)
	page := c.get("/desk/supervisor")
	for _, want := range []string{`<div id="figures" data-events="/desk/events?figures=1">`, `id="calls-waiting"><strong>0<`,
		`id="agents-signed-in">1<`, `<section id="queue"`, "reload the page"} {
		if !strings.Contains(page.raw, want) {
			t.Errorf("the supervisor page (without JavaScript) lacks %s", want)
		}
	}
	ctx, cancel := contextWithTimeout(t, 20*time.Second)
	defer cancel()
	figs := c.streamOf(ctx, "/desk/events?figures=1", "figures")
	defer figs.cancel()
	queueOnly := c.streamOf(ctx, "/desk/events", "figures")
	defer queueOnly.cancel()
	figs.next(t, 5*time.Second, func(ev string) bool {
		return strings.Contains(ev, `id="calls-waiting"><strong>0<`) && strings.Contains(ev, `id="agents-signed-in">1<`)
	})
	// A call joins the queue and waits 20 s; the figures follow, now and today.
	queueCall(t, l, "CA1", "+447700900201")
	l.Clock.Advance(20 * time.Second)
	ev := figs.next(t, 5*time.Second, func(ev string) bool { return strings.Contains(ev, `id="longest-wait">20 s<`) })
	for _, want := range []string{`<div id="figures"`, `id="calls-waiting"><strong>1<`, `id="calls-offered">1<`,
		`id="calls-answered">0<`} {
		if !strings.Contains(ev, want) {
			t.Errorf("the live figures lack %s:\n%s", want, ev)
		}
	}
	if strings.Contains(ev, `id="queue"`) {
		t.Errorf("the figures event carries the queue too:\n%s", ev)
	}
	select {
	case ev := <-queueOnly.events:
		t.Errorf("the queue's own stream sent the figures:\n%s", ev)
	default:
	}
}
