package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"permitline/domain/phone"
)

// The texts an agent's PIN reset sends the resident, once each (outbox key).
const (
	NoticePINReset  NoticeKind = "pin_reset"  // an agent cleared the PIN; a new one is chosen on the call
	NoticePINChosen NoticeKind = "pin_chosen" // the caller chose a new PIN after a reset
)

// IdentityAnswers is which identity questions the caller answered to the agent.
type IdentityAnswers struct {
	Address bool // the address and postcode the account holds
	Visit   bool // a recent visit: its registration and date
}

// String names the questions answered, for the audit.
func (q IdentityAnswers) String() string {
	var parts []string
	if q.Address {
		parts = append(parts, "address and postcode")
	}
	if q.Visit {
		parts = append(parts, "a recent visit")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// PINHelp is what an agent does to the PIN of a held call's caller.
type PINHelp string

// The ways an agent helps with a PIN.
const (
	PINUnlock PINHelp = "unlock" // the failure count and lockout cleared; the PIN kept
	PINReset  PINHelp = "reset"  // the PIN, failure count and lockout cleared; a new PIN chosen on the keypad
)

// ErrNoPINReset is returned when a call has no agent's reset waiting for a new PIN.
var ErrNoPINReset = errors.New("no PIN reset waiting on this call")

// pinResetTag starts the audit detail of a reset made on the call of transfer id.
func pinResetTag(transferID int64) string { return fmt.Sprintf("for call %d:", transferID) }

// HelpWithPIN lifts the lockout of, or resets the PIN of, the caller of the call the agent
// holds (ErrNotYourCall otherwise). The call must be one the line identified: the PIN is
// that caller's (the resident, or the member who called). Both identity questions must be
// answered to reset; one is enough to lift a lockout. A reset never sets a PIN: the caller
// chooses one on the keypad when the agent hands the call back (ChooseNewPIN), and the
// resident is texted that the PIN was reset. Each step is audited in the agent's name with
// the questions answered.
func (s *Service) HelpWithPIN(ctx context.Context, a Agent, transferID int64, help PINHelp, q IdentityAnswers) error {
	return s.HelpWithPINOfAccount(ctx, a, transferID, "", help, q)
}

// HelpWithPINOfAccount is HelpWithPIN for a call the line may not have identified: the
// agent picks the account (found by its number or a search) as the caller's. On a call
// the line identified, account is empty or the caller's own. On one it did not, both
// identity questions are needed whatever the help (a stranger's word is all there is),
// and only then is the account holder recorded as the call's caller (audited as
// "call.identify"), so that handing back after a reset lets them choose a new PIN.
// Picking the account never marks the caller as having passed the PIN.
func (s *Service) HelpWithPINOfAccount(ctx context.Context, a Agent, transferID int64, account string, help PINHelp, q IdentityAnswers) error {
	if help != PINUnlock && help != PINReset {
		return &InvalidInputError{Field: "action", Reason: "is unlock or reset"}
	}
	if help == PINReset && !(q.Address && q.Visit) {
		return &InvalidInputError{Field: "questions",
			Reason: "both identity questions (address and postcode, a recent visit) are needed to reset a PIN"}
	}
	if !q.Address && !q.Visit {
		return &InvalidInputError{Field: "questions", Reason: "an identity question is needed to lift a lockout"}
	}
	account = strings.TrimSpace(account)
	return s.Update(ctx, func(o *Op) error {
		t, err := o.heldTransfer(a, transferID)
		if err != nil {
			return err
		}
		if t.ResidentID == 0 && account != "" {
			if t, err = o.identifyCaller(a, t, account, q); err != nil {
				return err
			}
		}
		c, err := transferCaller(o.tx, t)
		if err != nil {
			return err
		}
		if account != "" && c.Account != account {
			return &InvalidInputError{Field: "account", Reason: "is not the account of this call's caller"}
		}
		if err := o.tx.SetPINState(c.Kind, c.ID, PINState{}); err != nil {
			return fmt.Errorf("lifting the lockout of %s %d: %w", c.Kind, c.ID, err)
		}
		if help == PINUnlock {
			return o.audit(c.ResidentID, a.Actor(), "pin.unlock", "%s lockout lifted for %s; answered: %s",
				pinResetTag(t.ID), c.Name, q)
		}
		if err := o.setPIN(c, ""); err != nil {
			return fmt.Errorf("clearing the PIN of %s %d: %w", c.Kind, c.ID, err)
		}
		if err := o.pinNotice(c, NoticePINReset, t.ID); err != nil {
			return err
		}
		return o.audit(c.ResidentID, a.Actor(), "pin.reset", "%s PIN reset for %s; answered: %s",
			pinResetTag(t.ID), c.Name, q)
	})
}

// HelpWithCallbackPIN lifts the lockout of the resident (or member) the agent is calling
// back (ErrNotYourCall unless the agent is making callback id), with the same identity
// questions as on a call: one for a caller the line identified on the first call, both
// for one it did not, whose account the agent opened (account). A PIN is not reset on a
// callback: the new one is chosen on the keypad of a call the line hands back, which a
// callback is not. Audited in the agent's name with the questions answered.
func (s *Service) HelpWithCallbackPIN(ctx context.Context, a Agent, id int64, account string, q IdentityAnswers) error {
	if !q.Address && !q.Visit {
		return &InvalidInputError{Field: "questions", Reason: "an identity question is needed to lift a lockout"}
	}
	account = strings.TrimSpace(account)
	return s.Update(ctx, func(o *Op) error {
		cb, err := o.heldCallback(a, id)
		if err != nil {
			return err
		}
		var c Caller
		switch {
		case cb.ResidentID != 0:
			if c, err = transferCaller(o.tx, Transfer{ID: cb.TransferID, ResidentID: cb.ResidentID, Caller: cb.Caller}); err != nil {
				return err
			}
			if account != "" && account != c.Account {
				return &InvalidInputError{Field: "account", Reason: "is not the account of this callback's resident"}
			}
		case account == "":
			return &InvalidInputError{Field: "account", Reason: "find the resident's account first"}
		case !(q.Address && q.Visit):
			return &InvalidInputError{Field: "questions",
				Reason: "the line did not identify this caller: both identity questions (address and postcode, a recent visit) are needed, even to lift a lockout"}
		default:
			res, err := residentByAccount(o.tx, account)
			if err != nil {
				return err
			}
			c = ResidentCaller(res)
		}
		if err := o.tx.SetPINState(c.Kind, c.ID, PINState{}); err != nil {
			return fmt.Errorf("lifting the lockout of %s %d: %w", c.Kind, c.ID, err)
		}
		return o.audit(c.ResidentID, a.Actor(), "pin.unlock", "for callback %d: lockout lifted for %s; answered: %s",
			cb.ID, c.Name, q)
	})
}

// identifyCaller records the holder of account as the caller of held transfer t, which
// the line did not identify, once the caller answered both identity questions.
func (o *Op) identifyCaller(a Agent, t Transfer, account string, q IdentityAnswers) (Transfer, error) {
	if !(q.Address && q.Visit) {
		return Transfer{}, &InvalidInputError{Field: "questions",
			Reason: "the line did not identify this caller: both identity questions (address and postcode, a recent visit) are needed, even to lift a lockout"}
	}
	res, err := residentByAccount(o.tx, account)
	if err != nil {
		return Transfer{}, err
	}
	c := ResidentCaller(res)
	t.ResidentID, t.Caller, t.UpdatedAt = res.ID, c.Actor(ChannelVoice), o.now
	if err := o.tx.SetTransferCaller(t.ID, res.ID, t.Caller, o.now); err != nil {
		return Transfer{}, fmt.Errorf("recording the caller of call %d: %w", t.ID, err)
	}
	return t, o.audit(res.ID, a.Actor(), "call.identify", "%s the line did not identify %s: the agent picked this account; answered: %s",
		pinResetTag(t.ID), phone.Mask(t.From), q)
}

// CallerPicked reports whether the caller of transfer t was picked by an agent (see
// HelpWithPINOfAccount) rather than identified by the line, which then still knows them
// as not identified.
func (s *Service) CallerPicked(ctx context.Context, t Transfer) (bool, error) {
	if t.ResidentID == 0 {
		return false, nil
	}
	var picked bool
	err := s.View(ctx, func(r Reader) error {
		entries, err := r.Audit(t.ResidentID, 100)
		for _, e := range entries {
			if e.Action == "call.identify" && strings.HasPrefix(e.Detail, pinResetTag(t.ID)) {
				picked = true
			}
		}
		return err
	})
	return picked, err
}

// PINResetWaiting returns the caller whose PIN an agent reset on the call callSid and who
// has not yet chosen a new one; ErrNoPINReset when there is none. Only such a call may set
// a PIN on the keypad: a caller without a PIN is never offered one otherwise.
func (o *Op) PINResetWaiting(callSid string) (Caller, error) { return pinResetWaiting(o.tx, callSid) }

// PINResetWaiting reports whether the call callSid has an agent's PIN reset waiting for a
// new PIN (see Op.PINResetWaiting), for the desk to hand the call back to choosing one.
func (s *Service) PINResetWaiting(ctx context.Context, callSid string) (bool, error) {
	var waiting bool
	err := s.View(ctx, func(r Reader) error {
		_, err := pinResetWaiting(r, callSid)
		if errors.Is(err, ErrNoPINReset) {
			return nil
		}
		waiting = err == nil
		return err
	})
	return waiting, err
}

func pinResetWaiting(r Reader, callSid string) (Caller, error) {
	t, err := r.TransferByCall(callSid)
	if errors.Is(err, ErrNotFound) {
		return Caller{}, ErrNoPINReset
	}
	if err != nil {
		return Caller{}, fmt.Errorf("the transfer of call %s: %w", callSid, err)
	}
	if t.ResidentID == 0 {
		return Caller{}, ErrNoPINReset
	}
	entries, err := r.Audit(t.ResidentID, 100)
	if err != nil {
		return Caller{}, err
	}
	tag := pinResetTag(t.ID)
	for _, e := range entries { // newest first
		if !strings.HasPrefix(e.Detail, tag) {
			continue
		}
		switch e.Action {
		case "pin.chosen", "pin.unlock":
			return Caller{}, ErrNoPINReset
		case "pin.reset":
			c, err := transferCaller(r, t)
			if err != nil {
				return Caller{}, err
			}
			if c.HasPIN {
				return Caller{}, ErrNoPINReset
			}
			return c, nil
		}
	}
	return Caller{}, ErrNoPINReset
}

// ChooseNewPIN sets the PIN the caller keyed after an agent reset it on the call callSid
// (ErrNoPINReset for any other call), with the same checks as setting one for the account
// holder, texts the resident and audits it.
func (o *Op) ChooseNewPIN(callSid, newPIN string) (Caller, error) {
	c, err := o.PINResetWaiting(callSid)
	if err != nil {
		return Caller{}, err
	}
	hash, err := o.s.pinHash(newPIN, false)
	if err != nil {
		return Caller{}, err
	}
	if err := o.setPIN(c, hash); err != nil {
		return Caller{}, fmt.Errorf("setting the PIN of %s %d: %w", c.Kind, c.ID, err)
	}
	t, err := o.tx.TransferByCall(callSid)
	if err != nil {
		return Caller{}, err
	}
	if err := o.pinNotice(c, NoticePINChosen, t.ID); err != nil {
		return Caller{}, err
	}
	c.HasPIN = true
	return c, o.audit(c.ResidentID, c.Actor(ChannelVoice), "pin.chosen", "%s new PIN chosen by %s on the keypad",
		pinResetTag(t.ID), c.Name)
}

// transferCaller returns the caller the line identified on transfer t.
func transferCaller(r Reader, t Transfer) (Caller, error) {
	if t.ResidentID == 0 || t.Caller.ID == 0 {
		return Caller{}, &InvalidInputError{Field: "call",
			Reason: "the line has not identified this caller: a PIN is reset only on the account the call came in on"}
	}
	res, err := r.ResidentByID(t.ResidentID)
	if err != nil {
		return Caller{}, fmt.Errorf("resident %d of transfer %d: %w", t.ResidentID, t.ID, err)
	}
	if t.Caller.Kind != ActorMember {
		return ResidentCaller(res), nil
	}
	m, err := r.MemberByID(t.Caller.ID)
	if err != nil {
		return Caller{}, fmt.Errorf("member %d of transfer %d: %w", t.Caller.ID, t.ID, err)
	}
	return Caller{Kind: ActorMember, ID: m.ID, Name: m.Name, ResidentID: res.ID, Account: res.Account,
		HasPIN: m.PINHash != "", Permissions: m.Permissions}, nil
}

// pinNotice queues the text of kind about the PIN of c to the resident's mobile, once per
// call (the outbox key), unless they have no mobile or opted out.
func (o *Op) pinNotice(c Caller, kind NoticeKind, transferID int64) error {
	res, err := o.tx.ResidentByID(c.ResidentID)
	if err != nil {
		return err
	}
	if !phone.IsMobile(res.Phone) {
		return nil
	}
	if out, err := o.tx.OptedOut(res.Phone); err != nil || out {
		return err
	}
	_, err = o.tx.InsertOutgoing(Outgoing{Key: fmt.Sprintf("%s:%s:%d:%d", kind, c.Kind, c.ID, transferID),
		Kind: kind, To: res.Phone, ResidentID: res.ID, NotBefore: o.now, Status: OutboxPending,
		NextTry: o.now, CreatedAt: o.now, UpdatedAt: o.now})
	if err != nil {
		return fmt.Errorf("queueing the %s text: %w", kind, err)
	}
	return nil
}
