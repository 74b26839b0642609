package flows

import (
	"permitline/domain"
)

// Menu is the main menu of a verified caller: activate a visit (1), cancel one (2), hear
// the balance (3), buy permits (4, offered only to those who may), hear the helpdesk
// hours (5). As in every menu, 0 reaches an agent and * repeats. The balance and the
// hours are told at once, then the menu is offered again.
func Menu() *Flow {
	return &Flow{
		Name:  FlowMenu,
		Start: MenuMain,
		Graph: []Edge{
			{menuBalance, from(MenuMain), MenuBalance},
			{menuHours, from(MenuMain), MenuHours},
			{menuBack, from(MenuBalance, MenuHours), MenuMain},
			exit(FlowActivate, MenuMain),
			exit(FlowCancel, MenuMain),
			exit(FlowBuy, MenuMain),
			exit(FlowHelpdesk, MenuMain),
		},
		States: map[StateName]State{
			MenuMain: {
				Ask:    menuAsk,
				Prompt: func(*Ctx) []Msg { return nil },
				Decide: menuDecide,
			},
			MenuBalance: {Auto: true, Decide: tellBalance},
			MenuHours:   {Auto: true, Decide: tellHours},
		},
	}
}

// The main menu's states.
const (
	MenuMain    StateName = "main"
	MenuBalance StateName = "balance"
	MenuHours   StateName = "hours"
)

// The main menu's events.
const (
	menuBalance EventName = "balance"
	menuHours   EventName = "hours"
	menuBack    EventName = "back"
)

func menuAsk(c *Ctx) Ask {
	opts := []Option{{"1", say(MsgOptActivate)}, {"2", say(MsgOptCancel)}, {"3", say(MsgOptBalance)}}
	if _, _, refused := authorised(c, domain.PermBuy); !refused {
		opts = append(opts, Option{"4", say(MsgOptBuy)})
	}
	opts = append(opts, Option{"5", say(MsgOptHours)}, Option{"0", say(MsgOptAgent)}, Option{"*", say(MsgOptRepeat)})
	return Ask{Kind: AskChoice, Options: opts}
}

func menuDecide(c *Ctx, in Input) Outcome {
	if in.Kind == InputKeys {
		for _, o := range menuAsk(c).Options {
			if o.Key != in.Keys {
				continue
			}
			switch o.Msg.ID {
			case MsgOptActivate:
				return Outcome{Next: Fire(ToActivate), Note: "chose activate"}
			case MsgOptCancel:
				return Outcome{Next: Fire(ToCancel), Note: "chose cancel"}
			case MsgOptBalance:
				return Outcome{Next: Fire(menuBalance), Note: "chose balance"}
			case MsgOptBuy:
				return Outcome{Next: Fire(ToBuy), Note: "chose buy"}
			case MsgOptHours:
				return Outcome{Next: Fire(menuHours), Note: "chose hours"}
			}
		}
	}
	return wrongKey(in)
}

// authorised asks the domain whether the caller may act on their account with p (R5):
// when not, the outcome explains the refusal and returns to the menu.
func authorised(c *Ctx, p domain.Permission) (domain.Resident, Outcome, bool) {
	if c.Data.Caller == nil {
		err := &domain.NotPermittedError{Need: p}
		return domain.Resident{}, Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Next: Fire(ToMenu), Failure: err.Error()}, true
	}
	q := authQuestion{actor: c.Actor(), account: c.Account(), need: p}
	if a, ok := c.auth[q]; ok {
		return a.res, a.out, a.refused
	}
	res, err := c.Op.Authorise(q.actor, q.account, p)
	a := authAnswer{res: res}
	switch {
	case domain.RuleOf(err) != "":
		a.out, a.refused = Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Next: Fire(ToMenu), Failure: err.Error()}, true
	case err != nil:
		return res, Outcome{Err: err}, true // a failure, not an answer: not kept
	}
	if c.auth == nil {
		c.auth = map[authQuestion]authAnswer{}
	}
	c.auth[q] = a
	return a.res, a.out, a.refused
}

// wrongKey re-asks after an answer that is none of the choices.
func wrongKey(in Input) Outcome {
	return Outcome{Next: Retry(Msg{ID: MsgWrongKey, Text: in.Keys + in.Speech + in.Text})}
}

func tellBalance(c *Ctx, _ Input) Outcome {
	b, err := c.Op.Balance(c.Actor(), c.Account())
	if domain.RuleOf(err) != "" {
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Next: Fire(menuBack), Failure: "may not hear the balance"}
	} else if err != nil {
		return Outcome{Err: err}
	}
	return Outcome{Say: []Msg{{ID: MsgBalance, Balance: &b}}, Next: Fire(menuBack), Note: "heard the balance"}
}

func tellHours(c *Ctx, _ Input) Outcome {
	st := c.Svc.Helpdesk().Status(c.Now())
	return Outcome{Say: []Msg{{ID: MsgHours, Helpdesk: &st}}, Next: Fire(menuBack), Note: "heard the hours"}
}
