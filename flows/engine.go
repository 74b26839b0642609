package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"permitline/domain"
	"permitline/domain/calendar"
)

// StateName names a state of a flow. It is stored with the conversation: a rename needs
// a migration.
type StateName string

// EventName names an edge of a flow's graph.
type EventName string

// Edge is one edge of a flow's graph: Event moves the flow from any of From to To.
type Edge struct {
	Event EventName
	From  []StateName
	To    StateName
}

// from is shorthand for the states an edge leaves.
func from(states ...StateName) []StateName { return states }

// Exits: the events that leave a flow for the start of another. Each leads into an exit
// pseudo-state of the flow that names the flow it leaves for (exitState); the session
// never rests there, the engine moves on to that flow's start.
const (
	ToIdentify EventName = "to_" + FlowIdentify
	ToMenu     EventName = "to_" + FlowMenu
	ToActivate EventName = "to_" + FlowActivate
	ToCancel   EventName = "to_" + FlowCancel
	ToBuy      EventName = "to_" + FlowBuy
	ToHelpdesk EventName = "to_" + FlowHelpdesk
)

// exitPrefix starts the name of every exit pseudo-state.
const exitPrefix = "exit_"

// exitState is the exit pseudo-state that leaves for the flow named flow.
func exitState(flow string) StateName { return StateName(exitPrefix + flow) }

// exit is the edge that leaves the states from for the start of the flow named to.
func exit(to string, states ...StateName) Edge {
	return Edge{Event: EventName("to_" + to), From: states, To: exitState(to)}
}

// exitTarget returns the flow an exit pseudo-state leaves for.
func exitTarget(s StateName) (string, bool) {
	return strings.CutPrefix(string(s), exitPrefix)
}

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
	// MaxRetries, when not 0, is how many retries the state takes instead of MaxRetries.
	MaxRetries int
	// Stuck, when not nil, is the outcome once the state's retries are used up, instead of
	// the engine's (the helpdesk flow, for a call).
	Stuck func(c *Ctx) Outcome
}

// Outcome is what an answer leads to: what is said, then one next step.
type Outcome struct {
	Say  []Msg // said before moving on
	Next Next
	// Note is recorded in the history for the agent.
	Note string
	// Failure says what went wrong, in a few words, for the agent who may take over.
	Failure string
	// Err is a failure of the service itself (not a rule's refusal): the step is rolled
	// back and the channel answers with its fallback. Next is not taken.
	Err error
}

// NextKind says which way a conversation goes after an answer.
type NextKind uint8

// The ways a conversation goes on.
const (
	// NextAgain re-asks the same state without counting a retry (a repeat, a wrong PIN).
	// It is the zero Next.
	NextAgain NextKind = iota
	// NextEvent moves along an edge of the flow's graph: to another state, or through an
	// exit to the start of another flow.
	NextEvent
	// NextRetry re-asks the same state after saying Next.Retry; it counts towards
	// MaxRetries.
	NextRetry
	// NextEnd ends the conversation (Next.End), with Next.Transfer the reason given to the
	// helpdesk when the end is a transfer.
	NextEnd
)

// Next is where a conversation goes after an answer: exactly one way, its Kind.
type Next struct {
	Kind     NextKind
	Event    EventName // NextEvent
	Retry    Msg       // NextRetry
	End      End       // NextEnd
	Transfer string    // NextEnd with EndTransfer
}

// Fire moves along the edge event of the flow's graph.
func Fire(event EventName) Next { return Next{Kind: NextEvent, Event: event} }

// Retry re-asks the same state after saying m, counting a retry.
func Retry(m Msg) Next { return Next{Kind: NextRetry, Retry: m} }

// Again re-asks the same state without counting a retry.
var Again = Next{Kind: NextAgain}

// Hangup ends the conversation.
var Hangup = Next{Kind: NextEnd, End: EndHangup}

// TransferTo ends the conversation by putting the caller through to the helpdesk.
func TransferTo(reason string) Next { return Next{Kind: NextEnd, End: EndTransfer, Transfer: reason} }

// Flow is one conversation: its graph and its states.
type Flow struct {
	Name  string
	Start StateName
	// Graph is every edge of the flow, the exits to other flows included.
	Graph  []Edge
	States map[StateName]State

	events fsm.Events // Graph, as looplab/fsm takes it
}

// Events returns the flow's graph as looplab/fsm's table.
func (f *Flow) Events() fsm.Events { return f.events }

// build makes the flow's fsm table from its graph, once, before the engine is shared.
func (f *Flow) build() {
	f.events = fsm.Events{}
	for _, e := range f.Graph {
		src := make([]string, len(e.From))
		for i, s := range e.From {
			src[i] = string(s)
		}
		f.events = append(f.events, fsm.EventDesc{Name: string(e.Event), Src: src, Dst: string(e.To)})
	}
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
)

// NewVoiceEngine returns the engine of the phone line, entering at identification.
func NewVoiceEngine() *Engine {
	e := newEngine(FlowIdentify, Identify(), Menu(), Activate(), Cancel(), Buy(), Helpdesk(), NewPIN())
	e.transfers = true
	return e
}

