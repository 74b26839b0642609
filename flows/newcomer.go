package flows

// The newcomer menu of the identification flow, for a caller who cannot give an account
// number: reached by a lone 9 at the account prompt, or after the third entry that is not
// one. It offers how to register (1: online, by post, or with the helpdesk's help), the
// helpdesk hours (2), a person (0) and the
// account prompt again (9); * repeats.

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

func registerAsk(*Ctx) Ask {
	return Ask{Kind: AskChoice, Options: []Option{{"9", say(MsgOptBack)}, {"0", say(MsgOptAgent)},
		{"*", say(MsgOptRepeat)}}}
}

func registerDecide(_ *Ctx, in Input) Outcome {
	if in.Kind == InputKeys && in.Keys == "9" {
		return Outcome{Next: Fire(newcomerMenu), Note: "back to the newcomer menu"}
	}
	return wrongKey(in)
}

func newcomerTellHours(c *Ctx, _ Input) Outcome {
	st := c.Svc.Helpdesk().Status(c.Now())
	return Outcome{Say: []Msg{{ID: MsgHours, Helpdesk: &st}}, Next: Fire(newcomerMenu), Note: "heard the hours"}
}
