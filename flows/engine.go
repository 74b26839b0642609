package flows

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/looplab/fsm"

	"permitline/domain"
	"permitline/domain/calendar"
)

// State is one state of a flow: what it asks and how an answer moves the flow on.
type State struct {
	// Ask returns the question; nil for a state that decides at once (Auto).
	Ask func(c *Ctx) Ask
	// Prompt returns what is said when the state asks its question.
	Prompt func(c *Ctx) []Msg
	// Decide turns an answer into an outcome. It may call the domain through c.Op.
	Decide func(c *Ctx, in Input) Outcome
	// Auto states decide as soon as they are entered, without asking.
	Auto bool
	// Writes marks a state whose answer usually changes the account (a confirmed visit, a
	// payment): a channel need not try the step on a snapshot first (see Engine.Writes).
	// It is a hint: a state without it may still write, and one with it may not.
	Writes bool
}

// Outcome is what an answer leads to.
type Outcome struct {
	Say   []Msg  // said before moving on
	Event string // an event of the flow's graph
	Goto  string // leave for the start of another flow
	End   End
	// Retry re-asks the same state after saying Retry; it counts towards MaxRetries.
	Retry *Msg
	// Again re-asks the same state without counting a retry (a repeat, a wrong PIN).
	Again bool
	// Transfer is the reason given to the helpdesk, with End == EndTransfer.
	Transfer string
	// Note is recorded in the history for the agent.
	Note string
	// Failure says what went wrong, in a few words, for the agent who may take over.
	Failure string
	// Err is a failure of the service itself (not a rule's refusal): the step is rolled
	// back and the channel answers with its fallback.
	Err error
}

// Flow is one conversation: its graph and its states.
type Flow struct {
	Name   string
	Start  string
	Events fsm.Events
	States map[string]State
}

// Ctx is what a state sees while deciding: the transaction, the clock, the collected data.
type Ctx struct {
	Context context.Context
	Op      *domain.Op
	Svc     *domain.Service
	Data    *Data

	// auth keeps the step's answers to "may the caller do this?" (R5): a step may ask
	// several times (the menu's options are worked out to decide a key, then again to
	// ask), and nothing a step does changes the answer.
	auth map[authQuestion]authAnswer
}

type authQuestion struct {
	actor   domain.Actor
	account string
	need    domain.Permission
}

type authAnswer struct {
	res     domain.Resident
	out     Outcome
	refused bool
}

// Now returns the instant the step acts at.
func (c *Ctx) Now() time.Time { return c.Op.Now() }

// Today returns the London date of the step.
func (c *Ctx) Today() calendar.Date { return calendar.DateOf(c.Op.Now()) }

// Actor returns who acts: the identified caller on this channel.
func (c *Ctx) Actor() domain.Actor {
	if c.Data.Caller == nil {
		return domain.Actor{Channel: c.Data.Channel}
	}
	return c.Data.Caller.Actor(c.Data.Channel)
}

// Account returns the caller's account number.
func (c *Ctx) Account() string {
	if c.Data.Caller == nil {
		return ""
	}
	return c.Data.Caller.Account
}

// Engine runs flows.
type Engine struct {
	flows map[string]*Flow
	entry string
	// transfers says whether a stuck person can be put through to the helpdesk (a call
	// can; a text conversation ends with the helpdesk's number instead).
	transfers bool
}

// Flow names.
const (
	FlowIdentify = "identify"
	FlowMenu     = "menu"
	FlowActivate = "activate"
	FlowCancel   = "cancel"
	FlowBuy      = "buy"
	FlowHelpdesk = "helpdesk"
	// FlowMenu in a text conversation: the end of it.
	FlowDone = "menu"
)

// NewVoiceEngine returns the engine of the phone line, entering at identification.
func NewVoiceEngine() *Engine {
	e := newEngine(FlowIdentify, Identify(), Menu(), Activate(), Cancel(), Buy(), Helpdesk())
	e.transfers = true
	return e
}

// NewTextEngine returns the engine of text conversations: the activation flow the phone
// line uses, ended where the phone line would return to its menu.
func NewTextEngine() *Engine { return newEngine(FlowActivate, Activate(), textDone()) }

// textDone ends a text conversation.
func textDone() *Flow {
	return &Flow{Name: FlowDone, Start: "done", Events: fsm.Events{}, States: map[string]State{
		"done": {Auto: true, Decide: func(*Ctx, Input) Outcome { return Outcome{End: EndHangup} }},
	}}
}

