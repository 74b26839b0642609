package ivr

import (
	"context"
	"errors"
	"log/slog"

	"github.com/twilio/twilio-go/twiml"

	"permitline/domain"
)

// DialedPath is the action of the <Dial> that puts a caller through to an agent.
const DialedPath = "/twilio/voice/dialed"

// Dialed answers the action of the <Dial> that put the caller through to an agent
// (CallControl.Connect), with Twilio's DialCallStatus:
//   - completed (or answered): the agent and the caller spoke and the agent's leg ended;
//     the caller's call ends too, as it would with no verb after the Dial. The transfer
//     stays with the agent, who finishes it on the desk with a wrap-up note.
//   - no-answer, busy, failed, canceled: the agent could not be reached. The caller hears so
//     and is enqueued again; the transfer is waiting again, released by the agent, with a
//     note of what happened (domain.Op.AgentNotReached). <Enqueue> has no priority, but the
//     desk picks calls from the store, not from Twilio's queue: the transfer keeps the time
//     it first asked for the helpdesk, so the desk lists it before every later call.
//
// https://www.twilio.com/docs/voice/twiml/dial#attributes-action
func (h *Handler) Dialed(ctx context.Context, log *slog.Logger, f DialForm) (string, error) {
	log = log.With("dial_call_status", f.DialCallStatus)
	if f.DialCallStatus == "completed" || f.DialCallStatus == "answered" {
		return verbs(&twiml.VoiceHangup{})
	}
	var agent domain.Agent
	err := h.svc.Update(ctx, func(op *domain.Op) error {
		var err error
		_, agent, err = op.AgentNotReached(f.CallSid, f.DialCallStatus)
		if errors.Is(err, domain.ErrNotFound) {
			return nil // a caller the desk never knew: enqueued all the same
		}
		return err
	})
	if err != nil {
		log.Error("putting a caller back in the queue", "error", err)
	} else {
		log.Info("agent not reached: the caller waits again", "agent", agent.Username)
	}
	who := "the agent"
	if agent.Name != "" {
		who = firstName(agent.Name)
	}
	v := h.cfg.Voice
	return verbs(
		&twiml.VoiceSay{Message: "Sorry, " + who + " couldn't be reached. You're back at the front of the queue, " +
			"and the next agent free will take your call.", Voice: v.Name, Language: v.Language},
		&twiml.VoiceEnqueue{Name: v.Queue, Method: "POST",
			Action:  h.cfg.PublicURL + "/twilio/voice/queue/done",
			WaitUrl: h.cfg.PublicURL + "/twilio/voice/queue/wait", WaitUrlMethod: "POST"})
}
