package flows

import (
	"strconv"

	"permitline/domain"
)

// Cancel cancels a visit that has not started (R17). The caller hears the visits that can
// still be cancelled, up to five, picks one, and confirms; the visit goes back to its
// permit. A caller with none hears why: visits can be cancelled only until 5 minutes
// before they start. 9 goes back to the main menu from the list; at the confirmation, 2
// keeps the visit and goes back to it.
func Cancel() *Flow {
	return &Flow{
		Name:  FlowCancel,
		Start: CancelStart,
		Graph: []Edge{
			{cancelList, from(CancelStart), CancelChoose},
			{cancelPicked, from(CancelChoose), CancelConfirm},
			exit(FlowMenu, CancelStart, CancelChoose, CancelConfirm),
			exit(FlowHelpdesk, CancelChoose, CancelConfirm),
		},
		States: map[StateName]State{
			CancelStart: {Auto: true, Decide: startCancel},
			CancelChoose: {
				Ask:    visitsAsk,
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskWhichVisit)} },
				Decide: chooseVisit,
			},
			CancelConfirm: {
				Ask: func(*Ctx) Ask {
					// No keeps the visit and goes back to the main menu: its words say so.
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptYes)}, {"2", say(MsgOptKeep)}}}
				},
				Prompt: func(c *Ctx) []Msg {
					v, err := c.Op.Visit(c.Actor(), c.Data.Ref)
					if err != nil {
						return []Msg{{ID: MsgConfirmCancel, Ref: c.Data.Ref}}
					}
					return []Msg{{ID: MsgConfirmCancel, Ref: v.Ref, VRM: v.VRM, Date: v.Date}}
				},
				Decide: confirmCancel,
				Writes: true,
			},
		},
	}
}

// The cancellation flow's states.
const (
	CancelStart   StateName = "start"
	CancelChoose  StateName = "choose"
	CancelConfirm StateName = "confirm"
)

// The cancellation flow's events.
const (
	cancelList   EventName = "list"
	cancelPicked EventName = "picked"
)

// maxVisitsOffered is how many cancellable visits are offered by key.
const maxVisitsOffered = 5

func startCancel(c *Ctx, _ Input) Outcome {
	c.Data.Visits, c.Data.Ref = nil, ""
	res, out, refused := authorised(c, domain.PermActivate)
	if refused {
		return out
	}
	vs, err := c.Op.VisitsFrom(res, c.Today(), 50)
	if err != nil {
		return Outcome{Err: err}
	}
	ok := domain.Cancellable(vs, c.Now())
	if len(ok) == 0 {
		tooLate := 0
		for _, v := range vs {
			if v.Status == domain.VisitActive {
				tooLate++
			}
		}
		return Outcome{Say: []Msg{{ID: MsgNoCancellable, N: tooLate}}, Next: Fire(ToMenu), Note: "nothing to cancel"}
	}
	for _, v := range ok[:min(len(ok), maxVisitsOffered)] {
		c.Data.Visits = append(c.Data.Visits, v.Ref)
	}
	return Outcome{Next: Fire(cancelList)}
}

func visitsAsk(c *Ctx) Ask {
	var opts []Option
	for i, ref := range c.Data.Visits {
		m := Msg{ID: MsgOptVisit, Ref: ref}
		if v, err := c.Op.Visit(c.Actor(), ref); err == nil {
			m.VRM, m.Date = v.VRM, v.Date
		}
		opts = append(opts, Option{strconv.Itoa(i + 1), m})
	}
	return Ask{Kind: AskChoice, Options: append(opts, Option{"9", say(MsgOptMenu)})}
}

func chooseVisit(c *Ctx, in Input) Outcome {
	if in.Keys == "9" {
		return Outcome{Next: Fire(ToMenu)}
	}
	n, err := strconv.Atoi(in.Keys)
	if in.Kind != InputKeys || err != nil || n < 1 || n > len(c.Data.Visits) {
		return wrongKey(in)
	}
	c.Data.Ref = c.Data.Visits[n-1]
	return Outcome{Next: Fire(cancelPicked), Note: "chose visit " + c.Data.Ref}
}

func confirmCancel(c *Ctx, in Input) Outcome {
	switch in.Keys {
	case "1":
		v, err := c.Op.CancelVisit(c.Actor(), c.Data.Ref)
		if err != nil {
			out := refused(c, err, "cancelling "+c.Data.Ref)
			if out.Err == nil {
				out.Next = Fire(ToMenu)
			}
			return out
		}
		return Outcome{Say: []Msg{{ID: MsgCancelled, Ref: v.Ref, VRM: v.VRM, Date: v.Date}}, Next: Fire(ToMenu),
			Note: "cancelled " + v.Ref}
	case "2":
		return Outcome{Say: []Msg{say(MsgKept)}, Next: Fire(ToMenu), Note: "kept the visit"}
	}
	return wrongKey(in)
}
