package sms_test

import (
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/sms"
)

// The texts about a payment taken on a call: permits added after the caller hung up, and a
// refund due for permits that could not be issued (R24), each sent once, within two
// segments even with the longest payment reference Twilio's connectors give.
func TestPaymentTextsAreSentOnce(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	s, fake := outbox(t, l)
	alexAcct := l.People["Alex Morgan"].Account
	caller := l.Resident("Alex Morgan", domain.ChannelVoice)
	late := "ch_" + strings.Repeat("a", 40)
	if _, err := l.Svc.BuyPermits(l.Ctx, caller, alexAcct, 2, domain.PaymentIn{Amount: 3600, ProviderRef: late,
		IdempotencyKey: late, Taken: true, Receipt: domain.NoticePermitsAdded}); err != nil {
		t.Fatal(err)
	}
	left := l.Balance("Alex Morgan").AllowanceLeft
	if _, err := l.Svc.BuyPermits(l.Ctx, domain.Admin("test"), alexAcct, left, domain.PaymentIn{
		Amount: domain.PermitPrice * domain.Pence(left), ProviderRef: "BO", IdempotencyKey: "admin:BO"}); err != nil {
		t.Fatal(err)
	}
	refused := "ch_" + strings.Repeat("b", 40)
	_, err := l.Svc.BuyPermits(l.Ctx, caller, alexAcct, 20, domain.PaymentIn{Amount: 36000, ProviderRef: refused,
		IdempotencyKey: refused, Taken: true})
	if domain.RuleOf(err) != "R24" {
		t.Fatalf("want a refund due: %v", err)
	}
	flush(t, l, s)
	flush(t, l, s)
	msgs := fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("want two texts, got %+v", msgs)
	}
	wants := []string{
		"Visitor permits: your payment of £36.00 (ref " + late + ") went through after the call ended. " +
			"2 permits are now on your account, valid until Tue 30 Nov 2027.",
		"Visitor permits: your payment of £360.00 (ref " + refused + ") was taken, but the permits could not be added: " +
			"it would pass the allowance of 20 permits a year. A refund of £360.00 is due and will be made to your card. " +
			"Helpdesk " + sms.Helpdesk + ".",
	}
	for i, m := range msgs {
		if m.To != alex || m.Body != wants[i] {
			t.Errorf("text %d: %q\nwant %q", i, m.Body, wants[i])
		}
		if n := sms.Segments(m.Body); n > 2 {
			t.Errorf("text %d is %d segments", i, n)
		}
	}
	// Settled before it was sent: the refund text is not sent.
	other := "ch_settled"
	if _, err := l.Svc.BuyPermits(l.Ctx, caller, alexAcct, 1, domain.PaymentIn{Amount: 1800, ProviderRef: other,
		IdempotencyKey: other, Taken: true}); domain.RuleOf(err) != "R24" {
		t.Fatalf("want a refund due: %v", err)
	}
	if _, err := l.Svc.SettleRefund(l.Ctx, domain.Admin("ops"), other); err != nil {
		t.Fatal(err)
	}
	flush(t, l, s)
	if msgs := fake.Messages(); len(msgs) != 2 {
		t.Fatalf("a refund already made was announced: %+v", msgs)
	}
}
