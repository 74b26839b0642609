package flows

import (
	"crypto/hmac"
	"errors"

	"permitline/domain"
)

// FlowNewPIN is the flow of choosing a new PIN on a call an agent handed back after
// resetting the caller's PIN.
const FlowNewPIN = "newpin"

// NewPIN lets a caller choose a new phone PIN on the keypad, keyed twice, on a call an
// agent handed back after resetting the PIN (domain.Service.HelpWithPIN). Only such a call
// may: the start asks the domain for the reset made on this very call, and a call without
// one goes on as any handed-back call (the main menu, or identification). The agent never
// hears or chooses the PIN, and the PIN itself is never kept between the two keyings: only
// a keyed tag of it. Once chosen (the same checks as setting one for the account holder),
// the caller goes on to the main menu; 0 reaches the helpdesk from either prompt.
func NewPIN() *Flow {
	return &Flow{
		Name:  FlowNewPIN,
		Start: NewPINStart,
		Graph: []Edge{
			{newpinReset, from(NewPINStart), NewPINFirst},
			{newpinKeyed, from(NewPINFirst), NewPINAgain},
			{newpinRestart, from(NewPINAgain), NewPINFirst},
			exit(FlowMenu, NewPINStart, NewPINAgain),
			exit(FlowIdentify, NewPINStart),
			exit(FlowHelpdesk, NewPINFirst, NewPINAgain),
		},
		States: map[StateName]State{
			NewPINStart: {Auto: true, Decide: newpinWaiting},
			NewPINFirst: {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: 6, Secret: true} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskNewPIN)} },
				Decide: newpinFirst,
			},
			NewPINAgain: {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: 6, Secret: true} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskNewPINAgain)} },
				Decide: newpinAgain,
				Writes: true,
			},
		},
	}
}

// The new PIN flow's states.
const (
	NewPINStart StateName = "start"
	NewPINFirst StateName = "first"
	NewPINAgain StateName = "again"
)

// The new PIN flow's events.
const (
	newpinReset   EventName = "reset"
	newpinKeyed   EventName = "keyed"
	newpinRestart EventName = "restart"
)

// newPINTagLabel is the purpose of the keyed tag kept of the first keying.
const newPINTagLabel = "newpin"

func newpinWaiting(c *Ctx, _ Input) Outcome {
	caller, err := c.Op.PINResetWaiting(c.Data.Key)
	switch {
	case errors.Is(err, domain.ErrNoPINReset):
		if c.Data.Verified {
			return Outcome{Next: Fire(ToMenu), Note: "no PIN reset on this call"}
		}
		return Outcome{Next: Fire(ToIdentify), Note: "no PIN reset on this call"}
	case err != nil:
		return Outcome{Err: err}
	}
	// The agent checked who the caller is before resetting the PIN.
	c.Data.Caller, c.Data.Verified = &caller, true
	return Outcome{Next: Fire(newpinReset), Note: "PIN reset by an agent: a new one to choose"}
}

// pinShaped reports whether keys could be a PIN (4-6 digits); the domain checks it again.
func pinShaped(keys string) bool { return len(keys) >= 4 && len(keys) <= 6 && digits(keys) }

func newpinFirst(c *Ctx, in Input) Outcome {
	if in.Kind == InputKeys && in.Keys == "0" {
		return Outcome{Next: Fire(ToHelpdesk), Note: "asked for an agent"}
	}
	if in.Kind != InputKeys || !pinShaped(in.Keys) {
		return Outcome{Next: Retry(Msg{ID: MsgNewPINInvalid}), Failure: "new PIN not 4 to 6 digits"}
	}
	c.Data.NewPINTag = c.Svc.SecretTag(newPINTagLabel, []byte(in.Keys))
	return Outcome{Next: Fire(newpinKeyed), Note: "new PIN keyed once"}
}

func newpinAgain(c *Ctx, in Input) Outcome {
	if in.Kind == InputKeys && in.Keys == "0" {
		return Outcome{Next: Fire(ToHelpdesk), Note: "asked for an agent"}
	}
	first := c.Data.NewPINTag
	c.Data.NewPINTag = nil
	if in.Kind != InputKeys || first == nil ||
		!hmac.Equal(first, c.Svc.SecretTag(newPINTagLabel, []byte(in.Keys))) {
		return Outcome{Say: []Msg{say(MsgNewPINMismatch)}, Next: Fire(newpinRestart), Failure: "new PINs did not match"}
	}
	caller, err := c.Op.ChooseNewPIN(c.Data.Key, in.Keys)
	var invalid *domain.InvalidInputError
	switch {
	case errors.As(err, &invalid):
		return Outcome{Say: []Msg{say(MsgNewPINInvalid)}, Next: Fire(newpinRestart), Failure: "new PIN refused"}
	case errors.Is(err, domain.ErrNoPINReset):
		return Outcome{Next: Fire(ToMenu), Note: "the PIN was set already"}
	case err != nil:
		return Outcome{Err: err}
	}
	c.Data.Caller = &caller
	return Outcome{Say: []Msg{say(MsgNewPINSet)}, Next: Fire(ToMenu), Note: "new PIN chosen"}
}
