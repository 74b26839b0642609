package ivr_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
)

// Twilio sends a <Pay> result and the call's status callback as two webhooks in no fixed
// order (https://www.twilio.com/docs/voice/twiml/pay#action): these tests send the status
// callback first, as a caller hanging up while the payment completes would.

const lone = `<Response><Hangup></Hangup></Response>`

// atPay brings Alex to the card payment for 2 permits (£36.00).
func (l *line) atPay() *call {
	l.T.Helper()
	return l.alexAtMenu().press("4").press("2").expect("Two permits cost thirty-six pounds.").press("1").waitsFor("pay")
}

// step is the step number the call's last TwiML answers to.
func (l *line) step(c *call) int {
	l.T.Helper()
	var conv domain.Conversation
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		conv, err = r.ConversationByKey(domain.ChannelVoice, c.c.Sid())
		return err
	}); err != nil {
		l.T.Fatal(err)
	}
	return conv.Version
}

// webhook is a voice webhook for the call as Twilio sends it, with extra parameters.
func (l *line) webhook(c *call, status string, kv ...string) url.Values {
	account := l.cfg(alex).AccountSid
	if account == "" {
		account = servertest.AccountSid
	}
	v := url.Values{"AccountSid": {account}, "ApiVersion": {"2010-04-01"}, "CallSid": {c.c.Sid()},
		"CallStatus": {status}, "Direction": {"inbound"}, "From": {alex}, "To": {"+443455207007"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func (l *line) paySuccess(c *call, step int, code string) (int, string) {
	l.T.Helper()
	return l.signedPost("/twilio/voice/step?s="+strconv.Itoa(step)+"&pay=1", l.webhook(c, "completed",
		"Result", "success", "PaymentConfirmationCode", code, "PaymentToken", "tok_0123456789ab",
		"PaymentCardNumber", "xxxxxxxxxxxx4242", "PaymentCardType", "visa", "ExpirationDate", "1230",
		"PaymentCardPostalCode", "CB1 1AA"))
}

func (l *line) hangUp(c *call) {
	l.T.Helper()
	if err := c.c.Hangup(l.Ctx); err != nil {
		l.T.Fatal(err)
	}
}

func (l *line) texts() []domain.Outgoing {
	l.T.Helper()
	var out []domain.Outgoing
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		out, err = r.DueOutgoing(l.Clock.Now().Add(time.Hour), l.Clock.Now(), 100)
		return err
	}); err != nil {
		l.T.Fatal(err)
	}
	return out
}

func (l *line) noErrorLogged() {
	l.T.Helper()
	if logs := l.Logs.String(); strings.Contains(logs, "level=ERROR") {
		l.T.Fatalf("an error was logged:\n%s", logs)
	}
}

// wantHangup returns a check that an answer is a lone <Hangup/>.
func wantHangup(t *testing.T) func(status int, body string) {
	return func(status int, body string) {
		t.Helper()
		if status != http.StatusOK || canonical(t, body) != lone {
			t.Fatalf("want a lone <Hangup/>, got %d:\n%s", status, body)
		}
	}
}

func TestAPaymentAfterTheCallEndedIsRecordedOnce(t *testing.T) {
	l := newLine(t, monday)
	before := l.balance("Alex Morgan").BoughtThisYear
	c := l.atPay()
	step := l.step(c)
	l.hangUp(c) // the status callback comes first
	status, body := l.paySuccess(c, step, "ch_0123456789ab")
	wantHangup(t)(status, body)
	if got := l.balance("Alex Morgan").BoughtThisYear; got != before+2 {
		t.Fatalf("the payment taken bought %d permits, want 2", got-before)
	}
	texts := l.texts()
	if len(texts) != 1 || texts[0].Kind != domain.NoticePermitsAdded || texts[0].PaymentRef() != "ch_0123456789ab" ||
		texts[0].To != alex {
		t.Fatalf("the resident is told by text: %+v", texts)
	}
	// Twilio retrying the same webhook records nothing more.
	status, again := l.paySuccess(c, step, "ch_0123456789ab")
	wantHangup(t)(status, again)
	if got := l.balance("Alex Morgan").BoughtThisYear; got != before+2 {
		t.Fatalf("a repeated payment result bought again: %d", got-before)
	}
	if texts := l.texts(); len(texts) != 1 {
		t.Fatalf("texted twice: %+v", texts)
	}
	// The same payment reported on another call (a forged or misrouted webhook) buys nothing.
	other := l.atPay()
	otherStep := l.step(other)
	l.hangUp(other)
	wantHangup(t)(l.paySuccess(other, otherStep, "ch_0123456789ab"))
	if got := l.balance("Alex Morgan").BoughtThisYear; got != before+2 {
		t.Fatalf("one payment code bought twice on two calls: %d", got-before)
	}
	l.noErrorLogged()
}

func TestAPaymentBeforeTheHangupIsHeardAndRecordedOnce(t *testing.T) {
	l := newLine(t, monday)
	before := l.balance("Alex Morgan").BoughtThisYear
	c := l.atPay()
	c.pay("4242424242424242").expect("Thank you. Your payment of thirty-six pounds was taken, and two permits are now on your account")
	l.hangUp(c)
	if got := l.balance("Alex Morgan").BoughtThisYear; got != before+2 {
		t.Fatalf("bought %d", got-before)
	}
	// The caller heard it: the text is a receipt, not the news that permits were added.
	if texts := l.texts(); len(texts) != 1 || texts[0].Kind != domain.NoticeReceipt || texts[0].To != alex {
		t.Fatalf("want one receipt to the mobile, got %+v", texts)
	}
	l.noErrorLogged()
}

func TestAnswersAfterTheCallEndedGetAHangup(t *testing.T) {
	l := newLine(t, monday)
	before := l.balance("Alex Morgan").BoughtThisYear

	// A <Gather> action, and the <Redirect> after one, after the status callback.
	c := l.alexAtMenu()
	step := l.step(c)
	l.hangUp(c)
	wantHangup(t)(l.signedPost("/twilio/voice/step?s="+strconv.Itoa(step), l.webhook(c, "completed", "Digits", "1")))
	wantHangup(t)(l.signedPost("/twilio/voice/step?s="+strconv.Itoa(step)+"&silence=1", l.webhook(c, "completed")))

	// A failed payment after the hang-up: nothing taken, nothing recorded.
	p := l.atPay()
	payStep := l.step(p)
	l.hangUp(p)
	wantHangup(t)(l.signedPost("/twilio/voice/step?s="+strconv.Itoa(payStep)+"&pay=1", l.webhook(p, "completed",
		"Result", "payment-connector-error", "PaymentError", "card declined", "ConnectorError", "card_declined")))
	if got := l.balance("Alex Morgan").BoughtThisYear; got != before {
		t.Fatalf("bought %d", got-before)
	}
	if rs, err := l.Svc.Refunds(l.Ctx, domain.Admin("test"), true); err != nil || len(rs) != 0 {
		t.Fatalf("refunds: %+v %v", rs, err)
	}
	l.noErrorLogged()
}

// R24 on the phone: the allowance used up by the back office while the caller pays.
func TestPaidButRefusedOnThePhoneIsARefundDue(t *testing.T) {
	l := newLine(t, monday)
	c := l.atPay()
	l.useUpAllowance()
	c.pay("4242424242424242").expect("Your payment of thirty-six pounds was taken, but the permits couldn't be added:",
		"You can buy only one more permit this permit year",
		"A refund of thirty-six pounds is due to you, and will be made to your card.",
		"Putting you through to the helpdesk.").waitsFor("queue")
	rs, err := l.Svc.RefundsDue(l.Ctx, domain.Admin("test"))
	if err != nil || len(rs) != 1 || rs[0].AmountPence != 3600 || rs[0].Rule != "R7" || rs[0].Channel != domain.ChannelVoice ||
		rs[0].ResidentID == 0 {
		t.Fatalf("refunds due: %+v %v", rs, err)
	}
	if texts := l.texts(); len(texts) != 1 || texts[0].Kind != domain.NoticeRefundDue || texts[0].PaymentRef() != rs[0].PaymentRef {
		t.Fatalf("texts: %+v", texts)
	}
	if tr := l.transfer(c); !strings.Contains(tr.Reason, "but refused") {
		t.Fatalf("transfer: %+v", tr)
	}
	if got := l.balance("Alex Morgan").BoughtThisYear; got != 19 {
		t.Fatalf("R7: %d bought", got)
	}
	l.noErrorLogged()
}

// R24 after the call ended: nothing paid is ever untraceable.
func TestPaidButRefusedAfterTheCallEndedIsARefundDue(t *testing.T) {
	l := newLine(t, monday)
	c := l.atPay()
	step := l.step(c)
	l.useUpAllowance()
	l.hangUp(c)
	wantHangup(t)(l.paySuccess(c, step, "ch_refused0001"))
	wantHangup(t)(l.paySuccess(c, step, "ch_refused0001"))
	rs, err := l.Svc.Refunds(l.Ctx, domain.Admin("test"), true)
	if err != nil || len(rs) != 1 || rs[0].PaymentRef != "ch_refused0001" || rs[0].AmountPence != 3600 {
		t.Fatalf("refunds: %+v %v", rs, err)
	}
	if texts := l.texts(); len(texts) != 1 || texts[0].Kind != domain.NoticeRefundDue {
		t.Fatalf("texts: %+v", texts)
	}
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) error { _, err := r.TransferByCall(c.c.Sid()); return err }); err == nil {
		t.Fatal("a caller who is gone was put in the helpdesk queue")
	}
	l.noErrorLogged()
}

// useUpAllowance buys, in the back office, all but one of Alex's permits for the year.
func (l *line) useUpAllowance() {
	l.T.Helper()
	left := l.balance("Alex Morgan").AllowanceLeft
	if _, err := l.Svc.BuyPermits(l.Ctx, domain.Admin("test"), l.People["Alex Morgan"].Account, left-1,
		domain.PaymentIn{Amount: domain.PermitPrice * domain.Pence(left-1), ProviderRef: "BO1", IdempotencyKey: "admin:BO1"}); err != nil {
		l.T.Fatal(err)
	}
}
