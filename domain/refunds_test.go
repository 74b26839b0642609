package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"permitline/domain"
)

// phonePay is a card payment taken on a call, with its confirmation code as its key.
func phonePay(res domain.Resident, code string, qty int) (domain.Actor, domain.PaymentIn) {
	return domain.Actor{Kind: domain.ActorResident, ID: res.ID, Name: res.Name, Channel: domain.ChannelVoice},
		domain.PaymentIn{Amount: domain.PermitPrice * domain.Pence(qty), ProviderRef: code, IdempotencyKey: code, Taken: true}
}

func (w *world) outbox() []domain.Outgoing {
	w.t.Helper()
	var out []domain.Outgoing
	if err := w.svc.View(w.ctx, func(r domain.Reader) (err error) {
		out, err = r.DueOutgoing(w.clock.Now().Add(time.Hour), w.clock.Now(), 100)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return out
}

func (w *world) refunds(settled bool) []domain.Refund {
	w.t.Helper()
	rs, err := w.svc.Refunds(w.ctx, w.admin, settled)
	if err != nil {
		w.t.Fatal(err)
	}
	return rs
}

// R24: a payment taken for permits the allowance (R7) no longer allows is a refund due,
// recorded once, audited, texted, and settled once by an operator.
func TestPaidButRefusedIsARefundDue(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900041")
	w.mustBuy(res.Account, 18)
	actor, pay := phonePay(res, "ch_refused1", 3)

	_, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 3, pay)
	due := wantRule[*domain.RefundDueError](t, err, "R24")
	var allowance *domain.AllowanceError
	if !errors.As(err, &allowance) || allowance.Remaining != 2 {
		t.Fatalf("the refusal behind the refund is kept for the caller: %v", err)
	}
	rf := due.Refund
	if rf.AmountPence != 5400 || rf.PaymentRef != "ch_refused1" || rf.Rule != "R7" || rf.ResidentID != res.ID ||
		rf.Channel != domain.ChannelVoice || rf.Quantity != 3 || !rf.Due() || !strings.Contains(rf.Reason, "only 2 may be bought") {
		t.Fatalf("refund: %+v", rf)
	}
	if b := w.balance(res.Account); b.BoughtThisYear != 18 {
		t.Fatalf("nothing issued: %d bought", b.BoughtThisYear)
	}
	// The same payment reported again records nothing more.
	if _, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 3, pay); domain.RuleOf(err) != "R24" {
		t.Fatalf("repeat: %v", err)
	}
	if rs := w.refunds(true); len(rs) != 1 {
		t.Fatalf("one refund per payment: %+v", rs)
	}
	texts := w.outbox()
	if len(texts) != 1 || texts[0].Kind != domain.NoticeRefundDue || texts[0].PaymentRef() != "ch_refused1" ||
		texts[0].To != res.Phone {
		t.Fatalf("the resident is texted once: %+v", texts)
	}
	view, err := w.svc.Account(w.ctx, w.admin, res.Account)
	if err != nil || len(view.Refunds) != 1 || view.Refunds[0].PaymentRef != "ch_refused1" {
		t.Fatalf("the account shows its refund: %+v %v", view.Refunds, err)
	}

	// The allowance renews on 1 April, but a payment refused stays a refund, never permits.
	w.set("2027-04-01 09:00:00")
	if _, err := w.svc.ApproveRegistration(w.ctx, w.admin, res.Account, domain.Proof{Document: domain.DocDrivingLicence}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 3, pay); domain.RuleOf(err) != "R24" {
		t.Fatalf("a refunded payment bought permits later: %v", err)
	}
	if b := w.balance(res.Account); b.BoughtThisYear != 0 {
		t.Fatalf("bought %d", b.BoughtThisYear)
	}

	settled, err := w.svc.SettleRefund(w.ctx, domain.Admin("ops"), "ch_refused1")
	if err != nil || settled.Due() || settled.SettledBy != "ops" {
		t.Fatalf("settle: %+v %v", settled, err)
	}
	if _, err := w.svc.SettleRefund(w.ctx, domain.Admin("ops"), "ch_refused1"); domain.RuleOf(err) != "R24" {
		t.Fatalf("settling twice: %v", err)
	}
	if _, err := w.svc.SettleRefund(w.ctx, domain.Admin("ops"), "nope"); !domain.IsNotFound(err) {
		t.Fatalf("unknown reference: %v", err)
	}
	if rs := w.refunds(false); len(rs) != 0 {
		t.Fatalf("nothing due after settling: %+v", rs)
	}
	if rs := w.refunds(true); len(rs) != 1 || rs[0].SettledAt.IsZero() {
		t.Fatalf("all refunds: %+v", rs)
	}
	if _, err := w.svc.Refunds(w.ctx, actor, true); domain.RuleOf(err) != "R5" {
		t.Fatalf("a resident lists the refunds: %v", err)
	}
	audit, err := w.svc.Account(w.ctx, w.admin, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit.Activity {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); !strings.HasPrefix(got, "refund.settle,") || !strings.Contains(got, "refund.due") {
		t.Fatalf("audit: %s", got)
	}
}

// R3 and R24: a registration that ran out while the caller paid; a landline or an opted-out
// number is never texted.
func TestPaidAfterRegistrationExpiredIsARefundDue(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	landline := w.resident(cw, "01223000111")
	optedOut := w.resident(cw, "07700900042")
	if err := w.svc.Update(w.ctx, func(o *domain.Op) error { return o.SetOptOut(optedOut.Phone, true) }); err != nil {
		t.Fatal(err)
	}
	w.set("2027-03-01 10:00:00") // both registrations (3 months) have expired
	for i, res := range []domain.Resident{landline, optedOut} {
		actor, pay := phonePay(res, fmt.Sprintf("ch_expired%d", i), 1)
		_, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 1, pay)
		due := wantRule[*domain.RefundDueError](t, err, "R24")
		if due.Refund.Rule != "R3" || due.Refund.AmountPence != 1800 {
			t.Fatalf("refund: %+v", due.Refund)
		}
	}
	if texts := w.outbox(); len(texts) != 0 {
		t.Fatalf("texted a landline or an opted-out number: %+v", texts)
	}
	if rs := w.refunds(false); len(rs) != 2 {
		t.Fatalf("refunds: %+v", rs)
	}
}

