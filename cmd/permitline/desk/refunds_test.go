package desk_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

// paidButRefused has Alex pay for 2 permits on the phone while the back office uses up his
// allowance: the payment is a refund due (R24) and the caller waits for an agent.
func paidButRefused(t *testing.T, l *servertest.Line) (*twiliosim.Call, domain.Transfer) {
	t.Helper()
	call := alexKeys(t, l, "2580", "4", "2", "1")
	left := l.Balance("Alex Morgan").AllowanceLeft
	if _, err := l.Svc.BuyPermits(l.Ctx, domain.Admin("test"), l.People["Alex Morgan"].Account, left, domain.PaymentIn{
		Amount: domain.PermitPrice * domain.Pence(left), ProviderRef: "BO1", IdempotencyKey: "admin:BO1"}); err != nil {
		t.Fatal(err)
	}
	turn, err := call.PayWith(l.Ctx, "4242424242424242")
	if err != nil {
		t.Fatal(err)
	}
	if turn.Wait.Kind != "queue" || !strings.Contains(strings.Join(turn.Said, " "), "A refund of thirty-six pounds is due") {
		t.Fatalf("the caller heard %q and waits for %q", turn.Said, turn.Wait.Kind)
	}
	var tr domain.Transfer
	err = l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(call.Sid()); return err })
	if err != nil {
		t.Fatal(err)
	}
	return call, tr
}

func TestTheDeskShowsRefundsDue(t *testing.T) {
	l := servertest.New(t, monday)
	l.AddAgent("dana", "Dana Reid", "07700 900501", password)
	if r := newClient(t, l.Srv.URL).get("/desk/refunds"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/desk/login" {
		t.Fatalf("GET /desk/refunds without a session: %d %q", r.status, r.header.Get("Location"))
	}
	c := newClient(t, l.Srv.URL)
	c.mustSignIn("dana", password)
	if r := c.get("/desk/refunds"); r.status != http.StatusOK || !strings.Contains(r.body, "No refunds are due.") {
		t.Fatalf("no refunds: %d\n%s", r.status, r.body)
	}
	_, tr := paidButRefused(t, l)
	rs, err := l.Svc.RefundsDue(l.Ctx, domain.Admin("test"))
	if err != nil || len(rs) != 1 {
		t.Fatalf("refunds due: %+v %v", rs, err)
	}
	ref := rs[0].PaymentRef

	callPath := fmt.Sprintf("/desk/calls/%d", tr.ID)
	if r := c.act(callPath+"/take", nil); r.status != http.StatusSeeOther {
		t.Fatalf("take: %d", r.status)
	}
	page := c.get(callPath)
	for _, want := range []string{"Refund due", "£36.00 for payment " + ref, "R7:", "but refused"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the call page lacks %q", want)
		}
	}
	list := c.get("/desk/refunds")
	for _, want := range []string{"1 refund due", ref, l.People["Alex Morgan"].Account + " (Alex Morgan)", "£36.00", "R7:", "phone"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("the refunds page lacks %q", want)
		}
	}
	if csp := list.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") ||
		strings.Contains(list.raw, "<script>") || strings.Contains(list.raw, "onclick") {
		t.Errorf("the refunds page's CSP %q or inline script", csp)
	}
	if t.Failed() {
		t.Fatalf("call page:\n%s\nrefunds page:\n%s", page.body, list.body)
	}

	if _, err := l.Svc.SettleRefund(l.Ctx, domain.Admin("ops"), ref); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/desk/refunds"); !strings.Contains(r.body, "No refunds are due.") {
		t.Fatalf("a settled refund is still due:\n%s", r.body)
	}
	if r := c.get(callPath); !strings.Contains(r.body, "Refunded: £36.00") || !strings.Contains(r.body, "by ops") {
		t.Fatalf("the account shows the settled refund:\n%s", r.body)
	}
}
