package sms_test

import (
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/sms"
)

// payOnCall records qty permits bought by Alex Morgan on a call, the payment taken under
// the reference ref, told by the text receipt names ("" for none).
func payOnCall(l *servertest.Line, qty int, ref string, receipt domain.NoticeKind) error {
	_, err := l.Svc.BuyPermits(l.Ctx, l.Resident("Alex Morgan", domain.ChannelVoice), l.People["Alex Morgan"].Account, qty,
		domain.PaymentIn{Amount: domain.PermitPrice * domain.Pence(qty), ProviderRef: ref, IdempotencyKey: ref, Taken: true,
			Receipt: receipt})
	return err
}

// The texts about a payment taken on a call: permits added after the caller hung up, and a
// refund due for permits that could not be issued (R24), each sent once, within two
// segments even with the longest payment reference Twilio's connectors give.
func TestPaymentTextsAreSentOnce(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	s, fake := outbox(t, l)
	late := "ch_" + strings.Repeat("a", 40)
	if err := payOnCall(l, 2, late, domain.NoticePermitsAdded); err != nil {
		t.Fatal(err)
	}
	left := l.Balance("Alex Morgan").AllowanceLeft
	if _, err := l.Svc.BuyPermits(l.Ctx, domain.Admin("test"), l.People["Alex Morgan"].Account, left, domain.PaymentIn{
		Amount: domain.PermitPrice * domain.Pence(left), ProviderRef: "BO", IdempotencyKey: "admin:BO"}); err != nil {
		t.Fatal(err)
	}
	refused := "ch_" + strings.Repeat("b", 40)
	if err := payOnCall(l, 20, refused, ""); domain.RuleOf(err) != "R24" {
		t.Fatalf("want a refund due: %v", err)
	}
	msgs := sentOnce(t, l, s, fake, 2)
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
	if err := payOnCall(l, 1, other, ""); domain.RuleOf(err) != "R24" {
		t.Fatalf("want a refund due: %v", err)
	}
	if _, err := l.Svc.SettleRefund(l.Ctx, domain.Admin("ops"), other); err != nil {
		t.Fatal(err)
	}
	sentOnce(t, l, s, fake, 2) // the two above, and no more
}

// A purchase heard on the call is receipted by text: what was bought, the price, the
// payment's reference and until when, in GSM-7 within two segments even with the longest
// reference a payment connector gives.
func TestAReceiptFitsTwoSegments(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	s, fake := outbox(t, l)
	ref := "ch_" + strings.Repeat("a", 40)
	if err := payOnCall(l, l.Balance("Alex Morgan").AllowanceLeft, ref, domain.NoticeReceipt); err != nil {
		t.Fatal(err)
	}
	msgs := sentOnce(t, l, s, fake, 1)
	want := "Visitor permits receipt: 18 permits for £324.00 (£18.00 each), paid by card, ref " + ref +
		". 5 visits each, valid until Tue 30 Nov 2027. No refunds or exchanges."
	if m := msgs[0]; m.To != alex || m.Body != want {
		t.Errorf("receipt to %s: %q\nwant %q", m.To, m.Body, want)
	}
	if !sms.IsGSM7(msgs[0].Body) || sms.Segments(msgs[0].Body) > 2 {
		t.Errorf("receipt is not GSM-7 in two segments (%d)", sms.Segments(msgs[0].Body))
	}
}
