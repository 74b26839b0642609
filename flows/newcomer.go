package flows

import (
	"errors"

	"permitline/domain"
)

// The newcomer menu of the identification flow, for a caller who cannot give an account
// number: reached by a lone 9 at the account prompt, or after the third entry that is not
// one. It offers how to register (1: online, by post, or with the helpdesk's help), the
// helpdesk hours (2), a person (0) and the account prompt again (9); * repeats. A caller
// on a UK mobile the line can text (not withheld, a landline, a foreign number or one that
// opted out) who heard how to register may press 1 to have it texted, with the helpdesk's
// number and hours: one text a call, through the outbox, then back to the newcomer menu.

// The newcomer menu's states.
const (
	IdentifyNewcomer StateName = "newcomer"
	IdentifyRegister StateName = "register"
	IdentifyHours    StateName = "newcomer_hours"
)

// The newcomer menu's events.
const (
	newcomerMenu     EventName = "newcomer"
	newcomerRegister EventName = "register"
	newcomerHours    EventName = "newcomer_hours"
	newcomerAccount  EventName = "account"
)

// newcomerEdges are the newcomer menu's edges within the identification flow.
var newcomerEdges = []Edge{
	{newcomerMenu, from(IdentifyAccount, IdentifyRegister, IdentifyHours), IdentifyNewcomer},
	{newcomerRegister, from(IdentifyNewcomer), IdentifyRegister},
	{newcomerHours, from(IdentifyNewcomer), IdentifyHours},
	{newcomerAccount, from(IdentifyNewcomer), IdentifyAccount},
}

// newcomerStates are the newcomer menu's states.
var newcomerStates = map[StateName]State{
	IdentifyNewcomer: {Ask: newcomerAsk, Decide: newcomerDecide},
	IdentifyRegister: {
		Ask:    registerAsk,
		Prompt: func(*Ctx) []Msg { return []Msg{say(MsgRegisterHow)} },
		Decide: registerDecide,
	},
	IdentifyHours: {Auto: true, Decide: newcomerTellHours},
}

func newcomerAsk(*Ctx) Ask {
	return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptRegister)}, {"2", say(MsgOptHours)},
		{"0", say(MsgOptAgent)}, {"9", say(MsgOptAccount)}, {"*", say(MsgOptRepeat)}}}
}

func newcomerDecide(_ *Ctx, in Input) Outcome {
	if in.Kind == InputKeys {
		switch in.Keys {
		case "1":
			return Outcome{Next: Fire(newcomerRegister), Note: "chose how to register"}
		case "2":
			return Outcome{Next: Fire(newcomerHours), Note: "chose hours"}
		case "9":
			return Outcome{Next: Fire(newcomerAccount), Note: "chose to key an account number"}
		}
	}
	return wrongKey(in)
}

func registerAsk(c *Ctx) Ask {
	var opts []Option
	if !c.Data.RegisterTexted && textable(c) {
		opts = append(opts, Option{"1", say(MsgOptTextRegister)})
	}
	return Ask{Kind: AskChoice, Options: append(opts, Option{"9", say(MsgOptBack)}, Option{"0", say(MsgOptAgent)},
		Option{"*", say(MsgOptRepeat)})}
}

// textable reports whether how to register may be texted to the caller's number.
func textable(c *Ctx) bool {
	_, ok, err := c.Op.RegisterHelpTo(c.Data.From)
	return err == nil && ok
}

func registerDecide(c *Ctx, in Input) Outcome {
	if in.Kind == InputKeys {
		switch in.Keys {
		case "9":
			return Outcome{Next: Fire(newcomerMenu), Note: "back to the newcomer menu"}
		case "1":
			if c.Data.RegisterTexted || textable(c) {
				return textRegisterHelp(c)
			}
		}
	}
	return wrongKey(in)
}

// textRegisterHelp queues the text of how to register, once a call (the domain keys it by
// the CallSid, so a repeated press or webhook queues nothing more), and goes back to the
// newcomer menu.
func textRegisterHelp(c *Ctx) Outcome {
	sent, err := c.Op.TextRegisterHelp(c.Data.Key, c.Data.From)
	switch {
	case errors.Is(err, domain.ErrCannotText): // opted out since the offer: 1 is no longer a choice
		return wrongKey(Input{Kind: InputKeys, Keys: "1"})
	case err != nil:
		return Outcome{Err: err}
	}
	c.Data.RegisterTexted = true
	note := "had how to register sent by text"
	if !sent.Queued {
		note = "asked again for how to register by text: one text a call"
	}
	return Outcome{Say: []Msg{say(MsgRegisterTexted)}, Next: Fire(newcomerMenu), Note: note}
}

func newcomerTellHours(c *Ctx, _ Input) Outcome {
	st := c.Svc.Helpdesk().Status(c.Now())
	return Outcome{Say: []Msg{{ID: MsgHours, Helpdesk: &st}}, Next: Fire(newcomerMenu), Note: "heard the hours"}
}
