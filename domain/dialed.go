package domain

import (
	"errors"
	"fmt"

	"permitline/domain/calendar"
	"permitline/domain/phone"
)

// NotReachedWords says, for Twilio's DialCallStatus of a failed attempt to put a caller
// through, what happened to the agent's phone.
var NotReachedWords = map[string]string{
	"no-answer": "did not answer",
	"busy":      "was busy",
	"failed":    "could not be called",
	"canceled":  "stopped ringing before it was answered",
}

// AgentNotReached records that the agent holding a call could not be reached when the
// line tried to put the caller through (dialStatus is Twilio's DialCallStatus, a key of
// NotReachedWords): the call goes back to the queue, at its place by the time it first
// asked for the helpdesk, so the desk lists it before every call that came later; the
// agent is released, and the note says what happened. It returns the transfer as it now
// stands and the agent, and changes nothing for a call no agent holds (Twilio repeating
// the request, or a call already ended).
func (o *Op) AgentNotReached(callSid, dialStatus string) (Transfer, Agent, error) {
	words, ok := NotReachedWords[dialStatus]
	if !ok {
		return Transfer{}, Agent{}, &InvalidInputError{Field: "DialCallStatus", Reason: "is not a failed attempt"}
	}
	t, err := o.tx.TransferByCall(callSid)
	if err != nil {
		return Transfer{}, Agent{}, err
	}
	if t.Status != TransferTaken || t.AgentID == 0 {
		return t, Agent{}, nil
	}
	a, err := o.tx.AgentByID(t.AgentID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Transfer{}, Agent{}, err
	}
	who := "The agent's"
	if a.Name != "" {
		who = a.Name + "'s"
	}
	t.Note = fmt.Sprintf("%s phone %s at %s; the caller is waiting again.", who, words,
		o.now.In(calendar.London).Format("15:04"))
	t.Status, t.AgentID, t.UpdatedAt = TransferQueued, 0, o.now
	if err := o.tx.UpdateTransfer(t); err != nil {
		return Transfer{}, Agent{}, err
	}
	return t, a, o.audit(t.ResidentID, a.Actor(), "call.not_reached", "call %s: %s", phone.Mask(t.From), t.Note)
}
