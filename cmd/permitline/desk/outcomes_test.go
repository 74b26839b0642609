package desk_test

// What the desk shows of how a call it put through went on: an agent's phone that did
// not answer, a payment taken whose permits could not be issued.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

// takeAndRing has an agent take Alex's waiting call; the simulated Twilio runs the TwiML
// the desk sent through the REST API, so the call rings the agent's phone.
func takeAndRing(t *testing.T, l *servertest.Line, c *client, call *twiliosim.Call, tr domain.Transfer) {
	t.Helper()
	if r := c.act(fmt.Sprintf("/desk/calls/%d/take", tr.ID), nil); r.status != http.StatusSeeOther {
		t.Fatalf("taking the call: %d\n%s", r.status, r.body)
	}
	ups := l.Twilio.CallUpdates()
	if len(ups) == 0 || ups[len(ups)-1].Twiml == "" {
		t.Fatalf("no TwiML sent to put the call through: %+v", ups)
	}
	turn, err := call.UpdateTwiML(l.Ctx, ups[len(ups)-1].Twiml)
	if err != nil {
		t.Fatal(err)
	}
	if turn.Wait.Kind != "dial" || len(turn.Wait.Targets) != 1 || turn.Wait.Targets[0] != "+447700900501" {
		t.Fatalf("the call waits on %+v, not the agent's phone (%v)", turn.Wait, turn.Said)
	}
}

// An agent whose phone does not answer, is busy, fails or stops ringing: the caller hears
// so and waits again at the front of the queue, and the desk shows the call waiting again,
// before a caller who came later, with what happened; the agent is free again.
func TestAnAgentNotReachedPutsTheCallerBackAtTheFront(t *testing.T) {
	for status, words := range map[string]string{"no-answer": "did not answer", "busy": "was busy",
		"failed": "could not be called", "canceled": "stopped ringing"} {
		t.Run(status, func(t *testing.T) {
			l := servertest.New(t, monday)
			dana := l.AddAgent("dana", "Dana Reid", "07700 900501", password)
			c := newClient(t, l.Srv.URL)
			c.mustSignIn("dana", password)
			call, tr := queueForAgent(t, l)
			later, laterTr := queueForAgent(t, l)
			defer later.Hangup(l.Ctx) //nolint:errcheck // the end of the test
			takeAndRing(t, l, c, call, tr)

			turn, err := call.EndDial(l.Ctx, status)
			if err != nil {
				t.Fatal(err)
			}
			if said := strings.Join(turn.Said, " "); turn.Ended || turn.Wait.Kind != "queue" ||
				!strings.Contains(said, "Dana couldn't be reached") || !strings.Contains(said, "front of the queue") {
				t.Fatalf("the caller after %s: %+v", status, turn)
			}
			got := transfer(t, l, tr.ID)
			if got.Status != domain.TransferQueued || got.AgentID != 0 || !got.CreatedAt.Equal(tr.CreatedAt) ||
				!strings.Contains(got.Note, "Dana Reid's phone "+words) {
				t.Fatalf("the transfer after %s: %+v", status, got)
			}
			queued, err := l.Svc.QueuedTransfers(l.Ctx)
			if err != nil || len(queued) != 2 || queued[0].ID != tr.ID || queued[1].ID != laterTr.ID {
				t.Fatalf("the queue: %+v %v", queued, err)
			}
			page := c.get("/desk/")
			first, second := strings.Index(page.body, fmt.Sprintf(`id="call-%d"`, tr.ID)), strings.Index(page.body, fmt.Sprintf(`id="call-%d"`, laterTr.ID))
			if first < 0 || second < first || !strings.Contains(page.body, "Waiting again") ||
				!strings.Contains(page.body, "Dana Reid's phone "+words) {
				t.Fatalf("the desk does not show the call waiting again, first:\n%s", page.body)
			}
			// Dana is free again: she can take the call once more, and this time speak to Alex.
			takeAndRing(t, l, c, call, got)
			if turn, err := call.EndDial(l.Ctx, "completed"); err != nil || !turn.Ended {
				t.Fatalf("after the bridge: %+v %v", turn, err)
			}
			if got := transfer(t, l, tr.ID); got.Status != domain.TransferTaken || got.AgentID != dana.ID {
				t.Fatalf("the transfer after the bridge: %+v", got)
			}
		})
	}
}

// A bridge that ended: the caller's call ends as it did before the Dial had an action, and
// the transfer stays with the agent, who finishes it with a wrap-up note.
func TestACompletedBridgeEndsTheCall(t *testing.T) {
	l, c := danaAtDesk(t)
	call, tr := queueForAgent(t, l)
	takeAndRing(t, l, c, call, tr)
	turn, err := call.EndDial(l.Ctx, "completed")
	if err != nil || !turn.Ended || turn.EndReason != "hangup" {
		t.Fatalf("after the bridge: %+v %v", turn, err)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferTaken {
		t.Fatalf("the transfer after the bridge: %+v", got)
	}
	if r := c.act(fmt.Sprintf("/desk/calls/%d/finish", tr.ID), map[string][]string{"note": {"Explained the hours."}}); r.status != http.StatusSeeOther {
		t.Fatalf("finishing the call: %d\n%s", r.status, r.body)
	}
	if got := transfer(t, l, tr.ID); got.Status != domain.TransferDone {
		t.Fatalf("the transfer after the wrap-up: %+v", got)
	}
}

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
