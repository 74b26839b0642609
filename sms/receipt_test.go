package sms_test

import (
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/sms"
)

// A purchase heard on the call is receipted by text: what was bought, the price, the
// payment's reference and until when, in GSM-7 within two segments even with the longest
// reference a payment connector gives.
func TestAReceiptFitsTwoSegments(t *testing.T) {
	l := servertest.New(t, "2026-11-30 10:00")
	s, fake := outbox(t, l)
	acct := l.People["Alex Morgan"].Account
	caller := l.Resident("Alex Morgan", domain.ChannelVoice)
	ref := "ch_" + strings.Repeat("a", 40)
	qty := l.Balance("Alex Morgan").AllowanceLeft
	if _, err := l.Svc.BuyPermits(l.Ctx, caller, acct, qty, domain.PaymentIn{Amount: domain.PermitPrice * domain.Pence(qty),
		ProviderRef: ref, IdempotencyKey: ref, Taken: true, Receipt: domain.NoticeReceipt}); err != nil {
		t.Fatal(err)
	}
	flush(t, l, s)
	flush(t, l, s)
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("want one receipt, got %+v", msgs)
	}
	want := "Visitor permits receipt: 18 permits for £324.00 (£18.00 each), paid by card, ref " + ref +
		". 5 visits each, valid until Tue 30 Nov 2027. No refunds or exchanges."
	if m := msgs[0]; m.To != alex || m.Body != want {
		t.Errorf("receipt to %s: %q\nwant %q", m.To, m.Body, want)
	}
	if !sms.IsGSM7(msgs[0].Body) || sms.Segments(msgs[0].Body) > 2 {
		t.Errorf("receipt is not GSM-7 in two segments (%d)", sms.Segments(msgs[0].Body))
	}
}