func newEngine(entry string, flows ...*Flow) *Engine {
	e := &Engine{flows: map[string]*Flow{}, entry: entry}
	for _, f := range flows {
		e.flows[f.Name] = f
	}
	return e
}

// Flows returns the engine's flows, by name.
func (e *Engine) Flows() []*Flow {
	out := make([]*Flow, 0, len(e.flows))
	for _, f := range e.flows {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// New returns a session at the engine's entry, not yet started.
func (e *Engine) New(d Data) *Session { return e.Begin(e.entry, d) }

// Begin returns a session at the start of the named flow, not yet started. A flow the
// engine does not have is an error at the session's first step.
func (e *Engine) Begin(flow string, d Data) *Session {
	f, ok := e.flows[flow]
	if !ok {
		return &Session{Flow: flow, Data: d}
	}
	return &Session{Flow: f.Name, State: f.Start, Data: d}
}

// Writes reports whether the session's state usually writes when answered, so that a
// channel that steps read-only first, and writes only if it must, goes straight to the
// write. Whatever it says, the step's outcome is the same.
func (e *Engine) Writes(s *Session) bool {
	st, err := e.state(s)
	return err == nil && st.Writes
}

// maxAutoSteps stops a graph that would loop through auto states forever.
const maxAutoSteps = 32

// Step moves the session on with one answer (InputNone to start or resume) and returns
// what to say and ask next. It changes only the session and, through c.Op, the domain.
func (e *Engine) Step(c *Ctx, s *Session, in Input) (Reply, error) {
	c.Data = &s.Data
	st, err := e.state(s)
	if err != nil {
		return Reply{}, err
	}
	var out Outcome
	if in.Kind != InputNone {
		out = e.answer(c, s, st, in)
		s.record(c, in, st, out)
	}
	var says []Msg
	for range maxAutoSteps {
		if out.Err != nil {
			return Reply{}, fmt.Errorf("flow %s.%s: %w", s.Flow, s.State, out.Err)
		}
		says = append(says, out.Say...)
		switch {
		case out.End != EndNone:
			return Reply{Says: says, End: out.End, Transfer: out.Transfer}, nil
		case out.Retry != nil:
			s.Data.Retries++
			if s.Data.Retries > MaxRetries {
				out = e.stuck(c, s)
				continue
			}
			return e.ask(c, st, append(says, *out.Retry)), nil
		case out.Again:
			return e.ask(c, st, says), nil
		case out.Goto != "":
			f, ok := e.flows[out.Goto]
			if !ok {
				return Reply{}, fmt.Errorf("flow %s.%s goes to unknown flow %q", s.Flow, s.State, out.Goto)
			}
			s.Flow, s.State, s.Data.Retries = f.Name, f.Start, 0
		case out.Event != "":
			if err := e.fire(c.Context, s, out.Event); err != nil {
				return Reply{}, err
			}
			s.Data.Retries = 0
		}
		if st, err = e.state(s); err != nil {
			return Reply{}, err
		}
		if !st.Auto {
			return e.ask(c, st, says), nil
		}
		out = st.Decide(c, Input{})
		s.record(c, Input{}, st, out)
	}
	return Reply{}, fmt.Errorf("flow %s.%s: more than %d steps without asking", s.Flow, s.State, maxAutoSteps)
}

// Late answers a step that came after the conversation ended. Twilio sends a <Pay>
// result and the call's status callback as two webhooks in no fixed order, so a payment
// taken may be reported once the caller is gone: the state that asked for it records it
// as ever (once per confirmation code), and the session moves where the answer leads,
// without asking anything. Any other late answer changes nothing. The reply always ends
// the conversation; acted reports whether the answer was acted on.
func (e *Engine) Late(c *Ctx, s *Session, in Input) (reply Reply, acted bool, err error) {
	c.Data = &s.Data
	st, err := e.state(s)
	if err != nil || in.Kind != InputPay || st.Ask == nil || st.Ask(c).Kind != AskPay {
		return Reply{End: EndHangup}, false, err
	}
	in.Late = true
	out := st.Decide(c, in)
	if out.Err != nil {
		return Reply{}, false, fmt.Errorf("flow %s.%s: %w", s.Flow, s.State, out.Err)
	}
	s.record(c, in, st, out)
	switch {
	case out.Goto != "":
		f, ok := e.flows[out.Goto]
		if !ok {
			return Reply{}, false, fmt.Errorf("flow %s.%s goes to unknown flow %q", s.Flow, s.State, out.Goto)
		}
		s.Flow, s.State = f.Name, f.Start
	case out.Event != "":
		if err := e.fire(c.Context, s, out.Event); err != nil {
			return Reply{}, false, err
		}
	}
	s.Data.Retries = 0
	return Reply{Says: out.Say, End: EndHangup}, true, nil
}

// answer applies the keys every menu understands, then the state's own decision.
func (e *Engine) answer(c *Ctx, s *Session, st State, in Input) Outcome {
	if in.Kind == InputSilence {
		return Outcome{Retry: &Msg{ID: MsgNoInput}}
	}
	if st.Ask != nil && st.Ask(c).Kind == AskChoice && in.Kind == InputKeys {
		switch in.Keys {
		case "*":
			return Outcome{Again: true, Note: "repeat"}
		case "0":
			return Outcome{Goto: FlowHelpdesk, Note: "asked for an agent"}
		}
	}
	return st.Decide(c, in)
}

// stuck ends repeated failures: an agent when the helpdesk is open, else a goodbye.
func (e *Engine) stuck(c *Ctx, s *Session) Outcome {
	s.Data.Retries = 0
	if !e.transfers {
		return Outcome{Say: []Msg{say(MsgStuck)}, End: EndHangup, Failure: "stuck at " + s.Flow + "." + s.State}
	}
	if c.Svc.Helpdesk().IsOpen(c.Now()) {
		return Outcome{Say: []Msg{say(MsgStuck)}, End: EndTransfer,
			Transfer: fmt.Sprintf("stuck at %s.%s: %s", s.Flow, s.State, s.Data.LastFailure)}
	}
	st := c.Svc.Helpdesk().Status(c.Now())
	return Outcome{Say: []Msg{{ID: MsgClosed, Helpdesk: &st}, say(MsgGoodbye)}, End: EndHangup}
}

func (e *Engine) ask(c *Ctx, st State, says []Msg) Reply {
	a := st.Ask(c)
	if st.Prompt != nil {
		says = append(says, st.Prompt(c)...)
	}
	return Reply{Says: says, Ask: &a}
}

func (e *Engine) state(s *Session) (State, error) {
	f, ok := e.flows[s.Flow]
	if !ok {
		return State{}, fmt.Errorf("unknown flow %q", s.Flow)
	}
	st, ok := f.States[s.State]
	if !ok {
		return State{}, fmt.Errorf("unknown state %s.%s", s.Flow, s.State)
	}
	return st, nil
}

// fire moves the session along an edge of its flow's graph; an event the graph does not
// have from this state is a bug in the flow.
func (e *Engine) fire(ctx context.Context, s *Session, event string) error {
	m := fsm.NewFSM(s.State, e.flows[s.Flow].Events, fsm.Callbacks{})
	err := m.Event(ctx, event)
	var same fsm.NoTransitionError
	if err != nil && !errors.As(err, &same) {
		return fmt.Errorf("flow %s: event %q from %q: %w", s.Flow, event, s.State, err)
	}
	s.State = m.Current()
	return nil
}

// record keeps what happened for the agent: never a secret's keys.
func (s *Session) record(c *Ctx, in Input, st State, out Outcome) {
	ev := Event{At: c.Now(), Flow: s.Flow, State: s.State, Note: out.Note}
	switch in.Kind {
	case InputKeys:
		ev.Input = "keys " + in.Keys
		if st.Ask != nil && st.Ask(c).Secret {
			ev.Input = "keys (hidden)"
		}
	case InputSpeech:
		ev.Input = "said " + in.Speech
	case InputText:
		ev.Input = "texted " + in.Text
	case InputSilence:
		ev.Input = "no input"
	case InputPay:
		ev.Input = "payment " + in.Pay.Result
	}
	if ev.Input == "" && ev.Note == "" {
		return
	}
	switch {
	case out.Failure != "":
		s.Data.LastFailure = out.Failure
	case out.Retry != nil:
		s.Data.LastFailure = string(out.Retry.ID) + " at " + s.State
	}
	const keep = 40
	s.Data.History = append(s.Data.History, ev)
	if len(s.Data.History) > keep {
		s.Data.History = s.Data.History[len(s.Data.History)-keep:]
	}
}
