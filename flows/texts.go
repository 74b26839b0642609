package flows

import (
	"errors"
	"fmt"

	"permitline/domain"
)

// The text conversations. Every text that reads as a command starts a new conversation
// at the text flow, which leaves at once for the command's own flow: an activation, which
// may ask for more, or one of the one-shot flows that answer at once and end: cancel a
// visit by its reference, the balance, the upcoming visits, the helpdesk's hours, help.
// Each asks the domain as the phone line's flows do, so the rules are decided in one
// place for both channels.

// Flow names of the text conversations (FlowActivate and FlowCancel too).
const (
	FlowText    = "text"
	FlowBalance = "balance"
	FlowVisits  = "visits"
	FlowHours   = "hours"
	FlowHelp    = "help"
)

// The exits of the text flow to the one-shot flows.
const (
	ToBalance EventName = "to_" + FlowBalance
	ToVisits  EventName = "to_" + FlowVisits
	ToHours   EventName = "to_" + FlowHours
	ToHelp    EventName = "to_" + FlowHelp
)

// Command is what a text asked for: the flow the text flow leaves for.
type Command string

// The commands a text may give.
const (
	CommandActivate Command = "activate" // Data.VRM and perhaps Data.Date
	CommandCancel   Command = "cancel"   // Data.Ref, perhaps empty
	CommandBalance  Command = "balance"
	CommandVisits   Command = "visits"
	CommandHours    Command = "hours"
	CommandHelp     Command = "help"
)

// commandExits is the exit each command takes from the text flow.
var commandExits = map[Command]EventName{
	CommandActivate: ToActivate, CommandCancel: ToCancel, CommandBalance: ToBalance,
	CommandVisits: ToVisits, CommandHours: ToHours, CommandHelp: ToHelp,
}

// TextStart is the start state of the text flow and of every one-shot flow.
const TextStart StateName = "start"

// NewTextEngine returns the engine of text conversations, entering at the text flow.
func NewTextEngine() *Engine {
	return newEngine(FlowText, Text(), TextActivate(), TextCancel(), oneShot(FlowBalance, tellTextBalance),
		oneShot(FlowVisits, tellVisits), oneShot(FlowHours, tellTextHours), oneShot(FlowHelp, tellHelp))
}

// Text starts the flow of the command a text gave (Data.Command).
func Text() *Flow {
	return &Flow{
		Name:  FlowText,
		Start: TextStart,
		Graph: []Edge{
			exit(FlowActivate, TextStart), exit(FlowCancel, TextStart), exit(FlowBalance, TextStart),
			exit(FlowVisits, TextStart), exit(FlowHours, TextStart), exit(FlowHelp, TextStart),
		},
		States: map[StateName]State{
			TextStart: {Auto: true, Decide: func(c *Ctx, _ Input) Outcome {
				ev, ok := commandExits[c.Data.Command]
				if !ok {
					return Outcome{Err: fmt.Errorf("a text with no command %q", c.Data.Command)}
				}
				return Outcome{Next: Fire(ev), Note: "texted " + string(c.Data.Command)}
			}},
		},
	}
}

// oneShot is a flow that answers at once and ends.
func oneShot(name string, answer func(c *Ctx) Outcome) *Flow {
	return &Flow{Name: name, Start: TextStart, States: map[StateName]State{
		TextStart: {Auto: true, Decide: func(c *Ctx, _ Input) Outcome {
			out := answer(c)
			if out.Err == nil {
				out.Next = Hangup
			}
			return out
		}},
	}}
}

// TextCancel cancels a visit by the reference texted (R17). A reference that is no visit
// of an account the sender may see is answered as one that is no visit at all, so a
// reference tells nothing of another account (domain.Op.Visit, R5); a visit of the
// sender's account that they may not cancel, or can no longer cancel, is explained.
func TextCancel() *Flow { return oneShot(FlowCancel, cancelTexted) }

func cancelTexted(c *Ctx) Outcome {
	ref := c.Data.Ref
	if ref == "" {
		return Outcome{Say: []Msg{say(MsgAskRef)}, Note: "no reference"}
	}
	if _, err := c.Op.Visit(c.Actor(), ref); errors.Is(err, domain.ErrNotFound) {
		return Outcome{Say: []Msg{{ID: MsgVisitNotFound, Ref: ref}}, Failure: "no visit " + ref + " on the account"}
	} else if err != nil {
		return Outcome{Err: err}
	}
	v, err := c.Op.CancelVisit(c.Actor(), ref)
	if domain.RuleOf(err) != "" {
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Failure: "cancelling " + ref + ": " + err.Error()}
	} else if err != nil {
		return Outcome{Err: err}
	}
	return Outcome{Say: []Msg{{ID: MsgCancelled, Ref: v.Ref, VRM: v.VRM, Date: v.Date}}, Note: "cancelled " + v.Ref}
}

func tellTextBalance(c *Ctx) Outcome {
	b, err := c.Op.Balance(c.Actor(), c.Account())
	if domain.RuleOf(err) != "" {
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Failure: "may not hear the balance"}
	} else if err != nil {
		return Outcome{Err: err}
	}
	return Outcome{Say: []Msg{{ID: MsgBalance, Balance: &b}}, Note: "heard the balance"}
}

// maxVisitsTold is the most upcoming visits a text is given, to list.
const maxVisitsTold = 50

func tellVisits(c *Ctx) Outcome {
	vs, err := c.Op.UpcomingVisits(c.Actor(), c.Account(), maxVisitsTold)
	if domain.RuleOf(err) != "" {
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Failure: "may not see the visits"}
	} else if err != nil {
		return Outcome{Err: err}
	}
	return Outcome{Say: []Msg{{ID: MsgVisits, Visits: vs}}, Note: "heard the visits"}
}

func tellTextHours(c *Ctx) Outcome {
	st := c.Svc.Helpdesk().Status(c.Now())
	return Outcome{Say: []Msg{{ID: MsgHours, Helpdesk: &st}}, Note: "heard the hours"}
}

func tellHelp(*Ctx) Outcome { return Outcome{Say: []Msg{say(MsgHelp)}, Note: "heard the help"} }
