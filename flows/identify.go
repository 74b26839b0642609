package flows

import (
	"context"
	"errors"

	"github.com/looplab/fsm"

	"permitline/domain"
	"permitline/domain/phone"
)

// Identify finds out who is calling. A caller whose number belongs to exactly one
// resident or member is greeted by name and asked for their PIN; anyone else (a withheld
// number, an unknown one, a number shared by several accounts) keys their account number
// first. Three wrong PINs lock the account for 30 minutes, across calls: the caller is
// told until when and offered an agent. A verified caller goes on to the main menu.
func Identify() *Flow {
	return &Flow{
		Name:  FlowIdentify,
		Start: "start",
		Events: fsm.Events{
			{Name: "known", Src: []string{"start"}, Dst: "pin"},
			{Name: "unknown", Src: []string{"start"}, Dst: "account"},
			{Name: "found", Src: []string{"account"}, Dst: "pin"},
		},
		States: map[string]State{
			"start": {Auto: true, Decide: identifyByNumber},
			"account": {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: 8} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskAccount)} },
				Decide: identifyByAccount,
			},
			"pin": {
				Ask:     func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: 6, Secret: true} },
				Prompt:  func(*Ctx) []Msg { return []Msg{say(MsgAskPIN)} },
				Prepare: checkPIN,
				Decide:  decidePIN,
			},
		},
	}
}

func identifyByNumber(c *Ctx, _ Input) Outcome {
	hello := []Msg{say(MsgWelcome)}
	e164, err := phone.Parse(c.Data.From)
	if err != nil { // withheld or not a phone number
		return Outcome{Say: hello, Event: "unknown", Note: "number withheld or unknown"}
	}
	callers, err := domain.CallersByPhone(c.Op.Tx(), e164)
	if err != nil || len(callers) != 1 {
		return Outcome{Say: hello, Event: "unknown", Note: "number not on one account"}
	}
	return known(c, callers[0], hello)
}

// known greets a caller identified by their number and asks for the PIN, or hands a
// caller without one to an agent.
func known(c *Ctx, caller domain.Caller, hello []Msg) Outcome {
	c.Data.Caller = &caller
	if !caller.HasPIN {
		return Outcome{Say: append(hello, say(MsgNoPIN)), Goto: FlowHelpdesk, Failure: "the account has no phone PIN"}
	}
	return Outcome{Say: append(hello, Msg{ID: MsgHello, Name: caller.Name}), Event: "known",
		Note: "identified by number as " + string(caller.Kind)}
}

func identifyByAccount(c *Ctx, in Input) Outcome {
	account := in.Keys
	if in.Kind != InputKeys || len(account) != 8 {
		return Outcome{Retry: &Msg{ID: MsgAccountNotFound}, Failure: "account number not 8 digits"}
	}
	res, err := c.Op.Tx().ResidentByAccount(account)
	if err != nil {
		return Outcome{Retry: &Msg{ID: MsgAccountNotFound}, Failure: "no account " + account}
	}
	caller := domain.ResidentCaller(res)
	c.Data.Caller = &caller
	if !caller.HasPIN {
		return Outcome{Say: []Msg{say(MsgNoPIN)}, Goto: FlowHelpdesk, Failure: "the account has no phone PIN"}
	}
	return Outcome{Say: []Msg{{ID: MsgHello, Name: caller.Name}}, Event: "found", Note: "account " + account}
}

// checkPIN verifies the PIN before the step's transaction: the hash is slow, and the
// failure count must be kept even when the caller then hangs up.
func checkPIN(ctx context.Context, svc *domain.Service, d *Data, in Input) Input {
	if d.Caller == nil {
		in.Checked = errors.New("no caller to check a PIN for")
		return in
	}
	in.Checked = svc.VerifyPIN(ctx, *d.Caller, in.Keys)
	return in
}

// failLocked is the failure a PIN lockout leaves for the agent.
const failLocked = "PIN locked after 3 wrong tries"

func decidePIN(c *Ctx, in Input) Outcome {
	var wrong *domain.WrongPINError
	var locked *domain.LockedOutError
	switch err := in.Checked; {
	case err == nil && in.Kind == InputKeys:
		c.Data.Verified = true
		return Outcome{Goto: FlowMenu, Note: "PIN passed"}
	case errors.As(err, &wrong):
		return Outcome{Say: []Msg{{ID: MsgWrongPIN, N: wrong.AttemptsLeft}}, Again: true, Note: "wrong PIN",
			Failure: "wrong PIN"}
	case errors.As(err, &locked):
		return Outcome{Say: []Msg{{ID: MsgLockedOut, Until: locked.Until}}, Goto: FlowHelpdesk, Note: "PIN locked",
			Failure: failLocked}
	default:
		return Outcome{Retry: &Msg{ID: MsgWrongPIN, N: -1}, Failure: "PIN not checked"}
	}
}
