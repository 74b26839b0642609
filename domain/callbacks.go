package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"permitline/domain/calendar"
	"permitline/domain/phone"
)

// Callbacks (R25): a caller who cannot wait in the queue, or calls while the helpdesk is
// closed, is called back by an agent. A callback asked for in the queue keeps the caller's
// place (it is due from when they joined); one booked while closed is due when the helpdesk
// next opens. An agent takes a due callback as they take a call, and the line calls the
// resident and puts them through; a call back nobody answers is tried again, and after
// CallbackAttempts tries the resident is texted instead.

// CallbackKind says how a callback was asked for.
type CallbackKind string

// The kinds of callback.
const (
	CallbackKept   CallbackKind = "kept"   // asked for in the queue: keeps the caller's place
	CallbackBooked CallbackKind = "booked" // booked while the helpdesk was closed: due when it opens
)

// CallbackStatus is where a callback stands.
type CallbackStatus string

// The states of a callback.
const (
	CallbackPending   CallbackStatus = "pending"   // waiting for an agent, from DueAt
	CallbackCalling   CallbackStatus = "calling"   // an agent took it; the line is calling the resident
	CallbackConnected CallbackStatus = "connected" // the resident answered and was put through to the agent
	CallbackDone      CallbackStatus = "done"      // the agent finished it
	CallbackFailed    CallbackStatus = "failed"    // not answered after CallbackAttempts tries; the resident was texted
	CallbackCancelled CallbackStatus = "cancelled"
)

const (
	// CallbackAttempts is how many times the line calls a resident back: the first call
	// and two retries.
	CallbackAttempts = 3
	// CallbackRetryAfter is how long after a call back nobody answered it is due again.
	CallbackRetryAfter = 10 * time.Minute
)

// NoticeCallbackFailed is the text to a resident the line tried to call back
// CallbackAttempts times without an answer.
const NoticeCallbackFailed NoticeKind = "callback_failed"