func newEngine(entry string, flows ...*Flow) *Engine {
	e := &Engine{flows: map[string]*Flow{}, entry: entry}
	for _, f := range flows {
		f.build()
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
	return &Session{Flow: f.Name, State: string(f.Start), Data: d}
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
	} else if st.Auto {
		out = st.Decide(c, Input{})
		s.record(c, Input{}, st, out)
	} else {
		return e.ask(c, st, nil), nil
	}
	var says []Msg
	for range maxAutoSteps {
		if out.Err != nil {
			return Reply{}, fmt.Errorf("flow %s.%s: %w", s.Flow, s.State, out.Err)
		}
		says = append(says, out.Say...)
		switch next := out.Next; next.Kind {
		case NextEnd:
			return Reply{Says: says, End: next.End, Transfer: next.Transfer}, nil
		case NextRetry:
			s.Data.Retries++
			if limit := cmp.Or(st.MaxRetries, MaxRetries); s.Data.Retries > limit {
				out = e.stuck(c, s, st)
				continue
			}
			return e.ask(c, st, append(says, next.Retry)), nil
		case NextAgain:
			if !st.Auto {
				return e.ask(c, st, says), nil
			}
		case NextEvent:
			if err := e.fire(c.Context, s, next.Event); err != nil {
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
	if out.Next.Kind == NextEvent {
		if err := e.fire(c.Context, s, out.Next.Event); err != nil {
			return Reply{}, false, err
		}
	}
	s.Data.Retries = 0
	return Reply{Says: out.Say, End: EndHangup}, true, nil
}

// answer applies the keys every menu understands, then the state's own decision.
func (e *Engine) answer(c *Ctx, s *Session, st State, in Input) Outcome {
	if in.Kind == InputSilence {
		return Outcome{Next: Retry(Msg{ID: MsgNoInput})}
	}
	if st.Ask != nil && st.Ask(c).Kind == AskChoice && in.Kind == InputKeys {
		switch in.Keys {
		case "*":
			return Outcome{Next: Again, Note: "repeat"}
		case "0":
			return Outcome{Next: Fire(ToHelpdesk), Note: "asked for an agent"}
		}
	}
	return st.Decide(c, in)
}

// stuck ends repeated failures. On the phone no question ends a call: the caller goes
// to the helpdesk flow, with LastFailure saying what went wrong, and it decides what is
// offered. A text conversation ends politely.
func (e *Engine) stuck(c *Ctx, s *Session, st State) Outcome {
	s.Data.Retries = 0
	if st.Stuck != nil {
		return st.Stuck(c)
	}
	if !e.transfers {
		return Outcome{Say: []Msg{say(MsgStuck)}, Next: Hangup, Failure: "stuck at " + s.Flow + "." + s.State}
	}
	s.Data.LastFailure = fmt.Sprintf("stuck at %s.%s: %s", s.Flow, s.State, s.Data.LastFailure)
	return Outcome{Next: Fire(ToHelpdesk)}
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
	st, ok := f.States[StateName(s.State)]
	if !ok {
		return State{}, fmt.Errorf("unknown state %s.%s", s.Flow, s.State)
	}
	return st, nil
}

// fire moves the session along an edge of its flow's graph, and on through an exit to
// the start of the flow it leaves for. An event the graph does not have from this state
// is a bug in the flow.
func (e *Engine) fire(ctx context.Context, s *Session, event EventName) error {
	m := fsm.NewFSM(s.State, e.flows[s.Flow].events, fsm.Callbacks{})
	err := m.Event(ctx, string(event))
	var same fsm.NoTransitionError
	if err != nil && !errors.As(err, &same) {
		return fmt.Errorf("flow %s: event %q from %q: %w", s.Flow, event, s.State, err)
	}
	s.State = m.Current()
	if to, ok := exitTarget(StateName(s.State)); ok {
		f, ok := e.flows[to]
		if !ok {
			return fmt.Errorf("flow %s: event %q leaves for unknown flow %q", s.Flow, event, to)
		}
		s.Flow, s.State = f.Name, string(f.Start)
	}
	return nil
}

// record keeps what happened for the agent: never a secret's keys.
func (s *Session) record(c *Ctx, in Input, st State, out Outcome) {
	ev := Event{At: c.Now(), Flow: s.Flow, State: s.State, Note: out.Note}
	switch in.Kind {
	case InputKeys:
		ev.Input = "keys " + in.Keys
		// A secret's keys are never kept, but for 0 alone, the key for a person, which no
		// PIN can be (4 to 6 digits): the agent sees that the caller asked for them.
		if st.Ask != nil && st.Ask(c).Secret && in.Keys != "0" {
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
	case InputRecord:
		ev.Input = "recording of " + strconv.Itoa(in.Record.Duration) + " s"
	}
	if ev.Input == "" && ev.Note == "" {
		return
	}
	switch {
	case out.Failure != "":
		s.Data.LastFailure = out.Failure
	case out.Next.Kind == NextRetry:
		s.Data.LastFailure = string(out.Next.Retry.ID) + " at " + s.State
	}
	const keep = 40
	s.Data.History = append(s.Data.History, ev)
	if len(s.Data.History) > keep {
		s.Data.History = s.Data.History[len(s.Data.History)-keep:]
	}
}
