package flows

import (
	"errors"

	"permitline/domain"
	"permitline/domain/phone"
)

// Identify finds out who is calling. A caller whose number belongs to exactly one
// resident or member is asked for their PIN; anyone else (a withheld number, an unknown
// one, a number shared by several accounts) keys their account number first. Every
// 8-digit account number is answered the same way, by asking for the PIN, whether or not
// the account exists: only a correct PIN says who the caller is, and only then are they
// greeted by name. Three wrong PINs lock the account for 30 minutes, across calls; wrong
// PINs after an account number also count against the calling number, which past its
// limit cannot identify itself for a while. A caller locked out or past the limit hears
// how to have the PIN reset and is offered an agent. 0 reaches the helpdesk from either
// prompt, and is never a PIN try (R25). A verified caller goes on to the main menu. A
// caller not registered yet presses 9 at the account prompt, or gives three entries that
// are not an account number, for the newcomer menu (newcomer.go).
func Identify() *Flow {
	return &Flow{
		Name:  FlowIdentify,
		Start: IdentifyStart,
		Graph: append([]Edge{
			{identifyKnown, from(IdentifyStart), IdentifyPIN},
			{identifyUnknown, from(IdentifyStart), IdentifyAccount},
			{identifyFound, from(IdentifyAccount), IdentifyPIN},
			exit(FlowMenu, IdentifyPIN),
			exit(FlowHelpdesk, IdentifyStart, IdentifyAccount, IdentifyPIN, IdentifyNewcomer, IdentifyRegister),
		}, newcomerEdges...),
		States: withStates(map[StateName]State{
			IdentifyStart: {Auto: true, Decide: identifyByNumber},
			IdentifyAccount: {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: domain.AccountDigits} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskAccount)} },
				Decide: identifyByAccount,
			},
			IdentifyPIN: {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: 6, Secret: true} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskPIN)} },
				Decide: decidePIN,
				// The PIN is checked in the write transaction that counts failures: never
				// on a snapshot.
				Writes: true,
			},
		}, newcomerStates),
	}
}

// withStates returns states with more added.
func withStates(states, more map[StateName]State) map[StateName]State {
	for name, st := range more {
		states[name] = st
	}
	return states
}

// The identification flow's states.
const (
	IdentifyStart   StateName = "start"
	IdentifyAccount StateName = "account"
	IdentifyPIN     StateName = "pin"
)

// The identification flow's events.
const (
	identifyKnown   EventName = "known"
	identifyUnknown EventName = "unknown"
	identifyFound   EventName = "found"
)

func identifyByNumber(c *Ctx, _ Input) Outcome {
	hello := []Msg{say(MsgWelcome)}
	e164, err := phone.Parse(c.Data.From)
	if err != nil { // withheld or not a phone number
		return Outcome{Say: hello, Next: Fire(identifyUnknown), Note: "number withheld or unknown"}
	}
	callers, err := c.Op.CallersByPhone(e164)
	if err != nil || len(callers) != 1 {
		return Outcome{Say: hello, Next: Fire(identifyUnknown), Note: "number not on one account"}
	}
	caller := callers[0]
	c.Data.Caller = &caller
	if !caller.HasPIN {
		return Outcome{Say: append(hello, say(MsgNoPIN)), Next: Fire(ToHelpdesk), Failure: "the account has no phone PIN"}
	}
	return Outcome{Say: hello, Next: Fire(identifyKnown), Note: "identified by number as " + string(caller.Kind)}
}

// failIdentify is the failure a calling number past its limit leaves for the agent.
const failIdentify = "too many failed identifications from this number"

// identifyByAccount takes an account number. Whether or not it is an account, and
// whether or not it has a PIN, the caller is asked for the PIN: the answer tells nothing.
func identifyByAccount(c *Ctx, in Input) Outcome {
	if out, ok := loneKey(in); ok {
		return out
	}
	account := in.Keys
	if in.Kind == InputKeys && account == "9" {
		return Outcome{Next: Fire(newcomerMenu), Note: "not registered"}
	}
	if in.Kind != InputKeys || len(account) != domain.AccountDigits || !digits(account) {
		if c.Data.Retries >= MaxRetries { // the third try: what a caller without one can do
			return Outcome{Say: []Msg{say(MsgAccountNotFound)}, Next: Fire(newcomerMenu),
				Failure: "account number not 8 digits"}
		}
		return Outcome{Next: Retry(Msg{ID: MsgAccountNotFound}), Failure: "account number not 8 digits"}
	}
	if err := c.Op.CheckIdentifyLimit(domain.IdentifyCaller(c.Data.From)); err != nil {
		return cannotIdentify(err)
	}
	c.Data.Account = account
	res, err := c.Op.ResidentByAccount(account)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		c.Data.Caller = nil
		return Outcome{Next: Fire(identifyFound), Note: "an account number keyed"}
	case err != nil:
		return Outcome{Err: err}
	}
	caller := domain.ResidentCaller(res)
	c.Data.Caller = &caller
	return Outcome{Next: Fire(identifyFound), Note: "an account number keyed"}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cannotIdentify is the answer to a caller past the identification limit, or a refusal
// of the store.
func cannotIdentify(err error) Outcome {
	var limit *domain.IdentifyLimitError
	if !errors.As(err, &limit) {
		return Outcome{Err: err}
	}
	return Outcome{Say: []Msg{{ID: MsgCannotIdentify}, {ID: MsgPINHelp}}, Next: Fire(ToHelpdesk),
		Note: "identification limit", Failure: failIdentify}
}

// failLocked is the failure a PIN lockout leaves for the agent.
const failLocked = "PIN locked after 3 wrong tries"

// decidePIN checks the PIN in the step's write transaction (domain.Op.VerifyPIN).
func decidePIN(c *Ctx, in Input) Outcome {
	if out, ok := loneKey(in); ok {
		return out // never a PIN try (R25)
	}
	chk := domain.PINCheck{Given: in.Keys}
	switch {
	case c.Data.Caller != nil:
		chk.Caller = *c.Data.Caller
	case c.Data.Account != "":
		chk.Caller = domain.NoSuchAccount(c.Data.Account)
	default:
		return Outcome{Err: errors.New("no caller to check a PIN for")}
	}
	if c.Data.Account != "" {
		chk.ByKey = domain.IdentifyCaller(c.Data.From)
	}
	if in.Kind != InputKeys {
		return Outcome{Next: Retry(Msg{ID: MsgWrongPIN, N: -1}), Failure: "PIN not keyed"}
	}
	var wrong *domain.WrongPINError
	var locked *domain.LockedOutError
	var limit *domain.IdentifyLimitError
	switch err := c.Op.VerifyPIN(chk); {
	case err == nil:
		c.Data.Verified = true
		return Outcome{Say: []Msg{{ID: MsgThanks, Name: chk.Caller.Name}}, Next: Fire(ToMenu), Note: "PIN passed"}
	case errors.As(err, &wrong):
		return Outcome{Say: []Msg{{ID: MsgWrongPIN, N: wrong.AttemptsLeft}}, Next: Again, Note: "wrong PIN",
			Failure: "wrong PIN"}
	case errors.As(err, &locked):
		return Outcome{Say: []Msg{{ID: MsgLockedOut, Until: locked.Until}, {ID: MsgPINHelp}}, Next: Fire(ToHelpdesk),
			Note: "PIN locked", Failure: failLocked}
	case errors.As(err, &limit):
		return cannotIdentify(err)
	default:
		return Outcome{Err: err}
	}
}