// Callback is a caller to be called back, with the context of the call they asked on.
type Callback struct {
	ID         int64
	CallSid    string // the call it was asked for on (one callback per call)
	Number     string // E.164: a UK number the line can call
	ResidentID int64  // 0: the caller was not identified
	Caller     Actor
	Verified   bool // the caller passed the PIN on the first call
	Kind       CallbackKind
	Reason     string
	Context    []byte // what the caller did on the first call (a Transfer's JSON)
	TransferID int64  // the transfer it came from (kept callbacks), else 0
	Status     CallbackStatus
	// DueAt is when an agent may make it: for a kept callback, when the caller joined the
	// queue (their place); for a booked one, the helpdesk's next opening.
	DueAt       time.Time
	Attempts    int
	AgentID     int64
	OutboundSid string // the CallSid of the latest call back
	Note        string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Open reports whether the callback is still to be made (pending, or being made).
func (c Callback) Open() bool { return c.Status == CallbackPending || c.Status == CallbackCalling }

// CallbackIn is what the voice channel knows of a caller asking to be called back.
type CallbackIn struct {
	CallSid string
	// Number is the number to call (E.164 or national UK): the caller's, or one they keyed.
	Number   string
	Caller   *Caller // nil: the caller was not identified
	Verified bool
	Kind     CallbackKind
	Reason   string
	Context  []byte
}

// CallbackNumberError says a callback cannot be booked to a number (R25): the line calls
// back UK numbers only, and not premium or shared-cost ones.
type CallbackNumberError struct {
	Number string // as given; "" when withheld
	Reason string
}

func (e *CallbackNumberError) Error() string {
	return "R25: the line cannot call back " + phone.Mask(e.Number) + ": " + e.Reason
}

// Rule returns "R25".
func (e *CallbackNumberError) Rule() string { return "R25" }

// CallbackPendingError says the resident already has a callback to be made (R25).
type CallbackPendingError struct {
	Due    time.Time
	Number string
}

func (e *CallbackPendingError) Error() string {
	return "R25: a callback is already booked, due " + e.Due.In(calendar.London).Format("Mon 2 Jan 15:04")
}

// Rule returns "R25".
func (e *CallbackPendingError) Rule() string { return "R25" }

// CallbackNotDueError says a callback cannot be made before it is due.
type CallbackNotDueError struct{ Due time.Time }

func (e *CallbackNotDueError) Error() string {
	return "the callback is due " + e.Due.In(calendar.London).Format("Mon 2 Jan 15:04")
}

// CallbackNumber returns the E.164 form of number if the line may call it back (R25).
func CallbackNumber(number string) (string, error) {
	e164, err := phone.Parse(number)
	if err != nil {
		var inv *phone.InvalidError
		reason := "it is not a phone number"
		if errors.As(err, &inv) {
			reason = inv.Reason
		}
		return "", &CallbackNumberError{Number: number, Reason: reason}
	}
	if ok, why := phone.Callable(e164); !ok {
		return "", &CallbackNumberError{Number: e164, Reason: why}
	}
	return e164, nil
}

// BookCallback records a callback for a call. A kept callback needs the call's place in
// the queue: the call's queued transfer becomes TransferCallback, the callback is due
// from when it joined, and it is for whoever the transfer says called (when in.Caller is nil). A booked one is due when the helpdesk next opens. A second booking
// for the same call returns the first (a repeated webhook). It refuses a number the line
// cannot call (*CallbackNumberError) and a resident with a callback still to be made
// (*CallbackPendingError).
func (o *Op) BookCallback(in CallbackIn) (Callback, error) {
	if in.Kind != CallbackKept && in.Kind != CallbackBooked {
		return Callback{}, &InvalidInputError{Field: "kind", Reason: "is kept or booked"}
	}
	if cb, err := o.tx.CallbackByCall(in.CallSid); err == nil {
		return cb, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Callback{}, err
	}
	number, err := CallbackNumber(in.Number)
	if err != nil {
		return Callback{}, err
	}
	cb := Callback{CallSid: in.CallSid, Number: number, Verified: in.Verified, Kind: in.Kind, Reason: in.Reason,
		Context: in.Context, Status: CallbackPending, CreatedAt: o.now, UpdatedAt: o.now}
	if c := in.Caller; c != nil {
		cb.ResidentID, cb.Caller = c.ResidentID, c.Actor(ChannelVoice)
	}
	var t Transfer
	switch in.Kind {
	case CallbackKept:
		// The queued call carries who the caller is and what they did.
		if t, err = o.tx.TransferByCall(in.CallSid); err != nil {
			return Callback{}, fmt.Errorf("the queued call of a kept callback: %w", err)
		}
		if t.Status != TransferQueued {
			return Callback{}, ErrTaken
		}
		cb.DueAt, cb.TransferID = t.CreatedAt, t.ID
		if in.Caller == nil && t.ResidentID != 0 {
			cb.ResidentID, cb.Caller, cb.Verified = t.ResidentID, t.Caller, t.Verified
		}
		if len(cb.Context) == 0 {
			cb.Context = t.Context
		}
		if cb.Reason == "" {
			cb.Reason = t.Reason
		}
	case CallbackBooked:
		if cb.DueAt = o.s.Helpdesk().NextOpening(o.now); cb.DueAt.IsZero() {
			return Callback{}, fmt.Errorf("no helpdesk opening found after %s", o.now.Format(time.RFC3339))
		}
	}
	// One callback to be made per resident, or per number for callers not identified.
	open, err := o.tx.OpenCallbackOf(cb.ResidentID, cb.Number)
	if err == nil {
		return Callback{}, &CallbackPendingError{Due: open.DueAt, Number: open.Number}
	} else if !errors.Is(err, ErrNotFound) {
		return Callback{}, err
	}
	if len(cb.Context) == 0 {
		cb.Context = []byte(`{"history":[]}`)
	}
	if cb, err = o.tx.InsertCallback(cb); err != nil {
		return Callback{}, err
	}
	if t.ID != 0 {
		t.Status, t.UpdatedAt = TransferCallback, o.now
		if err := o.tx.UpdateTransfer(t); err != nil {
			return Callback{}, err
		}
	}
	return cb, o.audit(cb.ResidentID, cb.Caller, "callback.book", "%s callback to %s, due %s", cb.Kind,
		phone.Mask(cb.Number), cb.DueAt.In(calendar.London).Format("Mon 2 Jan 15:04"))
}

// CallbackByCall returns the callback asked for on a call.
func (o *Op) CallbackByCall(callSid string) (Callback, error) { return o.tx.CallbackByCall(callSid) }

// Callbacks lists the callbacks waiting for an agent, due first and oldest first
// (including those not yet due, after them in the same order).
func (s *Service) Callbacks(ctx context.Context) ([]Callback, error) {
	var out []Callback
	err := s.View(ctx, func(r Reader) (err error) { out, err = r.CallbacksWithStatus(CallbackPending, 500); return err })
	return out, err
}

// Callback returns one callback.
func (s *Service) Callback(ctx context.Context, id int64) (Callback, error) {
	var cb Callback
	err := s.View(ctx, func(r Reader) (err error) { cb, err = r.CallbackByID(id); return err })
	return cb, err
}

// TakeCallback gives a due callback to an agent, who is about to be put through to the
// resident: of two agents taking one at once, exactly one wins, the other gets ErrTaken.
// A callback not yet due gets *CallbackNotDueError.
func (s *Service) TakeCallback(ctx context.Context, a Agent, id int64) (Callback, error) {
	var cb Callback
	err := s.Update(ctx, func(o *Op) (err error) {
		if cb, err = o.tx.CallbackByID(id); err != nil {
			return err
		}
		if cb.Status != CallbackPending {
			return ErrTaken
		}
		if cb.DueAt.After(o.now) {
			return &CallbackNotDueError{Due: cb.DueAt}
		}
		cb.Status, cb.AgentID, cb.Attempts, cb.OutboundSid, cb.UpdatedAt = CallbackCalling, a.ID, cb.Attempts+1, "", o.now
		if err := o.tx.UpdateCallback(cb); err != nil {
			return err
		}
		return o.audit(cb.ResidentID, a.Actor(), "callback.take", "calling %s back (try %d of %d)",
			phone.Mask(cb.Number), cb.Attempts, CallbackAttempts)
	})
	return cb, err
}

// CallbackDialled records the CallSid of the call the line made for a callback being made.
func (s *Service) CallbackDialled(ctx context.Context, id int64, outboundSid string) error {
	return s.Update(ctx, func(o *Op) error {
		cb, err := o.tx.CallbackByID(id)
		if err != nil {
			return err
		}
		if cb.Status != CallbackCalling {
			return ErrTaken
		}
		cb.OutboundSid, cb.UpdatedAt = outboundSid, o.now
		return o.tx.UpdateCallback(cb)
	})
}

// CallbackAnswered records that the resident answered the call back (and is being put
// through to the agent). A repeat changes nothing.
func (s *Service) CallbackAnswered(ctx context.Context, outboundSid string) (Callback, error) {
	var cb Callback
	err := s.Update(ctx, func(o *Op) (err error) {
		if cb, err = o.tx.CallbackByOutboundSid(outboundSid); err != nil {
			return err
		}
		if cb.Status != CallbackCalling {
			return nil
		}
		cb.Status, cb.UpdatedAt = CallbackConnected, o.now
		if err := o.tx.UpdateCallback(cb); err != nil {
			return err
		}
		return o.audit(cb.ResidentID, Actor{Kind: ActorAgent, ID: cb.AgentID, Channel: ChannelAgent}, "callback.answered",
			"%s answered", phone.Mask(cb.Number))
	})
	return cb, err
}

// CallbackNotAnswered records that a call back was not answered (why: busy, no-answer,
// failed, canceled). While tries are left the callback is due again CallbackRetryAfter
// from now, first in the list; after the last, it fails and the resident is texted once.
// A report for a call back already recorded changes nothing.
func (s *Service) CallbackNotAnswered(ctx context.Context, outboundSid, why string) (Callback, error) {
	var cb Callback
	err := s.Update(ctx, func(o *Op) (err error) {
		if cb, err = o.tx.CallbackByOutboundSid(outboundSid); err != nil {
			return err
		}
		if cb.Status != CallbackCalling {
			return nil
		}
		cb, err = o.notAnswered(cb, Actor{Kind: ActorAgent, ID: cb.AgentID, Channel: ChannelAgent}, why)
		return err
	})
	return cb, err
}

// CallbackNotReached records that the agent making a callback could not reach the
// resident (the line's call was answered by voicemail, or nobody spoke): as a call back
// not answered, it is due again while tries are left, else it fails and the resident is
// texted. note says what happened.
func (s *Service) CallbackNotReached(ctx context.Context, a Agent, id int64, note string) (Callback, error) {
	if err := CheckNote(note); err != nil {
		return Callback{}, err
	}
	var cb Callback
	err := s.Update(ctx, func(o *Op) (err error) {
		if cb, err = o.heldCallback(a, id); err != nil {
			return err
		}
		if n := strings.TrimSpace(note); n != "" {
			cb.Note = n
		}
		why := "not reached by the agent"
		if cb.Note != "" {
			why += " (" + cb.Note + ")"
		}
		cb, err = o.notAnswered(cb, a.Actor(), why)
		return err
	})
	return cb, err
}

// notAnswered puts a callback being made back in the list, due again CallbackRetryAfter
// from now, or fails it after its last try and texts the resident.
func (o *Op) notAnswered(cb Callback, agent Actor, why string) (Callback, error) {
	cb.UpdatedAt, cb.AgentID = o.now, 0
	if cb.Attempts < CallbackAttempts {
		cb.Status, cb.DueAt = CallbackPending, o.now.Add(CallbackRetryAfter)
		if err := o.tx.UpdateCallback(cb); err != nil {
			return cb, err
		}
		return cb, o.audit(cb.ResidentID, agent, "callback.unanswered", "%s: %s (try %d of %d)",
			phone.Mask(cb.Number), why, cb.Attempts, CallbackAttempts)
	}
	cb.Status = CallbackFailed
	if err := o.tx.UpdateCallback(cb); err != nil {
		return cb, err
	}
	if err := o.callbackFailedText(cb); err != nil {
		return cb, err
	}
	return cb, o.audit(cb.ResidentID, agent, "callback.failed", "%s: %s after %d tries",
		phone.Mask(cb.Number), why, cb.Attempts)
}

// heldCallback loads callback id, and refuses it (ErrNotYourCall) unless the agent a is
// making it now (the line is calling the resident, or has put them through).
func (o *Op) heldCallback(a Agent, id int64) (Callback, error) {
	cb, err := o.tx.CallbackByID(id)
	if err != nil {
		return Callback{}, err
	}
	if cb.AgentID != a.ID || (cb.Status != CallbackCalling && cb.Status != CallbackConnected) {
		return Callback{}, ErrNotYourCall
	}
	return cb, nil
}

// FindAccountsForCallback is FindAccounts for the agent making a callback for a caller the
// line did not identify (ErrNotYourCall for anyone else): each account listed is recorded
// on its audit with the agent's name ("account.found", once per callback, search and agent).
func (s *Service) FindAccountsForCallback(ctx context.Context, a Agent, id int64, by SearchBy, text string) ([]FoundAccount, error) {
	value, err := searchValue(by, text)
	if err != nil {
		return nil, err
	}
	var out []FoundAccount
	err = s.Update(ctx, func(o *Op) error {
		out = nil
		cb, err := o.heldCallback(a, id)
		if err != nil {
			return err
		}
		rs, err := o.tx.FindResidents(by, value, MaxFound+1)
		if err != nil {
			return fmt.Errorf("finding accounts by %s: %w", by, err)
		}
		detail := fmt.Sprintf("for callback %d to %s, by %s %s", cb.ID, phone.Mask(cb.Number), by, shownValue(by, value))
		for _, res := range rs {
			addr, err := o.tx.AddressByID(res.AddressID)
			if err != nil {
				return err
			}
			out = append(out, FoundAccount{Resident: res, Address: addr})
			recent, err := o.tx.Audit(res.ID, 50)
			if err != nil {
				return err
			}
			seen := false
			for _, e := range recent {
				seen = seen || (e.Action == "account.found" && e.Actor == a.Actor() && e.Detail == detail)
			}
			if !seen {
				if err := o.audit(res.ID, a.Actor(), "account.found", "%s", detail); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// LookUpAccountForCallback lets the agent making a callback for a caller the line did not
// identify open the account the resident gives (ErrNotYourCall for anyone else), recorded
// on the account's audit once per callback, account and agent ("account.lookup").
func (s *Service) LookUpAccountForCallback(ctx context.Context, a Agent, id int64, account string) error {
	return s.Update(ctx, func(o *Op) error {
		cb, err := o.heldCallback(a, id)
		if err != nil {
			return err
		}
		res, err := residentByAccount(o.tx, strings.TrimSpace(account))
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("for callback %d to %s", cb.ID, phone.Mask(cb.Number))
		recent, err := o.tx.Audit(res.ID, 50)
		if err != nil {
			return err
		}
		for _, e := range recent {
			if e.Action == "account.lookup" && e.Actor == a.Actor() && e.Detail == detail {
				return nil
			}
		}
		return o.audit(res.ID, a.Actor(), "account.lookup", "%s", detail)
	})
}

// callbackFailedText queues, once, the text telling the resident the line could not reach
// them, unless the number is not a mobile or has opted out.
func (o *Op) callbackFailedText(cb Callback) error {
	if !phone.IsMobile(cb.Number) {
		return nil
	}
	if out, err := o.tx.OptedOut(cb.Number); err != nil || out {
		return err
	}
	_, err := o.tx.InsertOutgoing(Outgoing{Key: fmt.Sprintf("%s:%d", NoticeCallbackFailed, cb.ID),
		Kind: NoticeCallbackFailed, To: cb.Number, ResidentID: cb.ResidentID, Status: OutboxPending,
		NextTry: o.now, CreatedAt: o.now, UpdatedAt: o.now})
	return err
}

// FinishCallback records how the agent who made a callback ended it, with a wrap-up note.
func (s *Service) FinishCallback(ctx context.Context, a Agent, id int64, note string) (Callback, error) {
	return s.closeCallback(ctx, a, id, note, CallbackDone)
}

// CancelCallback drops a callback still to be made (the resident called again, or asked
// not to be called), with a note.
func (s *Service) CancelCallback(ctx context.Context, a Agent, id int64, note string) (Callback, error) {
	return s.closeCallback(ctx, a, id, note, CallbackCancelled)
}

func (s *Service) closeCallback(ctx context.Context, a Agent, id int64, note string, to CallbackStatus) (Callback, error) {
	if err := CheckNote(note); err != nil {
		return Callback{}, err
	}
	var cb Callback
	err := s.Update(ctx, func(o *Op) (err error) {
		if cb, err = o.tx.CallbackByID(id); err != nil {
			return err
		}
		switch {
		case to == CallbackDone && (cb.Status != CallbackCalling && cb.Status != CallbackConnected || cb.AgentID != a.ID):
			return ErrNotYourCall
		case to == CallbackCancelled && !cb.Open():
			return ErrTaken
		}
		cb.Status, cb.UpdatedAt = to, o.now
		if n := strings.TrimSpace(note); n != "" {
			cb.Note = n
		}
		if err := o.tx.UpdateCallback(cb); err != nil {
			return err
		}
		return o.audit(cb.ResidentID, a.Actor(), "callback."+string(to), "%s", cb.Note)
	})
	return cb, err
}
