package domain

import (
	"context"
	"errors"
)

// TransferIn is what the voice channel knows of a caller it puts through to the helpdesk.
type TransferIn struct {
	CallSid string
	From    string  // E.164 or the raw caller id
	Caller  *Caller // nil: the caller was not identified
	// Verified says the caller passed the PIN.
	Verified bool
	// Flow and State are where the caller was before asking for the helpdesk.
	Flow, State string
	Reason      string
	// Context is what was entered and what failed, JSON, for the agent.
	Context []byte
}

// QueueTransfer records a caller waiting for an agent, with the call's context, as a
// transfer the desk lists.
func (o *Op) QueueTransfer(in TransferIn) (Transfer, error) {
	t := Transfer{CallSid: in.CallSid, From: in.From, Verified: in.Verified, Flow: in.Flow, State: in.State,
		Reason: in.Reason, Context: in.Context, Status: TransferQueued, CreatedAt: o.now, UpdatedAt: o.now}
	if c := in.Caller; c != nil {
		t.ResidentID, t.Caller = c.ResidentID, c.Actor(ChannelVoice)
	}
	return o.tx.InsertTransfer(t)
}

// faultReason is the reason of a transfer for a caller who reached the queue without one.
const faultReason = "put through after a fault on the line"

// QueueUnknownCaller records a transfer for a caller waiting in the queue without one (a
// caller put through by the apology the line gives when it fails), so agents see them too.
// A call that already has a transfer is left alone. Most waits are of known callers, so
// it reads first and writes only when there is something to record.
func (s *Service) QueueUnknownCaller(ctx context.Context, callSid, from string) error {
	var known bool
	if err := s.View(ctx, func(rd Reader) error {
		_, err := rd.TransferByCall(callSid)
		known = err == nil
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}); err != nil || known {
		return err
	}
	return s.Update(ctx, func(o *Op) error {
		if _, err := o.tx.TransferByCall(callSid); err == nil {
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		_, err := o.tx.InsertTransfer(Transfer{CallSid: callSid, From: from, Reason: faultReason,
			Context: []byte(`{"history":[]}`), Status: TransferQueued, CreatedAt: o.now, UpdatedAt: o.now})
		return err
	})
}

// LeaveQueue moves the transfer of a call still waiting for an agent to status to (taken,
// returned, abandoned): the caller left the queue. A transfer in any other status, or a
// call with none, is left alone.
func (o *Op) LeaveQueue(callSid string, to TransferStatus) error {
	t, err := o.tx.TransferByCall(callSid)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if t.Status != TransferQueued {
		return nil
	}
	t.Status, t.UpdatedAt = to, o.now
	return o.tx.UpdateTransfer(t)
}
