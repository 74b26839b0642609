package sms_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twilioapi"
	"permitline/ivr/twiliosim"
	"permitline/sms"
	"permitline/sms/fakeapi"
	"permitline/sms/outbound"
)

// outbox wires the real sender, as serve does, to a local fake of Twilio's REST API.
func outbox(t *testing.T, l *servertest.Line) (*outbound.Sender, *fakeapi.Server) {
	t.Helper()
	fake := fakeapi.New()
	fake.Now = l.Clock.Now
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	api := twilioapi.New(servertest.AccountSid, servertest.Token,
		&http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second}).Api
	s := outbound.New(outbound.Config{API: api, From: line, StatusCallback: l.Srv.URL + "/twilio/sms/status"},
		l.Svc, sms.Notice, slog.New(slog.NewTextHandler(io.Discard, nil)))
	l.TextStatus = s.RecordStatus
	return s, fake
}

func flush(t *testing.T, l *servertest.Line, s *outbound.Sender) {
	t.Helper()
	if _, err := s.Flush(l.Ctx); err != nil {
		t.Fatal(err)
	}
}

// alexCalls rings the phone line from Alex Morgan's mobile and presses each of keys in
// turn, and returns the last turn heard.
func alexCalls(t *testing.T, l *servertest.Line, keys ...string) twiliosim.Turn {
	t.Helper()
	call, err := twiliosim.Dial(l.Ctx, l.Sim(alex, "+443455207007"))
	if err != nil {
		t.Fatal(err)
	}
	turn, err := call.Next(l.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if turn, err = call.Press(l.Ctx, k); err != nil {
			t.Fatalf("pressing %s: %v", k, err)
		}
	}
	return turn
}

// sentOnce sends what is due twice over and returns every text sent, failing t unless
// there are n: a second flush must send nothing again.
func sentOnce(t *testing.T, l *servertest.Line, s *outbound.Sender, fake *fakeapi.Server, n int) []fakeapi.Message {
	t.Helper()
	flush(t, l, s)
	flush(t, l, s)
	msgs := fake.Messages()
	if len(msgs) != n {
		t.Fatalf("want %d texts, got %+v", n, msgs)
	}
	return msgs
}

func TestAPhoneActivationIsConfirmedByTextOnce(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	s, fake := outbox(t, l)
	alexCalls(t, l, "2580", "1", "1", "2", "1")
	vs := l.Upcoming("Alex Morgan")
	if len(vs) != 1 {
		t.Fatalf("visits: %+v", vs)
	}
	msgs := sentOnce(t, l, s, fake, 1)
	m := msgs[0]
	want := "Visitor permit: AB12 CDE booked tomorrow, 9am-6pm. Ref " + vs[0].Ref + ". To cancel by 8:55am tomorrow, text UNDO " + vs[0].Ref
	if m.To != alex || m.From != line || m.Body != want || !strings.HasPrefix(m.StatusCallback, l.Srv.URL+"/twilio/sms/status") {
		t.Fatalf("text: %+v\nwant body %q", m, want)
	}
	// The reminder waits for 07:00 on the day of the visit.
	l.Clock.Set(servertest.At(t, "2026-12-01 06:59"))
	flush(t, l, s)
	l.Clock.Set(servertest.At(t, "2026-12-01 07:00"))
	flush(t, l, s)
	if msgs = fake.Messages(); len(msgs) != 2 || !strings.HasPrefix(msgs[1].Body, "Reminder: AB12 CDE has a visitor permit today, 9am-6pm.") {
		t.Fatalf("reminder: %+v", msgs)
	}
	// Twilio's status callback, signed, records the delivery.
	status, _ := l.SignedPost(strings.TrimPrefix(msgs[1].StatusCallback, l.Srv.URL), url.Values{
		"MessageSid": {msgs[1].Sid}, "MessageStatus": {"delivered"}, "AccountSid": {m.AccountSid}})
	if status != http.StatusNoContent {
		t.Fatalf("status callback: %d", status)
	}
	var out domain.Outgoing
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { out, err = r.OutgoingByProviderSid(msgs[1].Sid); return err })
	if out.DeliveryStatus != "delivered" {
		t.Fatalf("delivery status not recorded: %+v", out)
	}
}

func TestNoTextToALandlineNorAfterAnOptOut(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	s, fake := outbox(t, l)
	// Sam has a landline; an agent books for him.
	sam := l.People["Sam Taylor"]
	agent := domain.Actor{Kind: domain.ActorAgent, ID: 1, Name: "Agent", Channel: domain.ChannelAgent}
	if _, err := l.Svc.BuyPermits(l.Ctx, agent, sam.Account, 1, domain.PaymentIn{Amount: 1800, IdempotencyKey: "k1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Svc.ActivateVisit(l.Ctx, agent, sam.Account, domain.VisitRequest{VRM: "AB12CDE"}); err != nil {
		t.Fatal(err)
	}
	// Alex opted out by text, then an agent books for him.
	texter{l, alex}.send("STOP")
	if _, err := l.Svc.ActivateVisit(l.Ctx, agent, l.People["Alex Morgan"].Account, domain.VisitRequest{VRM: "AB12CDE"}); err != nil {
		t.Fatal(err)
	}
	sentOnce(t, l, s, fake, 0)
}

func TestTextsSurviveTwilioFailingThenRecovering(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	s, fake := outbox(t, l)
	agent := domain.Actor{Kind: domain.ActorAgent, ID: 1, Name: "Agent", Channel: domain.ChannelAgent}
	if _, err := l.Svc.ActivateVisit(l.Ctx, agent, l.People["Alex Morgan"].Account, domain.VisitRequest{VRM: "AB12CDE"}); err != nil {
		t.Fatal(err)
	}
	fake.FailNext(3, http.StatusInternalServerError)
	for range 3 {
		flush(t, l, s)
		l.Clock.Advance(outbound.MaxRetry)
	}
	flush(t, l, s)
	flush(t, l, s)
	if msgs := fake.Messages(); len(msgs) != 1 || fake.Requests() != 4 {
		t.Fatalf("after 3 failures: %d texts recorded, %d requests", len(msgs), fake.Requests())
	}
}
