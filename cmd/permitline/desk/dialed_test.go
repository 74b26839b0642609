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
