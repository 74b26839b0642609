package flows

// HelpdeskStart is the helpdesk flow's one state: it decides at once.
const HelpdeskStart StateName = "start"

// Helpdesk puts a caller through to a person. While the helpdesk is open (R19) the
// caller joins the queue, and the agent who takes the call sees everything the caller
// did. While it is closed (R21) the caller hears so and when it next opens, and goes back
// to the main menu, or, not yet identified, back to identification: self-service never
// closes (R20).
func Helpdesk() *Flow {
	return &Flow{
		Name:  FlowHelpdesk,
		Start: HelpdeskStart,
		Graph: []Edge{
			exit(FlowMenu, HelpdeskStart),
			exit(FlowIdentify, HelpdeskStart),
		},
		States: map[StateName]State{
			HelpdeskStart: {Auto: true, Decide: toHelpdesk},
		},
	}
}

func toHelpdesk(c *Ctx, _ Input) Outcome {
	st := c.Svc.Helpdesk().Status(c.Now())
	if st.Open {
		reason := "asked for an agent"
		if c.Data.LastFailure != "" {
			reason += " after: " + c.Data.LastFailure
		}
		return Outcome{Say: []Msg{{ID: MsgTransferring}}, Next: TransferTo(reason), Note: "put through"}
	}
	back := ToMenu
	if !c.Data.Verified {
		back = ToIdentify
		if (c.Data.Caller != nil && !c.Data.Caller.HasPIN && c.Data.Account == "") ||
			c.Data.LastFailure == failLocked || c.Data.LastFailure == failIdentify {
			// Without a PIN, locked out or past the identification limit, there is nothing
			// more this line can do. (Whether an account keyed in exists is never told.)
			return Outcome{Say: []Msg{{ID: MsgClosed, Helpdesk: &st}, say(MsgGoodbye)}, Next: Hangup,
				Note: "helpdesk closed"}
		}
	}
	return Outcome{Say: []Msg{{ID: MsgClosed, Helpdesk: &st}}, Next: Fire(back), Note: "helpdesk closed"}
}

// HandBack moves a call an agent handed back to the line to the start of flow (the main
// menu, or buying permits). A caller the line identified carries on as verified: the
// agent has spoken to them. A caller it never identified starts at identification
// instead, whatever the agent chose.
func (e *Engine) HandBack(s *Session, flow string) {
	s.Data.Retries = 0
	s.Data.Verified = s.Data.Caller != nil
	if !s.Data.Verified && flow != FlowNewPIN {
		flow = FlowIdentify
	}
	b := e.Begin(flow, s.Data)
	s.Flow, s.State = b.Flow, b.State
}