// A confirmation code is the payment's once-only key, whichever call reports it: the same
// payment reported on two calls buys once, and a code reused for another purchase is
// refused without a refund (no second payment was taken).
func TestAPaymentCodeBuysOnce(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900043")
	actor, pay := phonePay(res, "ch_once", 2)
	p1, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 2, pay)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 2, pay)
	if err != nil || !p2.Repeated || p2.Payment.ID != p1.Payment.ID {
		t.Fatalf("repeat: %+v %v", p2, err)
	}
	_, other := phonePay(res, "ch_once", 3)
	if _, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 3, other); domain.RuleOf(err) != "input" {
		t.Fatalf("a code reused for another purchase: %v", err)
	}
	if b := w.balance(res.Account); b.BoughtThisYear != 2 {
		t.Fatalf("bought %d", b.BoughtThisYear)
	}
	if rs := w.refunds(true); len(rs) != 0 {
		t.Fatalf("refunds: %+v", rs)
	}
}

// R7 and R24 under a race: phone payments (money already taken) race back-office purchases
// for the last permits of the year. The allowance never passes 20, and every phone payment
// ends as its permits or as one refund due: nothing paid is untraceable.
func TestRacingPurchasesLeaveEveryPaymentTraceable(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900044")
	w.mustBuy(res.Account, 14)

	const phones, office = 6, 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	issued, refused := map[string]bool{}, map[string]bool{}
	officeBought := 0
	for i := range phones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := fmt.Sprintf("ch_race%d", i)
			actor, pay := phonePay(res, code, 2)
			_, err := w.svc.BuyPermits(w.ctx, actor, res.Account, 2, pay)
			mu.Lock()
			defer mu.Unlock()
			var due *domain.RefundDueError
			switch {
			case err == nil:
				issued[code] = true
			case errors.As(err, &due) && due.Refund.PaymentRef == code && domain.RuleOf(due.Cause) == "R7":
				refused[code] = true
			default:
				t.Errorf("phone %d: %v", i, err)
			}
		}()
	}
	for i := range office {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.svc.BuyPermits(w.ctx, w.admin, res.Account, 2, domain.PaymentIn{Amount: 3600,
				ProviderRef: fmt.Sprintf("BO%d", i), IdempotencyKey: fmt.Sprintf("admin:BO%d", i)})
			mu.Lock()
			defer mu.Unlock()
			switch domain.RuleOf(err) {
			case "":
				officeBought += 2
			case "R7":
			default:
				t.Errorf("office %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	b := w.balance(res.Account)
	if b.BoughtThisYear != 20 || 14+2*len(issued)+officeBought != 20 {
		t.Fatalf("R7: %d bought (%d by phone, %d by the office)", b.BoughtThisYear, 2*len(issued), officeBought)
	}
	rs := w.refunds(true)
	if len(rs) != len(refused) || len(issued)+len(refused) != phones {
		t.Fatalf("phone payments: %d issued, %d refused, %d refunds", len(issued), len(refused), len(rs))
	}
	for _, rf := range rs {
		if !refused[rf.PaymentRef] || rf.AmountPence != 3600 {
			t.Fatalf("refund %+v", rf)
		}
	}
}

// One phone purchase racing one back-office purchase that uses up the allowance: when the
// office wins, the caller's payment is one refund due.
func TestPhoneRacingTheBackOfficeForTheLastPermits(t *testing.T) {
	for round := range 8 {
		w := newWorld(t, "2026-11-30 10:00:00")
		res := w.resident(cw, "07700900045")
		w.mustBuy(res.Account, 16)
		var wg sync.WaitGroup
		var phoneErr, officeErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			actor, pay := phonePay(res, fmt.Sprintf("ch_last%d", round), 4)
			_, phoneErr = w.svc.BuyPermits(w.ctx, actor, res.Account, 4, pay)
		}()
		go func() {
			defer wg.Done()
			_, officeErr = w.svc.BuyPermits(w.ctx, w.admin, res.Account, 4, domain.PaymentIn{Amount: 7200,
				ProviderRef: "BO", IdempotencyKey: "admin:BO"})
		}()
		wg.Wait()
		if b := w.balance(res.Account); b.BoughtThisYear != 20 {
			t.Fatalf("R7: %d bought", b.BoughtThisYear)
		}
		rs := w.refunds(true)
		switch {
		case phoneErr == nil && domain.RuleOf(officeErr) == "R7":
			if len(rs) != 0 {
				t.Fatalf("the office's refusal is no refund: %+v", rs)
			}
		case officeErr == nil && domain.RuleOf(phoneErr) == "R24":
			if len(rs) != 1 || rs[0].AmountPence != 7200 || rs[0].Rule != "R7" {
				t.Fatalf("one refund due: %+v", rs)
			}
		default:
			t.Fatalf("phone: %v; office: %v", phoneErr, officeErr)
		}
	}
}
