package flows

import (
	"encoding/json"
	"errors"
	"strconv"

	"permitline/domain"
)

// The helpdesk flow's states.
const (
	// HelpdeskStart decides at once: the queue while open, the closed-hours offer while not.
	HelpdeskStart StateName = "start"
	// HelpdeskOffer offers a closed helpdesk's caller a call back, a message or the line.
	HelpdeskOffer StateName = "offer"
	// HelpdeskMessage records a message for the helpdesk.
	HelpdeskMessage StateName = "message"
)

// The helpdesk flow's own events.
const (
	helpdeskOffer   EventName = "offer"
	helpdeskMessage EventName = "message"
)

// offerRetries is how many wrong keys or silences the closed-hours offer takes: the second
// ends the call politely, with the hours.
const offerRetries = 1

// Helpdesk puts a caller through to a person. While the helpdesk is open (R19) the
// caller joins the queue, and the agent who takes the call sees everything the caller
// did. While it is closed (R21) the caller hears so and when it next opens, and is offered
// a call back when it opens or a message for it (R25), or to go back to the main menu
// (not yet identified: back to identification; self-service never closes, R20).
func Helpdesk() *Flow {
	return &Flow{
		Name:  FlowHelpdesk,
		Start: HelpdeskStart,
		Graph: []Edge{
			{helpdeskOffer, from(HelpdeskStart, HelpdeskMessage), HelpdeskOffer},
			{helpdeskMessage, from(HelpdeskOffer), HelpdeskMessage},
			exit(FlowMenu, HelpdeskOffer),
			exit(FlowIdentify, HelpdeskOffer),
			// 0 at the offer: the helpdesk again, which says it is closed and offers again.
			exit(FlowHelpdesk, HelpdeskOffer),
		},
		States: map[StateName]State{
			HelpdeskStart: {Auto: true, Decide: toHelpdesk},
			HelpdeskOffer: {
				Ask: func(c *Ctx) Ask {
					back := MsgOptMenu
					if !c.Data.Verified {
						back = MsgOptIdentify
					}
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptCallback)}, {"2", say(MsgOptMessage)},
						{"9", say(back)}}}
				},
				Decide:     decideOffer,
				MaxRetries: offerRetries,
				Stuck: func(c *Ctx) Outcome {
					st := c.Svc.Helpdesk().Status(c.Now())
					return Outcome{Say: []Msg{{ID: MsgHours, Helpdesk: &st}, say(MsgGoodbye)}, Next: Hangup,
						Failure: "no choice at the closed helpdesk's offer"}
				},
			},
			HelpdeskMessage: {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskRecord} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskMessage)} },
				Decide: leaveMessage,
				Writes: true,
			},
		},
	}
}

func toHelpdesk(c *Ctx, _ Input) Outcome {
	st := c.Svc.Helpdesk().Status(c.Now())
	if st.Open {
		return Outcome{Say: []Msg{{ID: MsgTransferring}}, Next: TransferTo(helpdeskReason(c)), Note: "put through"}
	}
	return Outcome{Say: []Msg{{ID: MsgClosed, Helpdesk: &st}}, Next: Fire(helpdeskOffer), Note: "helpdesk closed"}
}

// helpdeskReason is why the caller wants a person, for the agent.
func helpdeskReason(c *Ctx) string {
	reason := "asked for an agent"
	if c.Data.LastFailure != "" {
		reason += " after: " + c.Data.LastFailure
	}
	return reason
}

// decideOffer answers the closed-hours offer: 1 books a call back for the helpdesk's next
// opening (R25), 2 leaves a message, 9 goes back.
func decideOffer(c *Ctx, in Input) Outcome {
	back := ToMenu
	if !c.Data.Verified {
		back = ToIdentify
	}
	switch in.Keys {
	case "1":
		return bookCallback(c, back)
	case "2":
		return Outcome{Next: Fire(helpdeskMessage), Note: "chose to leave a message"}
	case "9":
		return Outcome{Next: Fire(back), Note: "went back"}
	}
	return Outcome{Next: Retry(Msg{ID: MsgWrongKey, Text: in.Keys})}
}

// bookCallback books a call back to the caller's number for when the helpdesk opens; a
// refusal (R25) is explained and the caller goes back.
func bookCallback(c *Ctx, back EventName) Outcome {
	cb, err := c.Op.BookCallback(domain.CallbackIn{CallSid: c.Data.Key, Number: c.Data.From, Caller: c.Data.Caller,
		Verified: c.Data.Verified, Kind: domain.CallbackBooked, Reason: helpdeskReason(c), Context: callContext(c)})
	var r domain.Refusal
	switch {
	case errors.As(err, &r):
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Next: Fire(back), Failure: "call back refused: " + err.Error()}
	case err != nil:
		return Outcome{Err: err}
	}
	return Outcome{Say: []Msg{{ID: MsgCallbackBooked, Text: cb.Number, At: cb.DueAt}}, Next: Hangup,
		Note: "call back booked, due " + cb.DueAt.UTC().Format("2006-01-02 15:04Z")}
}

// leaveMessage takes the recording of a message: the call's context goes with it, and
// Twilio's recording status callback reports it available. No recording: offered again.
func leaveMessage(c *Ctx, in Input) Outcome {
	if in.Kind != InputRecord || in.Record.URL == "" || in.Record.Duration <= 0 {
		return Outcome{Next: Fire(helpdeskOffer), Note: "no message recorded"}
	}
	_, err := c.Op.RecordVoicemail(domain.VoicemailIn{CallSid: c.Data.Key, From: c.Data.From, Caller: c.Data.Caller,
		Reason: helpdeskReason(c), Context: callContext(c), RecordingSid: in.Record.Sid, RecordingURL: in.Record.URL,
		Duration: in.Record.Duration})
	if err != nil {
		return Outcome{Err: err}
	}
	return Outcome{Say: []Msg{say(MsgMessageLeft)}, Next: Hangup,
		Note: "left a message of " + strconv.Itoa(in.Record.Duration) + " s"}
}

// callContext is what the caller did on the call, for the agent who calls back or listens.
func callContext(c *Ctx) []byte {
	b, err := json.Marshal(struct {
		LastFailure string  `json:"last_failure,omitempty"`
		History     []Event `json:"history"`
	}{c.Data.LastFailure, c.Data.History})
	if err != nil {
		return nil
	}
	return b
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
