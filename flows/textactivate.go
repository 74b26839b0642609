package flows

import (
	"permitline/domain"
	"permitline/flows/entry"
)

// TextActivate uses one visit by text (R12-R18). The text that starts it carries the
// registration and perhaps the date; without a registration it asks for one, and a date
// it cannot read is said back and ends it. A texted
// registration is checked against every rule at once: a vehicle the account has used
// before is activated straight away, a new one is read back for a CONFIRM first (R16). A
// date that cannot work (no permit needed that day, too far ahead) is explained and
// another asked for; any other refusal is explained and ends the conversation, as does
// the visit activated or a NO.
func TextActivate() *Flow {
	return &Flow{
		Name:  FlowActivate,
		Start: TextActivateStart,
		Graph: []Edge{
			{textTexted, from(TextActivateStart), TextActivateCheck},
			{textAskVRM, from(TextActivateStart, TextActivateCheck), TextActivateEnterVRM},
			{textEntered, from(TextActivateEnterVRM), TextActivateCheck},
			{textKnown, from(TextActivateCheck), TextActivateNow},
			{textNewVRM, from(TextActivateCheck), TextActivateConfirm},
			{textRedate, from(TextActivateCheck), TextActivateChooseDate},
			{textDated, from(TextActivateChooseDate), TextActivateCheck},
		},
		States: map[StateName]State{
			TextActivateStart: {Auto: true, Decide: startTextActivate},
			TextActivateCheck: {Auto: true, Decide: checkTextedVRM},
			// The plan was checked in the same transaction (check_vrm): a refusal now is
			// explained and ends the conversation.
			TextActivateNow: {Auto: true, Decide: func(c *Ctx, _ Input) Outcome {
				return activate(c, Hangup, func(err error) Outcome { return ended(refused(c, err, "activating")) })
			}},
			TextActivateEnterVRM: {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskVRM} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskVRM)} },
				Decide: func(c *Ctx, in Input) Outcome { return enterVRM(c, in, textEntered) },
			},
			TextActivateChooseDate: {
				Ask:    dateAsk,
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskDate)} },
				Decide: chooseTextedDate,
			},
			TextActivateConfirm: {
				Ask: func(*Ctx) Ask {
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptYes)}, {"2", say(MsgOptNo)}}}
				},
				Prompt: confirmPrompt,
				Decide: confirmTextedVisit,
				Writes: true,
			},
		},
	}
}

// The text activation's states.
const (
	TextActivateStart      StateName = "start"
	TextActivateEnterVRM   StateName = "enter_vrm"
	TextActivateCheck      StateName = "check_vrm"
	TextActivateNow        StateName = "activate_now"
	TextActivateChooseDate StateName = "choose_date"
	// TextActivateConfirm waits for a CONFIRM (or YES) or a NO.
	TextActivateConfirm StateName = "confirm"
)

// The text activation's events.
const (
	textTexted  EventName = "texted"
	textAskVRM  EventName = "ask_vrm"
	textEntered EventName = "entered"
	textKnown   EventName = "known"
	textNewVRM  EventName = "new_vrm"
	textRedate  EventName = "redate"
	textDated   EventName = "dated"
)

func startTextActivate(c *Ctx, _ Input) Outcome {
	if c.Data.DateText != "" {
		return Outcome{Say: []Msg{{ID: MsgUnreadDate, Text: c.Data.DateText}}, Next: Hangup,
			Failure: "date texted " + c.Data.DateText}
	}
	if c.Data.VRM == "" {
		return Outcome{Next: Fire(textAskVRM)}
	}
	return Outcome{Next: Fire(textTexted)}
}

// checkTextedVRM checks a texted registration and date: a vehicle the account has used
// before is activated at once; a new one is read back for a CONFIRM first (R16).
func checkTextedVRM(c *Ctx, _ Input) Outcome {
	if _, err := domain.ParseVRM(c.Data.VRM); err != nil {
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Next: Fire(textAskVRM), Failure: "registration " + c.Data.VRM}
	}
	res, out, refused := authorised(c, domain.PermActivate)
	if refused {
		return ended(out)
	}
	if _, err := c.Op.PlanVisit(c.Actor(), c.Account(), domain.VisitRequest{VRM: c.Data.VRM, Date: c.Data.VisitDate()}); err != nil {
		return textRefusal(c, err)
	}
	vs, err := c.Op.Vehicles(res)
	if err != nil {
		return Outcome{Err: err}
	}
	for _, v := range vs {
		if v.VRM == c.Data.VRM {
			return Outcome{Next: Fire(textKnown), Note: "a vehicle used before"}
		}
	}
	return Outcome{Next: Fire(textNewVRM), Note: "a new vehicle"}
}

func chooseTextedDate(c *Ctx, in Input) Outcome {
	if in.Kind != InputText {
		return wrongKey(in)
	}
	d, ok := entry.TextDate(in.Text, c.Today())
	if !ok {
		return Outcome{Next: Retry(Msg{ID: MsgBadDate}), Failure: "date texted " + in.Text}
	}
	c.Data.Date = d.String()
	return Outcome{Next: Fire(textDated), Note: "date " + d.String()}
}

// textRefusal explains a refusal by text: a date that could be another asks for one; any
// other refusal ends the conversation.
func textRefusal(c *Ctx, err error) Outcome {
	out := refused(c, err, "texted visit")
	if out.Err == nil && out.Next.Kind == NextAgain {
		c.Data.Date = ""
		out.Next = Fire(textRedate)
		return out
	}
	return ended(out)
}

// ended is out ending the text conversation where the phone line would go on to its menu.
func ended(out Outcome) Outcome {
	if out.Err == nil {
		out.Next = Hangup
	}
	return out
}

func confirmTextedVisit(c *Ctx, in Input) Outcome {
	switch in.Kind {
	case InputYes:
		return activate(c, Hangup, func(err error) Outcome { return ended(refused(c, err, "activating")) })
	case InputNo:
		return Outcome{Say: []Msg{say(MsgNotActivated)}, Next: Hangup, Note: "did not activate"}
	}
	return wrongKey(in)
}
